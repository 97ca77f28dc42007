// Realtime's token checks and refusals, with its own messages. The token itself is checked by the
// project's one verifier (supabase/functions/_shared/jwt.ts).
import { JwtError, type Verifier, verifyJwt } from "../../functions/_shared/jwt.ts";

export class AuthError extends Error {}

/**
 * Verifies a Realtime JWT with the project's one verifier (_shared/jwt.ts): `role` and an integer
 * `exp` required, refused with Realtime's own messages.
 */
export async function verifyToken(token: string, verifier: Verifier): Promise<Record<string, unknown>> {
  let claims: Record<string, unknown>;
  try {
    claims = await verifyJwt(verifier, token, { requiredClaims: ["role", "exp"] });
  } catch (e) {
    if (!(e instanceof JwtError)) throw e;
    if (e.failure === "claims") throw new AuthError(REQUIRED_CLAIMS);
    if (e.failure === "expired") throw new AuthError(expiredMessage(e.expiredClaims!.exp!));
    throw new AuthError(`Invalid JWT: ${e.message}`);
  }
  if (typeof claims.role !== "string" || !Number.isInteger(claims.exp)) throw new AuthError(REQUIRED_CLAIMS);
  return claims;
}

const REQUIRED_CLAIMS = "Fields `role` and `exp` are required in JWT";
export const expiredMessage = (exp: number) => `Token has expired ${Math.floor(Date.now() / 1000) - exp} seconds ago`;

export const readDenied = (topic: string) => `Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`;

/** Realtime's answer to a public join when the project allows private channels only. */
export const PRIVATE_ONLY = "PrivateOnly: This project only allows private channels";
