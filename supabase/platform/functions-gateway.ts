// The docker-less stand-in for Supabase's edge runtime and API gateway (local only, never deployed).
// Each function runs its own `index.ts` in its own Deno process, as it would in production, and is
// reached at /functions/v1/<name>/... with the path Supabase hands it (/<name>/...). `verify_jwt`
// from config.toml is enforced here, as the platform does before a function runs. /rest/v1/* goes to
// the local PostgREST-compatible Data API (data-api.ts); /realtime/v1/websocket to the local Realtime
// stand-in (realtime.ts). Scheduled database jobs (pg_cron's part on hosted Supabase) run on timers
// here (scheduler.ts).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { guardWriteAfterClose } from "../functions/_shared/db.ts";
import { bearerToken, JwtError, secretVerifier, verifyJwt } from "../functions/_shared/jwt.ts";
import { createDataApi } from "./data-api.ts";
import { createRealtime } from "./realtime.ts";
import { createScheduler } from "./scheduler.ts";
import { serveWebApp } from "./web-app.ts";

const FUNCTIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../functions");
const CONFIG_TOML = resolve(FUNCTIONS_DIR, "../config.toml");
const port = Number(Deno.env.get("STREAMZ_GATEWAY_PORT") ?? 54321);
// One verifier of the stack's JWT secret for the gateway, the Data API and Realtime.
const verifier = secretVerifier(Deno.env.get("STREAMZ_GATEWAY_JWT_SECRET") ?? "");
// The Data API and Realtime pools survive a database restart instead of ending the gateway.
guardWriteAfterClose();
const dataApi = createDataApi({
  dbUrl: Deno.env.get("SUPABASE_DB_URL") ?? "",
  verifier,
  apiKeys: [Deno.env.get("SUPABASE_ANON_KEY"), Deno.env.get("SUPABASE_SERVICE_ROLE_KEY")].filter((k): k is string => !!k),
});
const realtime = createRealtime({
  dbUrl: Deno.env.get("SUPABASE_DB_URL") ?? "",
  verifier,
  // Hosted projects of Streamz allow private channels only (docs/local-realtime.md).
  privateOnly: Deno.env.get("STREAMZ_REALTIME_PUBLIC") !== "true",
});
const scheduler = createScheduler({
  dbUrl: Deno.env.get("SUPABASE_DB_URL") ?? "",
  functionsUrl: `http://127.0.0.1:${port}/functions/v1`,
  serviceKey: Deno.env.get("SUPABASE_SERVICE_ROLE_KEY"),
  skip: (Deno.env.get("STREAMZ_SCHEDULER_SKIP") ?? "").split(",").filter(Boolean),
});
console.log(`scheduler: ${(await scheduler.start()).join(", ") || "no jobs"}`);

interface Fn {
  name: string;
  port: number;
  verifyJwt: boolean;
  process?: Deno.ChildProcess;
  exited?: boolean;
  /** Listened once: a later exit is a crash, and the function is started again. */
  booted?: boolean;
  /** Set while a crashed function starts again; requests wait for it (bounded). */
  restarting?: Promise<void>;
  restarts: number[];
}

function verifyJwtSetting(name: string): boolean {
  const toml = existsSync(CONFIG_TOML) ? readFileSync(CONFIG_TOML, "utf8") : "";
  const section = toml.split(/^\[/m).find((s) => s.startsWith(`functions.${name}]`));
  const match = section?.match(/^\s*verify_jwt\s*=\s*(true|false)/m);
  return match ? match[1] === "true" : true;
}

/** The import map a function runs with: its folder's deno.json, else the shared fallback. */
function functionConfig(name: string): string {
  return existsSync(join(FUNCTIONS_DIR, name, "deno.json")) ? join(name, "deno.json") : "deno.json";
}

// A port the OS reports free now, so parallel stacks (or test runs) never collide.
// A port the OS reports free for a function, never the gateway's own (not bound yet while the
// functions boot, and in the OS's ephemeral range when a test run picks it).
function freePort(): number {
  for (;;) {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const found = (listener.addr as Deno.NetAddr).port;
    listener.close();
    if (found !== port) return found;
  }
}

const functions: Fn[] = readdirSync(FUNCTIONS_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith("_") && existsSync(join(FUNCTIONS_DIR, d.name, "index.ts")))
  .map((d) => ({ name: d.name, port: freePort(), verifyJwt: verifyJwtSetting(d.name), restarts: [] }));
let shuttingDown = false;
const MAX_RESTARTS_PER_MINUTE = 5;

function spawn(fn: Fn) {
  fn.exited = false;
  const child = new Deno.Command(Deno.execPath(), {
    // Each function with its own deno.json, as `supabase functions deploy` bundles it; the shared
    // supabase/functions/deno.json only for a folder that has none.
    args: ["run", "--allow-all", "--no-prompt", "--config", functionConfig(fn.name), join(fn.name, "index.ts")],
    cwd: FUNCTIONS_DIR,
    env: { DENO_SERVE_ADDRESS: `tcp:127.0.0.1:${fn.port}`, NO_COLOR: "1" },
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  fn.process = child;
  child.status.then((s) => {
    if (fn.process !== child) return;
    fn.exited = true;
    console.error(`function ${fn.name} exited with code ${s.code ?? s.signal}`);
    // A function that had booted and then died (a crash, a killed worker) is started again, as the
    // edge runtime boots a new worker; one that never booted (missing secrets) stays down (503).
    const now = Date.now();
    fn.restarts = fn.restarts.filter((t) => now - t < 60_000);
    if (shuttingDown || !fn.booted || fn.restarts.length >= MAX_RESTARTS_PER_MINUTE) return;
    fn.restarts.push(now);
    fn.port = freePort();
    spawn(fn);
    fn.restarting = waitUntilListening(fn, Date.now() + 30_000).finally(() => (fn.restarting = undefined));
  });
}

async function waitUntilListening(fn: Fn, deadline: number) {
  while (Date.now() < deadline && !fn.exited) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: fn.port });
      conn.close();
      fn.booted = true;
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

for (const fn of functions) spawn(fn);
await Promise.all(functions.map((fn) => waitUntilListening(fn, Date.now() + 60_000)));

function error(status: number, code: string, message: string) {
  return Response.json({ error: { code, message } }, { status });
}

async function authorized(req: Request): Promise<boolean> {
  const token = bearerToken(req);
  if (!token) return false;
  try {
    await verifyJwt(verifier, token);
    return true;
  } catch (e) {
    if (e instanceof JwtError) return false;
    throw e;
  }
}

function shutdown() {
  shuttingDown = true;
  scheduler.stop();
  for (const fn of functions) {
    try {
      fn.process?.kill("SIGTERM");
    } catch { /* already gone */ }
  }
  Deno.exit(0);
}
Deno.addSignalListener("SIGTERM", shutdown);
Deno.addSignalListener("SIGINT", shutdown);

Deno.serve({ hostname: "127.0.0.1", port, onListen: () => console.log(`functions gateway on :${port}`) }, async (req) => {
  const url = new URL(req.url);
  if (url.pathname === "/health") return Response.json({ functions: functions.map((f) => f.name) });
  if (url.pathname === "/rest/v1" || url.pathname.startsWith("/rest/v1/")) return dataApi.handle(req);
  if (url.pathname === "/realtime/v1/websocket") return realtime.handle(req);
  if (url.pathname === "/app" || url.pathname.startsWith("/app/")) return serveWebApp(url);
  if (url.pathname === "/") return Response.redirect(new URL("/app/", url), 302);
  const match = url.pathname.match(/^\/functions\/v1\/([^/]+)(\/.*)?$/);
  const fn = match && functions.find((f) => f.name === match[1]);
  if (!fn) return error(404, "function_not_found", "No such function.");
  if (fn.restarting) await Promise.race([fn.restarting, new Promise((r) => setTimeout(r, 10_000))]);
  if (fn.exited) return error(503, "function_unavailable", `Function ${fn.name} failed to boot; see the gateway log.`);
  if (fn.verifyJwt && req.method !== "OPTIONS" && !(await authorized(req))) {
    return error(401, "invalid_jwt", "Missing or invalid authorization header.");
  }
  const target = `http://127.0.0.1:${fn.port}/${fn.name}${match![2] ?? ""}${url.search}`;
  const headers = new Headers(req.headers);
  headers.set("x-forwarded-for", "127.0.0.1");
  try {
    return await fetch(target, {
      method: req.method,
      headers,
      body: req.body,
      redirect: "manual",
      // @ts-ignore: streaming request bodies need half duplex
      duplex: "half",
    });
  } catch {
    return error(502, "function_unreachable", `Function ${fn.name} did not answer.`);
  }
});
