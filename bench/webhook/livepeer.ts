// Benchmark: livepeer-webhook's handler served over loopback HTTP, driven with signed Livepeer
// requests, against a bare Deno handler measured in the same run. Prints requests/s, p50 and p99 of
// both and their ratio. Bounded (a fixed number of requests), loopback only, writes nothing: the
// signed events name a stream no channel owns, so each request verifies the signature, parses the
// body and runs the database lookup, then is acknowledged as `unknown_stream`.
//
// Usage: npm run bench:webhook [-- --requests=4000 --concurrency=16]
// Database: BENCH_DB_URL, else the local stack's (npm run stack -- start).
import { createPool } from "../../supabase/functions/_shared/db.ts";
import { createHandler } from "../../supabase/functions/livepeer-webhook/handler.ts";
import { signLivepeer } from "../../supabase/functions/livepeer-webhook/signature.ts";

const arg = (name: string, fallback: number) =>
  Number(Deno.args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const REQUESTS = Math.min(arg("requests", 4000), 100_000);
const CONCURRENCY = Math.min(arg("concurrency", 16), 256);
const WARMUP = Math.min(500, REQUESTS);
const SECRET = "bench-livepeer-secret";
const dbUrl = Deno.env.get("BENCH_DB_URL") ?? "postgresql://postgres:postgres@127.0.0.1:54322/postgres";

interface Result {
  rps: number;
  p50: number;
  p99: number;
}

async function drive(url: string, makeRequest: () => Promise<RequestInit>, total: number): Promise<Result> {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < total) {
      next++;
      const init = await makeRequest();
      const t0 = performance.now();
      const res = await fetch(url, init);
      await res.arrayBuffer();
      latencies.push(performance.now() - t0);
      if (res.status !== 200) failures++;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  if (failures > 0) throw new Error(`${failures} requests did not answer 200`);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { rps: total / seconds, p50: at(0.5), p99: at(0.99) };
}

async function measure(
  name: string,
  handler: (req: Request) => Response | Promise<Response>,
  makeRequest: () => Promise<RequestInit>,
) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  const url = `http://127.0.0.1:${server.addr.port}/`;
  try {
    await drive(url, makeRequest, WARMUP);
    const result = await drive(url, makeRequest, REQUESTS);
    console.log(
      `${name.padEnd(18)} ${result.rps.toFixed(0).padStart(7)} req/s   p50 ${result.p50.toFixed(2)} ms   p99 ${
        result.p99.toFixed(2)
      } ms`,
    );
    return result;
  } finally {
    await server.shutdown();
  }
}

const body = JSON.stringify({ id: "x", event: "stream.started", timestamp: Date.now(), stream: { id: "bench" } });
const bare = await measure(
  "bare Deno handler",
  () => new Response('{"status":"ok"}'),
  () => Promise.resolve({ method: "POST", headers: { "content-type": "application/json" }, body }),
);

const sql = createPool(dbUrl, { max: 5 });
try {
  await sql`select 1 from private.livepeer_streams limit 1`;
} catch {
  console.error(
    `bench: no migrated database at ${
      dbUrl.replace(/:[^:@/]+@/, ":***@")
    }; run \`npm run stack -- start\` (or reset) or set BENCH_DB_URL.`,
  );
  Deno.exit(1);
}
const unknownStream = `bench-unknown-${crypto.randomUUID()}`;
const webhook = await measure("livepeer-webhook", createHandler({ sql, secret: SECRET }), async () => {
  const t = Date.now();
  const raw = JSON.stringify({
    id: crypto.randomUUID(),
    webhookId: "bench",
    createdAt: t,
    timestamp: t,
    event: "stream.started",
    stream: { id: unknownStream, playbackId: "pb" },
  });
  return {
    method: "POST",
    headers: { "content-type": "application/json", "livepeer-signature": await signLivepeer(SECRET, raw, t) },
    body: raw,
  };
});
await sql.end();

console.log(`\n${REQUESTS} requests, concurrency ${CONCURRENCY}, loopback`);
console.log(`throughput ratio (webhook / bare): ${(webhook.rps / bare.rps).toFixed(3)}`);
console.log(`p99 ratio (webhook / bare):        ${(webhook.p99 / bare.p99).toFixed(2)}x`);
