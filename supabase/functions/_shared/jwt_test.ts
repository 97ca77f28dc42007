import assert from "node:assert/strict";
import { exportJWK, generateKeyPair, jwtVerify } from "jose";
import { ConfigError } from "./config.ts";
import { createSigner, mintAccessToken } from "./jwt.ts";

const SECRET = "a-test-secret-that-is-at-least-32-characters";
const now = Math.floor(Date.now() / 1000);
const claims = { sub: "4f1c2b8e-4a57-4a2b-9f0e-6d1d2f3a4b5c", sessionId: "s-1", issuedAt: now, expiresAt: now + 600 };

Deno.test("an HS256 token verifies with the secret and carries the Supabase claims", async () => {
  const token = await mintAccessToken(await createSigner({ secret: SECRET }), claims);
  const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(SECRET), {
    algorithms: ["HS256"],
    audience: "authenticated",
  });
  assert.equal(protectedHeader.alg, "HS256");
  assert.deepEqual(
    {
      sub: payload.sub,
      role: payload.role,
      aud: payload.aud,
      iat: payload.iat,
      exp: payload.exp,
      sid: payload.session_id,
    },
    { sub: claims.sub, role: "authenticated", aud: "authenticated", iat: now, exp: now + 600, sid: "s-1" },
  );
});

for (const alg of ["ES256", "RS256"] as const) {
  Deno.test(`an ${alg} token from a private JWK verifies with the public key and names its kid`, async () => {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: `key-${alg}`, alg };
    const token = await mintAccessToken(
      await createSigner({ jwk: JSON.stringify(jwk), issuer: "https://x.test" }),
      claims,
    );
    const { payload, protectedHeader } = await jwtVerify(token, publicKey, {
      algorithms: [alg],
      issuer: "https://x.test",
    });
    assert.equal(protectedHeader.kid, `key-${alg}`);
    assert.equal(payload.sub, claims.sub);
  });
}

Deno.test("a token signed with another secret does not verify", async () => {
  const token = await mintAccessToken(await createSigner({ secret: SECRET }), claims);
  await assert.rejects(jwtVerify(token, new TextEncoder().encode(SECRET + "x"), { algorithms: ["HS256"] }));
});

Deno.test("createSigner refuses unusable key material without echoing it", async () => {
  const { publicKey } = await generateKeyPair("ES256", { extractable: true });
  const cases: [Record<string, string>, RegExp][] = [
    [{}, /JWT_SECRET or JWT_SIGNING_JWK/],
    [{ secret: "short-secret" }, /at least 32/],
    [{ secret: SECRET, jwk: "{}" }, /only one/],
    [{ jwk: "not json" }, /not valid JSON/],
    [{ jwk: JSON.stringify({ ...(await exportJWK(publicKey)), kid: "k" }) }, /private key/],
    [{ jwk: JSON.stringify({ kty: "oct", k: "abc", kid: "k" }) }, /ES256.*RS256/],
  ];
  for (const [options, message] of cases) {
    await assert.rejects(createSigner(options), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, message);
      assert.doesNotMatch(e.message, /short-secret/);
      return true;
    });
  }
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  await assert.rejects(createSigner({ jwk: JSON.stringify(await exportJWK(privateKey)) }), /kid/);
});
