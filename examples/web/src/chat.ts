// The channel page: the stream's header, live chat (history, events, send, replies, slow mode) and,
// for the room's staff, the moderator panel. Events are typed by the contract.
import type { RealtimeChannel } from "@supabase/supabase-js";
import type { RealtimeEventName, RealtimeEvents, RealtimePayload } from "../../../supabase/functions/_shared/contract.types.ts";
import { me, supabase } from "./api.ts";
import { h, hideBroken } from "./dom.ts";
import { inWords, retryAfter } from "./errors.ts";

type Message = RealtimeEvents["chatroom"]["message.created"];
type Settings = Omit<RealtimeEvents["chatroom"]["settings.updated"], "id">;
const PAGE = 50;

/** Subscribes to one contract event with a typed payload. */
function on<E extends RealtimeEventName<"chatroom">>(ch: RealtimeChannel, event: E, fn: (p: RealtimePayload<"chatroom", E>) => void) {
  ch.on("broadcast", { event }, ({ payload }) => fn(payload as RealtimePayload<"chatroom", E>));
}

/** Message text with its emotes as images (positions are 0-based inclusive code-point offsets). */
function content(m: Message): Node {
  const span = h("span", { class: "text" });
  if (m.content === null) return h("span", { class: "text removed" }, "message removed");
  const chars = [...m.content];
  let at = 0;
  const placed = m.emotes.flatMap((emote) => emote.positions.map((p) => ({ start: p.s, end: p.e, emote })));
  for (const { start, end, emote } of placed.sort((a, b) => a.start - b.start)) {
    span.append(chars.slice(at, start).join(""), image("emote", emote.image_url, emote.code));
    at = end + 1;
  }
  span.append(chars.slice(at).join(""));
  return span;
}

/** An image that falls back to its text when it cannot load (offline, a removed file). */
function image(cls: string, src: string, text: string): HTMLElement {
  const img = h("img", { class: cls, src, alt: text, title: text });
  img.addEventListener("error", () => img.replaceWith(h("span", { class: `${cls} fallback`, title: text }, text)));
  return img;
}

function badges(m: Message): Node {
  return h("span", { class: "badges" }, ...(m.sender?.badges ?? []).map((b) =>
    b.image_url
      ? image(`badge badge-${b.type}`, b.image_url, b.text.slice(0, 1))
      : h("span", { class: `badge badge-${b.type}`, title: `${b.text}${b.count ? ` (${b.count})` : ""}` }, b.text.slice(0, 1))
  ));
}

export async function channelPage(view: HTMLElement, slug: string) {
  const { data: channel } = await supabase.from("channels")
    .select("id, slug, title, is_live, owner_id, followers_count, description").eq("slug", slug).maybeSingle();
  if (!channel) return view.replaceChildren(h("p", { class: "empty" }, `No channel named ${slug}.`));
  const { data: room } = await supabase.from("chatrooms").select("*").eq("channel_id", channel.id).single();
  const { data: owner } = await supabase.from("users").select("username, display_name, avatar_url").eq("id", channel.owner_id).single();
  let isStaff = me?.id === channel.owner_id;
  if (me && !isStaff) {
    const { data } = await supabase.from("channel_roles").select("role").eq("channel_id", channel.id).eq("user_id", me.id).eq("role", "moderator");
    isStaff = (data ?? []).length > 0;
  }
  let settings: Settings = room;

  const messages = new Map<number, Message>();
  const list = h("ol", { class: "messages", "aria-live": "polite" });
  const older = h("button", { class: "link older", onclick: () => loadOlder() }, "Load older messages");
  const pinned = h("div", { class: "pinned", hidden: true });
  const modes = h("div", { class: "modes" });
  const notice = h("div", { class: "notice", role: "alert", hidden: true });
  const replyBar = h("div", { class: "reply-bar", hidden: true });
  const input = h("input", { class: "chat-input", maxLength: 500, placeholder: me ? "Send a message" : "Sign in to chat", disabled: !me });
  const send = h("button", { class: "primary send", type: "submit", disabled: !me }, "Chat");
  let replyTo: Message | null = null;
  let waitUntil = 0;
  let banned = false;

  function showNotice(text: string, kind = "error") {
    notice.textContent = text;
    notice.className = `notice ${kind}`;
    notice.hidden = false;
  }

  function renderModes() {
    const on = [
      settings.slow_mode_seconds ? `Slow mode ${settings.slow_mode_seconds}s` : "",
      settings.followers_only_minutes !== null ? "Followers only" : "",
      settings.subscribers_only ? "Subscribers only" : "",
      settings.emotes_only ? "Emotes only" : "",
    ].filter(Boolean);
    modes.replaceChildren(...on.map((m) => h("span", { class: "mode" }, m)));
  }

  function row(m: Message): HTMLElement {
    const parent = m.reply_to_id ? messages.get(m.reply_to_id) : undefined;
    return h("li", { class: `message${m.content === null ? " is-removed" : ""}`, "data-id": String(m.id), "data-user": m.user_id },
      m.reply_to_id
        ? h("div", { class: "replying" }, "↪ ", parent ? `@${parent.sender?.username}: ${parent.content ?? "message removed"}` : "a reply")
        : null,
      h("div", { class: "line" },
        badges(m),
        h("span", { class: "name", style: m.sender?.color ? `color:${m.sender.color}` : null }, m.sender?.display_name ?? m.sender?.username ?? "someone"),
        h("span", { class: "colon" }, ": "),
        content(m)),
      h("div", { class: "actions" },
        me && m.content !== null ? h("button", { class: "link", onclick: () => startReply(m) }, "Reply") : null,
        isStaff && m.content !== null ? h("button", { class: "link danger", onclick: () => act(supabase.rpc("delete_message", { message_id: m.id })) }, "Delete") : null,
        isStaff && m.user_id !== me?.id ? h("button", { class: "link danger", onclick: () => act(supabase.rpc("ban_user", { chatroom_id: room.id, user_id: m.user_id, reason: "Timed out from the web client", duration_seconds: 600 })) }, "Timeout 10m") : null,
        isStaff && m.user_id !== me?.id ? h("button", { class: "link danger ban", onclick: () => act(supabase.rpc("ban_user", { chatroom_id: room.id, user_id: m.user_id, reason: "Banned from the web client" })) }, "Ban") : null));
  }

  function put(m: Message, atTop = false) {
    const existing = list.querySelector(`[data-id="${m.id}"]`);
    messages.set(m.id, m);
    if (existing) existing.replaceWith(row(m));
    else if (atTop) list.prepend(row(m));
    else {
      const stick = list.scrollTop + list.clientHeight >= list.scrollHeight - 40;
      list.append(row(m));
      if (stick) list.scrollTop = list.scrollHeight;
    }
  }

  const nameOf = (userId: string) => {
    const sender = [...messages.values()].find((m) => m.user_id === userId)?.sender;
    return sender ? `@${sender.username}` : "A user";
  };

  function system(text: string) {
    list.append(h("li", { class: "system" }, text));
    list.scrollTop = list.scrollHeight;
  }

  async function loadOlder() {
    const oldest = Math.min(...messages.keys());
    let q = supabase.from("messages").select("*").eq("chatroom_id", room.id).order("id", { ascending: false }).limit(PAGE);
    if (Number.isFinite(oldest)) q = q.lt("id", oldest);
    const { data, error } = await q;
    if (error) return showNotice(inWords(error));
    for (const m of data as Message[]) put(m, true);
    older.hidden = data.length < PAGE;
    if (!Number.isFinite(oldest)) list.scrollTop = list.scrollHeight;
  }

  function startReply(m: Message) {
    replyTo = m;
    replyBar.replaceChildren(`Replying to @${m.sender?.username}: ${m.content}`, h("button", { class: "link", onclick: cancelReply }, "Cancel"));
    replyBar.hidden = false;
    input.focus();
  }
  function cancelReply() {
    replyTo = null;
    replyBar.hidden = true;
  }

  async function act(call: PromiseLike<{ error: { code?: string; message: string; details?: unknown } | null }>) {
    const { error } = await call;
    if (error) showNotice(inWords(error));
  }

  function countdown(seconds: number) {
    waitUntil = Date.now() + seconds * 1000;
    const tick = () => {
      const left = Math.ceil((waitUntil - Date.now()) / 1000);
      if (left > 0) {
        send.disabled = true;
        send.textContent = `Wait ${left}s`;
        setTimeout(tick, 250);
      } else {
        send.disabled = !me || banned;
        send.textContent = "Chat";
      }
    };
    tick();
  }

  async function submit(ev: Event) {
    ev.preventDefault();
    const text = input.value;
    if (!text.trim() || Date.now() < waitUntil) return;
    const { data, error } = await supabase.rpc("send_message", { chatroom_id: room.id, content: text, reply_to_id: replyTo?.id ?? null });
    if (error) {
      showNotice(inWords(error));
      const wait = retryAfter(error);
      if (wait) countdown(wait);
      return;
    }
    notice.hidden = true;
    input.value = "";
    cancelReply();
    put(data as Message);
    if (settings.slow_mode_seconds && !isStaff) countdown(settings.slow_mode_seconds);
  }

  function renderPin(message: Message | null) {
    pinned.hidden = !message;
    if (message) pinned.replaceChildren(h("strong", {}, "Pinned "), h("span", { class: "name" }, message.sender?.username ?? ""), ": ", content(message));
  }

  // Subscribe first, then load history, so nothing falls between the page and the first event.
  const topic = supabase.channel(`chatroom:${room.id}`, { config: { private: true } });
  on(topic, "message.created", (m) => put(m));
  on(topic, "message.deleted", ({ id }) => {
    const m = messages.get(id);
    if (m) put({ ...m, content: null, emotes: [] });
  });
  on(topic, "messages.cleared", ({ user_id }) => {
    for (const m of messages.values()) if (!user_id || m.user_id === user_id) put({ ...m, content: null, emotes: [] });
    system(user_id ? "A user's messages were cleared by a moderator." : "Chat was cleared by a moderator.");
  });
  on(topic, "user.banned", ({ user_id, expires_at }) => {
    if (user_id === me?.id) {
      showNotice(expires_at ? `You were timed out until ${new Date(expires_at).toLocaleTimeString()}.` : "You were banned from this chat.");
      banned = input.disabled = send.disabled = true;
    } else system(`${nameOf(user_id)} was ${expires_at ? "timed out" : "banned"}.`);
  });
  on(topic, "user.unbanned", ({ user_id }) => {
    if (user_id === me?.id) {
      showNotice("Your ban was lifted.", "info");
      banned = input.disabled = send.disabled = false;
    }
  });
  on(topic, "settings.updated", (s) => {
    settings = s;
    renderModes();
  });
  on(topic, "pin.updated", ({ message }) => renderPin(message));
  on(topic, "subscription.created", (s) => system(`${s.username} subscribed${s.cumulative_months > 1 ? ` for ${s.cumulative_months} months` : ""}!`));
  on(topic, "lockdown.started", () => system("Chat is in lockdown."));
  on(topic, "lockdown.ended", () => system("Lockdown ended."));
  const joined = new Promise<string>((resolve) => topic.subscribe((status) => resolve(status)));

  const chat = h("section", { class: "chat" },
    h("header", { class: "chat-head" }, h("h2", {}, "Chat"), modes),
    pinned, older, list, notice, replyBar,
    h("form", { class: "composer", onsubmit: submit }, input, send));

  const panel = isStaff ? moderatorPanel(room.id, () => settings) : null;
  view.replaceChildren(h("div", { class: "channel-page" },
    h("section", { class: "stage" },
      h("div", { class: "player" }, channel.is_live ? h("span", { class: "live" }, "LIVE") : h("span", { class: "offline" }, "Offline")),
      h("div", { class: "about" },
        owner?.avatar_url ? h("img", { class: "avatar", src: owner.avatar_url, alt: "", onerror: hideBroken }) : null,
        h("div", {}, h("h1", {}, channel.title || channel.slug), h("p", { class: "muted" }, `${owner?.display_name ?? owner?.username} · ${channel.followers_count} followers`))),
      panel),
    chat));
  renderModes();
  if (room.pinned_message_id) {
    const { data } = await supabase.from("messages").select("*").eq("id", room.pinned_message_id).maybeSingle();
    renderPin(data);
  }
  view.dataset.realtime = await joined;
  await loadOlder();
  view.dataset.ready = "true";
}

function moderatorPanel(roomId: string, current: () => Settings): HTMLElement {
  const s = current();
  const result = h("p", { class: "muted result", role: "status" });
  const slow = h("input", { type: "number", min: 0, max: 120, value: s.slow_mode_seconds, name: "slow" });
  const followers = h("input", { type: "number", min: 0, placeholder: "off", value: s.followers_only_minutes ?? "", name: "followers" });
  const subs = h("input", { type: "checkbox", checked: s.subscribers_only, name: "subs" });
  const emotes = h("input", { type: "checkbox", checked: s.emotes_only, name: "emotes" });
  const report = (error: { code?: string; message: string; details?: unknown } | null, ok: string) => {
    result.textContent = error ? inWords(error) : ok;
    result.className = error ? "result error" : "result ok";
  };
  return h("section", { class: "mod-panel" },
    h("h2", {}, "Moderator tools"),
    h("form", {
      class: "settings",
      onsubmit: async (ev: Event) => {
        ev.preventDefault();
        const { error } = await supabase.from("chatrooms").update({
          slow_mode_seconds: Number(slow.value),
          followers_only_minutes: followers.value === "" ? null : Number(followers.value),
          subscribers_only: subs.checked,
          emotes_only: emotes.checked,
        }).eq("id", roomId);
        report(error, "Settings saved.");
      },
    },
      h("label", {}, "Slow mode (s, 0 off)", slow),
      h("label", {}, "Followers only (min)", followers),
      h("label", { class: "check" }, subs, "Subscribers only"),
      h("label", { class: "check" }, emotes, "Emotes only"),
      h("button", { class: "primary", type: "submit" }, "Save settings")),
    h("div", { class: "row" },
      h("button", { class: "danger", onclick: async () => report((await supabase.rpc("clear_chat", { chatroom_id: roomId })).error, "Chat cleared.") }, "Clear chat"),
      h("button", { class: "ghost", onclick: async () => report((await supabase.rpc("unpin_message", { chatroom_id: roomId })).error, "Unpinned.") }, "Unpin")),
    h("p", { class: "muted" }, "Delete, time out or ban from a message's actions."),
    result);
}
