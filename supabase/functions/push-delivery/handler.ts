// POST /push-delivery (pg_cron via pg_net every second, or the local scheduler): claims queued
// notifications (private.claim_push_deliveries over private.push_queue, filled as notifications are
// inserted, whatever order they commit in) and sends each to every push subscription of its user with
// push_enabled, as Web Push (RFC 8030) with an aes128gcm-encrypted payload (RFC 8291) and VAPID
// (RFC 8292), built by the `web-push` library. A subscription the push service answers 404 or 410 for,
// or whose keys cannot encrypt a push at all, is deleted. Any other failure of one subscription
// (encryption, network, an HTTP error) is counted as `failed` and the run goes on. Without VAPID
// settings push is off: the run empties the queue and sends nothing (200, `push: "off"`). Service key
// only. Answers {push, sent, failed, removed, skipped}.
import { Buffer } from "node:buffer";
import { ECDH } from "node:crypto";
import webpush from "web-push";
import type { Sql } from "../_shared/db.ts";
import { json, requireMethod, withErrors } from "../_shared/http.ts";
import { requireServiceKey } from "../_shared/service-keys.ts";

export interface VapidConfig {
  /** The application server key pair, base64url (uncompressed P-256 point / 32-byte scalar). */
  publicKey: string;
  privateKey: string;
  /** A contact for the push services: mailto: or https: URL. */
  subject: string;
}

export interface PushDeliveryDeps {
  sql: Sql;
  serviceKeys: string[];
  vapid: VapidConfig | null;
  /** Push service hosts the function may POST to (a host or any subdomain of it). */
  allowedHosts: string[];
  timeoutMs: number;
  /** Notifications per claim (default 50; each has up to 10 subscriptions). */
  batchSize?: number;
  /** A run claims again while this many milliseconds have not passed (default 800). Hosted edge
   * functions get 2 s of CPU per request, and encrypting and signing one push takes about 2 ms. */
  runBudgetMs?: number;
  concurrency?: number;
}

/** The push services of Chrome/Edge/Opera (FCM), Firefox (Mozilla autopush), Windows (WNS) and Safari (Apple). */
export const DEFAULT_PUSH_HOSTS = [
  "fcm.googleapis.com",
  "push.services.mozilla.com",
  "notify.windows.com",
  "push.apple.com",
];

interface Delivery {
  notification: { id: number; kind: string; channel_id: string | null; actor_id: string | null; payload: unknown; created_at: string };
  subscription_id: number;
  endpoint: string;
  p256dh: string;
  auth: string;
}

export function hostAllowed(endpoint: string, allowedHosts: string[]): boolean {
  let host: string;
  try {
    host = new URL(endpoint).hostname;
  } catch {
    return false;
  }
  return allowedHosts.some((h) => host === h || host.endsWith(`.${h}`));
}

export function createHandler(deps: PushDeliveryDeps) {
  return withErrors("push-delivery", async (req) => {
    requireMethod(req, "POST");
    requireServiceKey(req, deps.serviceKeys, "push-delivery");
    const result = { push: deps.vapid ? "on" : "off", sent: 0, failed: 0, removed: 0, skipped: 0 };
    if (!deps.vapid) {
      // Off: empty the queue, send nothing.
      await deps.sql`select * from private.claim_push_deliveries(10000, false)`;
      return json(result);
    }
    const vapid = deps.vapid;
    const batchSize = deps.batchSize ?? 50;
    const started = performance.now();
    // Small claims, one after another, while the run's budget lasts: a claim is delivered at most
    // once, so a worker stopped at its CPU limit loses one small batch, not a thousand pushes.
    for (;;) {
      const rows = await deps.sql<Delivery[]>`select * from private.claim_push_deliveries(${batchSize}, true)`;
      const gone: number[] = [];
      let next = 0;
      const worker = async () => {
        while (next < rows.length) {
          const row = rows[next++];
          const outcome = await send(row, vapid, deps);
          result[outcome]++;
          if (outcome === "removed") gone.push(row.subscription_id);
        }
      };
      await Promise.all(Array.from({ length: Math.min(deps.concurrency ?? 20, rows.length) }, worker));
      if (gone.length > 0) await deps.sql`delete from public.push_subscriptions where id = any(${gone}::bigint[])`;
      const claimed = new Set(rows.map((r) => r.notification.id)).size;
      if (claimed < batchSize || performance.now() - started >= (deps.runBudgetMs ?? 800)) break;
    }
    return json(result);
  });
}

async function send(row: Delivery, vapid: VapidConfig, deps: PushDeliveryDeps): Promise<"sent" | "failed" | "removed" | "skipped"> {
  if (!hostAllowed(row.endpoint, deps.allowedHosts)) return "skipped";
  const n = row.notification;
  const message = JSON.stringify({
    id: n.id, kind: n.kind, channel_id: n.channel_id, actor_id: n.actor_id, payload: n.payload, created_at: n.created_at,
  });
  // Everything for one subscription, encryption included, is in this try: its failure is its own and
  // never aborts the run (the batch is claimed already, so other users' pushes would be lost).
  try {
    if (!keysUsable(row.p256dh, row.auth)) return "removed";
    const details = webpush.generateRequestDetails(
      { endpoint: row.endpoint, keys: { p256dh: row.p256dh, auth: row.auth } },
      message,
      {
        vapidDetails: vapid,
        contentEncoding: "aes128gcm",
        // A go-live alert is worth little an hour later; raids matter now.
        TTL: n.kind === "channel_live" || n.kind === "raid_incoming" ? 600 : 86400,
        urgency: n.kind === "raid_incoming" ? "high" : "normal",
      },
    );
    const headers = new Headers();
    for (const [name, value] of Object.entries(details.headers)) {
      if (name.toLowerCase() !== "content-length") headers.set(name, String(value));
    }
    const res = await fetch(details.endpoint, {
      method: "POST",
      headers,
      body: details.body ? new Uint8Array(details.body) : undefined,
      signal: AbortSignal.timeout(deps.timeoutMs),
    });
    await res.body?.cancel();
    if (res.status === 404 || res.status === 410) return "removed";
    if (res.ok) return "sent";
    console.error(`push-delivery: push service answered HTTP ${res.status}`);
    return "failed";
  } catch (e) {
    console.error(`push-delivery: could not send a push (${(e as Error)?.name ?? "error"})`);
    return "failed";
  }
}

/** Whether a subscription's keys can encrypt a push (RFC 8291): p256dh an uncompressed point on P-256,
 * auth 16 bytes. The table checks only their base64url length, so a key of the right shape that is no
 * point (e.g. 87 × 'A') gets here; such a subscription can never receive a push. */
export function keysUsable(p256dh: string, auth: string): boolean {
  const point = Buffer.from(p256dh, "base64url");
  if (point.length !== 65 || point[0] !== 4 || Buffer.from(auth, "base64url").length !== 16) return false;
  try {
    ECDH.convertKey(point, "prime256v1"); // throws unless the point is on the curve
    return true;
  } catch {
    return false;
  }
}
