// Livepeer Studio's webhook signature: `Livepeer-Signature: t=<ms>,v1=<hex>`, v1 = HMAC-SHA256 of the
// raw body with the webhook's shared secret. The timestamp is not part of the signed bytes; it is
// trusted only because the signed body repeats it (`timestamp`), which the handler checks.
import { hmacSha256, timingSafeEqual } from "../_shared/signatures.ts";

export const TOLERANCE_MS = 5 * 60_000;

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; code: string; message: string };

export function parseSignatureHeader(header: string | null): { t: number; v1: string[] } | null {
  if (!header) return null;
  let t = NaN;
  const v1: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t" && /^\d{1,16}$/.test(value)) t = Number(value);
    if (key === "v1" && /^[0-9a-fA-F]{64}$/.test(value)) v1.push(value.toLowerCase());
  }
  return Number.isFinite(t) && v1.length > 0 ? { t, v1 } : null;
}

function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

export async function verifySignature(
  header: string | null,
  rawBody: Uint8Array,
  secret: string,
  now: number,
): Promise<SignatureCheck> {
  const parsed = parseSignatureHeader(header);
  if (!parsed) {
    return { ok: false, code: "invalid_signature", message: "Missing or malformed Livepeer-Signature header." };
  }
  const expected = await hmacSha256(secret, rawBody);
  let match = false;
  for (const candidate of parsed.v1) match = timingSafeEqual(fromHex(candidate), expected) || match;
  if (!match) {
    return { ok: false, code: "invalid_signature", message: "The Livepeer-Signature does not match the body." };
  }
  if (Math.abs(now - parsed.t) > TOLERANCE_MS) {
    return { ok: false, code: "stale_timestamp", message: "The signature timestamp is more than 5 minutes away." };
  }
  return { ok: true, timestamp: parsed.t };
}

/** Builds the header as Livepeer does (tests and the benchmark sign with it). */
export async function signLivepeer(secret: string, rawBody: string | Uint8Array, t: number): Promise<string> {
  const bytes = typeof rawBody === "string" ? new TextEncoder().encode(rawBody) : rawBody;
  const mac = await hmacSha256(secret, bytes);
  return `t=${t},v1=${Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
