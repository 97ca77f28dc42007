// A transaction held open for race tests: shared by vitest (tests/*.test.ts) and the Deno tests beside
// the functions (through tests/function-helpers.ts).
import type postgres from "postgres";

/** Runs `work` in a transaction that stays open (its writes unseen by other sessions, its row and
 * advisory locks held) until `commit()`: `result` is what `work` returned, `pid` its session (for
 * `pg_blocking_pids`). Call `commit()` in a `finally`. */
export async function holdOpen<T>(sql: postgres.Sql, work: (tx: postgres.TransactionSql) => Promise<T>) {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let done!: Promise<unknown>;
  const opened = await new Promise<{ result: T; pid: number }>((resolve, reject) => {
    done = sql.begin(async (tx) => {
      const result = await work(tx);
      const [{ pid }] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid`;
      resolve({ result, pid });
      await held;
    });
    done.catch(reject);
  });
  const commit = async () => {
    release();
    await done;
  };
  return { ...opened, commit };
}
