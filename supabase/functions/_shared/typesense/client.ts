// The official Typesense client as the functions use it, and the HTTP status of its errors.
import { Client } from "typesense";
import type { TypesenseConfig } from "./config.ts";

/** The official client, with retries left to the caller (search-sync backs off on its own). */
export function createTypesenseClient(config: TypesenseConfig, key: "admin" | "search" = "admin"): Client {
  return new Client({
    nodes: [{ host: config.host, port: config.port, protocol: config.protocol }],
    apiKey: key === "admin" ? config.apiKey : config.searchApiKey,
    connectionTimeoutSeconds: key === "admin" ? 10 : 3,
    numRetries: 0,
    logLevel: "silent",
  });
}

export function httpStatusOf(e: unknown): number | undefined {
  const status = (e as { httpStatus?: unknown })?.httpStatus;
  return typeof status === "number" ? status : undefined;
}

/**
 * Was the request perhaps applied although no answer came? A timeout (ours: an aborted import,
 * `outcomeUnknown`; the client's: ECONNABORTED/ETIMEDOUT), a connection dropped after the request
 * went out, or a gateway that stopped waiting (504). Typesense may still apply such a request later,
 * so it is neither a success nor a plain failure; a refused connection or an HTTP error from Typesense
 * itself is a plain failure.
 */
export function isOutcomeUnknown(e: unknown): boolean {
  if ((e as { outcomeUnknown?: unknown })?.outcomeUnknown === true) return true;
  const status = httpStatusOf(e);
  if (status !== undefined) return status === 504;
  const code = (e as { code?: unknown })?.code;
  return code === "ECONNABORTED" || code === "ETIMEDOUT" || code === "ECONNRESET" || code === "EPIPE";
}
