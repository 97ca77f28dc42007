// Minting Supabase access tokens with jose: HS256 with the project's JWT secret, or ES256/RS256 with
// an imported private JWK carrying a `kid` (the asymmetric signing keys Supabase verifies by JWKS), and
// verifying those user tokens where a function acts for the caller.
import { decodeProtectedHeader, importJWK, type JWK, jwtVerify, SignJWT } from "jose";
import { ConfigError } from "./config.ts";

export type SigningAlgorithm = "HS256" | "ES256" | "RS256";

export interface Signer {
  alg: SigningAlgorithm;
  kid?: string;
  key: CryptoKey | Uint8Array;
  issuer?: string;
}

/** Builds the signer from JWT_SECRET or JWT_SIGNING_JWK (exactly one). Throws ConfigError, never echoing a value. */
export async function createSigner(options: { secret?: string; jwk?: string; issuer?: string }): Promise<Signer> {
  const { secret, jwk, issuer } = options;
  if (secret && jwk) throw new ConfigError("Set only one of JWT_SECRET and JWT_SIGNING_JWK.");
  if (secret) {
    if (secret.length < 32) throw new ConfigError("JWT_SECRET must be at least 32 characters long.");
    return { alg: "HS256", key: new TextEncoder().encode(secret), issuer };
  }
  if (!jwk) throw new ConfigError("Missing environment variable: JWT_SECRET or JWT_SIGNING_JWK (see .env.example).");
  let parsed: JWK;
  try {
    parsed = JSON.parse(jwk);
  } catch {
    throw new ConfigError("JWT_SIGNING_JWK is not valid JSON.");
  }
  const alg: string | undefined = parsed.alg ??
    (parsed.kty === "EC" ? "ES256" : parsed.kty === "RSA" ? "RS256" : undefined);
  if (alg !== "ES256" && alg !== "RS256") {
    throw new ConfigError("JWT_SIGNING_JWK must be an ES256 (EC P-256) or RS256 (RSA) key.");
  }
  if (!parsed.d) throw new ConfigError("JWT_SIGNING_JWK must be a private key (it has no `d`).");
  if (!parsed.kid) throw new ConfigError("JWT_SIGNING_JWK must have a `kid` so verifiers can pick it from the JWKS.");
  try {
    const key = await importJWK({ ...parsed, alg }, alg);
    return { alg, kid: parsed.kid, key: key as CryptoKey, issuer };
  } catch {
    throw new ConfigError("JWT_SIGNING_JWK could not be imported as a private signing key.");
  }
}

export interface AccessTokenClaims {
  sub: string;
  sessionId: string;
  /** Unix seconds. */
  issuedAt: number;
  /** Unix seconds. */
  expiresAt: number;
}

/** A token PostgREST and Realtime accept as the `authenticated` role with auth.uid() = sub. */
export function mintAccessToken(signer: Signer, claims: AccessTokenClaims): Promise<string> {
  const jwt = new SignJWT({ role: "authenticated", session_id: claims.sessionId })
    .setProtectedHeader(signer.kid ? { alg: signer.alg, typ: "JWT", kid: signer.kid } : { alg: signer.alg, typ: "JWT" })
    .setSubject(claims.sub)
    .setAudience("authenticated")
    .setIssuedAt(claims.issuedAt)
    .setExpirationTime(claims.expiresAt);
  if (signer.issuer) jwt.setIssuer(signer.issuer);
  return jwt.sign(signer.key);
}

export interface Verifier {
  /** One key per accepted algorithm: HS256 from JWT_SECRET, ES256/RS256 from JWT_SIGNING_JWK's public half. */
  keys: Map<SigningAlgorithm, CryptoKey | Uint8Array>;
}

/** Builds a verifier for the tokens `session` mints (JWT_SECRET and/or JWT_SIGNING_JWK). Throws ConfigError. */
export async function createVerifier(options: { secret?: string; jwk?: string }): Promise<Verifier> {
  const keys = new Map<SigningAlgorithm, CryptoKey | Uint8Array>();
  if (options.secret) {
    if (options.secret.length < 32) throw new ConfigError("JWT_SECRET must be at least 32 characters long.");
    keys.set("HS256", new TextEncoder().encode(options.secret));
  }
  if (options.jwk) {
    let parsed: JWK;
    try {
      parsed = JSON.parse(options.jwk);
    } catch {
      throw new ConfigError("JWT_SIGNING_JWK is not valid JSON.");
    }
    const alg: string | undefined = parsed.alg ??
      (parsed.kty === "EC" ? "ES256" : parsed.kty === "RSA" ? "RS256" : undefined);
    if (alg !== "ES256" && alg !== "RS256") {
      throw new ConfigError("JWT_SIGNING_JWK must be an ES256 (EC P-256) or RS256 (RSA) key.");
    }
    // Only the public half verifies; the private members are dropped before import.
    const pub: JWK = parsed.kty === "EC"
      ? { kty: "EC", crv: parsed.crv, x: parsed.x, y: parsed.y }
      : { kty: "RSA", n: parsed.n, e: parsed.e };
    try {
      keys.set(alg, (await importJWK({ ...pub, alg }, alg)) as CryptoKey);
    } catch {
      throw new ConfigError("JWT_SIGNING_JWK could not be imported as a verification key.");
    }
  }
  if (keys.size === 0) {
    throw new ConfigError("Missing environment variable: JWT_SECRET or JWT_SIGNING_JWK (see .env.example).");
  }
  return { keys };
}

export interface UserClaims {
  sub: string;
  role: "authenticated";
  [claim: string]: unknown;
}

/** The claims of a valid, unexpired user token (role `authenticated`, a `sub`), or null for anything else. */
export async function verifyUserToken(verifier: Verifier, token: string): Promise<UserClaims | null> {
  try {
    const { alg } = decodeProtectedHeader(token);
    const key = verifier.keys.get(alg as SigningAlgorithm);
    if (!key) return null;
    const { payload } = await jwtVerify(token, key, { algorithms: [alg!], requiredClaims: ["sub", "exp"] });
    if (payload.role !== "authenticated" || typeof payload.sub !== "string" || payload.sub === "") return null;
    return payload as UserClaims;
  } catch {
    return null;
  }
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(req: Request): string | null {
  return req.headers.get("authorization")?.match(/^Bearer\s+(\S+)\s*$/i)?.[1] ?? null;
}
