// What every fault case gets: the suite's own cluster (crash it, restart it), the gateway bound to it
// (restart it, find its function processes), an admin pool, and small bounded helpers. Nothing here
// touches any other cluster: the driver (run.ts) builds the context around its own data folder.
import { SignJWT } from "jose";
import type { Sql } from "../../supabase/functions/_shared/db.ts";
import { signLivepeer } from "../../supabase/functions/livepeer-webhook/signature.ts";

export interface Ctx {
  fast: boolean;
  /** postgres.js pool as `postgres` on the suite's database (reconnects by itself after a restart). */
  sql: Sql;
  dbUrl: string;
  /** The gateway root: /rest/v1, /functions/v1, /realtime/v1. */
  apiUrl: string;
  anonKey: string;
  jwtSecret: string;
  livepeerSecret: string;
  /** `pg_ctl stop -m immediate` on the suite's own cluster: a crash, recovery on the next start. */
  crashDb(): Promise<void>;
  /** `pg_ctl stop -m fast` on the suite's own cluster. */
  stopDb(): Promise<void>;
  startDb(): Promise<void>;
  /** Stops the gateway (Data API, Realtime stand-in, every function) and starts it on the same port. */
  restartGateway(): Promise<void>;
  /** The pid of a function's process (a child of the gateway this suite started). */
  functionPid(name: string): Promise<number>;
}

/** What a case reports; losses and duplicates must be 0. */
export interface Counts {
  requests: number;
  retries: number;
  losses: number;
  duplicates: number;
  [detail: string]: number;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls until `check` resolves true; fails after `ms`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

export async function accessToken(secret: string, userId: string): Promise<string> {
  return await new SignJWT({ role: "authenticated", session_id: crypto.randomUUID() })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(userId)
    .setAudience("authenticated")
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(secret));
}

/** A user with a channel (and its chatroom), made as ory-hooks makes them. */
export async function provisionStreamer(sql: Sql, prefix: string) {
  const username = `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
  const [{ id }] = await sql<{ id: string }[]>`
    select (private.provision_user(gen_random_uuid(), ${username}, null, true)).id`;
  const [row] = await sql<{ user_id: string; channel_id: string; chatroom_id: string }[]>`
    select c.owner_id as user_id, c.id as channel_id, r.id as chatroom_id
    from public.channels c join public.chatrooms r on r.channel_id = c.id where c.owner_id = ${id}`;
  return row;
}

/** Fails a case with its counts attached (the runner prints them either way). */
export function expectZero(counts: Counts, keys: (keyof Counts)[], problems: string[]) {
  const bad = keys.filter((k) => counts[k] !== 0);
  if (bad.length === 0) return;
  for (const p of problems.slice(0, 10)) console.log(`    ${p}`);
  throw Object.assign(new Error(`expected 0: ${bad.map((k) => `${String(k)}=${counts[k]}`).join(", ")}`), { counts });
}

/** POSTs a Livepeer event to livepeer-webhook through the gateway, signed as Livepeer signs each delivery. */
export async function postLivepeer(ctx: Ctx, event: Record<string, unknown>, timeoutMs: number): Promise<Response> {
  const t = Date.now();
  const raw = JSON.stringify({ ...event, timestamp: t }); // each (re)delivery carries a new timestamp
  return await fetch(`${ctx.apiUrl}/functions/v1/livepeer-webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", "livepeer-signature": await signLivepeer(ctx.livepeerSecret, raw, t) },
    body: raw,
    signal: AbortSignal.timeout(timeoutMs),
  });
}
