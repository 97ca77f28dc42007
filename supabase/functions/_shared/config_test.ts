import assert from "node:assert/strict";
import { ConfigError, readConfig } from "./config.ts";

Deno.test("readConfig names every missing variable and never a value", () => {
  const env = (name: string) => ({ PRESENT: "s3cr3t" } as Record<string, string>)[name];
  assert.throws(() => readConfig(["PRESENT", "MISSING_A", "MISSING_B"], [], env), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /MISSING_A, MISSING_B/);
    assert.doesNotMatch(e.message, /s3cr3t/);
    return true;
  });
});

Deno.test("readConfig returns required and present optional variables", () => {
  const env = (name: string) => ({ A: "1", B: "2" } as Record<string, string>)[name];
  assert.deepEqual(readConfig(["A"], ["B", "C"], env), { A: "1", B: "2" });
});
