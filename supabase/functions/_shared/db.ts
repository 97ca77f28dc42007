// One Postgres pool per function instance (postgres.js over SUPABASE_DB_URL).
import postgres from "postgres";

export type Sql = postgres.Sql;

export function createPool(url: string, options: { max?: number } = {}): Sql {
  return postgres(url, {
    max: options.max ?? 5,
    idle_timeout: 30,
    // A request waits at most this long for a connection when the database is down or restarting,
    // then fails (5xx) instead of hanging; the pool reconnects by itself on the next query.
    connect_timeout: 5,
    // The transaction pooler (port 6543) cannot keep prepared statements between transactions.
    prepare: !/:6543\//.test(url),
    onnotice: () => {},
    connection: { application_name: "streamz-functions" },
  });
}

/**
 * postgres.js 3.4.9 under Deno can run a batched socket write (connection.js `nextWrite`, queued with
 * setImmediate) after the server closed the connection, when `socket` is already null. It throws
 * outside any query (found by the fault suite, tests/faults, on database restarts). A function's
 * process lets it end the process: the edge runtime (and the local gateway) start a new worker with
 * fresh connections, and the request it was serving gets a 5xx its sender retries. Absorbing it would
 * leave that connection's write state half reset. Only the local gateway, whose Data API and Realtime
 * pools cannot be restarted apart from everything else, absorbs it (guardWriteAfterClose).
 */
export function isWriteAfterClose(error: unknown): boolean {
  return error instanceof TypeError &&
    error.message === "Cannot read properties of null (reading 'write')" &&
    /postgres[/@][^\n]*connection\.js/.test(error.stack ?? "");
}

let guarded = false;
/** Installs the handler once per process (the local gateway only). */
export function guardWriteAfterClose() {
  if (guarded || typeof globalThis.addEventListener !== "function") return;
  guarded = true;
  globalThis.addEventListener("error", (event) => {
    if (!isWriteAfterClose((event as ErrorEvent).error)) return;
    event.preventDefault();
    console.warn("db: a write on a connection the database had closed was dropped (the pool reconnects)");
  });
}
