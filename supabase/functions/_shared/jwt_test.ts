import assert from "node:assert/strict";
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from "jose";
import { ConfigError } from "./config.ts";
import {
  bearerToken, createSigner, createVerifier, JwtError, mintAccessToken, secretVerifier, verifyJwt, verifyUserToken,
} from "./jwt.ts";

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

Deno.test("verifyUserToken accepts a user token and refuses other roles, other keys, expired and unsigned tokens", async () => {
  const verifier = await createVerifier({ secret: SECRET });
  const signer = await createSigner({ secret: SECRET });
  const good = await mintAccessToken(signer, claims);
  assert.equal((await verifyUserToken(verifier, good))?.sub, claims.sub);
  const { SignJWT, UnsecuredJWT } = await import("jose");
  const key = new TextEncoder().encode(SECRET);
  const anon = await new SignJWT({ role: "anon" }).setProtectedHeader({ alg: "HS256" }).setSubject(claims.sub)
    .setExpirationTime(now + 60).sign(key);
  const noExp = await new SignJWT({ role: "authenticated" }).setProtectedHeader({ alg: "HS256" }).setSubject(claims.sub)
    .sign(key);
  const noSub = await new SignJWT({ role: "authenticated" }).setProtectedHeader({ alg: "HS256" })
    .setExpirationTime(now + 60).sign(key);
  const expired = await mintAccessToken(signer, { ...claims, issuedAt: now - 600, expiresAt: now - 60 });
  const other = await mintAccessToken(await createSigner({ secret: SECRET + "x" }), claims);
  const unsigned = new UnsecuredJWT({ role: "authenticated", sub: claims.sub }).setExpirationTime(now + 60).encode();
  for (const [name, token] of Object.entries({ anon, noExp, noSub, expired, other, unsigned, junk: "a.b.c" })) {
    assert.equal(await verifyUserToken(verifier, token), null, name);
  }
});

Deno.test("a verifier built from a private JWK verifies with its public half and still accepts the HS256 secret", async () => {
  for (const alg of ["ES256", "RS256"] as const) {
    const { privateKey } = await generateKeyPair(alg, { extractable: true });
    const jwk = JSON.stringify({ ...(await exportJWK(privateKey)), kid: "k", alg });
    const verifier = await createVerifier({ secret: SECRET, jwk });
    const asym = await mintAccessToken(await createSigner({ jwk }), claims);
    const hs = await mintAccessToken(await createSigner({ secret: SECRET }), claims);
    assert.equal((await verifyUserToken(verifier, asym))?.sub, claims.sub, alg);
    assert.equal((await verifyUserToken(verifier, hs))?.sub, claims.sub, alg);
    // Only HS256 configured: an asymmetric token has no key to verify against.
    assert.equal(await verifyUserToken(await createVerifier({ secret: SECRET }), asym), null, alg);
  }
  await assert.rejects(createVerifier({}), /JWT_SECRET or JWT_SIGNING_JWK/);
  await assert.rejects(createVerifier({ secret: "short" }), /at least 32/);
  await assert.rejects(createVerifier({ jwk: "{" }), /not valid JSON/);
});

Deno.test("bearerToken reads only a well-formed Authorization: Bearer header", () => {
  const req = (value?: string) => new Request("http://x", value ? { headers: { authorization: value } } : {});
  assert.equal(bearerToken(req("Bearer abc.def.ghi")), "abc.def.ghi");
  assert.equal(bearerToken(req("bearer abc")), "abc");
  assert.equal(bearerToken(req("Basic abc")), null);
  assert.equal(bearerToken(req("Bearer a b")), null);
  assert.equal(bearerToken(req()), null);
});

Deno.test("verifyJwt says which check refused a token: shape, algorithm, signature, expiry or a missing claim", async () => {
  const secret = "a-secret-for-verifyJwt-of-at-least-32-chars";
  const verifier = secretVerifier(secret);
  const now = Math.floor(Date.now() / 1000);
  const sign = (claims: Record<string, unknown>, alg = "HS256", key = secret) =>
    new SignJWT(claims).setProtectedHeader({ alg }).sign(new TextEncoder().encode(key));
  const failure = async (token: string, options = {}) => {
    try {
      await verifyJwt(verifier, token, options);
    } catch (e) {
      assert.ok(e instanceof JwtError);
      return e.failure;
    }
    return "accepted";
  };
  assert.equal(await failure(await sign({ role: "anon", exp: now + 60 })), "accepted");
  assert.equal(await failure("not-a-jwt"), "malformed");
  assert.equal(await failure(await sign({ role: "anon" }, "HS512")), "algorithm");
  assert.equal(await failure(await sign({ role: "anon" }, "HS256", `${secret}-other`)), "signature");
  assert.equal(await failure(await sign({ role: "anon", exp: now - 100 })), "expired");
  assert.equal(await failure(await sign({ role: "anon", exp: now - 10 }), { clockTolerance: 30 }), "accepted");
  assert.equal(await failure(await sign({ exp: now + 60 }), { requiredClaims: ["role"] }), "claims");
  await assert.rejects(() => verifyJwt(verifier, "x"), (e: unknown) => e instanceof JwtError && e.expiredClaims === undefined);
  assert.throws(() => secretVerifier("short"), /at least 32 characters/);
});
