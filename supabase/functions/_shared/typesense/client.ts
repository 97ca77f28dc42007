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
