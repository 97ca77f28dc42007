// POST /stream-key: the caller's ingest credentials (stream key, RTMP and SRT URLs, playback id) for
// their channel's Livepeer stream, created on first use; POST /stream-key/reset rotates the key by
// replacing the stream. The key is Livepeer's secret: it is read from Livepeer on every call and never
// stored here. A per-channel advisory lock, held across the Livepeer calls, makes concurrent first
// calls (or resets) create one stream, and the partial unique index on private.livepeer_streams backs it.
import { isUuid } from "../_shared/config.ts";
import { withCors } from "../_shared/cors.ts";
import type { Sql } from "../_shared/db.ts";
import { HttpError, json, readBody, withErrors } from "../_shared/http.ts";
import { bearerToken, type Verifier, verifyUserToken } from "../_shared/jwt.ts";
import type { LivepeerClient, LivepeerStream } from "./livepeer.ts";

export const RTMP_URL = "rtmp://rtmp.livepeer.com/live";
export const SRT_URL = "srt://rtmp.livepeer.com:2935";


export interface HandlerDeps {
  sql: Sql;
  verifier: Verifier;
  livepeer: LivepeerClient;
}

export function createHandler(deps: HandlerDeps) {
  const handle = withErrors("stream-key", async (req) => {
    const action = new URL(req.url).pathname.match(/\/stream-key(\/reset)?\/?$/);
    if (!action) throw new HttpError(404, "not_found", "Use POST /stream-key or POST /stream-key/reset.");
    if (req.method !== "POST") throw new HttpError(405, "method_not_allowed", "Use POST.");
    const token = bearerToken(req);
    const claims = token ? await verifyUserToken(deps.verifier, token) : null;
    if (!claims || !isUuid(claims.sub)) {
      throw new HttpError(401, "auth_required", "Sign in: send your access token as Authorization: Bearer.");
    }
    await readBody(req); // no body is needed; this only enforces the 1 MiB limit
    const stream = await credentials(deps, claims.sub, action[1] !== undefined);
    return json(
      {
        stream_id: stream.id,
        stream_key: stream.streamKey,
        rtmp_url: RTMP_URL,
        srt_url: `${SRT_URL}?streamid=${encodeURIComponent(stream.streamKey)}`,
        playback_id: stream.playbackId,
      },
      200,
      { "cache-control": "no-store" },
    );
  });
  return withCors(handle, { methods: ["POST"] });
}

/** The channel's current stream, creating it (none yet, or deleted in Livepeer) or replacing it (reset). */
async function credentials(deps: HandlerDeps, ownerId: string, reset: boolean): Promise<LivepeerStream> {
  // Streams to delete in Livepeer after the transaction: ours if it did not commit, the replaced one if it did.
  const track: { created?: string; replaced?: string } = {};
  let stream: LivepeerStream;
  try {
    stream = await deps.sql.begin(async (tx) => {
      const [channel] = await tx<{ id: string; slug: string }[]>`
        select id, slug::text from public.channels where owner_id = ${ownerId}`;
      if (!channel) throw new HttpError(404, "channel_not_found", "You have no channel yet.");
      // Per channel, not the channel row: follows and title edits keep updating it meanwhile.
      await tx`select pg_advisory_xact_lock(hashtextextended(${`stream-key:${channel.id}`}, 0))`;
      const [current] = await tx<{ livepeer_stream_id: string }[]>`
        select livepeer_stream_id from private.livepeer_streams
        where channel_id = ${channel.id} and replaced_at is null`;

      if (current && !reset) {
        const existing = await deps.livepeer.getStream(current.livepeer_stream_id);
        if (existing) return existing;
        // Deleted in Livepeer (by an operator): replaced below by a new stream.
      }
      if (current) {
        await tx`
          update private.livepeer_streams set replaced_at = now()
          where livepeer_stream_id = ${current.livepeer_stream_id}`;
        if (reset) track.replaced = current.livepeer_stream_id;
      }
      const fresh = await deps.livepeer.createStream({
        name: channel.slug,
        record: true,
        userTags: { streamz_channel_id: channel.id },
      });
      track.created = fresh.id;
      const [mapped] = await tx`
        insert into private.livepeer_streams (livepeer_stream_id, channel_id)
        values (${fresh.id}, ${channel.id})
        on conflict (channel_id) where replaced_at is null do nothing
        returning livepeer_stream_id`;
      // Only livepeer-webhook adopting a tagged stream for this channel at this instant gets here.
      if (!mapped) {
        throw new HttpError(409, "stream_conflict", "Another stream was just attached to your channel; try again.");
      }
      return fresh;
    });
  } catch (e) {
    if (track.created) await deps.livepeer.deleteStream(track.created);
    throw e;
  }
  // Best effort: a replaced stream Livepeer still has cannot take the channel live (livepeer-webhook
  // ignores its stream.started), but deleting it also cuts an ongoing session short.
  if (track.replaced) await deps.livepeer.deleteStream(track.replaced);
  return stream;
}
