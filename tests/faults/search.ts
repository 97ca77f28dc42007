// Typesense unavailable during writes: the fake Typesense (tests/fakes/typesense.ts)
// sits behind a proxy (tests/fakes/flaky-proxy.ts) that first answers 503 "Not Ready or Lagging",
// then holds requests until the client times out, then recovers. Categories are created, renamed and
// deleted meanwhile, and search-sync's drain runs more times than its parking limit (maxAttempts)
// while Typesense is down. Afterwards the outbox must drain completely, each document's final version
// must reach the index exactly once (deleted ones: gone), and nothing may be parked.
import { Client } from "typesense";
import { drain, type DrainOptions } from "../../supabase/functions/search-sync/drain.ts";
import { aliasName, ensureCollections, type TypesenseConfig } from "../../supabase/functions/_shared/typesense.ts";
import { startFakeTypesense } from "../fakes/typesense.ts";
import { startFlakyProxy } from "../fakes/flaky-proxy.ts";
import { type Counts, type Ctx, expectZero } from "./harness.ts";

// Production waits 10 s for an answer (createTypesenseClient, the drain's importTimeoutMs); 1 s keeps
// the case short. maxAttempts is lowered to 3 so that the runs during the outage outnumber it. A send
// that timed out holds its rows (unknownOutcomeHold, 5 minutes in production): here 2 s, which is safe
// because the proxy never forwards a request it held.
const TIMEOUT_SECONDS = 1;
const options: Partial<DrainOptions> = {
  batchSize: 50, maxAttempts: 3, retries: 1, retryDelayMs: 20, importTimeoutMs: TIMEOUT_SECONDS * 1000, baseDelay: "0 seconds", timeBudgetMs: 20_000,
  unknownOutcomeHold: "2 seconds",
};

export async function searchOutage(ctx: Ctx): Promise<Counts> {
  const fake = await startFakeTypesense();
  const proxy = await startFlakyProxy(fake.url);
  const config: TypesenseConfig = {
    host: "127.0.0.1", port: proxy.port, protocol: "http", apiKey: fake.apiKey, searchApiKey: fake.apiKey, prefix: "faults_",
  };
  const client = new Client({
    nodes: [{ host: config.host, port: config.port, protocol: config.protocol }],
    apiKey: config.apiKey,
    connectionTimeoutSeconds: TIMEOUT_SECONDS,
    numRetries: 0,
    logLevel: "silent",
  });
  const deps = { sql: ctx.sql, client, config };
  const counts: Counts = { requests: 0, retries: 0, losses: 0, duplicates: 0, documents: 0, parked: 0, stale: 0, left_in_outbox: 0, drain_runs: 0, failed_sends: 0 };
  const problems: string[] = [];
  try {
    await ensureCollections(deps);
    await drain(deps, options); // the seed's rows: start from an empty outbox
    proxy.forwarded.length = 0;

    const n = ctx.fast ? 12 : 40;
    const run = crypto.randomUUID().slice(0, 6);
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const [{ id }] = await ctx.sql<{ id: string }[]>`
        insert into public.categories (igdb_id, name, slug)
        values (${Math.floor(Math.random() * 1e12)}, ${`Fault ${run} ${i} v1`}, ${`fault-${run}-${i}`}) returning id`;
      ids.push(id);
    }
    const rename = (v: number) => ctx.sql`
      update public.categories set name = regexp_replace(name, ' v[0-9]+$', ${` v${v}`}) where id = any(${ids})`;
    const drainRuns = async (times: number) => {
      for (let i = 0; i < times; i++) {
        const r = await drain(deps, options);
        counts.drain_runs++;
        counts.failed_sends += r.failed;
      }
    };

    proxy.mode = "503";
    await rename(2);
    await drainRuns(3);
    proxy.mode = "hang";
    await rename(3);
    const deleted = ids.filter((_, i) => i % 4 === 0);
    await ctx.sql`delete from public.categories where id = any(${deleted})`;
    await drainRuns(ctx.fast ? 1 : 3); // more runs down than maxAttempts, and nothing may be parked
    proxy.mode = "ok";
    for (let i = 0; i < 10; i++) {
      const [{ ready, held_ms }] = await ctx.sql<{ ready: number; held_ms: number }[]>`
        select count(*)::int as ready,
          coalesce(ceil(extract(epoch from max(locked_until) - now()) * 1000), 0)::int as held_ms
        from private.search_outbox where parked_at is null`;
      if (ready === 0) break;
      // Rows of the sends that timed out are held until they could no longer land.
      if (held_ms > 0) await new Promise((r) => setTimeout(r, held_ms + 20));
      await drainRuns(1);
    }

    const [{ parked, left }] = await ctx.sql<{ parked: number; left: number }[]>`
      select count(*) filter (where parked_at is not null)::int as parked, count(*)::int as left
      from private.search_outbox`;
    counts.parked = parked;
    counts.left_in_outbox = left;
    counts.requests = proxy.counts.ok + proxy.counts["503"] + proxy.counts.hang;
    counts.retries = proxy.counts["503"] + proxy.counts.hang; // each failed request is sent again later
    const finals = new Map((await ctx.sql<{ id: string; name: string }[]>`
      select id::text, name from public.categories where id = any(${ids})`).map((r) => [r.id, r.name]));
    const index = fake.documents(aliasName(config, "categories"));
    // Every line that reached the fake (through the proxy, answered) with each document's final version.
    const imported = proxy.forwarded.filter((f) => f.status === 200 && f.path.endsWith("/documents/import"))
      .flatMap((f) => f.body.split("\n").filter(Boolean).map((l) => JSON.parse(l) as { id: string; name: string }));
    const deletes = proxy.forwarded.filter((f) => f.method === "DELETE").map((f) => decodeURIComponent(f.path + f.body));
    for (const id of ids) {
      counts.documents++;
      const final = finals.get(id);
      if (final === undefined) {
        if (index.has(id)) {
          counts.losses++;
          problems.push(`deleted category ${id} is still indexed`);
        }
        continue;
      }
      const sends = imported.filter((d) => d.id === id && d.name === final).length;
      if (index.get(id)?.name !== final) {
        counts.stale++;
        problems.push(`category ${id}: indexed ${JSON.stringify(index.get(id)?.name)}, final ${final}`);
      }
      if (sends === 0) counts.losses++;
      counts.duplicates += Math.max(0, sends - 1);
    }
    counts.deletes_sent = deletes.length;
    expectZero(counts, ["losses", "duplicates", "parked", "stale", "left_in_outbox"], problems);
    return counts;
  } finally {
    await proxy.close();
    await fake.close();
  }
}
