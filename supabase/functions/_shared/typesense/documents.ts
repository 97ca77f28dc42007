// Writing documents: JSONL import (answered line by line) and delete by id.
import type { Client } from "typesense";
import { SPLIT_WORDS, splitWords } from "./schemas.ts";

/** A database document as Typesense takes it: null fields left out (optional fields may be absent). */
export function toTypesenseDocument(document: Record<string, unknown>): Record<string, unknown> {
  const words = splitWords(document);
  return {
    ...Object.fromEntries(Object.entries(document).filter(([, v]) => v !== null && v !== undefined)),
    ...(words ? { [SPLIT_WORDS.name]: words } : {}),
  };
}

export interface ImportLine {
  success: boolean;
  error?: string;
  code?: number;
}

/** How long an import may go unanswered before it is aborted (its outcome then unknown). */
export const IMPORT_TIMEOUT_MS = 30_000;

/**
 * A request given up on after it was sent: Typesense may still apply it, later. Whoever sent it must
 * not write the same documents again (or let anyone else) until it can no longer land
 * (search-sync holds the rows: private.search_outbox_hold).
 */
export class OutcomeUnknownError extends Error {
  readonly outcomeUnknown = true;
}

/**
 * Imports documents with action=upsert and returns Typesense's answer line by line (HTTP 200 even
 * when lines failed). Throws when the request itself fails or the answer does not have one line per
 * document; an import unanswered after `timeoutMs` is aborted and throws OutcomeUnknownError.
 */
export async function importDocuments(
  client: Client,
  collection: string,
  documents: Record<string, unknown>[],
  timeoutMs = IMPORT_TIMEOUT_MS,
): Promise<ImportLine[]> {
  // typesense-js's documents().import() never times out (skipConnectionTimeout) and takes no abort
  // signal: a Typesense that accepts the connection and never answers would hang the caller, and a
  // caller that merely stopped waiting would leave the request running, to land after newer writes.
  // Its lower-level request with an abort signal is no better under Deno: aborted on a reused
  // keep-alive connection, the request goes out again on a new one, unseen (measured against the
  // fake). So the import is one fetch to the client's node, aborted after timeoutMs.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  let status: number, text: string;
  try {
    const res = await fetch(nodeUrl(client, `/collections/${encodeURIComponent(collection)}/documents/import?action=upsert`), {
      method: "POST",
      headers: { "X-TYPESENSE-API-KEY": client.configuration.apiKey, "Content-Type": "text/plain" },
      body: documents.map((d) => JSON.stringify(toTypesenseDocument(d))).join("\n"),
      signal: abort.signal,
    });
    status = res.status;
    text = await res.text();
  } catch (e) {
    if (abort.signal.aborted) {
      throw new OutcomeUnknownError(`Typesense did not answer the import within ${timeoutMs} ms (request aborted; outcome unknown).`);
    }
    // Never connected (refused, no such host): nothing was sent, a plain network error. Anything
    // later (the connection closed while sending or waiting) may have delivered it.
    const detail = `${e} ${(e as Error)?.cause ?? ""}`;
    if (/\(Connect\)|dns error|connection refused|are blocked/i.test(detail)) throw e;
    throw new OutcomeUnknownError(`The import failed after it was sent (outcome unknown): ${detail.slice(0, 300)}`);
  } finally {
    clearTimeout(timer);
  }
  if (status < 200 || status >= 300) {
    let message = text;
    try {
      message = JSON.parse(text).message ?? text;
    } catch { /* not JSON */ }
    throw Object.assign(new Error(`Typesense answered the import with HTTP ${status}: ${message}`), { httpStatus: status });
  }
  const lines = text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as ImportLine);
  if (lines.length !== documents.length) {
    throw new Error(`Typesense answered ${lines.length} lines for ${documents.length} documents.`);
  }
  return lines;
}

/** The URL of `endpoint` on the client's (first and only) node. */
function nodeUrl(client: Client, endpoint: string): string {
  const node = client.configuration.nodes[0] as { url?: string; protocol?: string; host?: string; port?: number; path?: string };
  return node.url != null ? `${node.url}${endpoint}` : `${node.protocol}://${node.host}:${node.port}${node.path ?? ""}${endpoint}`;
}

/** Deletes documents by id (absent ones are fine); returns how many Typesense removed. */
export async function deleteDocuments(client: Client, collection: string, ids: string[]): Promise<number> {
  const filter = `id:[${ids.map((id) => "`" + id.replaceAll("`", "") + "`").join(",")}]`;
  const res = await client.collections(collection).documents().delete({ filter_by: filter, batch_size: ids.length });
  return (res as { num_deleted?: number }).num_deleted ?? 0;
}
