// One Postgres pool per function instance (postgres.js over SUPABASE_DB_URL).
import postgres from "postgres";

export type Sql = postgres.Sql;

export function createPool(url: string, options: { max?: number } = {}): Sql {
  return postgres(url, {
    max: options.max ?? 5,
    idle_timeout: 30,
    connect_timeout: 5,
    // The transaction pooler (port 6543) cannot keep prepared statements between transactions.
    prepare: !/:6543\//.test(url),
    onnotice: () => {},
    connection: { application_name: "streamz-functions" },
  });
}
