// Drains the search outbox (private.search_outbox) into Typesense, batch by batch:
//   collections lock, shared (no build or reindex runs meanwhile: its collection would miss what we send)
//   -> claim (FOR UPDATE SKIP LOCKED + a lease: two runs never send the same row)
//   -> import upserts (JSONL, action=upsert) and delete by id, per collection
//   -> read every line of the import answer (HTTP 200 even when lines fail)
//   -> retry what failed transiently (503 "Not Ready or Lagging", 429, 5xx, network) with backoff
//   -> complete the sent rows; back off the refused ones, parking a document after `maxAttempts`;
//      hold the rows of a send whose outcome is unknown (a timeout) until it can no longer land.
// If Typesense stays down the rows stay in the outbox (backed off, never parked): nothing is lost.
import type { Client } from "typesense";
import type { Sql } from "../_shared/db.ts";
import {
  aliasName, deleteDocuments, httpStatusOf, importDocuments, isOutcomeUnknown, SEARCH_TYPES, type SearchType,
  type TypesenseConfig, withSharedCollectionsLock,
} from "../_shared/typesense.ts";

export interface DrainOptions {
  batchSize: number;
  /** Stop claiming new batches after this long (an edge function has a wall-clock limit). */
  timeBudgetMs: number;
  /** An import unanswered this long is aborted, its outcome unknown (typesense-js has no import timeout). */
  importTimeoutMs: number;
  /**
   * How long the rows of a send whose outcome is unknown stay leased (a Postgres interval): longer than
   * Typesense can take to apply a request it already holds, so the next send of those documents is
   * the last write.
   */
  unknownOutcomeHold: string;
  /** Document-level failures before a document is parked. */
  maxAttempts: number;
  /** In-run retries of a transient failure, waiting retryDelayMs * 4^n (with jitter) before each. */
  retries: number;
  retryDelayMs: number;
  /** Backoff between runs for a refused document: base * 2^attempts, capped (Postgres intervals). */
  baseDelay: string;
  maxDelay: string;
  /** The claim's lease; must outlast a run. */
  lease: string;
  sleep: (ms: number) => Promise<void>;
}

export const DEFAULT_DRAIN_OPTIONS: DrainOptions = {
  batchSize: 200,
  timeBudgetMs: 25_000,
  importTimeoutMs: 10_000,
  maxAttempts: 5,
  retries: 3,
  retryDelayMs: 250,
  baseDelay: "10 seconds",
  maxDelay: "1 hour",
  lease: "5 minutes",
  unknownOutcomeHold: "5 minutes",
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

export interface DrainResult {
  synced: number;
  failed: number;
  parked: number;
}

interface Claimed {
  id: string; // bigint as text
  collection: SearchType;
  document_id: string;
  op: "upsert" | "delete";
  version: number;
  attempts: number;
  document: Record<string, unknown> | null;
}

interface Outcome {
  row: Claimed;
  ok: boolean;
  transient: boolean;
  /** Sent, unanswered: Typesense may apply it later. */
  unknown?: boolean;
  error?: string;
}

export function isTransient(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 429 || status >= 500;
}

export async function drain(
  deps: { sql: Sql; client: Client; config: Pick<TypesenseConfig, "prefix"> },
  options: Partial<DrainOptions> = {},
): Promise<DrainResult> {
  const o = { ...DEFAULT_DRAIN_OPTIONS, ...options };
  // A build (search-sync's collection check, or `npm run search:reindex`) holds the lock: send
  // nothing now; the rows wait in the outbox and go to the new collection after its swap.
  return await withSharedCollectionsLock(deps.sql, (sql) => drainBatches({ ...deps, sql }, o)) ??
    { synced: 0, failed: 0, parked: 0 };
}

async function drainBatches(
  deps: { sql: Sql; client: Client; config: Pick<TypesenseConfig, "prefix"> },
  o: DrainOptions,
): Promise<DrainResult> {
  const started = Date.now();
  const result: DrainResult = { synced: 0, failed: 0, parked: 0 };
  const failedThisRun: string[] = [];
  while (Date.now() - started < o.timeBudgetMs) {
    const rows = await deps.sql<Claimed[]>`
      select id::text, collection, document_id, op, version, attempts, document
      from private.search_outbox_claim(${o.batchSize}, ${o.lease}::interval, ${failedThisRun}::bigint[])`;
    if (rows.length === 0) break;

    const outcomes: Outcome[] = [];
    for (const type of SEARCH_TYPES) {
      const collection = aliasName(deps.config, type);
      const upserts = rows.filter((r) => r.collection === type && r.op === "upsert");
      const deletes = rows.filter((r) => r.collection === type && r.op === "delete");
      if (upserts.length > 0) outcomes.push(...await sendUpserts(deps.client, collection, upserts, o));
      if (deletes.length > 0) outcomes.push(...await sendDeletes(deps.client, collection, deletes, o));
    }

    const sent = outcomes.filter((x) => x.ok).map((x) => x.row);
    const unknown = outcomes.filter((x) => !x.ok && x.unknown);
    const refused = outcomes.filter((x) => !x.ok && !x.transient);
    const unavailable = outcomes.filter((x) => !x.ok && x.transient && !x.unknown);
    if (sent.length > 0) {
      await deps.sql`select private.search_outbox_complete(
        ${sent.map((r) => r.id)}::bigint[], ${sent.map((r) => r.version)}::integer[])`;
    }
    if (unknown.length > 0) {
      // Whatever version the rows have now: a send of it could land before the lost one.
      await deps.sql`select private.search_outbox_hold(
        ${unknown.map((x) => x.row.id)}::bigint[], ${unknown.map((x) => x.error ?? "outcome unknown")}::text[],
        ${o.unknownOutcomeHold}::interval)`;
    }
    for (const [group, transient] of [[refused, false], [unavailable, true]] as const) {
      if (group.length === 0) continue;
      failedThisRun.push(...group.map((x) => x.row.id));
      const [{ parked }] = await deps.sql<{ parked: number }[]>`
        select private.search_outbox_fail(
          ${group.map((x) => x.row.id)}::bigint[], ${group.map((x) => x.row.version)}::integer[],
          ${group.map((x) => x.error ?? "unknown error")}::text[], ${transient},
          ${o.maxAttempts}, ${o.baseDelay}::interval, ${o.maxDelay}::interval) as parked`;
      result.parked += parked;
    }
    result.synced += sent.length;
    result.failed += refused.length + unavailable.length + unknown.length;
    // Typesense is not taking anything right now: leave the rest for a later run.
    if (sent.length === 0 && unavailable.length + unknown.length > 0) break;
  }
  return result;
}

/** Runs `send` until it succeeds or the in-run retries are spent; only transient failures are retried. */
async function withRetry<T>(o: DrainOptions, send: () => Promise<T>): Promise<T> {
  for (let attempt = 0;; attempt++) {
    try {
      return await send();
    } catch (e) {
      // A send that may still land is not sent again: its rows are held instead (see drain).
      if (attempt >= o.retries || !isTransient(httpStatusOf(e)) || isOutcomeUnknown(e)) throw e;
      await o.sleep(o.retryDelayMs * 4 ** attempt * (0.75 + Math.random() / 2));
    }
  }
}

function describeError(e: unknown): string {
  const status = httpStatusOf(e);
  const text = (e as Error)?.message ?? String(e);
  return (status ? `HTTP ${status}: ` : "") + text.slice(0, 500);
}

async function sendUpserts(client: Client, collection: string, rows: Claimed[], o: DrainOptions): Promise<Outcome[]> {
  const outcomes = new Map<Claimed, Outcome>();
  let pending = rows;
  for (let attempt = 0; pending.length > 0; attempt++) {
    let lines;
    try {
      lines = await withRetry(o, () => importDocuments(client, collection, pending.map((r) => r.document!), o.importTimeoutMs));
    } catch (e) {
      // The request itself failed (after retries): not the documents' fault.
      const unknown = isOutcomeUnknown(e);
      for (const row of pending) outcomes.set(row, { row, ok: false, transient: true, unknown, error: describeError(e) });
      break;
    }
    const retry: Claimed[] = [];
    pending.forEach((row, i) => {
      const line = lines[i];
      if (line.success) {
        outcomes.set(row, { row, ok: true, transient: false });
        return;
      }
      const error = `${line.code ?? "?"}: ${line.error ?? "refused"}`;
      const transient = line.code !== undefined && isTransient(line.code);
      outcomes.set(row, { row, ok: false, transient, error });
      if (transient) retry.push(row);
    });
    if (retry.length === 0 || attempt >= o.retries) break;
    await o.sleep(o.retryDelayMs * 4 ** attempt * (0.75 + Math.random() / 2));
    pending = retry;
  }
  return rows.map((r) => outcomes.get(r)!);
}

async function sendDeletes(client: Client, collection: string, rows: Claimed[], o: DrainOptions): Promise<Outcome[]> {
  try {
    await withRetry(o, () => deleteDocuments(client, collection, rows.map((r) => r.document_id)));
    return rows.map((row) => ({ row, ok: true, transient: false }));
  } catch (e) {
    const unknown = isOutcomeUnknown(e);
    return rows.map((row) => ({ row, ok: false, transient: unknown || isTransient(httpStatusOf(e)), unknown, error: describeError(e) }));
  }
}
