// Typesense configuration: which collections there are and where the server is (TYPESENSE_*).
import type { Env } from "../config.ts";

export const SEARCH_TYPES = ["channels", "categories", "livestreams"] as const;
export type SearchType = typeof SEARCH_TYPES[number];

export interface TypesenseConfig {
  host: string;
  port: number;
  protocol: "http" | "https";
  apiKey: string; // admin key: search-sync and reindex (server-side only)
  searchApiKey: string; // search-only key for the search function; the admin key when unset
  prefix: string; // prepended to every collection and alias name (several projects, one cluster)
}

/** TYPESENSE_HOST + TYPESENSE_API_KEY turn Typesense on; null when unset (search uses Postgres). */
export function readTypesenseConfig(env: Env = (n) => Deno.env.get(n)): TypesenseConfig | null {
  const host = env("TYPESENSE_HOST");
  const apiKey = env("TYPESENSE_API_KEY");
  if (!host || !apiKey) return null;
  const protocol = (env("TYPESENSE_PROTOCOL") ?? "https").toLowerCase();
  if (protocol !== "http" && protocol !== "https") throw new Error("TYPESENSE_PROTOCOL must be http or https.");
  const port = Number(env("TYPESENSE_PORT") ?? (protocol === "https" ? 443 : 8108));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error("TYPESENSE_PORT must be a port number.");
  return {
    host,
    port,
    protocol,
    apiKey,
    searchApiKey: env("TYPESENSE_SEARCH_API_KEY") || apiKey,
    prefix: env("TYPESENSE_COLLECTION_PREFIX") ?? "",
  };
}
