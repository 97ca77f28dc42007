// The Realtime stand-in restarted (it runs inside the local gateway, so the gateway process is
// stopped and started again on the same port): supabase-js clients (ws transport, as in Node) see
// their socket close, reconnect with realtime-js's own backoff and rejoin their private channel.
// Broadcasts before and after the restart reach every client exactly once; the one sent while the
// server was down reaches nobody, which is what hosted Realtime does too (a broadcast goes to the
// sockets connected at that moment; a client catches up from the table, e.g. chat history).
import { createClient, type RealtimeChannel, type SupabaseClient } from "@supabase/supabase-js";
import WebSocket from "ws";
import { type Counts, type Ctx, expectZero, provisionStreamer, until } from "./harness.ts";

export async function realtimeRestart(ctx: Ctx): Promise<Counts> {
  const n = ctx.fast ? 3 : 10;
  const room = (await provisionStreamer(ctx.sql, "rtf")).chatroom_id;
  const topic = `chatroom:${room}`;
  const clients: SupabaseClient[] = [];
  const subscribers: { channel: RealtimeChannel; joins: number; received: string[] }[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const c = createClient(ctx.apiUrl, ctx.anonKey, {
        realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket, timeout: 5_000 },
      });
      clients.push(c);
      const s = { channel: c.channel(topic, { config: { private: true } }), joins: 0, received: [] as string[] };
      for (const event of ["probe.before", "probe.during", "probe.after"]) {
        s.channel.on("broadcast", { event }, (m) => s.received.push(m.event));
      }
      s.channel.subscribe((status) => {
        if (status === "SUBSCRIBED") s.joins++;
      });
      subscribers.push(s);
    }
    const send = (event: string) => ctx.sql`select realtime.send(${ctx.sql.json({ event })}, ${event}, ${topic}, true)`;
    const got = (event: string) => () => subscribers.every((s) => s.received.includes(event));

    await until("every client to join", () => subscribers.every((s) => s.joins === 1));
    await send("probe.before");
    await until("probe.before everywhere", got("probe.before"));

    await ctx.restartGateway(); // stop (sockets close), send while down, start on the same port
    await send("probe.during");
    await until("every client to rejoin", () => subscribers.every((s) => s.joins >= 2 && s.channel.state === "joined"), 45_000);
    await send("probe.after");
    await until("probe.after everywhere", got("probe.after"));

    const count = (event: string) => subscribers.map((s) => s.received.filter((e) => e === event).length);
    const counts: Counts = {
      requests: 3,
      retries: 0,
      losses: [...count("probe.before"), ...count("probe.after")].filter((x) => x === 0).length,
      duplicates: [...count("probe.before"), ...count("probe.after"), ...count("probe.during")]
        .reduce((a, x) => a + Math.max(0, x - 1), 0),
      clients: n,
      rejoins: subscribers.reduce((a, s) => a + s.joins - 1, 0),
      missed_while_down: count("probe.during").filter((x) => x === 0).length,
    };
    expectZero(counts, ["losses", "duplicates"], []);
    return counts;
  } finally {
    for (const c of clients) {
      await Promise.race([c.removeAllChannels(), new Promise((r) => setTimeout(r, 2_000))]);
      await Promise.race([c.realtime.disconnect(), new Promise((r) => setTimeout(r, 1_000))]);
    }
  }
}
