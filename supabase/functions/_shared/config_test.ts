import assert from "node:assert/strict";
import { ConfigError, integerSetting, isUuid, readConfig, TIMEOUT_RANGE } from "./config.ts";

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

Deno.test("integerSetting takes the fallback when unset and refuses values outside the range, naming it", () => {
  assert.equal(integerSetting("X_TIMEOUT_MS", undefined, 5000), 5000);
  assert.equal(integerSetting("X_TIMEOUT_MS", "100", 5000), TIMEOUT_RANGE.min);
  assert.equal(integerSetting("X_TIMEOUT_MS", "30000", 5000), TIMEOUT_RANGE.max);
  for (const bad of ["99", "30001", "1.5", "soon"]) {
    assert.throws(() => integerSetting("X_TIMEOUT_MS", bad, 5000), /X_TIMEOUT_MS must be an integer between 100 and 30000/);
  }
});

Deno.test("isUuid accepts canonical UUIDs in either case and nothing else", () => {
  assert.ok(isUuid("0b7e5a4c-4f7e-4c2b-9d8e-1a2b3c4d5e6f"));
  assert.ok(isUuid("0B7E5A4C-4F7E-4C2B-9D8E-1A2B3C4D5E6F"));
  for (const bad of ["", "not-a-uuid", "0b7e5a4c4f7e4c2b9d8e1a2b3c4d5e6f", 42, null, undefined]) assert.ok(!isUuid(bad));
});
