// Database broadcasts: the shim's trigger on realtime.messages NOTIFYs NOTIFY_CHANNEL with the row's
// id on commit; each row is read back and handed to `deliver`, one at a time, in order. Realtime's
// partition janitor runs here too (when listening starts, then hourly).
import type postgres from "postgres";

export const NOTIFY_CHANNEL = "streamz_realtime";

export interface BroadcastRow {
  id: string;
  topic: string;
  event: string;
  payload: unknown;
  private: boolean;
}

export function createBroadcastFeed(sql: postgres.Sql, deliver: (row: BroadcastRow) => void) {
  let listening: Promise<unknown> | undefined;
  let deliveries = Promise.resolve();

  // Realtime's janitor keeps realtime.messages' daily partitions (yesterday..today+3, older ones
  // dropped); the stand-in runs the shim's equivalent when it starts listening and then hourly.
  let janitor: ReturnType<typeof setInterval> | undefined;
  const maintainPartitions = () =>
    sql`select realtime.streamz_local_maintain_partitions()`.catch((e) => console.error("realtime: partition maintenance failed:", e));
  const startJanitor = async () => {
    await maintainPartitions();
    if (janitor === undefined) {
      janitor = setInterval(maintainPartitions, 60 * 60 * 1000);
      Deno.unrefTimer(janitor);
    }
  };

  const listen = () =>
    (listening ??= startJanitor().then(() => sql.listen(NOTIFY_CHANNEL, (note) => {
      deliveries = deliveries.then(() => read(note)).catch((e) => console.error("realtime: delivery failed:", e));
    })).then(warnWithoutTrigger).catch((e) => {
      listening = undefined;
      throw e;
    }));

  // A database built before the shim had the NOTIFY trigger joins fine but never delivers: say so.
  async function warnWithoutTrigger() {
    const [{ ok }] = await sql`select exists (select from pg_catalog.pg_trigger
      where tgname = 'streamz_local_notify' and tgrelid = 'realtime.messages'::regclass) as ok`;
    if (!ok) {
      console.warn("realtime: realtime.messages has no streamz_local_notify trigger, so database broadcasts " +
        "are not delivered; rebuild the local database with the current shim (`npm run stack -- reset`).");
    }
  }

  async function read(note: string) {
    // "<id>,<inserted_at>"; the uuid alone finds the row (the primary key's leading column).
    const id = note.split(",")[0];
    const [row] = await sql`select topic, event, payload, private from realtime.messages where id = ${id}`;
    if (row) deliver({ id, topic: row.topic, event: row.event, payload: row.payload, private: row.private === true });
  }

  return {
    /** Starts listening once (again after a failure); joins wait for it. */
    listen,
    stop: () => clearInterval(janitor),
  };
}
