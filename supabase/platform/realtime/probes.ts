// Authorization as Realtime does it: probe rows in realtime.messages, read back (or inserted) under
// RLS as the channel's JWT role with `realtime.topic` set, always rolled back.
import type postgres from "postgres";
import type { Chan } from "./channel.ts";

type Tx = postgres.TransactionSql;
class Rollback<T> {
  constructor(public value: T) {}
}

export type Extension = "broadcast" | "presence";

export function createProbes(sql: postgres.Sql) {
  /** Runs `fn` in a transaction that is always rolled back, as Realtime's probes are. */
  async function rolledBack<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    try {
      await sql.begin(async (tx) => {
        throw new Rollback(await fn(tx));
      });
    } catch (e) {
      if (e instanceof Rollback) return e.value as T;
      throw e;
    }
    throw new Error("unreachable");
  }

  async function actAs(tx: Tx, chan: Chan) {
    const { claims, sub } = chan;
    await tx`select set_config('role', ${claims.role as string}, true), set_config('realtime.topic', ${sub}, true),
                    set_config('request.jwt.claims', ${JSON.stringify(claims)}, true),
                    set_config('request.jwt.claim.sub', ${String(claims.sub ?? "")}, true),
                    set_config('request.jwt.claim.role', ${claims.role as string}, true),
                    set_config('request.headers', ${JSON.stringify(chan.conn.headers)}, true)`;
  }

  /** Read check: probe rows inserted as postgres, selected back under RLS as the JWT role. */
  function authorizeRead(chan: Chan, extensions: Extension[]) {
    return rolledBack(async (tx) => {
      const probes = new Map<string, string>();
      for (const extension of extensions) {
        const [{ id }] = await tx`insert into realtime.messages (topic, extension, inserted_at, updated_at)
                                  values (${chan.sub}, ${extension}, now(), now()) returning id`;
        probes.set(id, extension);
      }
      await actAs(tx, chan);
      const seen = await tx`select id from realtime.messages where id in ${tx([...probes.keys()])}`;
      for (const extension of extensions) chan.read[extension] = false;
      for (const { id } of seen) chan.read[probes.get(id) as Extension] = true;
    });
  }

  /** Write check: an INSERT as the JWT role; 42501 (RLS) means denied. Cached until a new token. */
  async function canWrite(chan: Chan, extension: Extension): Promise<boolean> {
    if (!chan.private) return true;
    chan.write[extension] ??= await rolledBack(async (tx) => {
      await actAs(tx, chan);
      try {
        await tx`insert into realtime.messages (topic, extension, inserted_at, updated_at)
                 values (${chan.sub}, ${extension}, now(), now())`;
        return true;
      } catch (e) {
        if ((e as { code?: string }).code === "42501") return false;
        throw e;
      }
    });
    return chan.write[extension]!;
  }

  return { authorizeRead, canWrite };
}
