import assert from "node:assert/strict";
import { hmacSha256Hex, secretsEqual, timingSafeEqual } from "./signatures.ts";

Deno.test("hmacSha256Hex matches the RFC 4231 test case 2", async () => {
  assert.equal(
    await hmacSha256Hex("Jefe", "what do ya want for nothing?"),
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
  );
});

Deno.test("timingSafeEqual accepts identical bytes and refuses a one-bit or one-byte difference", () => {
  const a = new Uint8Array([1, 2, 3, 4]);
  assert.equal(timingSafeEqual(a, new Uint8Array([1, 2, 3, 4])), true);
  assert.equal(timingSafeEqual(a, new Uint8Array([1, 2, 3, 5])), false);
  assert.equal(timingSafeEqual(a, new Uint8Array([1, 2, 3])), false);
});

Deno.test("secretsEqual accepts only the exact secret, whatever the presented length", async () => {
  assert.equal(await secretsEqual("s3cret-value", "s3cret-value"), true);
  assert.equal(await secretsEqual("s3cret-valuE", "s3cret-value"), false);
  assert.equal(await secretsEqual("s3cret-value-and-more", "s3cret-value"), false);
  assert.equal(await secretsEqual("", "s3cret-value"), false);
  assert.equal(await secretsEqual(null, "s3cret-value"), false);
  assert.equal(await secretsEqual("", ""), false, "an unset expected secret never matches");
});
