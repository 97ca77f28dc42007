import assert from "node:assert/strict";
import { createPool } from "../_shared/db.ts";
import { createHandler } from "./handler.ts";

const dbUrl = Deno.env.get("SUPABASE_DB_URL");
if (!dbUrl) throw new Error("SUPABASE_DB_URL must point at the test database (npm test sets it).");

Deno.test("health answers ok when the database answers", async () => {
  const sql = createPool(dbUrl);
  try {
    const res = await createHandler({ sql })(new Request("http://local/health"));
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.status, "ok");
    assert.equal(body.database, "ok");
    assert.equal(typeof body.latency_ms, "number");
  } finally {
    await sql.end();
  }
});

Deno.test("health answers 503 database_unavailable when the database is down", async () => {
  // A port nothing listens on: the pool cannot connect.
  const sql = createPool("postgresql://postgres:postgres@127.0.0.1:1/postgres");
  try {
    const res = await createHandler({ sql })(new Request("http://local/health"));
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), {
      error: { code: "database_unavailable", message: "The database did not answer." },
    });
  } finally {
    await sql.end();
  }
});

Deno.test("health refuses other methods with 405", async () => {
  const sql = createPool(dbUrl);
  try {
    const res = await createHandler({ sql })(new Request("http://local/health", { method: "POST", body: "{}" }));
    assert.equal(res.status, 405);
    assert.equal((await res.json()).error.code, "method_not_allowed");
  } finally {
    await sql.end();
  }
});
