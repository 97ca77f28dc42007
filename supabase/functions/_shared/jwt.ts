// Minting Supabase access tokens with jose: HS256 with the project's JWT secret, or ES256/RS256 with
// an imported private JWK carrying a `kid` (the asymmetric signing keys Supabase verifies by JWKS).
import { importJWK, type JWK, SignJWT } from "jose";
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
