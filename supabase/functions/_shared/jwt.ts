// Supabase access tokens with jose, in one place: minting them (HS256 with the project's JWT secret, or
// ES256/RS256 with an imported private JWK carrying a `kid`, the asymmetric signing keys Supabase
// verifies by JWKS) and verifying them. `verifyJwt` is the only token check in the project: the
// functions use it through `verifyUserToken`, and the local platform (Data API, functions gateway,
// Realtime stand-in) with `secretVerifier`, as hosted Supabase checks every request's JWT.
import { decodeProtectedHeader, errors, importJWK, type JWK, type JWTPayload, jwtVerify, SignJWT } from "jose";
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
  if (secret) return { alg: "HS256", key: secretKey(secret), issuer };
  if (!jwk) throw new ConfigError("Missing environment variable: JWT_SECRET or JWT_SIGNING_JWK (see .env.example).");
  const { parsed, alg } = parseSigningJwk(jwk);
  if (!parsed.d) throw new ConfigError("JWT_SIGNING_JWK must be a private key (it has no `d`).");
  if (!parsed.kid) throw new ConfigError("JWT_SIGNING_JWK must have a `kid` so verifiers can pick it from the JWKS.");
  try {
    const key = await importJWK({ ...parsed, alg }, alg);
    return { alg, kid: parsed.kid, key: key as CryptoKey, issuer };
  } catch {
    throw new ConfigError("JWT_SIGNING_JWK could not be imported as a private signing key.");
  }
}

function secretKey(secret: string): Uint8Array {
  if (secret.length < 32) throw new ConfigError("JWT_SECRET must be at least 32 characters long.");
  return new TextEncoder().encode(secret);
}

function parseSigningJwk(jwk: string): { parsed: JWK; alg: "ES256" | "RS256" } {
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
  return { parsed, alg };
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
  if (options.secret) keys.set("HS256", secretKey(options.secret));
  if (options.jwk) {
    const { parsed, alg } = parseSigningJwk(options.jwk);
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

/** A verifier of HS256 tokens signed with the project's JWT secret (the local platform's only kind). */
export function secretVerifier(secret: string): Verifier {
  return { keys: new Map([["HS256", secretKey(secret)]]) };
}

/** Why a token was refused: its shape, its algorithm, its signature, its expiry, or a missing claim. */
export type JwtFailure = "malformed" | "algorithm" | "signature" | "expired" | "claims";

export class JwtError extends Error {
  /** The verified claims of an expired token (its signature was good), e.g. to say how long ago. */
  constructor(readonly failure: JwtFailure, message: string, readonly expiredClaims?: JWTPayload) {
    super(message);
  }
}

/**
 * The one JWT check: the signature with the verifier's key for the token's algorithm, `exp`/`nbf`
 * (with `clockTolerance` seconds of leeway) and the `requiredClaims`. Returns the claims; throws a
 * JwtError saying which check failed (with jose's reason).
 */
export async function verifyJwt(
  verifier: Verifier,
  token: string,
  options: { requiredClaims?: string[]; clockTolerance?: number } = {},
): Promise<JWTPayload> {
  let alg: string | undefined;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch (e) {
    throw new JwtError("malformed", (e as Error).message);
  }
  const key = verifier.keys.get(alg as SigningAlgorithm);
  if (!alg || !key) throw new JwtError("algorithm", `unsupported algorithm ${alg}`);
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: [alg], ...options });
    return payload;
  } catch (e) {
    if (e instanceof errors.JWTExpired) throw new JwtError("expired", e.message, e.payload);
    if (e instanceof errors.JWTClaimValidationFailed) throw new JwtError("claims", e.message);
    if (e instanceof errors.JWSSignatureVerificationFailed) throw new JwtError("signature", e.message);
    throw new JwtError("malformed", (e as Error).message);
  }
}

/** The claims of a valid, unexpired user token (role `authenticated`, a `sub`), or null for anything else. */
export async function verifyUserToken(verifier: Verifier, token: string): Promise<UserClaims | null> {
  try {
    const payload = await verifyJwt(verifier, token, { requiredClaims: ["sub", "exp"] });
    if (payload.role !== "authenticated" || typeof payload.sub !== "string" || payload.sub === "") return null;
    return payload as UserClaims;
  } catch (e) {
    if (e instanceof JwtError) return null;
    throw e;
  }
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(req: Request): string | null {
  return req.headers.get("authorization")?.match(/^Bearer\s+(\S+)\s*$/i)?.[1] ?? null;
}
