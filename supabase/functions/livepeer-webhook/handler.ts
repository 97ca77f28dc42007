// POST /livepeer-webhook: Livepeer Studio events. The signature is checked over the raw bytes before
// anything is parsed; stream.started opens a livestream, stream.idle ends it, recording.ready stores
// the recording; other events are acknowledged and ignored. Livepeer retries only 5xx and timeouts,
// so bad input gets a 4xx and a database failure a 5xx.
import type { Sql } from "../_shared/db.ts";
import { HttpError, json, readBody, requireMethod, withErrors } from "../_shared/http.ts";
import { applyEvent, HANDLED_EVENTS, type LivepeerEvent, streamIdOf } from "./events.ts";
import { verifySignature } from "./signature.ts";

export interface HandlerDeps {
  sql: Sql;
  secret: string;
  now?: () => number;
}

export function createHandler(deps: HandlerDeps) {
  const now = deps.now ?? Date.now;
  return withErrors("livepeer-webhook", async (req) => {
    requireMethod(req, "POST");
    const raw = await readBody(req);
    const check = await verifySignature(req.headers.get("livepeer-signature"), raw, deps.secret, now());
    if (!check.ok) throw new HttpError(400, check.code, check.message);

    let event: LivepeerEvent;
    try {
      event = JSON.parse(new TextDecoder().decode(raw));
    } catch {
      throw new HttpError(400, "invalid_json", "The body is not valid JSON.");
    }
    validate(event, check.timestamp);
    if (!HANDLED_EVENTS.has(event.event)) return json({ status: "ignored", reason: "unhandled_event" });
    return json(await applyEvent(deps.sql, event));
  });
}

// Event times (createdAt, payload.session.createdAt) lie between 2000 and a day after the signed
// timestamp: nothing else is a real Livepeer time, and far values fit neither a JS Date nor a timestamptz.
const EARLIEST_EVENT_MS = Date.UTC(2000, 0, 1);
const LATEST_AFTER_SIGNED_MS = 24 * 3600_000;

function validate(e: LivepeerEvent, signedAt: number) {
  const bad = (message: string) => new HttpError(400, "invalid_event", message);
  // Strings the database stores: bounded, and without U+0000, which Postgres text refuses.
  const text = (v: unknown, min: number, max: number) =>
    typeof v === "string" && v.length >= min && v.length <= max && !v.includes("\0");
  const time = (v: unknown) =>
    Number.isSafeInteger(v) && (v as number) >= EARLIEST_EVENT_MS && (v as number) <= signedAt + LATEST_AFTER_SIGNED_MS;
  if (!e || typeof e !== "object" || Array.isArray(e)) throw bad("The body must be a JSON object.");
  if (!text(e.id, 1, 200)) throw bad("`id` must be a string of 1-200 characters.");
  if (typeof e.event !== "string" || e.event === "") throw bad("`event` must be a string.");
  // The header's t is not signed; the body's timestamp is, and Livepeer sets both to the same value.
  if (e.timestamp !== signedAt) throw bad("`timestamp` must equal the signature's t.");
  if (e.createdAt !== undefined && !time(e.createdAt)) {
    throw bad("`createdAt` must be a time in milliseconds, from 2000 to a day after `timestamp`.");
  }
  if (!HANDLED_EVENTS.has(e.event)) return;
  if (!text(streamIdOf(e), 1, 128)) throw bad(`${e.event} must name its stream (stream.id).`);
  if (e.stream?.playbackId !== undefined && !text(e.stream.playbackId, 0, Infinity)) {
    throw bad("`stream.playbackId` must be a string.");
  }
  if (e.event === "recording.ready") {
    const p = e.payload;
    const https = (v: unknown) => v === undefined || (text(v, 0, 2048) && /^https:\/\/\S+$/.test(v as string));
    if (!p || typeof p !== "object" || !https(p.recordingUrl) || !https(p.mp4Url) || (!p.recordingUrl && !p.mp4Url)) {
      throw bad("recording.ready needs payload.recordingUrl or payload.mp4Url (https).");
    }
    if (p.session?.assetId !== undefined && !text(p.session.assetId, 0, 128)) {
      throw bad("`assetId` must be a string of at most 128 characters.");
    }
    if (p.session?.createdAt !== undefined && !time(p.session.createdAt)) {
      throw bad("`session.createdAt` must be a time in milliseconds, from 2000 to a day after `timestamp`.");
    }
  }
}
