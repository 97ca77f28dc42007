// The Streamz reference web client: live channels, search as you type, a channel page with live
// chat and moderator tools, sign-in with an access token. Routes: #/ and #/c/<slug>.
import { connect, me, search, signIn, signOut, supabase } from "./api.ts";
import { channelPage } from "./chat.ts";
import { h, hideBroken } from "./dom.ts";

const view = document.getElementById("view")!;

async function home() {
  const { data, error } = await supabase.from("channels")
    .select("id, slug, title, followers_count, language, owner_id, category_id").eq("is_live", true).order("followers_count", { ascending: false }).limit(24);
  if (error) return view.replaceChildren(h("p", { class: "empty" }, error.message));
  const owners = new Map<string, { username: string; display_name: string | null; avatar_url: string | null }>();
  const categories = new Map<string, string>();
  if (data.length) {
    const { data: users } = await supabase.from("users").select("id, username, display_name, avatar_url").in("id", data.map((c) => c.owner_id));
    for (const u of users ?? []) owners.set(u.id, u);
    const ids = data.map((c) => c.category_id).filter(Boolean);
    const { data: cats } = ids.length ? await supabase.from("categories").select("id, name").in("id", ids) : { data: [] };
    for (const c of cats ?? []) categories.set(c.id, c.name);
  }
  view.replaceChildren(
    h("h1", { class: "page-title" }, "Live now"),
    data.length
      ? h("div", { class: "grid" }, ...data.map((c) => {
        const o = owners.get(c.owner_id);
        return h("a", { class: "card", href: `#/c/${c.slug}` },
          h("div", { class: "thumb" }, h("span", { class: "live" }, "LIVE")),
          h("div", { class: "card-body" },
            o?.avatar_url ? h("img", { class: "avatar small", src: o.avatar_url, alt: "", onerror: hideBroken }) : h("span", { class: "avatar small" }),
            h("div", {}, h("div", { class: "card-title" }, c.title ?? c.slug),
              h("div", { class: "muted" }, `${o?.display_name ?? o?.username ?? c.slug}${c.category_id ? ` · ${categories.get(c.category_id) ?? ""}` : ""}`))));
      }))
      : h("p", { class: "empty" }, "Nobody is live right now."),
  );
  view.dataset.ready = "true";
}

function account() {
  const box = document.getElementById("account")!;
  if (me) {
    box.replaceChildren(h("span", { class: "me" }, `@${me.username}`), h("button", { class: "ghost", onclick: signOut }, "Sign out"));
    return;
  }
  const token = h("input", { type: "password", placeholder: "access token", "aria-label": "Access token", name: "token" });
  const err = h("span", { class: "error small" });
  box.replaceChildren(h("form", {
    class: "sign-in",
    title: "Local stack: npm run stack -- token <username>. Hosted: the token from the session function.",
    onsubmit: (ev: Event) => {
      ev.preventDefault();
      try {
        signIn(token.value);
      } catch (e) {
        err.textContent = (e as Error).message;
      }
    },
  }, token, h("button", { class: "primary", type: "submit" }, "Sign in"), err));
}

function searchBox() {
  const input = document.getElementById("search") as HTMLInputElement;
  const results = document.getElementById("search-results")!;
  let pending: AbortController | undefined;
  let timer: number | undefined;
  const mark = (text: string, words: string[]) => {
    const out = h("span");
    const re = words.length ? new RegExp(`(${words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})`, "gi") : null;
    for (const part of re ? String(text).split(re) : [String(text)]) {
      out.append(re && words.some((w) => w.toLowerCase() === part.toLowerCase()) ? h("mark", {}, part) : part);
    }
    return out;
  };
  const words = (hit: Record<string, unknown>) => ((hit.highlights as { matched_tokens: string[] }[]) ?? []).flatMap((x) => x.matched_tokens);
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      pending?.abort();
      const q = input.value.trim();
      if (!q) return (results.hidden = true);
      pending = new AbortController();
      try {
        const r = await search(q, pending.signal);
        const section = (title: string, items: HTMLElement[]) => items.length ? [h("div", { class: "result-title" }, title), ...items] : [];
        const nodes = [
          ...section("Channels", r.channels.hits.map((c) => h("a", { href: `#/c/${c.slug}`, class: "result" }, mark(String(c.display_name ?? c.slug), words(c)), c.is_live ? h("span", { class: "live small" }, "LIVE") : null, h("span", { class: "muted" }, ` ${c.title ?? ""}`)))),
          ...section("Live streams", r.livestreams.hits.filter((l) => l.is_live).map((l) => h("a", { href: `#/c/${l.channel_slug}`, class: "result" }, mark(String(l.title), words(l)), h("span", { class: "muted" }, ` ${l.channel_slug}`)))),
          ...section("Categories", r.categories.hits.map((c) => h("div", { class: "result" }, mark(String(c.name), words(c))))),
        ];
        results.replaceChildren(...(nodes.length ? nodes : [h("div", { class: "result muted" }, "No matches")]));
        results.hidden = false;
      } catch (e) {
        if ((e as Error).name !== "AbortError") {
          results.replaceChildren(h("div", { class: "result error" }, (e as Error).message));
          results.hidden = false;
        }
      }
    }, 150);
  });
  results.addEventListener("click", () => (results.hidden = true));
  document.addEventListener("click", (e) => !results.contains(e.target as Node) && e.target !== input && (results.hidden = true));
}

async function route() {
  delete view.dataset.ready; // set when a page has loaded (and data-realtime once its topic is joined)
  delete view.dataset.realtime;
  await supabase.removeAllChannels();
  const m = location.hash.match(/^#\/c\/([^/]+)$/);
  view.replaceChildren(h("p", { class: "empty" }, "Loading…"));
  if (m) await channelPage(view, decodeURIComponent(m[1]));
  else await home();
}

await connect();
account();
searchBox();
addEventListener("hashchange", route);
await route();
