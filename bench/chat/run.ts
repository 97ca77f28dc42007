// `npm run bench:chat [-- --messages=10000000 --seconds=20 --clients=8]`: builds a throwaway database
// the way `npm test` does (shim + migrations, no seed), then with pgbench measures
//   0. loads --messages rows of history first, so every send below writes into (and reads its rate
//      window from) a table the size of a live site's, with real planner statistics;
//   1. send_message throughput with every chat rule on (PostgREST-shaped transactions, RLS, events)
//      against a plain INSERT of the same message into public.messages, the two alternating in four
//      slices of the run (ratio);
//   2. send_message again once every room holds 1,000 blocked terms instead of 20, beside the insert
//      again (ratio of the two ratios: what a full term list costs per send);
//   3. send_message in open rooms (no modes, no terms) against the insert, and one hot room taking
//      sends from 2,000 chatters at once;
//   4. with --profile, where one send's time goes, step by step (bench/chat/profile.sql, 10,000 sends);
//   5. the four history reads of API.md (room, hot room, user in room, user everywhere) at --messages rows,
//      with their server-side p50/p99 as a signed-in client (RLS) and as postgres (no RLS), from the
//      second of two passes in one session (bench/chat/history-p99.sql says why).
//   6. the hot-room and one-user reads under three read policies: the migrated one, none (`true`) and a
//      constant through an InitPlan, the floor of any filter evaluated once per statement (rls-floor.sql);
//   7. the history reads again for a reader who blocks 5,000 chatters (user_blocks hides their messages).
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
  const all = { chatters: "20000", rooms: "50", ...vars };
  const args = ["-n", "-M", "prepared", "-c", String(clients), "-j", String(threads), "-T", String(secs),
    "-f", join(here, script), ...Object.entries(all).flatMap(([k, v]) => ["-D", `${k}=${v}`]), url];
  const r = await run(pg("pgbench"), args, { env, allowFailure: true });
  const out = r.stdout + r.stderr;
  const tps = Number(out.match(/tps = ([\d.]+)/)?.[1] ?? 0);
  const latencyMs = Number(out.match(/latency average = ([\d.]+) ms/)?.[1] ?? 0);
  const failed = Number(out.match(/number of failed transactions: (\d+)/)?.[1] ?? 0);
  if (r.code !== 0 || tps === 0 || /aborted/.test(out)) throw new Error(`pgbench ${script} failed:\n${out}`);
  return { tps, latencyMs, failed };
}
/**
 * send.sql against insert.sql in alternating slices (send, insert, send, …), each run's tps the mean of
 * its slices: a change in the machine's load during the measurement then weighs on both alike.
 */
async function sendBesideInsert(slices = 4): Promise<{ send: Result; insert: Result }> {
  const runs: Record<"send" | "insert", Result[]> = { send: [], insert: [] };
  for (let i = 0; i < slices; i++) {
    runs.send.push(await pgbench("send.sql", {}, seconds / slices));
    runs.insert.push(await pgbench("insert.sql", {}, seconds / slices));
  }
  const mean = (rs: Result[]): Result => ({
    tps: rs.reduce((a, r) => a + r.tps, 0) / rs.length,
    latencyMs: rs.reduce((a, r) => a + r.latencyMs, 0) / rs.length,
    failed: rs.reduce((a, r) => a + r.failed, 0),
  });
  return { send: mean(runs.send), insert: mean(runs.insert) };
}
const time = async <T>(label: string, fn: () => Promise<T>) => {
  const t0 = performance.now();
  const v = await fn();
  console.log(`${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return v;
};

try {
  await time(`build ${database} (shim, migrations)`, () => buildDatabase(major, database, { seed: false }));
  await time("bench world (50 rooms, 20,000 chatters, every rule on)", () => psql(["-f", join(here, "setup.sql")], "supabase_admin"));
  // History first: an empty, freshly analyzed messages table makes every session plan its per-sender
  // reads as sequential scans that then slow down as the run fills the table (no real site has that).
  await time(`load ${messages.toLocaleString("en")} messages and rebuild indexes`, () =>
    psql(["-v", `messages=${messages}`, "-f", join(here, "load.sql")], "supabase_admin")); // superuser: triggers off
  const historyMax = await scalar("select coalesce(max(id), 0) from public.messages");
  // Each send run starts from empty rate windows, as the first one does: otherwise it reaches chatters
  // who sent seconds ago (they are picked in sequence) and measures their rate window along with its
  // rule. Only the bench's own sends go; the history stays. The vacuum then removes their index
  // entries, as autovacuum would on a live site: left in place, every later send's look at its
  // sender's latest message would first visit the dead ones, so each run would pay for the runs
  // before it (the open-room run came out slower than the every-rule one). Their broadcasts go too:
  // each send and insert leaves a ~1.3 kB row in realtime.messages, 40 MB a run, and a table growing
  // past shared_buffers through the phases made each later phase pay for the ones before it.
  const freshWindows = () =>
    psql(["-c", `delete from public.messages where id > ${historyMax}; delete from private.chat_blocked_attempts;
      truncate realtime.messages`,
      "-c", "vacuum (index_cleanup on) public.messages"], "supabase_admin");

  if (Deno.args.includes("--profile")) {
    const sends = flag("profile-sends", 10_000);
    const table = await time(`profile of ${sends.toLocaleString("en")} sends`, () =>
      psql(["-v", `sends=${sends}`, "-f", join(here, "profile.sql")], "supabase_admin"));
    console.log(`\n== where a send's time goes (${sends.toLocaleString("en")} sends, each step timed on its own) ==\n${table}\n`);
    await freshWindows(); // the profile deleted its sends: vacuum them away too
  }

  // Warm up both paths, then measure them in alternating slices.
  await pgbench("send.sql", {}, 3);
  await pgbench("insert.sql", {}, 3);
  const { send, insert } = await time("send_message beside the plain insert", () => sendBesideInsert());
  console.log(`  send_message ${send.tps.toFixed(0)} msgs/s vs insert ${insert.tps.toFixed(0)} msgs/s: ratio ${(send.tps / insert.tps).toFixed(2)}`);

  await freshWindows();
  // 980 more terms per room (1,000, the cap), words that share no prefix, then the same sends.
  await psql(["-c", `insert into public.chatroom_blocked_terms (chatroom_id, term)
    select r.room_id, substr(md5(r.k || ':' || n), 1, 5 + n % 6) || case when n % 7 = 0 then '*' else '' end
    from bench.rooms r, generate_series(1, 980) n`]);
  await pgbench("send.sql", {}, 3);
  const { send: send1000, insert: insert1000 } = await time("send_message, 1,000 blocked terms per room, beside the insert",
    () => sendBesideInsert());

  // Open rooms: no modes, no blocked terms; then one hot room with 2,000 chatters sending at once.
  await psql(["-c", `delete from public.chatroom_blocked_terms;
    update public.chatrooms set slow_mode_seconds = 0, followers_only_minutes = null, subscribers_only = false,
      emotes_only = false, min_account_age_minutes = null, require_verified_email = false`]);
  await freshWindows();
  await pgbench("send.sql", {}, 3);
  const { send: open, insert: openInsert } = await time("send_message, open rooms, beside the insert", () => sendBesideInsert());
  await freshWindows();
  const hot = await time("send_message, one room, 2,000 chatters", () => pgbench("send.sql", { chatters: "2000", rooms: "1" }));

  // The bench's sends are cleared again before the history reads.
  await freshWindows();
  await psql(["-c", "vacuum analyze public.messages"], "supabase_admin");
  const hotRoom = await scalar("select room_id from bench.rooms where k = 0");
  const [minId, maxId] = (await scalar("select min(id) || ' ' || max(id) from public.messages")).split(" ");
  const hotCount = await scalar(`select count(*) from public.messages where chatroom_id = '${hotRoom}'`);
  const room = await scalar(`select chatroom_id from public.messages where chatroom_id <> '${hotRoom}' order by id desc limit 1`);
  if (!hotRoom || !room) throw new Error(`no rooms to read: hot room "${hotRoom}", room "${room}"`);
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
  const serverSide = await time("history reads, server-side p99", () =>
    psql(["-v", `runs=${flag("p99-runs", 10000)}`, "-v", `room=${room}`, "-v", `hot_room=${hotRoom}`, "-v", `min_id=${minId}`,
      "-v", `max_id=${maxId}`, "-v", `claims=${vars.claims}`, "-f", join(here, "history-p99.sql")]));
  // What the policy costs against no filter and against the cheapest once-per-statement one (the floor
  // of any block filter in RLS); the reader blocks nobody yet.
  const floor = await time("history reads under three read policies", () =>
    psql(["-v", `rounds=${flag("floor-rounds", 6)}`, "-v", `per=${flag("floor-runs", 300)}`, "-v", `hot_room=${hotRoom}`,
      "-v", `min_id=${minId}`, "-v", `max_id=${maxId}`, "-v", `claims=${vars.claims}`, "-f", join(here, "rls-floor.sql")]));
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
  console.log(`send_message, 1,000 terms/room ${send1000.tps.toFixed(0).padStart(7)} msgs/s   avg ${send1000.latencyMs.toFixed(2)} ms`);
  console.log(`cost per send, 1,000 vs 20 terms ${((send.tps / insert.tps) / (send1000.tps / insert1000.tps)).toFixed(2)}x   (each against the insert beside it; goal: at most 1.5x)`);
  console.log(`send_message, open room        ${open.tps.toFixed(0).padStart(7)} msgs/s   avg ${open.latencyMs.toFixed(2)} ms   (insert beside it ${openInsert.tps.toFixed(0)} msgs/s)`);
  console.log(`ratio open room / insert       ${(open.tps / openInsert.tps).toFixed(2)}   (goal: 0.6)`);
  console.log(`one hot room, 2,000 chatters   ${hot.tps.toFixed(0).padStart(7)} msgs/s   (50 rooms, every rule on: ${send.tps.toFixed(0)}; open: ${open.tps.toFixed(0)})`);
  console.log(`\nhistory at ${Number(maxId).toLocaleString("en")} messages (${size}; typical room ${Number(roomCount).toLocaleString("en")}, hot room ${Number(hotCount).toLocaleString("en")}), page of 50, as authenticated through RLS:`);
  for (const [script, r] of Object.entries(reads)) {
    console.log(`${script.padEnd(24)} ${r.tps.toFixed(0).padStart(7)} tx/s   avg ${r.latencyMs.toFixed(2)} ms   plan: ${plans[script]}`);
  }
  console.log(`\nserver-side time of each read (planning + execution, EXPLAIN ANALYZE), with RLS and as postgres without (goal: p99 <= 1 ms, RLS <= +10%):\n${serverSide}`);
  console.log(`\nthe same two reads under three read policies (server-side, µs; the floor is no filter at all):\n${floor}`);
  console.log(`\nthe same reads by a reader who blocks 5,000 of the 20,000 chatters (ratio = tx/s with blocks / without):`);
  for (const [script, r] of Object.entries(blocked)) {
    console.log(`${script.padEnd(24)} ${r.tps.toFixed(0).padStart(7)} tx/s   avg ${r.latencyMs.toFixed(2)} ms   ratio ${(r.tps / reads[script].tps).toFixed(2)}`);
  }
} finally {
  await dropDatabase(major, database).catch(() => {});
}
