// The docker-less local Supabase stack: `npm run stack -- start | stop | reset | status [--json]`.
// PostgreSQL (+ the platform shim, migrations, seed) on :54322 and the edge functions on :54321.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  API_PORT, applyRoles, applyShim, buildDatabase, DATA_DIR, dbUrl, ensurePostgres, initCluster, isRunning,
  makeDurable, migrate, psql, startServer, STATE_DIR, stopServer,
} from "./lib/cluster.ts";
import { functionEnv, isAlive, startGateway, stopGateway } from "./lib/gateway.ts";
import { ANON_KEY, JWT_SECRET, SERVICE_ROLE_KEY } from "./lib/keys.ts";
import { SignJWT } from "jose";
import { buildWebClient, WEB_DIST } from "./lib/web.ts";
import { ensureChromium } from "./lib/browser.ts";

const GATEWAY_PID = join(STATE_DIR, "functions.pid");
const GATEWAY_LOG = join(STATE_DIR, "functions.log");
const DEV_DB_READY = join(STATE_DIR, "dev-database-ready");

function gatewayPid(): number | undefined {
  if (!existsSync(GATEWAY_PID)) return undefined;
  const pid = Number(readFileSync(GATEWAY_PID, "utf8"));
  return isAlive(pid) ? pid : undefined;
}

const gatewayEnv = () => functionEnv(dbUrl(), API_PORT, { STREAMZ_WEB_DIR: WEB_DIST });

async function start() {
  const major = await ensurePostgres();
  await ensureChromium().catch((e) => console.log(`${(e as Error).message}\n(only the browser suite of npm test needs it)`));
  await initCluster(major);
  await startServer(major);
  // Clusters created before the stack was durable ran with fsync/synchronous_commit off: fix them.
  if (await makeDurable(major)) console.log("The local cluster now keeps PostgreSQL's durable settings (fsync on).");
  await applyRoles(major);
  if (existsSync(DEV_DB_READY)) {
    await applyShim(major, "postgres"); // idempotent: picks up shim changes
    await migrate("postgres"); // only the migrations added since the last start
  } else {
    await buildDatabase(major, "postgres", { seed: true });
    writeFileSync(DEV_DB_READY, new Date().toISOString());
  }
  // The reference web client (examples/web), served by the gateway at /app/.
  await buildWebClient(WEB_DIST, { supabaseUrl: `http://127.0.0.1:${API_PORT}`, anonKey: ANON_KEY });
  if (!gatewayPid()) {
    const pid = await startGateway(gatewayEnv(), GATEWAY_LOG);
    writeFileSync(GATEWAY_PID, String(pid));
  }
  console.log(`Streamz is running (PostgreSQL ${major}).`);
  await status(false);
}

async function stop(purge: boolean) {
  const pid = gatewayPid();
  if (pid) await stopGateway(pid);
  rmSync(GATEWAY_PID, { force: true });
  if (existsSync(join(DATA_DIR, "PG_VERSION"))) {
    await stopServer(Number(readFileSync(join(DATA_DIR, "PG_VERSION"), "utf8")));
  }
  if (purge) rmSync(STATE_DIR, { recursive: true, force: true });
  console.log(purge ? "Streamz stopped; local data removed." : "Streamz stopped.");
}

async function reset() {
  const major = await ensurePostgres();
  const pid = gatewayPid();
  if (pid) await stopGateway(pid);
  rmSync(DEV_DB_READY, { force: true });
  await initCluster(major);
  await startServer(major);
  await applyRoles(major);
  await buildDatabase(major, "postgres", { seed: true });
  writeFileSync(DEV_DB_READY, new Date().toISOString());
  writeFileSync(GATEWAY_PID, String(await startGateway(gatewayEnv(), GATEWAY_LOG)));
  console.log("Database rebuilt from migrations and seed.");
}

async function status(json: boolean) {
  const version = existsSync(join(DATA_DIR, "PG_VERSION")) ? Number(readFileSync(join(DATA_DIR, "PG_VERSION"), "utf8")) : undefined;
  const info = {
    db_url: dbUrl(),
    api_url: `http://127.0.0.1:${API_PORT}`,
    functions_url: `http://127.0.0.1:${API_PORT}/functions/v1`,
    web_url: `http://127.0.0.1:${API_PORT}/app/`,
    anon_key: ANON_KEY,
    service_role_key: SERVICE_ROLE_KEY,
    jwt_secret: JWT_SECRET,
    db_running: version ? await isRunning(version) : false,
    functions_running: gatewayPid() !== undefined,
  };
  if (json) {
    console.log(JSON.stringify(info, null, 2));
  } else {
    for (const [k, v] of Object.entries(info)) console.log(`${k.padEnd(18)} ${v}`);
  }
  return info;
}

// A local access token for a seeded (or any) user, as `session` would mint it: for trying RPCs and
// RLS from supabase-js or curl without running Ory.
async function token(username: string | undefined) {
  if (!username) throw new Error("usage: npm run stack -- token <username>");
  const major = await ensurePostgres();
  const { stdout } = await psql(major, "postgres", {
    sql: `select id from public.users where username = '${username.replace(/'/g, "''")}'`,
    user: "postgres",
    tuplesOnly: true,
  });
  const id = stdout.trim();
  if (!id) throw new Error(`No user named ${username} in the local database.`);
  const jwt = await new SignJWT({ role: "authenticated", session_id: crypto.randomUUID() })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(id)
    .setAudience("authenticated")
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(JWT_SECRET));
  console.log(jwt);
}

const [command, ...flags] = Deno.args;
try {
  switch (command) {
    case "start": await start(); break;
    case "stop": await stop(flags.includes("--purge")); break;
    case "reset": await reset(); break;
    case "token": await token(flags[0]); break;
    case "status": {
      const info = await status(flags.includes("--json"));
      if (!info.db_running) Deno.exitCode = 1;
      break;
    }
    default:
      console.error("usage: npm run stack -- start | stop [--purge] | reset | status [--json] | token <username>");
      Deno.exitCode = 2;
  }
} catch (e) {
  console.error((e as Error).message);
  Deno.exitCode = 1;
}
