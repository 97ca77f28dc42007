// One Postgres pool per function instance (postgres.js over SUPABASE_DB_URL).
import postgres from "postgres";

export type Sql = postgres.Sql;

export function createPool(url: string, options: { max?: number } = {}): Sql {
  guardWriteAfterClose();
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
 * outside any query, so it would end the whole function process on a database restart (found by the
 * fault suite, tests/faults). It is harmless: that connection's queries already failed with
 * CONNECTION_CLOSED and the pool opens a new connection for the next one. Only that error is absorbed.
 */
export function isWriteAfterClose(error: unknown): boolean {
  return error instanceof TypeError &&
    error.message === "Cannot read properties of null (reading 'write')" &&
    /postgres[/@][^\n]*connection\.js/.test(error.stack ?? "");
}

let guarded = false;
/** Installs the handler once per process (createPool does; the local gateway calls it too). */
export function guardWriteAfterClose() {
  if (guarded || typeof globalThis.addEventListener !== "function") return;
  guarded = true;
  globalThis.addEventListener("error", (event) => {
    if (!isWriteAfterClose((event as ErrorEvent).error)) return;
    event.preventDefault();
    console.warn("db: a write on a connection the database had closed was dropped (the pool reconnects)");
  });
}
