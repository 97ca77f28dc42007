// The signed token of an email's one-click unsubscribe link (RFC 8058), made by email-delivery and
// checked by email-unsubscribe: an HS256 JWT (jose) keyed by EMAIL_UNSUBSCRIBE_SECRET whose `sub` is
// the user and `aud` says what it is for. It has no expiry: a link in an old email must keep working
// (RFC 8058 asks the link to work for as long as the mail could be read). Changing the secret voids
// every link already sent.
import { jwtVerify, SignJWT } from "jose";
import { ConfigError, isUuid } from "./config.ts";

const AUDIENCE = "streamz:email-unsubscribe";
export const MIN_SECRET_LENGTH = 32;

/** The HMAC key from EMAIL_UNSUBSCRIBE_SECRET (at least 32 characters); a ConfigError never echoes it. */
export function unsubscribeKey(secret: string): Uint8Array {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(`EMAIL_UNSUBSCRIBE_SECRET must be at least ${MIN_SECRET_LENGTH} characters.`);
  }
  return new TextEncoder().encode(secret);
}

export function signUnsubscribeToken(key: Uint8Array, userId: string): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject(userId).setAudience(AUDIENCE).setIssuedAt().sign(key);
}

/** The user a token names, or null when it is not one of ours (forged, altered, another purpose, malformed). */
export async function verifyUnsubscribeToken(key: Uint8Array, token: string): Promise<string | null> {
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: ["HS256"], audience: AUDIENCE });
    return isUuid(payload.sub) ? payload.sub : null;
  } catch {
    return null;
  }
}
