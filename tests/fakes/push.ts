// A stand-in for a Web Push service (RFC 8030), checking what the real ones check: the VAPID
// Authorization header (RFC 8292: `vapid t=<JWT>, k=<public key>`; an ES256 JWT signed by k whose
// `aud` is the endpoint's origin, whose `exp` is in the future and at most 24 hours away, and whose
// `sub` is a mailto: or https: contact), a TTL header, and a body encrypted with `aes128gcm` (RFC 8188
// / RFC 8291) that it decrypts with the subscription's private key. Answers 201 Created; 404 for an
// unknown subscription, 410 for one marked expired, 401/403 for a bad VAPID token, 400 for a bad
// request or body. `subscribe()` makes a browser-like subscription (P-256 key pair + 16-byte auth
// secret) and returns its PushSubscription JSON. Web APIs only (Deno and Node).
import { importJWK, jwtVerify } from "jose";

export interface ReceivedPush {
  subscription: string;
  payload: unknown;
  ttl: number;
  urgency: string | null;
  jwt: { aud: string; exp: number; sub: string };
}

interface FakeSubscription {
  keys: CryptoKeyPair;
  publicRaw: Uint8Array;
  auth: Uint8Array;
}

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
const fromB64url = (s: string) =>
  Uint8Array.from(atob(s.replaceAll("-", "+").replaceAll("_", "/") + "=".repeat((4 - (s.length % 4)) % 4)), (c) => c.charCodeAt(0));
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, at), at += p.length;
  return out;
};
const text = (s: string) => new TextEncoder().encode(s);

async function hkdf(salt: Uint8Array, ikm: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", ikm as BufferSource, "HKDF", false, ["deriveBits"]);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: salt as BufferSource, info: info as BufferSource }, key, length * 8));
}

/** RFC 8291 decryption of an aes128gcm body with the user agent's keys. */
async function decrypt(body: Uint8Array, sub: FakeSubscription): Promise<Uint8Array> {
  if (body.length < 21 + 65 + 17) throw new Error("body too short");
  const salt = body.slice(0, 16);
  const rs = new DataView(body.buffer, body.byteOffset + 16, 4).getUint32(0);
  const idlen = body[20];
  if (idlen !== 65 || rs < 18) throw new Error("keyid must be the sender's 65-byte public key");
  const senderRaw = body.slice(21, 21 + idlen);
  const ciphertext = body.slice(21 + idlen);
  if (ciphertext.length > rs) throw new Error("one record only");
  const senderKey = await crypto.subtle.importKey("raw", senderRaw as BufferSource, { name: "ECDH", namedCurve: "P-256" }, false, []);
  const ecdhSecret = new Uint8Array(await crypto.subtle.deriveBits({ name: "ECDH", public: senderKey }, sub.keys.privateKey, 256));
  const ikm = await hkdf(sub.auth, ecdhSecret, concat(text("WebPush: info\0"), sub.publicRaw, senderRaw), 32);
  const cek = await hkdf(salt, ikm, text("Content-Encoding: aes128gcm\0"), 16);
  const nonce = await hkdf(salt, ikm, text("Content-Encoding: nonce\0"), 12);
  const key = await crypto.subtle.importKey("raw", cek as BufferSource, "AES-GCM", false, ["decrypt"]);
  const padded = new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: nonce as BufferSource }, key, ciphertext as BufferSource));
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (end < 0 || padded[end] !== 2) throw new Error("the last record must end with the 0x02 delimiter");
  return padded.slice(0, end);
}

/** Verifies `vapid t=..., k=...` for `origin`; returns the claims or a refusal status. */
async function verifyVapid(header: string | null, origin: string): Promise<ReceivedPush["jwt"] | number> {
  const match = header?.match(/^vapid\s+(.+)$/i);
  if (!match) return 401;
  const params = Object.fromEntries(match[1].split(",").map((p) => p.trim().split("=").map((s) => s.trim())));
  if (!params.t || !params.k) return 401;
  const raw = fromB64url(params.k);
  if (raw.length !== 65 || raw[0] !== 4) return 403;
  try {
    const key = await importJWK({ kty: "EC", crv: "P-256", x: b64url(raw.slice(1, 33)), y: b64url(raw.slice(33)) }, "ES256");
    const { payload } = await jwtVerify(params.t, key, { algorithms: ["ES256"], audience: origin });
    const now = Math.floor(Date.now() / 1000);
    if (typeof payload.exp !== "number" || payload.exp > now + 24 * 3600) return 403;
    if (typeof payload.sub !== "string" || !/^(mailto:|https:)/.test(payload.sub)) return 403;
    return { aud: origin, exp: payload.exp, sub: payload.sub };
  } catch {
    return 403;
  }
}

export function createFakePushService() {
  const subscriptions = new Map<string, FakeSubscription>();
  const state = {
    received: [] as ReceivedPush[],
    /** Subscriptions answered 410 Gone (expired, as after a browser unsubscribes). */
    gone: new Set<string>(),
    refusals: [] as { status: number; reason: string }[],
  };

  async function subscribe(baseUrl: string) {
    const keys = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]) as CryptoKeyPair;
    const publicRaw = new Uint8Array(await crypto.subtle.exportKey("raw", keys.publicKey));
    const auth = crypto.getRandomValues(new Uint8Array(16));
    const id = crypto.randomUUID();
    subscriptions.set(id, { keys, publicRaw, auth });
    return { id, endpoint: `${baseUrl}/push/${id}`, keys: { p256dh: b64url(publicRaw), auth: b64url(auth) } };
  }

  function refuse(status: number, reason: string) {
    state.refusals.push({ status, reason });
    return new Response(reason, { status });
  }

  async function handler(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const id = url.pathname.match(/^\/push\/([^/]+)$/)?.[1];
    if (req.method !== "POST") return refuse(405, "method not allowed");
    if (!id || !subscriptions.has(id)) return refuse(404, "no such subscription");
    if (state.gone.has(id)) return refuse(410, "subscription expired");
    const jwt = await verifyVapid(req.headers.get("authorization"), url.origin);
    if (typeof jwt === "number") return refuse(jwt, "invalid VAPID authorization");
    const ttl = Number(req.headers.get("ttl"));
    if (!req.headers.has("ttl") || !Number.isInteger(ttl) || ttl < 0) return refuse(400, "TTL header required");
    if (req.headers.get("content-encoding") !== "aes128gcm") return refuse(415, "Content-Encoding must be aes128gcm");
    const body = new Uint8Array(await req.arrayBuffer());
    if (body.length > 4096) return refuse(413, "payload too large");
    let payload: unknown;
    try {
      payload = JSON.parse(new TextDecoder().decode(await decrypt(body, subscriptions.get(id)!)));
    } catch (e) {
      return refuse(400, `cannot decrypt: ${(e as Error).message}`);
    }
    state.received.push({ subscription: id, payload, ttl, urgency: req.headers.get("urgency"), jwt });
    return new Response(null, { status: 201, headers: { location: `${url.origin}/message/${crypto.randomUUID()}` } });
  }

  return { handler, subscribe, state };
}
