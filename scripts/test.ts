// `npm test`: builds a throwaway database (shim + migrations + seed; never the dev database), then
// runs pgTAP, the Deno tests of the functions, vitest over HTTP through a functions gateway bound to
// that database, the advisors and the generated-types check. Ends with `N passed, N failed`.
//
// Usage: npm test [-- --only=pgtap,deno,vitest,browser,contract,advisors,exposed,types,faults] [--keep]
// (contract runs whenever vitest or browser does: it validates the broadcasts they made.)
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import {
  applyRoles, buildDatabase, dbUrl, dropDatabase, ensurePostgres, initCluster, makeDurable, psql, ROOT, run, startServer,
  stopServer,
} from "./lib/cluster.ts";
import { functionEnv, startGateway, stopGateway } from "./lib/gateway.ts";
import { ANON_KEY, JWT_SECRET, SERVICE_ROLE_KEY } from "./lib/keys.ts";
import { generateTypes, TYPES_FILE } from "./lib/generate-types.ts";
import { CONTRACT_TYPES_FILE, generateContractTypes, readContract, validateBroadcasts } from "./lib/contract.ts";
import { buildWebClient } from "./lib/web.ts";
import { buildExposedDatabase, privilegeLines } from "./lib/privileges.ts";
import { ensureChromium } from "./lib/browser.ts";

interface Tally {
  suite: string;
  passed: number;
  failed: number;
  skipped: number;
}

const only = Deno.args.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const keep = Deno.args.includes("--keep");
const wants = (suite: string) => !only || only.includes(suite);
const tallies: Tally[] = [];
const work = mkdtempSync(join(tmpdir(), "streamz-test-"));
const bin = (name: string) => join(ROOT, "node_modules/.bin", name);
/** Kept after the run (gitignored): the browser suite's screenshots, one per step and user. */
const BROWSER_OUT = join(ROOT, "test-output/browser");

function section(title: string) {
  console.log(`\n== ${title} ${"=".repeat(Math.max(0, 70 - title.length))}`);
}

/** Runs a command with its output streamed to the console and kept for parsing. */
async function stream(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const child = new Deno.Command(cmd, {
    args, cwd: opts.cwd ?? ROOT, env: opts.env, stdout: "piped", stderr: "piped", stdin: "null",
  }).spawn();
  let output = "";
  const pump = async (s: ReadableStream<Uint8Array>, sink: typeof Deno.stdout) => {
    const decoder = new TextDecoder();
    for await (const chunk of s) {
      output += decoder.decode(chunk, { stream: true });
      await sink.write(chunk);
    }
  };
  const [status] = await Promise.all([child.status, pump(child.stdout, Deno.stdout), pump(child.stderr, Deno.stderr)]);
  return { code: status.code, output };
}

/** Runs vitest (the root config, or `args`' own) and tallies its JSON report. */
async function vitest(suite: string, args: string[], env: Record<string, string>): Promise<Tally> {
  const report = join(work, `${suite}.json`);
  const r = await stream(bin("vitest"), ["run", ...args, "--reporter=default", "--reporter=json", `--outputFile.json=${report}`], { env });
  let passed = 0, failed = 0, skipped = 0;
  if (existsSync(report)) {
    const j = JSON.parse(readFileSync(report, "utf8"));
    passed = j.numPassedTests;
    failed = j.numFailedTests + (j.numFailedTestSuites ?? 0);
    skipped = (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
  }
  if (r.code !== 0 && failed === 0) failed = 1;
  if (failed > 0 && existsSync(join(work, "functions.log"))) {
    console.log("\n-- functions gateway log (last 3000 chars) --");
    console.log(readFileSync(join(work, "functions.log"), "utf8").slice(-3000));
  }
  return { suite, passed, failed, skipped };
}

function isFree(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return true;
  } catch {
    return false;
  }
}

// A random gateway port that is free, along with the fake services' ports derived from it below. All
// are below Linux's ephemeral range (32768-60999 by default): a port in it can be taken between this
// check and the fake's listen by the source port of any outgoing connection (a test's database
// connection took a fake Livepeer's port once).
function pickGatewayPort(): number {
  for (let i = 0; i < 100; i++) {
    const port = 26000 + Math.floor(Math.random() * 4000);
    if ([port, port - 5000, port - 4999, port - 4990, port - 4980, port - 4970].every(isFree)) return port;
  }
  throw new Error("No free port for the functions gateway between 26000 and 30000.");
}

const major = await ensurePostgres();
await initCluster(major);
const startedServer = await startServer(major);
await makeDurable(major); // the dev database shares this cluster: never leave it with fsync off
await applyRoles(major);

const database = `streamz_test_${Date.now().toString(36)}_${Deno.pid}`;
const exposedDatabase = `${database}_exposed`;
const url = dbUrl(database);
const gatewayPort = pickGatewayPort();
let gatewayPid: number | undefined;

// Test-only settings of session, ory-hooks, livepeer-webhook and igdb-webhook (no .env in CI): secrets
// that exist only here, and the loopback ports where tests/functions-*.test.ts serve fake Ory and
// IGDB/Twitch (tests/fakes/). Derived from the random gateway port so parallel runs do not collide.
const fakeOryPort = gatewayPort - 5000;
const fakeIgdbPort = gatewayPort - 4999;
const fakeLivepeerPort = gatewayPort - 4990;
const fakePushPort = gatewayPort - 4980;
const fakeSmtpPort = gatewayPort - 4970;
// push-delivery: a VAPID key pair made for this run (base64url: the uncompressed public point and the
// private scalar, as web-push's generateVAPIDKeys gives them).
const vapidKeys = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
const vapidJwk = await crypto.subtle.exportKey("jwk", vapidKeys.privateKey);
const b64urlBytes = (s: string) => Uint8Array.from(atob(s.replaceAll("-", "+").replaceAll("_", "/") + "==".slice(0, (4 - s.length % 4) % 4)), (c) => c.charCodeAt(0));
const vapidPublicKey = btoa(String.fromCharCode(4, ...b64urlBytes(vapidJwk.x!), ...b64urlBytes(vapidJwk.y!)))
  .replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
const webhookEnv = {
  JWT_SECRET,
  ORY_SDK_URL: `http://127.0.0.1:${fakeOryPort}`,
  ORY_TIMEOUT_MS: "1000",
  ORY_WEBHOOK_SECRET: "test-ory-hook-secret",
  LIVEPEER_WEBHOOK_SECRET: "test-livepeer-webhook-secret",
  IGDB_WEBHOOK_SECRET: "test-igdb-webhook-secret",
  TWITCH_CLIENT_ID: "test-twitch-client-id",
  TWITCH_CLIENT_SECRET: "test-twitch-client-secret",
  IGDB_API_URL: `http://127.0.0.1:${fakeIgdbPort}/v4`,
  TWITCH_TOKEN_URL: `http://127.0.0.1:${fakeIgdbPort}/oauth2/token`,
  IGDB_TIMEOUT_MS: "1000",
  // viewer-counts would zero the counts tests set whenever a test serves the fake Livepeer: tests
  // call it directly instead of on the local scheduler's timer.
  STREAMZ_SCHEDULER_SKIP: "viewer-counts",
  // push-delivery: pushes go to the fake push service tests/notifications.test.ts serves (tests/fakes/push.ts).
  VAPID_PUBLIC_KEY: vapidPublicKey,
  VAPID_PRIVATE_KEY: vapidJwk.d!,
  VAPID_SUBJECT: "mailto:ops@streamz.test",
  PUSH_ENDPOINT_HOSTS: "127.0.0.1",
  STREAMZ_FAKE_PUSH_PORT: String(fakePushPort),
  // email-delivery: emails go to the fake SMTP server tests/notifications.test.ts serves (tests/fakes/smtp.ts),
  // plain on loopback with a login; email-unsubscribe checks the links with the same secret.
  SMTP_HOST: "127.0.0.1",
  SMTP_PORT: String(fakeSmtpPort),
  SMTP_TLS: "none",
  SMTP_USER: "streamz-test-mailer",
  SMTP_PASS: "test-smtp-password",
  SMTP_FROM: "Streamz <notifications@streamz.test>",
  SMTP_TIMEOUT_MS: "2000",
  EMAIL_UNSUBSCRIBE_SECRET: "test-email-unsubscribe-secret-32-characters",
  EMAIL_CHANNEL_URL: "http://127.0.0.1/app/#/c/{slug}",
  STREAMZ_FAKE_SMTP_PORT: String(fakeSmtpPort),
  STREAMZ_FAKE_ORY_PORT: String(fakeOryPort),
  STREAMZ_FAKE_IGDB_PORT: String(fakeIgdbPort),
  // stream-key: a fake Livepeer Studio API (tests/fakes/livepeer.ts) served by tests/functions-stream-key.test.ts.
  LIVEPEER_API_KEY: "test-livepeer-api-key",
  LIVEPEER_API_URL: `http://127.0.0.1:${fakeLivepeerPort}/api`,
  LIVEPEER_TIMEOUT_MS: "1000",
  STREAMZ_FAKE_LIVEPEER_PORT: String(fakeLivepeerPort),
};

try {
  section(`building ${database} (PostgreSQL ${major}: shim, migrations, seed)`);
  await buildDatabase(major, database, { seed: true, durable: false });
  console.log("ok");
  // What the migrations grant, before any suite adds its own objects; and the same migrations on a
  // project that exposes new tables, built meanwhile and compared at the end (suite "exposed").
  const granted = wants("exposed") ? await privilegeLines(major, database) : [];
  const exposedBuild = wants("exposed") ? buildExposedDatabase(major, exposedDatabase).then(() => null, (e: Error) => e) : null;

  if (wants("pgtap")) {
    section("pgTAP (supabase/tests/database)");
    const r = await stream("pg_prove", [
      "--ext", ".sql", "-r", "--verbose", "--dbname", database, "--host", "127.0.0.1", "--port", String(dbUrl().match(/:(\d+)\//)![1]),
      "--username", "postgres", "supabase/tests/database",
    ], { env: { PGPASSWORD: "postgres", PGOPTIONS: "--client-min-messages=warning" } });
    const passed = (r.output.match(/^\s*ok \d+/gm) ?? []).length;
    // Planned tests a file never reached because it died count as failed too ("Failed 3/10 subtests").
    const unreached = [...r.output.matchAll(/^Failed (\d+)\/\d+ subtests/gm)].reduce((n, m) => n + Number(m[1]), 0);
    const reported = (r.output.match(/^\s*not ok \d+/gm) ?? []).length;
    let failed = Math.max(reported, unreached);
    if (r.code !== 0 && failed === 0) failed = 1; // a file that died before planning
    tallies.push({ suite: "pgTAP", passed, failed, skipped: (r.output.match(/# SKIP/g) ?? []).length });
  }

  const env = {
    SUPABASE_DB_URL: url,
    STREAMZ_DB_URL: url,
    STREAMZ_FUNCTIONS_URL: `http://127.0.0.1:${gatewayPort}/functions/v1`,
    STREAMZ_API_URL: `http://127.0.0.1:${gatewayPort}`,
    STREAMZ_ANON_KEY: ANON_KEY,
    STREAMZ_SERVICE_ROLE_KEY: SERVICE_ROLE_KEY,
    STREAMZ_JWT_SECRET: JWT_SECRET,
    ...webhookEnv,
  };

  if (wants("deno")) {
    section("Deno tests (supabase/functions, supabase/platform)");
    const tally: Tally = { suite: "Deno", passed: 0, failed: 0, skipped: 0 };
    // Each function folder's tests run with that folder's own deno.json (what `functions deploy`
    // bundles it with), so a missing import fails here; _shared, folders without one, and the
    // platform's tests (local Data API, Realtime) use the shared supabase/functions/deno.json.
    const functionsDir = join(ROOT, "supabase/functions");
    const folders = readdirSync(functionsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    const own = folders.filter((f) => !f.startsWith("_") && existsSync(join(functionsDir, f, "deno.json")));
    const runs: { cwd: string; args: string[] }[] = [
      ...own.map((f) => ({ cwd: functionsDir, args: ["--config", `${f}/deno.json`, `${f}/`] })),
      { cwd: functionsDir, args: ["--config", "deno.json", ...folders.filter((f) => !own.includes(f)).map((f) => `${f}/`)] },
      { cwd: join(ROOT, "supabase/platform"), args: ["--config", "../functions/deno.json", "."] },
    ];
    for (const { cwd, args } of runs) {
      const r = await stream(bin("deno"), ["test", "--allow-all", "--no-prompt", ...args], {
        cwd,
        env: { ...functionEnv(url, gatewayPort), ...env, NO_COLOR: "1" },
      });
      const m = r.output.match(/(?:ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed(?: \(\d+ steps?\))?(?: \| (\d+) ignored)?/);
      let failed = m ? Number(m[2]) : 0;
      if (r.code !== 0 && failed === 0) failed = 1;
      tally.passed += m ? Number(m[1]) : 0;
      tally.failed += failed;
      tally.skipped += m?.[3] ? Number(m[3]) : 0;
    }
    tallies.push(tally);
  }

  // Every broadcast the suites below make is copied aside (test database only) for the contract suite.
  await psql(major, database, { file: join(ROOT, "tests/contract/capture.sql") });

  if (wants("vitest") || wants("browser")) {
    // The gateway also serves the web client (examples/web, built here) at /app/ for the browser suite.
    const webDir = join(work, "web");
    if (wants("browser")) await buildWebClient(webDir, { supabaseUrl: env.STREAMZ_API_URL, anonKey: ANON_KEY });
    gatewayPid = await startGateway(functionEnv(url, gatewayPort, { ...webhookEnv, STREAMZ_WEB_DIR: webDir }), join(work, "functions.log"));
  }

  if (wants("vitest")) {
    section("vitest (tests/, over HTTP)");
    tallies.push(await vitest("vitest", [], env));
  }

  if (wants("browser")) {
    // Debian's Chromium (installed like PostgreSQL) through playwright-core; screenshots of each step
    // are kept in test-output/browser/ after the run.
    section("browser (examples/web in Chromium: tests/browser)");
    rmSync(BROWSER_OUT, { recursive: true, force: true });
    const chromium = await ensureChromium();
    const tally = await vitest("browser", ["--config", "tests/browser/vitest.config.ts"], {
      ...env, STREAMZ_WEB_URL: `${env.STREAMZ_API_URL}/app/`, STREAMZ_BROWSER_OUT: BROWSER_OUT, STREAMZ_CHROMIUM: chromium,
    });
    // The client type-checks against the contract (every error code in words, typed event payloads).
    const check = await stream(bin("deno"), ["check", "--config", "deno.json", "src/main.ts"], { cwd: join(ROOT, "examples/web"), env: { NO_COLOR: "1" } });
    console.log(check.code === 0 ? "ok: examples/web type-checks against the contract" : "not ok: examples/web does not type-check");
    if (check.code === 0) tally.passed++;
    else tally.failed++;
    tallies.push(tally);
    console.log(`screenshots: ${BROWSER_OUT}`);
  }

  if (wants("vitest") || wants("browser")) {
    // Every broadcast the suites above made, each validated against its event's schema in
    // supabase/contract/contract.json: an event without a schema, or a payload off its schema, fails.
    section("contract (every broadcast of this run against supabase/contract/contract.json)");
    const { stdout } = await psql(major, database, {
      sql: "select coalesce(json_agg(json_build_object('topic', topic, 'event', event, 'payload', payload) order by seq), '[]') from streamz_test_capture.broadcasts",
      tuplesOnly: true,
    });
    const tally: Tally = { suite: "contract", passed: 0, failed: 0, skipped: 0 };
    const results = validateBroadcasts(JSON.parse(stdout));
    for (const [name, r] of [...results].sort(([a], [b]) => a.localeCompare(b))) {
      if (r.failures.length === 0) {
        tally.passed++;
        console.log(`ok: ${name} (${r.passed} payloads)`);
      } else {
        tally.failed++;
        console.log(`not ok: ${name}: ${r.failures.length} of ${r.failures.length + r.passed} payloads failed; first: ${r.failures[0]}`);
      }
    }
    const contract = readContract();
    const unexercised = Object.entries(contract.topics).flatMap(([family, f]) => Object.keys(f.events).map((e) => `${family} ${e}`))
      .filter((name) => !results.has(name));
    if (unexercised.length) console.log(`(no test of this run made: ${unexercised.join(", ")})`);
    tallies.push(tally);
  }

  if (wants("faults")) {
    // The fault suite's fast subset, on its own throwaway cluster (never this one): tests/faults/run.ts.
    section("faults (own cluster: crashes, restarts, outages; --fast)");
    const r = await stream(bin("deno"), [
      "run", "--allow-all", "--no-prompt", "--config", "tests/faults/deno.json", "tests/faults/run.ts", "--fast",
    ], { env: { NO_COLOR: "1" } });
    const m = [...r.output.matchAll(/^(\d+) passed, (\d+) failed$/gm)].at(-1);
    let failed = m ? Number(m[2]) : 0;
    if (r.code !== 0 && failed === 0) failed = 1;
    tallies.push({ suite: "faults", passed: m ? Number(m[1]) : 0, failed, skipped: 0 });
  }

  if (wants("advisors")) {
    section("supabase db advisors (fail on WARN)");
    const r = await stream(bin("supabase"), ["db", "advisors", `--remote=${url}`, "--type", "all", "--fail-on", "warn"]);
    tallies.push({ suite: "advisors", passed: r.code === 0 ? 1 : 0, failed: r.code === 0 ? 0 : 1, skipped: 0 });
  }

  if (exposedBuild) {
    section("privileges on a project that exposes new tables (the Data API default before 2026)");
    const failure = await exposedBuild;
    const got = failure ? [] : await privilegeLines(major, exposedDatabase);
    const extra = got.filter((line) => !granted.includes(line));
    const missing = granted.filter((line) => !got.includes(line));
    if (failure) console.log(`not ok: migrations failed there: ${failure.message}`);
    for (const line of extra) console.log(`not ok: granted there only: ${line}`);
    for (const line of missing) console.log(`not ok: missing there: ${line}`);
    const same = !failure && extra.length === 0 && missing.length === 0;
    if (same) console.log(`ok: the same ${granted.length} privileges as without the default`);
    tallies.push({ suite: "exposed", passed: same ? 1 : 0, failed: same ? 0 : 1, skipped: 0 });
  }

  if (wants("types")) {
    section("generated types are current");
    const tally: Tally = { suite: "types", passed: 0, failed: 0, skipped: 0 };
    for (const [file, fresh] of [[TYPES_FILE, await generateTypes(url)], [CONTRACT_TYPES_FILE, await generateContractTypes()]]) {
      const name = file.split("/").at(-1);
      const same = fresh === (existsSync(file) ? readFileSync(file, "utf8") : "");
      console.log(same ? `ok: ${name} is current` : `not ok: ${name} is stale; run \`npm run types\``);
      if (same) tally.passed++;
      else tally.failed++;
    }
    tallies.push(tally);
  }
} catch (e) {
  console.error(`\n${(e as Error).message}`);
  tallies.push({ suite: "setup", passed: 0, failed: 1, skipped: 0 });
} finally {
  if (gatewayPid) await stopGateway(gatewayPid);
  if (!keep) await dropDatabase(major, database).catch(() => {});
  else console.log(`kept database ${database}: ${url}`);
  await dropDatabase(major, exposedDatabase).catch(() => {});
  if (startedServer && !keep) await stopServer(major);
  rmSync(work, { recursive: true, force: true });
}

section("summary");
for (const t of tallies) console.log(`${t.suite.padEnd(10)} ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
const total = tallies.reduce((a, t) => ({ ...a, passed: a.passed + t.passed, failed: a.failed + t.failed, skipped: a.skipped + t.skipped }), {
  suite: "all", passed: 0, failed: 0, skipped: 0,
});
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ""}`);
Deno.exit(total.failed > 0 || total.passed === 0 ? 1 : 0);
