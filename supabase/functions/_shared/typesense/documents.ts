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

/**
 * Imports documents with action=upsert and returns Typesense's answer line by line (HTTP 200 even
 * when lines failed). Throws when the request itself fails or the answer does not have one line per
 * document.
 */
/** How long an import may go unanswered before it counts as a transient failure (no HTTP status). */
export const IMPORT_TIMEOUT_MS = 30_000;

export async function importDocuments(
  client: Client,
  collection: string,
  documents: Record<string, unknown>[],
  timeoutMs = IMPORT_TIMEOUT_MS,
): Promise<ImportLine[]> {
  // typesense-js never times out an import (skipConnectionTimeout) and takes no abort signal, so a
  // Typesense that accepts the connection and never answers would hang the caller: give up after
  // timeoutMs (the documents stay in the outbox; a later upsert of the same version is harmless).
  const request = client.collections(collection).documents().import(documents.map(toTypesenseDocument), {
    action: "upsert",
    throwOnFail: false,
  });
  request.catch(() => {}); // a late failure after the timeout is nobody's to handle
  let timer: ReturnType<typeof setTimeout> | undefined;
  const lines = await Promise.race([
    request,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Typesense did not answer the import within ${timeoutMs} ms.`)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer)) as ImportLine[];
  if (!Array.isArray(lines) || lines.length !== documents.length) {
    throw new Error(`Typesense answered ${Array.isArray(lines) ? lines.length : "no"} lines for ${documents.length} documents.`);
  }
  return lines;
}

/** Deletes documents by id (absent ones are fine); returns how many Typesense removed. */
export async function deleteDocuments(client: Client, collection: string, ids: string[]): Promise<number> {
  const filter = `id:[${ids.map((id) => "`" + id.replaceAll("`", "") + "`").join(",")}]`;
  const res = await client.collections(collection).documents().delete({ filter_by: filter, batch_size: ids.length });
  return (res as { num_deleted?: number }).num_deleted ?? 0;
}
