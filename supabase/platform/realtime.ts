// LOCAL ONLY, NEVER DEPLOYED: a small stand-in for Supabase Realtime on the docker-less stack.
//
// The functions gateway mounts it at /realtime/v1/websocket, so `supabase.channel(...)` in a browser
// or a Node test receives what the database broadcasts, live. Hosted Supabase runs the real Realtime;
// this follows its documented behaviour (reference/supabase-platform.md §3-§4, docs/local-realtime.md):
//
// - Phoenix channels protocol as @supabase/realtime-js speaks it: vsn 1.0.0 (JSON objects) and 2.0.0
//   (JSON arrays, plus the binary user-broadcast push); phx_join/phx_reply/phx_leave, heartbeat on
//   topic "phoenix", access_token refreshes, broadcast, presence (presence_state/presence_diff).
// - Auth: the socket's `apikey` (query or x-api-key) and the join's `access_token` are HS256 JWTs with
//   the stack's secret (checked by _shared/jwt.ts, the project's one verifier) and must carry `role` and an integer `exp`.
// - Private channels are authorized like Realtime: probe rows in realtime.messages, read back under
//   RLS as the JWT's role with `realtime.topic` set, all rolled back. Presence track and client
//   broadcasts check INSERT the same way (42501 = denied). Public channels skip the checks.
// - Database broadcasts (`realtime.send`, `broadcast_changes`): the shim's trigger on
//   realtime.messages NOTIFYs `streamz_realtime` with the row's id; NOTIFY is delivered on commit
//   only, so a rolled-back change sends nothing. Each row goes to the sockets joined to its topic
//   whose `private` flag equals the row's.
//
// - Lifetimes: a channel is closed (system error message, then phx_close) when its access token
//   expires, and re-authorized when the client sends a new access_token. Public joins are refused
//   ("private channels only", on by default; STREAMZ_REALTIME_PUBLIC=true on the gateway allows them).
//
// Not supported: Postgres Changes (a join asking for them is refused), replay, the REST broadcast
// endpoint (/realtime/v1/api/broadcast), binary payloads, rate limits and payload-size limits.
//
// This file is the server (sockets, joins, presence, broadcasts, token refreshes); its parts are in
// realtime/: frames.ts (protocol), auth.ts (tokens, refusals), channel.ts (sockets, channels, pushes),
// probes.ts (RLS authorization), feed.ts (database broadcasts, partition janitor), presence.ts.
import postgres from "postgres";
import type { Verifier } from "../functions/_shared/jwt.ts";
import { AuthError, expiredMessage, PRIVATE_ONLY, readDenied, verifyToken } from "./realtime/auth.ts";
import { type Chan, type Conn, push, reply } from "./realtime/channel.ts";
import { createBroadcastFeed } from "./realtime/feed.ts";
import { decodeFrame, type Msg, subTopic, type Vsn } from "./realtime/frames.ts";
import { type Meta, presenceDiff, presenceState } from "./realtime/presence.ts";
import { createProbes } from "./realtime/probes.ts";

export { NOTIFY_CHANNEL } from "./realtime/feed.ts";
export { PRIVATE_ONLY } from "./realtime/auth.ts";

// setTimeout's longest delay (about 24.8 days); a later `exp` is re-checked when it fires.
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface Realtime {
  handle(req: Request): Promise<Response>;
  close(): Promise<void>;
}

/**
 * `privateOnly` is hosted Realtime's "private channels only" project setting (Dashboard, or the
 * Management API's `private_only`; config.toml has no key for it): public joins are refused. On by
 * default here, as Streamz runs its projects (docs/local-realtime.md).
 */
export function createRealtime(options: { dbUrl: string; verifier: Verifier; privateOnly?: boolean }): Realtime {
  const verifier = options.verifier;
  const privateOnly = options.privateOnly ?? true;
  // As `postgres` (BYPASSRLS, member of the API roles), like Realtime's own admin connection.
  const sql = postgres(options.dbUrl, { max: 4, onnotice: () => {}, idle_timeout: 60, connect_timeout: 5 });
  const topics = new Map<string, Set<Chan>>();
  let refs = 0;
  const newRef = () => `${Date.now().toString(36)}-${(++refs).toString(36)}`;

  const feed = createBroadcastFeed(sql, (row) => {
    const payload = { type: "broadcast", event: row.event, payload: row.payload, meta: { id: row.id } };
    for (const chan of topics.get(`${row.private}:${row.topic}`) ?? []) push(chan, "broadcast", payload);
  });
  const { authorizeRead, canWrite } = createProbes(sql);

  const canReadPresence = (chan: Chan) => !chan.private || chan.read.presence === true;

  function presenceEntries(key: string) {
    return [...topics.get(key) ?? []].filter((c) => c.tracked).map((c) => ({ key: c.presenceKey, meta: c.tracked!.meta }));
  }
  function broadcastDiff(key: string, diff: ReturnType<typeof presenceDiff>) {
    for (const chan of topics.get(key) ?? []) if (chan.presenceEnabled && canReadPresence(chan)) push(chan, "presence_diff", diff);
  }
  function untrack(chan: Chan) {
    if (!chan.tracked) return;
    const left = { key: chan.presenceKey, meta: chan.tracked.meta };
    chan.tracked = undefined;
    broadcastDiff(chan.key, presenceDiff([], [left]));
  }
  function leave(chan: Chan) {
    clearTimeout(chan.expiry);
    untrack(chan);
    chan.conn.channels.delete(chan.topic);
    const set = topics.get(chan.key);
    set?.delete(chan);
    if (set?.size === 0) topics.delete(chan.key);
  }

  /** As Realtime: a `system` error message, then the channel is closed (the client sees it close). */
  function shutdown(chan: Chan, message: string) {
    push(chan, "system", { message, status: "error", extension: "system", channel: chan.sub });
    leave(chan);
    push(chan, "phx_close", {});
  }

  /** Realtime closes a channel when its access token expires; a new token (refreshToken) moves the deadline. */
  function scheduleExpiry(chan: Chan) {
    clearTimeout(chan.expiry);
    const ms = (chan.claims.exp as number) * 1000 - Date.now();
    chan.expiry = setTimeout(() => {
      if ((chan.claims.exp as number) * 1000 > Date.now()) return scheduleExpiry(chan);
      shutdown(chan, expiredMessage(chan.claims.exp as number));
    }, Math.min(Math.max(ms, 0), MAX_TIMER_MS));
  }

  async function join(conn: Conn, msg: Msg) {
    const existing = conn.channels.get(msg.topic);
    if (existing) leave(existing);
    const payload = msg.payload ?? {};
    const config = payload.config ?? {};
    const accessToken = typeof payload.access_token === "string" && !payload.access_token.startsWith("sb_")
      ? payload.access_token
      : conn.apikey;
    const sub = subTopic(msg.topic);
    const isPrivate = config.private === true;
    let claims: Record<string, unknown>;
    try {
      claims = await verifyToken(accessToken, verifier);
    } catch (e) {
      if (e instanceof AuthError) return reply(conn, msg, "error", { reason: e.message });
      throw e;
    }
    if (!isPrivate && privateOnly) return reply(conn, msg, "error", { reason: PRIVATE_ONLY });
    if (Array.isArray(config.postgres_changes) && config.postgres_changes.length > 0) {
      return reply(conn, msg, "error", {
        reason: "Postgres Changes are not served by the local Realtime (docs/local-realtime.md); use broadcasts",
      });
    }
    const chan: Chan = {
      conn, topic: msg.topic, sub, key: `${isPrivate}:${sub}`, private: isPrivate, joinRef: msg.join_ref ?? msg.ref,
      token: accessToken, claims, self: config.broadcast?.self === true, ack: config.broadcast?.ack === true,
      presenceEnabled: config.presence?.enabled === true,
      presenceKey: typeof config.presence?.key === "string" && config.presence.key ? config.presence.key : crypto.randomUUID(),
      read: {}, write: {},
    };
    if (isPrivate) {
      try {
        await authorizeRead(chan, chan.presenceEnabled ? ["broadcast", "presence"] : ["broadcast"]);
      } catch (e) {
        return reply(conn, msg, "error", { reason: `Unauthorized: ${(e as Error).message}` });
      }
      if (!chan.read.broadcast && !chan.read.presence) return reply(conn, msg, "error", { reason: readDenied(sub) });
    }
    try {
      await feed.listen();
    } catch (e) {
      return reply(conn, msg, "error", { reason: `Realtime could not listen for broadcasts: ${(e as Error).message}` });
    }
    if (conn.ws.readyState !== WebSocket.OPEN) return;
    conn.channels.set(chan.topic, chan);
    if (!topics.has(chan.key)) topics.set(chan.key, new Set());
    topics.get(chan.key)!.add(chan);
    scheduleExpiry(chan);
    reply(conn, msg, "ok", { postgres_changes: [] });
    if (chan.presenceEnabled && canReadPresence(chan)) push(chan, "presence_state", presenceState(presenceEntries(chan.key)));
  }

  async function presence(chan: Chan, msg: Msg) {
    const event = String(msg.payload?.event ?? "").toLowerCase();
    if (event === "untrack") {
      untrack(chan);
      return reply(chan.conn, msg, "ok");
    }
    const data = msg.payload?.payload ?? {};
    if (event !== "track" || typeof data !== "object" || Array.isArray(data)) return reply(chan.conn, msg, "error");
    if (chan.private) {
      if (chan.read.presence === undefined) await authorizeRead(chan, ["presence"]);
      if (!(await canWrite(chan, "presence"))) return reply(chan.conn, msg, "error"); // as Realtime: an error reply
    }
    const serialized = JSON.stringify(data);
    if (chan.tracked?.payload === serialized) return reply(chan.conn, msg, "ok");
    const previous = chan.tracked;
    const meta: Meta = { ...data, phx_ref: newRef(), ...(previous ? { phx_ref_prev: previous.meta.phx_ref } : {}) };
    chan.tracked = { meta, payload: serialized };
    if (!chan.presenceEnabled) {
      // This track turns presence on for the channel: it never got the join-time state, so send it now.
      chan.presenceEnabled = true;
      if (canReadPresence(chan)) push(chan, "presence_state", presenceState(presenceEntries(chan.key).filter((e) => e.meta !== meta)));
    }
    const leaves = previous ? [{ key: chan.presenceKey, meta: previous.meta }] : [];
    broadcastDiff(chan.key, presenceDiff([{ key: chan.presenceKey, meta }], leaves));
    reply(chan.conn, msg, "ok");
  }

  async function broadcast(chan: Chan, msg: Msg) {
    if (!(await canWrite(chan, "broadcast"))) return; // denied: dropped silently, no ack
    const { event, payload } = msg.payload ?? {};
    for (const other of topics.get(chan.key) ?? []) {
      if (other !== chan || chan.self) push(other, "broadcast", { type: "broadcast", event, payload });
    }
    if (chan.ack) reply(chan.conn, msg, "ok");
  }

  async function refreshToken(chan: Chan, msg: Msg) {
    const token = msg.payload?.access_token;
    if (typeof token !== "string" || token.startsWith("sb_") || token === chan.token) return;
    try {
      chan.claims = await verifyToken(token, verifier);
    } catch (e) {
      if (e instanceof AuthError) return shutdown(chan, e.message);
      throw e;
    }
    chan.token = token;
    chan.write = {};
    scheduleExpiry(chan);
    if (!chan.private) return;
    // Authorization is re-checked with the new token: a user who lost read access is closed out.
    chan.read = {};
    await authorizeRead(chan, chan.presenceEnabled ? ["broadcast", "presence"] : ["broadcast"]);
    if (!chan.read.broadcast && !chan.read.presence) shutdown(chan, readDenied(chan.sub).replace(/^Unauthorized: /, ""));
  }

  async function onMessage(conn: Conn, msg: Msg) {
    if (msg.topic === "phoenix" && msg.event === "heartbeat") return reply(conn, msg, "ok");
    if (msg.event === "phx_join") return await join(conn, msg);
    const chan = conn.channels.get(msg.topic);
    if (!chan) return reply(conn, msg, "error", { reason: "unmatched topic" });
    switch (msg.event) {
      case "phx_leave":
        leave(chan);
        return reply(conn, msg, "ok");
      case "presence":
        return await presence(chan, msg);
      case "broadcast":
        return await broadcast(chan, msg);
      case "access_token":
        return await refreshToken(chan, msg);
    }
  }

  async function handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const vsn = (url.searchParams.get("vsn") ?? "1.0.0") as Vsn;
    if (vsn !== "1.0.0" && vsn !== "2.0.0") return new Response(`Unsupported vsn ${vsn}`, { status: 400 });
    if ((req.headers.get("upgrade") ?? "").toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket upgrade", { status: 426 });
    }
    // The socket itself needs a valid key: Realtime refuses the connection with 403 otherwise.
    const apikey = url.searchParams.get("apikey") ?? req.headers.get("x-api-key") ?? "";
    try {
      await verifyToken(apikey, verifier);
    } catch (e) {
      if (e instanceof AuthError) return new Response(e.message, { status: 403 });
      throw e;
    }
    // Read before upgrading: the request's headers are gone once Deno takes over the connection.
    const headers = Object.fromEntries([...req.headers].filter(([k]) => k.toLowerCase().startsWith("x-")));
    const { socket, response } = Deno.upgradeWebSocket(req);
    socket.binaryType = "arraybuffer";
    const conn: Conn = { ws: socket, vsn, apikey, headers, channels: new Map(), queue: Promise.resolve() };
    // Frames are handled one at a time, in order, as a Phoenix channel process would.
    socket.addEventListener("message", (event) => {
      conn.queue = conn.queue.then(async () => {
        const msg = decodeFrame(event.data, vsn);
        if (msg) await onMessage(conn, msg);
      }).catch((e) => console.error("realtime:", e));
    });
    socket.addEventListener("close", () => {
      for (const chan of [...conn.channels.values()]) leave(chan);
    });
    return response;
  }

  return {
    handle,
    close: () => {
      feed.stop();
      return sql.end({ timeout: 1 });
    },
  };
}
