// The local PostgreSQL cluster behind the docker-less stack: finding (or installing) the server and
// pgTAP, creating the cluster, and building a database the way Supabase has it (shim, migrations, seed).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const DB_PORT = Number(Deno.env.get("STREAMZ_DB_PORT") ?? 54322);
export const API_PORT = Number(Deno.env.get("STREAMZ_API_PORT") ?? 54321);
export const PASSWORD = "postgres";
const SUPPORTED_MAJORS = [17, 15];

// The data folder lives outside the checkout: the `postgres` OS user must reach it even when the
// checkout sits under a private home directory.
export const STATE_DIR = Deno.env.get("STREAMZ_STATE_DIR") ??
  join(existsSync("/var/tmp") ? "/var/tmp" : tmpdir(),
    `streamz-${createHash("sha1").update(ROOT).digest("hex").slice(0, 10)}`);
export const DATA_DIR = join(STATE_DIR, "pgdata");
const SOCKET_DIR = join(STATE_DIR, "run");
const LOG_FILE = join(STATE_DIR, "postgres.log");

const isRoot = Deno.uid?.() === 0;

export function dbUrl(database = "postgres", user = "postgres"): string {
  return `postgresql://${user}:${PASSWORD}@127.0.0.1:${DB_PORT}/${database}`;
}

export interface RunOptions {
  asPostgresUser?: boolean;
  env?: Record<string, string>;
  stdin?: string;
  quiet?: boolean;
  allowFailure?: boolean;
  cwd?: string;
}

export async function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let program = cmd;
  let argv = args;
  if (opts.asPostgresUser && isRoot) {
    program = "runuser";
    argv = ["-u", "postgres", "--", cmd, ...args];
  }
  const child = new Deno.Command(program, {
    args: argv,
    cwd: opts.cwd ?? ROOT,
    env: opts.env,
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (opts.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(opts.stdin));
    await w.close();
  }
  const out = await child.output();
  const result = {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
  if (result.code !== 0 && !opts.allowFailure) {
    throw new Error(`${cmd} ${args.join(" ")} failed (exit ${result.code}):\n${result.stderr || result.stdout}`);
  }
  return result;
}

function installedMajor(): number | undefined {
  return SUPPORTED_MAJORS.find((m) =>
    existsSync(`/usr/lib/postgresql/${m}/bin/postgres`) &&
    existsSync(`/usr/share/postgresql/${m}/extension/pgtap.control`)
  );
}

function debianMajor(): number | undefined {
  if (!existsSync("/etc/debian_version")) return undefined;
  const v = parseInt(readFileSync("/etc/debian_version", "utf8"), 10);
  if (v === 12) return 15;
  if (v >= 13) return 17;
  return undefined;
}

/** PostgreSQL 15 or 17 with pgTAP and pg_prove; installs them with apt when root on Debian. */
export async function ensurePostgres(): Promise<number> {
  const found = installedMajor();
  if (found && existsSync("/usr/bin/pg_prove")) return found;
  const serverMajor = SUPPORTED_MAJORS.find((m) => existsSync(`/usr/lib/postgresql/${m}/bin/postgres`));
  const major = serverMajor ?? debianMajor();
  const packages = major
    ? [`postgresql-${major}`, `postgresql-${major}-pgtap`, "libtap-parser-sourcehandler-pgtap-perl"]
    : [];
  if (!major || !isRoot) {
    throw new Error(
      "Streamz needs PostgreSQL 15 or 17 with pgTAP and pg_prove. Install them with:\n" +
        `  sudo apt-get install ${packages.length ? packages.join(" ") : "postgresql-15 postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl"}`,
    );
  }
  console.log(`Installing ${packages.join(" ")} ...`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  await run("apt-get", ["update", "-qq"], { env });
  await run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...packages], { env });
  // Debian's package creates and starts a default cluster on 5432; ours is separate and needs none.
  await run("pg_dropcluster", ["--stop", String(major), "main"], { allowFailure: true });
  return major;
}

function bin(major: number, name: string): string {
  return `/usr/lib/postgresql/${major}/bin/${name}`;
}

export async function isRunning(major: number): Promise<boolean> {
  const r = await run(bin(major, "pg_isready"), ["-h", "127.0.0.1", "-p", String(DB_PORT)], { allowFailure: true });
  return r.code === 0;
}

function prepareStateDir() {
  mkdirSync(SOCKET_DIR, { recursive: true });
  if (isRoot) {
    // The server refuses to run as root: hand the folder to the postgres OS user.
    return run("chown", ["-R", "postgres:postgres", STATE_DIR]);
  }
}

/** What clusters created before issue 15 appended (they could lose acknowledged commits on a crash). */
export const UNSAFE_SETTINGS = ["fsync = off", "synchronous_commit = off", "full_page_writes = off"];
const UNSAFE_LINE = /^\s*(fsync|synchronous_commit|full_page_writes)\s*=\s*'?off'?\s*(#.*)?$/gm;

/**
 * Creates the cluster (once) the way the Supabase image does: bootstrap superuser supabase_admin.
 * `unsafe` appends the old non-durable settings (only the fault suite uses it, on its own cluster).
 */
export async function initCluster(major: number, opts: { unsafe?: boolean } = {}): Promise<boolean> {
  if (existsSync(join(DATA_DIR, "PG_VERSION"))) {
    const version = readFileSync(join(DATA_DIR, "PG_VERSION"), "utf8").trim();
    if (version === String(major)) return false;
    throw new Error(`${DATA_DIR} holds a PostgreSQL ${version} cluster; remove it (npm run stack -- stop --purge) to use ${major}.`);
  }
  mkdirSync(STATE_DIR, { recursive: true });
  const pwfile = join(STATE_DIR, "pwfile");
  writeFileSync(pwfile, PASSWORD + "\n");
  await prepareStateDir();
  await run(bin(major, "initdb"), [
    "-D", DATA_DIR, "-U", "supabase_admin", "--pwfile", pwfile, "--auth-local=trust",
    "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8",
  ], { asPostgresUser: true });
  // PostgreSQL's durable defaults (fsync, synchronous_commit, full_page_writes on): the dev database
  // lives here and must keep every commit it acknowledged. Throwaway test databases trade durability
  // for speed per database only (buildDatabase's `durable: false`).
  const conf = [
    `port = ${DB_PORT}`,
    `listen_addresses = '127.0.0.1'`,
    `unix_socket_directories = '${SOCKET_DIR}'`,
    `max_connections = 200`,
    `shared_buffers = '256MB'`,
    `wal_level = logical`,
    `log_min_messages = warning`,
    ...(opts.unsafe ? UNSAFE_SETTINGS : []),
  ].join("\n");
  await run("sh", ["-c", `cat >> '${join(DATA_DIR, "postgresql.conf")}'`], { stdin: "\n" + conf + "\n", asPostgresUser: true });
  return true;
}

export async function startServer(major: number) {
  if (await isRunning(major)) return false;
  await prepareStateDir();
  await run(bin(major, "pg_ctl"), ["-D", DATA_DIR, "-l", LOG_FILE, "-w", "-t", "60", "start"], { asPostgresUser: true });
  return true;
}

/** Stops this cluster (DATA_DIR only); `immediate` is a crash: no checkpoint, recovery on the next start. */
export async function stopServer(major: number, mode: "fast" | "immediate" = "fast") {
  if (!existsSync(join(DATA_DIR, "postmaster.pid"))) return false;
  await run(bin(major, "pg_ctl"), ["-D", DATA_DIR, "-m", mode, "-w", "stop"], { asPostgresUser: true, allowFailure: true });
  return true;
}

/**
 * Makes a cluster created with UNSAFE_SETTINGS durable: drops those lines from postgresql.conf,
 * reloads (all three are reloadable), then flushes to disk what fsync = off left in the OS cache
 * (`initdb --sync-only`, as the fsync documentation asks when turning it back on) and checkpoints.
 * Returns whether anything changed.
 */
export async function makeDurable(major: number): Promise<boolean> {
  const confFile = join(DATA_DIR, "postgresql.conf");
  if (!existsSync(confFile)) return false;
  const conf = readFileSync(confFile, "utf8");
  const durable = conf.replace(UNSAFE_LINE, "");
  if (durable === conf) return false;
  writeFileSync(confFile, durable); // the file keeps its owner
  const running = await isRunning(major);
  if (running) {
    await psql(major, "postgres", { sql: "select pg_reload_conf()" });
    for (let i = 0; i < 50; i++) {
      const r = await psql(major, "postgres", { sql: "show fsync", tuplesOnly: true });
      if (r.stdout.trim() === "on") break;
      await new Promise((res) => setTimeout(res, 100));
    }
  }
  await run(bin(major, "initdb"), ["--sync-only", "-D", DATA_DIR], { asPostgresUser: true });
  if (running) await psql(major, "postgres", { sql: "checkpoint" });
  return true;
}

export async function psql(
  major: number,
  database: string,
  opts: { file?: string; sql?: string; user?: string; tuplesOnly?: boolean },
) {
  const args = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dbUrl(database, opts.user ?? "supabase_admin")];
  if (opts.tuplesOnly) args.push("-A", "-t");
  if (opts.file) args.push("-f", opts.file);
  if (opts.sql) args.push("-c", opts.sql);
  return run(bin(major, "psql"), args, { env: { PGOPTIONS: "--client-min-messages=warning" } });
}

export async function applyRoles(major: number) {
  await psql(major, "postgres", { file: join(ROOT, "supabase/platform/roles.sql") });
}

/** The per-database part of the platform shim; idempotent, so `start` re-applies it to pick up changes. */
export async function applyShim(major: number, database: string) {
  await psql(major, database, { file: join(ROOT, "supabase/platform/database.sql") });
}

/** A database as Supabase has it after `db reset`: shim, every migration (by the real CLI), seed. */
export async function buildDatabase(
  major: number,
  database: string,
  opts: { seed: boolean; durable?: boolean; migrate?: boolean },
) {
  await dropDatabase(major, database);
  await psql(major, adminDb(database), { sql: `create database ${database} owner postgres template template0` });
  // A throwaway database may skip waiting for its WAL flush (a crash loses its last commits, never
  // corrupts anything); fsync stays on for the whole cluster, so the dev database next to it is safe.
  if (opts.durable === false) {
    await psql(major, adminDb(database), { sql: `alter database ${database} set synchronous_commit = off` });
  }
  await applyShim(major, database);
  if (opts.migrate === false) return; // the caller changes the platform's setup first
  await migrate(database);
  if (opts.seed) {
    for (const file of seedFiles()) await psql(major, database, { file, user: "postgres" });
  }
}

// The same order as config.toml's [db.seed] sql_paths: seed.sql, then seed/*.sql by name.
function seedFiles(): string[] {
  const dir = join(ROOT, "supabase/seed");
  const extra = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".sql")).sort().map((f) => join(dir, f)) : [];
  return [join(ROOT, "supabase/seed.sql"), ...extra].filter((f) => existsSync(f));
}

export async function migrate(database: string) {
  await run(join(ROOT, "node_modules/.bin/supabase"), ["migration", "up", `--remote=${dbUrl(database)}`, "--yes"], {
    env: { SUPABASE_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" },
  });
}

export async function dropDatabase(major: number, database: string) {
  await psql(major, adminDb(database), { sql: `drop database if exists ${database} with (force)` });
}

// Where to connect to create or drop `database`: any database but that one.
function adminDb(database: string) {
  return database === "postgres" ? "template1" : "postgres";
}
