import assert from "node:assert/strict";
import { createPool, guardWriteAfterClose, isWriteAfterClose } from "./db.ts";
import { testDbUrl, testPool } from "../../../tests/function-helpers.ts";

function writeAfterClose(): TypeError {
  const e = new TypeError("Cannot read properties of null (reading 'write')");
  e.stack = `${e.message}\n    at Immediate.nextWrite (file:///x/node_modules/postgres/src/connection.js:255:22)`;
  return e;
}

Deno.test("isWriteAfterClose recognizes postgres.js's write on a closed socket and nothing else", () => {
  assert.equal(isWriteAfterClose(writeAfterClose()), true);
  assert.equal(isWriteAfterClose(new TypeError("Cannot read properties of null (reading 'write')")), false);
  const elsewhere = new TypeError("Cannot read properties of null (reading 'write')");
  elsewhere.stack = `${elsewhere.message}\n    at handler (file:///x/supabase/functions/search/handler.ts:1:1)`;
  assert.equal(isWriteAfterClose(elsewhere), false);
  assert.equal(isWriteAfterClose(new Error("CONNECTION_CLOSED")), false);
});

Deno.test("the guard absorbs the write-after-close error and keeps other uncaught errors", () => {
  guardWriteAfterClose();
  const absorbed = new ErrorEvent("error", { error: writeAfterClose(), cancelable: true });
  globalThis.dispatchEvent(absorbed);
  assert.equal(absorbed.defaultPrevented, true);
  const other = new ErrorEvent("error", { error: new TypeError("boom"), cancelable: true });
  globalThis.dispatchEvent(other);
  assert.equal(other.defaultPrevented, false);
});

Deno.test("a pool whose connections the server closed answers again within the connect timeout", async () => {
  const sql = createPool(testDbUrl(), { max: 2 });
  const admin = testPool();
  try {
    const [{ pid }] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
    await admin`select pg_terminate_backend(${pid})`;
    const started = performance.now();
    let answered = false;
    for (let attempt = 0; attempt < 3 && !answered; attempt++) {
      try {
        await sql`select 1`;
        answered = true;
      } catch (e) {
        assert.match((e as Error).message, /ECONNRESET|CONNECTION_|terminat|socket has been ended/i); // the cut connection's query only
      }
    }
    assert.equal(answered, true);
    assert.ok(performance.now() - started < 5_000, "no query waited past connect_timeout");
  } finally {
    await sql.end({ timeout: 1 });
    await admin.end();
  }
});
