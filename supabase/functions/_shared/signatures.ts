// Webhook signatures: HMAC-SHA256 and comparisons that take the same time whatever the input, so a
// caller cannot learn a secret or a signature byte by byte from response times.
const encoder = new TextEncoder();

// Imported keys, per secret: a function instance uses one or two secrets for its whole life.
const keys = new Map<string, Promise<CryptoKey>>();

export async function hmacSha256(secret: string, data: Uint8Array | string): Promise<Uint8Array> {
  let key = keys.get(secret);
  if (!key) {
    if (keys.size > 16) keys.clear();
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    keys.set(secret, key);
  }
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return new Uint8Array(await crypto.subtle.sign("HMAC", await key, bytes as BufferSource));
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function hmacSha256Hex(secret: string, data: Uint8Array | string): Promise<string> {
  return toHex(await hmacSha256(secret, data));
}

/** Equal-length byte comparison without an early exit. Different lengths are unequal. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/**
 * Compares a presented secret with the expected one in constant time. Both are hashed first, so the
 * comparison runs over 32 bytes whatever their lengths and leaks neither content nor length.
 */
export async function secretsEqual(presented: string | null | undefined, expected: string): Promise<boolean> {
  if (presented == null || expected === "") return false;
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(presented)),
    crypto.subtle.digest("SHA-256", encoder.encode(expected)),
  ]);
  return timingSafeEqual(new Uint8Array(a), new Uint8Array(b));
}
