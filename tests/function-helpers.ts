// Helpers for the Deno tests beside the functions (never imported by a handler): the test database,
// a transaction held open, unique names, and a URL where nothing listens. Fakes of outside services
// are in tests/fakes/.
import { createPool, type Sql } from "../supabase/functions/_shared/db.ts";

export { holdOpen } from "./hold-open.ts";

export function testDbUrl(): string {
  const url = Deno.env.get("SUPABASE_DB_URL");
  if (!url) throw new Error("SUPABASE_DB_URL must point at the test database (npm test sets it).");
  return url;
}

export function testPool(): Sql {
  return createPool(testDbUrl(), { max: 3 });
}

/** A username no other test run uses (3-25 chars of [A-Za-z0-9_]). */
export function uniqueUsername(prefix = "t"): string {
  return `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
}

/** A loopback URL where nothing listens: connections are refused. */
export function refusedUrl(): string {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return `http://127.0.0.1:${port}`;
}
