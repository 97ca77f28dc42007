// Applying Livepeer events to livestreams. Each event runs in one transaction that also records its
// id in private.livepeer_events, so a retried or replayed event changes nothing. A stream with no
// mapping row is adopted when its userTags.streamz_channel_id names a channel with no current stream.
import { isUuid } from "../_shared/config.ts";
import type { Sql } from "../_shared/db.ts";

export interface LivepeerEvent {
  id: string;
  event: string;
  timestamp: number;
  createdAt?: number;
  stream?: { id?: string; playbackId?: string; userTags?: Record<string, unknown> | null } | null;
  payload?: {
    recordingUrl?: string;
    mp4Url?: string;
    session?: { id?: string; parentId?: string; createdAt?: number; assetId?: string } | null;
  } | null;
}

export type Outcome =
  | { status: "applied"; livestream_id: string | null }
  | { status: "duplicate" }
  | { status: "ignored"; reason: string };

export const HANDLED_EVENTS = new Set(["stream.started", "stream.idle", "recording.ready"]);

/** The Livepeer stream an event is about (recording.ready names the parent stream of its session). */
export function streamIdOf(e: LivepeerEvent): string | undefined {
  return e.stream?.id ?? e.payload?.session?.parentId;
}

/** The channel a stream's userTags name (stream-key sets it; operators may set it by hand). */
export function taggedChannelOf(e: LivepeerEvent): string | undefined {
  const tag = e.stream?.userTags?.streamz_channel_id;
  return isUuid(tag) ? tag : undefined;
}

export async function applyEvent(sql: Sql, e: LivepeerEvent): Promise<Outcome> {
  const streamId = streamIdOf(e)!;
  const at = new Date(e.createdAt ?? e.timestamp);
  const tagged = taggedChannelOf(e);
  return await sql.begin(async (tx) => {
    type Mapping = { channel_id: string; last_idle_at: Date | null; replaced_at: Date | null };
    // Locks the stream's mapping: events of one stream apply one at a time, in arrival order.
    const mappingOf = async () =>
      (await tx<Mapping[]>`
        select channel_id, last_idle_at, replaced_at from private.livepeer_streams
        where livepeer_stream_id = ${streamId} for update`)[0];
    let mapping = await mappingOf();
    if (!mapping && tagged) {
      // Conflicts (a concurrent delivery mapped it; the channel has a current stream) insert nothing.
      await tx`
        insert into private.livepeer_streams (livepeer_stream_id, channel_id)
        select ${streamId}, c.id from public.channels c where c.id = ${tagged}
        on conflict do nothing`;
      mapping = await mappingOf();
    }
    if (!mapping) return { status: "ignored", reason: "unknown_stream" } as const;

    const [recorded] = await tx`
      insert into private.livepeer_events (id, event) values (${e.id}, ${e.event})
      on conflict (id) do nothing returning id`;
    if (!recorded) return { status: "duplicate" } as const;

    if (e.event === "stream.started") {
      // A rotated-away key (stream-key/reset) must not take the channel live, even if Livepeer kept it.
      if (mapping.replaced_at) return { status: "ignored", reason: "stream_replaced" } as const;
      if (mapping.last_idle_at && mapping.last_idle_at >= at) {
        return { status: "ignored", reason: "older_than_last_idle" } as const;
      }
      const [opened] = await tx<{ id: string }[]>`
        insert into public.livestreams (channel_id, livepeer_stream_id, playback_id, title, category_id, started_at)
        select c.id, ${streamId}, ${e.stream?.playbackId ?? null}, c.title, c.category_id, ${at}
        from public.channels c
        where c.id = ${mapping.channel_id}
          and not exists (select 1 from public.livestreams l where l.channel_id = c.id and l.ended_at is null)
        returning id`;
      return opened
        ? { status: "applied", livestream_id: opened.id } as const
        : { status: "ignored", reason: "already_live" } as const;
    }

    if (e.event === "stream.idle") {
      await tx`
        update private.livepeer_streams set last_idle_at = greatest(last_idle_at, ${at})
        where livepeer_stream_id = ${streamId}`;
      const [ended] = await tx<{ id: string }[]>`
        update public.livestreams set ended_at = ${at}
        where channel_id = ${mapping.channel_id} and livepeer_stream_id = ${streamId}
          and ended_at is null and started_at <= ${at}
        returning id`;
      return ended
        ? { status: "applied", livestream_id: ended.id } as const
        : { status: "ignored", reason: "not_live" } as const;
    }

    // recording.ready: the livestream of this stream that started closest to the recorded session.
    const sessionStart = new Date(e.payload?.session?.createdAt ?? at.getTime());
    const [stored] = await tx<{ id: string }[]>`
      update public.livestreams l set
        recording_url = ${e.payload?.recordingUrl ?? null},
        recording_mp4_url = ${e.payload?.mp4Url ?? null},
        recording_asset_id = ${e.payload?.session?.assetId ?? null}
      where l.id = (
        select id from public.livestreams
        where channel_id = ${mapping.channel_id} and livepeer_stream_id = ${streamId}
        order by abs(extract(epoch from started_at - ${sessionStart}::timestamptz)) limit 1)
      returning l.id`;
    return stored
      ? { status: "applied", livestream_id: stored.id } as const
      : { status: "ignored", reason: "no_livestream" } as const;
  });
}
