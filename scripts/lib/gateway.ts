// Starting and stopping the local functions gateway (supabase/platform/functions-gateway.ts) with the
// environment Supabase gives edge functions, plus the custom secrets of supabase/functions/.env.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, run } from "./cluster.ts";
import { ANON_KEY, JWT_SECRET, SERVICE_ROLE_KEY } from "./keys.ts";

export function parseEnvFile(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = line.match(/^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)\s*$/);
    if (m) env[m[1]] = m[2].replace(/^(['"])(.*)\1$/, "$2");
  }
  return env;
}

export function functionEnv(dbUrl: string, port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    // The local stack's own JWT secret, so `session` mints tokens the local stack accepts.
    JWT_SECRET,
    // Committed local placeholders so every function boots, then the developer's own .env over them.
    ...parseEnvFile(join(ROOT, "supabase/functions/.env.local")),
    ...parseEnvFile(join(ROOT, "supabase/functions/.env")),
    SUPABASE_URL: `http://127.0.0.1:${port}`,
    SUPABASE_DB_URL: dbUrl,
    SUPABASE_ANON_KEY: ANON_KEY,
    SUPABASE_SERVICE_ROLE_KEY: SERVICE_ROLE_KEY,
    SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: ANON_KEY }),
    SUPABASE_SECRET_KEYS: JSON.stringify({ default: SERVICE_ROLE_KEY }),
    STREAMZ_GATEWAY_PORT: String(port),
    STREAMZ_GATEWAY_JWT_SECRET: JWT_SECRET,
    ...extra,
  };
}

/** Starts the gateway in its own process group; returns its pid once /health answers. */
export async function startGateway(env: Record<string, string>, logFile: string): Promise<number> {
  const deno = join(ROOT, "node_modules/.bin/deno");
  const gateway = join(ROOT, "supabase/platform/functions-gateway.ts");
  const { stdout } = await run("sh", [
    "-c",
    `setsid '${deno}' run --allow-all --no-prompt '${gateway}' > '${logFile}' 2>&1 < /dev/null & echo $!`,
  ], { env });
  const pid = Number(stdout.trim());
  const url = `http://127.0.0.1:${env.STREAMZ_GATEWAY_PORT}/health`;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      await res.body?.cancel();
      if (res.ok) return pid;
    } catch { /* not up yet */ }
    if (!isAlive(pid)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const log = existsSync(logFile) ? readFileSync(logFile, "utf8").slice(-4000) : "";
  throw new Error(`The functions gateway did not start:\n${log}`);
}

export function isAlive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

/** Stops the gateway and every function process it started (one process group). */
export async function stopGateway(pid: number) {
  try {
    Deno.kill(-pid, "SIGTERM");
  } catch { /* already gone */ }
  for (let i = 0; i < 50 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  try {
    Deno.kill(-pid, "SIGKILL");
  } catch { /* gone */ }
}
