import assert from "node:assert/strict";
import { HttpError, readBody, readJson, withErrors } from "./http.ts";

Deno.test("readBody refuses a body over the limit with 413, even without content-length", async () => {
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new Uint8Array(600));
      c.enqueue(new Uint8Array(600));
      c.close();
    },
  });
  const req = new Request("http://local/", { method: "POST", body: stream });
  await assert.rejects(readBody(req, 1000), (e: unknown) => e instanceof HttpError && e.status === 413);
});

Deno.test("readBody accepts a body exactly at the limit", async () => {
  const req = new Request("http://local/", { method: "POST", body: new Uint8Array(1000) });
  assert.equal((await readBody(req, 1000)).byteLength, 1000);
});

Deno.test("readJson answers 400 invalid_json for a truncated document", async () => {
  const req = new Request("http://local/", { method: "POST", body: '{"id": "abc"' });
  await assert.rejects(readJson(req), (e: unknown) => e instanceof HttpError && e.code === "invalid_json");
});

Deno.test("withErrors hides unexpected errors behind a generic 500", async () => {
  const logged: string[] = [];
  const original = console.error;
  console.error = (msg: string) => logged.push(msg);
  try {
    const res = await withErrors("t", () => Promise.reject(new Error("password=hunter2")))(new Request("http://local/"));
    assert.equal(res.status, 500);
    const text = await res.text();
    assert.doesNotMatch(text, /hunter2/);
    assert.doesNotMatch(logged.join("\n"), /hunter2/);
  } finally {
    console.error = original;
  }
});
