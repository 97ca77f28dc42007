// `npm run bench:chat [-- --messages=10000000 --seconds=20 --clients=8]`: builds a throwaway database
// the way `npm test` does (shim + migrations, no seed), then with pgbench measures
//   1. send_message throughput with every chat rule on (PostgREST-shaped transactions, RLS, events)
//      against a plain INSERT of the same message into public.messages, in the same run (ratio);
//   2. the three history reads of API.md (room, user in room, user everywhere) at --messages rows,
//      then again for a reader who blocks 5,000 chatters (user_blocks hides their messages).
// Prints a summary table and drops the database. Not part of `npm test`.
import { join } from "node:path";
import { buildDatabase, dbUrl, dropDatabase, ensurePostgres, ROOT, run } from "../../scripts/lib/cluster.ts";

const flag = (name: string, fallback: number) =>
  Number(Deno.args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const messages = flag("messages", 10_000_000);
const seconds = flag("seconds", 20);
const clients = flag("clients", 8);
const threads = Math.min(clients, navigator.hardwareConcurrency || 2);
const here = join(ROOT, "bench/chat");
const database = `streamz_bench_chat_${Deno.pid}`;
const url = dbUrl(database);

const major = await ensurePostgres();
const pg = (name: string) => `/usr/lib/postgresql/${major}/bin/${name}`;
const env = { PGOPTIONS: "--client-min-messages=warning" };

async function psql(args: string[], user = "postgres") {
  return (await run(pg("psql"), ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dbUrl(database, user), ...args], { env })).stdout.trim();
}
const scalar = (sql: string) => psql(["-tA", "-c", sql]);

interface Result { tps: number; latencyMs: number; failed: number }
async function pgbench(script: string, vars: Record<string, string> = {}, secs = seconds): Promise<Result> {
  const args = ["-n", "-M", "prepared", "-c", String(clients), "-j", String(threads), "-T", String(secs),
    "-f", join(here, script), ...Object.entries(vars).flatMap(([k, v]) => ["-D", `${k}=${v}`]), url];
  const r = await run(pg("pgbench"), args, { env, allowFailure: true });
  const out = r.stdout + r.stderr;
  const tps = Number(out.match(/tps = ([\d.]+)/)?.[1] ?? 0);
  const latencyMs = Number(out.match(/latency average = ([\d.]+) ms/)?.[1] ?? 0);
  const failed = Number(out.match(/number of failed transactions: (\d+)/)?.[1] ?? 0);
  if (r.code !== 0 || tps === 0 || /aborted/.test(out)) throw new Error(`pgbench ${script} failed:\n${out}`);
  return { tps, latencyMs, failed };
}
const time = async <T>(label: string, fn: () => Promise<T>) => {
  const t0 = performance.now();
  const v = await fn();
  console.log(`${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return v;
};

try {
  await time(`build ${database} (shim, migrations)`, () => buildDatabase(major, database, { seed: false }));
  await time("bench world (50 rooms, 20,000 chatters, every rule on)", () => psql(["-f", join(here, "setup.sql")]));

  // Warm up both paths, then measure them back to back.
  await pgbench("send.sql", {}, 3);
  await pgbench("insert.sql", {}, 3);
  const send = await time("send_message", () => pgbench("send.sql"));
  const insert = await time("plain insert", () => pgbench("insert.sql"));
  console.log(`  send_message ${send.tps.toFixed(0)} msgs/s vs insert ${insert.tps.toFixed(0)} msgs/s: ratio ${(send.tps / insert.tps).toFixed(2)}`);

  await time(`load ${messages.toLocaleString("en")} messages and rebuild indexes`, () =>
    psql(["-v", `messages=${messages}`, "-f", join(here, "load.sql")], "supabase_admin")); // superuser: triggers off
  const hotRoom = await scalar("select room_id from bench.rooms where k = 0");
  const [minId, maxId] = (await scalar("select min(id) || ' ' || max(id) from public.messages")).split(" ");
  const hotCount = await scalar(`select count(*) from public.messages where chatroom_id = '${hotRoom}'`);
  const room = await scalar(`select chatroom_id from public.messages where chatroom_id <> '${hotRoom}' order by id desc limit 1`);
  const roomCount = await scalar(`select count(*) from public.messages where chatroom_id = '${room}'`);
  const vars = {
    hot_room: hotRoom, room, min_id: minId, max_id: maxId,
    claims: JSON.stringify({ role: "authenticated", sub: "00000000-0000-4000-8000-000000000001" }),
  };
  const plans: Record<string, string> = {};
  const reads: Record<string, Result> = {};
  for (const script of ["history-room.sql", "history-hot-room.sql", "history-user-room.sql", "history-user.sql"]) {
    const query = (await Deno.readTextFile(join(here, script))).split("\n")
      .filter((l) => l.startsWith("select * from") || l.startsWith("where") || l.startsWith("order by")).join(" ")
      .replaceAll(":hot_room", `'${hotRoom}'`).replaceAll(":room", `'${room}'`).replaceAll(":u::text", "'4242'").replaceAll(":before", String(Math.floor((Number(minId) + Number(maxId)) / 2)))
      .replace(/;$/, "");
    const explain = await psql(["-tA", "-c",
      `begin; set local role authenticated; select set_config('request.jwt.claims', '${vars.claims}', true);
       explain (analyze, costs off, timing off, summary off) ${query}; rollback;`]);
    plans[script] = explain.split("\n").filter((l) => /Index|Scan|Sort/.test(l)).map((l) => l.trim()).join(" | ");
    reads[script] = await time(script, () => pgbench(script, vars, Math.max(5, Math.round(seconds / 2))));
  }
  // The same reads for a reader who blocks 5,000 chatters (a quarter of all authors): RLS leaves out
  // their messages, comparing each row with the blocked set computed once per statement.
  await psql(["-c", `insert into public.user_blocks (blocker_id, blocked_id)
    select '${JSON.parse(vars.claims).sub}', ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid from generate_series(2, 5001) n`]);
  const blocked: Record<string, Result> = {};
  for (const script of Object.keys(reads)) {
    blocked[script] = await time(`${script} with 5,000 blocks`, () => pgbench(script, vars, Math.max(5, Math.round(seconds / 2))));
  }
  const size = await scalar("select pg_size_pretty(pg_total_relation_size('public.messages'))");

  console.log(`\n== chat benchmark (PostgreSQL ${major}, ${clients} clients, ${threads} threads, ${seconds} s runs) ==`);
  console.log(`send_message, every rule on   ${send.tps.toFixed(0).padStart(7)} msgs/s   avg ${send.latencyMs.toFixed(2)} ms`);
  console.log(`plain insert into messages     ${insert.tps.toFixed(0).padStart(7)} msgs/s   avg ${insert.latencyMs.toFixed(2)} ms`);
  console.log(`ratio send_message / insert    ${(send.tps / insert.tps).toFixed(2)}   (every send accepted: a refusal would abort pgbench)`);
  console.log(`\nhistory at ${Number(maxId).toLocaleString("en")} messages (${size}; typical room ${Number(roomCount).toLocaleString("en")}, hot room ${Number(hotCount).toLocaleString("en")}), page of 50, as authenticated through RLS:`);
  for (const [script, r] of Object.entries(reads)) {
    console.log(`${script.padEnd(24)} ${r.tps.toFixed(0).padStart(7)} tx/s   avg ${r.latencyMs.toFixed(2)} ms   plan: ${plans[script]}`);
  }
  console.log(`\nthe same reads by a reader who blocks 5,000 of the 20,000 chatters (ratio = tx/s with blocks / without):`);
  for (const [script, r] of Object.entries(blocked)) {
    console.log(`${script.padEnd(24)} ${r.tps.toFixed(0).padStart(7)} tx/s   avg ${r.latencyMs.toFixed(2)} ms   ratio ${(r.tps / reads[script].tps).toFixed(2)}`);
  }
} finally {
  await dropDatabase(major, database).catch(() => {});
}
