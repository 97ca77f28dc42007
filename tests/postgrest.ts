// Talking to the database the way PostgREST does for supabase-js: one transaction per request,
// `role` and `request.jwt.claims` set locally, errors surfaced with their code. There is no
// PostgREST server in the docker-less stack, so end-to-end tests use this for table and RPC calls.
import postgres from "postgres";
import { dbUrl } from "./env.ts";

export const sql = postgres(dbUrl, { max: 10, onnotice: () => {} });

export type Caller = { role: "anon" } | { role: "service_role" } | { role: "authenticated"; userId: string };

export const anon: Caller = { role: "anon" };
export const serviceRole: Caller = { role: "service_role" };
export const asUser = (userId: string): Caller => ({ role: "authenticated", userId });

function claims(caller: Caller) {
  const now = Math.floor(Date.now() / 1000);
  return caller.role === "authenticated"
    ? { sub: caller.userId, role: "authenticated", aud: "authenticated", iat: now, exp: now + 3600 }
    : { role: caller.role };
}

/** Runs `fn` inside one request-like transaction as `caller`. */
export function request<T>(caller: Caller, fn: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  return sql.begin(async (tx) => {
    await tx`select set_config('role', ${caller.role}, true),
                    set_config('request.jwt.claims', ${JSON.stringify(claims(caller))}, true)`;
    return fn(tx);
  }) as Promise<T>;
}

/** Calls an RPC like `supabase.rpc(name, args)`; PostgREST custom errors come back parsed. */
export async function rpc<T = unknown>(caller: Caller, name: string, args: Record<string, unknown>): Promise<T> {
  const names = Object.keys(args);
  const call = `select to_jsonb(r) as result from public.${name}(${names.map((n, i) => `${n} => $${i + 1}`).join(", ")}) r`;
  try {
    const rows = await request(caller, (tx) => tx.unsafe(call, names.map((n) => args[n]) as postgres.ParameterOrJSON<never>[]));
    return rows[0]?.result as T;
  } catch (e) {
    throw toApiError(e);
  }
}

export interface ApiError {
  code: string;
  message: string;
  details: unknown;
  status: number;
}

/** The error supabase-js would hand the frontend (PostgREST's mapping of the SQL error). */
export function toApiError(e: unknown): ApiError | unknown {
  const err = e as { code?: string; message?: string; detail?: string };
  if (err?.code === "PGRST" && err.message) {
    const body = JSON.parse(err.message);
    const status = err.detail ? JSON.parse(err.detail).status : 500;
    return { code: body.code, message: body.message, details: body.details ? JSON.parse(body.details) : null, status };
  }
  return e;
}
