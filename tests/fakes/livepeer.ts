// A stand-in for the Livepeer Studio stream API (livepeer/studio api-schema.yaml, paths /stream and
// /stream/{id}), answering as Livepeer documents it: POST /stream 201 with the stream object (id,
// streamKey, playbackId, userTags, record, ...), GET /stream/{id} 200, DELETE and PATCH 204, errors as
// {"errors": [...]} (401 without a valid API key, 404 unknown stream, 422 invalid payload), and, on
// demand, a 500, a slow answer or an answer that is not a stream. Also the realtime viewership API
// (GET /data/views/now, "Query realtime viewership"): an array of RealtimeViewershipMetric
// {playbackId?, viewCount, errorRate}, one per playback id with viewers when `breakdownBy[]=playbackId`
// (otherwise one account-wide total), filtered by `playbackId`; set `viewers` to say who watches.
// Web APIs only (Deno and Node).
export interface FakeStream {
  id: string;
  name: string;
  kind: "stream";
  userTags?: Record<string, unknown>;
  record: boolean;
  streamKey: string;
  playbackId: string;
  isActive: boolean;
  suspended: boolean;
  createdAt: number;
  lastSeen: number;
  profiles: { name: string; fps: number; bitrate: number; width: number; height: number }[];
}

export type LivepeerMode = "normal" | "error" | "slow" | "garbage";

const PROFILES = [
  { name: "240p0", fps: 0, bitrate: 250000, width: 426, height: 240 },
  { name: "360p0", fps: 0, bitrate: 800000, width: 640, height: 360 },
  { name: "480p0", fps: 0, bitrate: 1600000, width: 854, height: 480 },
  { name: "720p0", fps: 0, bitrate: 3000000, width: 1280, height: 720 },
];

function randomChars(n: number, alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

export function createFakeLivepeer(options: { apiKey: string; slowMs?: number }) {
  const streams = new Map<string, FakeStream>();
  const deleted = new Set<string>();
  const state = {
    mode: "normal" as LivepeerMode,
    /** "error": DELETE /stream/{id} answers 500 (the API is otherwise up). */
    deleteMode: "normal" as "normal" | "error",
    requests: [] as { method: string; path: string; body?: unknown }[],
  };
  /** Concurrent viewers per playback id, as the viewership API reports them. */
  const viewers = new Map<string, number>();
  const errors = (status: number, ...messages: string[]) => Response.json({ errors: messages }, { status });

  async function handler(req: Request): Promise<Response> {
    const { pathname } = new URL(req.url);
    const match = pathname.match(/\/stream(?:\/([^/]+))?\/?$/);
    const text = req.method === "GET" || req.method === "HEAD" ? "" : await req.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    state.requests.push({ method: req.method, path: pathname, body });
    if (req.headers.get("authorization") !== `Bearer ${options.apiKey}`) {
      return errors(401, "Invalid API key: check it or create a new one.");
    }
    if (pathname.endsWith("/data/views/now")) return viewsNow(req);
    if (!match) return errors(404, "not found");
    if (state.mode === "slow") await new Promise((r) => setTimeout(r, options.slowMs ?? 3000));
    if (state.mode === "error") return errors(500, "Internal Server Error");
    if (state.mode === "garbage") return new Response("<html>upstream maintenance</html>", { status: 200 });

    const id = match[1] ? decodeURIComponent(match[1]) : undefined;
    if (!id) {
      if (req.method !== "POST") return errors(405, "method not allowed");
      const payload = body as Record<string, unknown> | undefined;
      if (!payload || typeof payload !== "object" || typeof payload.name !== "string" || payload.name === "") {
        return errors(422, "must have required property 'name'");
      }
      const stream: FakeStream = {
        id: crypto.randomUUID(),
        name: payload.name,
        kind: "stream",
        ...(payload.userTags ? { userTags: payload.userTags as Record<string, unknown> } : {}),
        record: payload.record === true,
        streamKey: [0, 1, 2, 3].map(() => randomChars(4)).join("-"),
        playbackId: randomChars(16),
        isActive: false,
        suspended: false,
        createdAt: Date.now(),
        lastSeen: 0,
        profiles: PROFILES,
      };
      streams.set(stream.id, stream);
      return Response.json(stream, { status: 201 });
    }

    const stream = streams.get(id);
    if (!stream || deleted.has(id)) return errors(404, "not found");
    if (req.method === "GET") return Response.json(stream);
    if (req.method === "DELETE") {
      if (state.deleteMode === "error") return errors(500, "Internal Server Error");
      deleted.add(id);
      return new Response(null, { status: 204 });
    }
    if (req.method === "PATCH") {
      Object.assign(stream, body as Partial<FakeStream>);
      return new Response(null, { status: 204 });
    }
    return errors(405, "method not allowed");
  }

  async function viewsNow(req: Request): Promise<Response> {
    if (state.mode === "slow") await new Promise((r) => setTimeout(r, options.slowMs ?? 3000));
    if (state.mode === "error") return errors(500, "Internal Server Error");
    if (state.mode === "garbage") return new Response("<html>upstream maintenance</html>", { status: 200 });
    if (req.method !== "GET") return errors(405, "method not allowed");
    const params = new URL(req.url).searchParams;
    const breakdown = params.getAll("breakdownBy[]");
    const unknown = breakdown.find((b) => !["playbackId", "device", "browser", "country"].includes(b));
    if (unknown) return errors(422, `breakdownBy[] must be one of playbackId, device, browser, country`);
    const filter = params.get("playbackId");
    const rows = [...viewers.entries()].filter(([id, n]) => n > 0 && (!filter || id === filter));
    if (!breakdown.includes("playbackId")) {
      return Response.json([{ viewCount: rows.reduce((sum, [, n]) => sum + n, 0), errorRate: 0 }]);
    }
    return Response.json(rows.map(([playbackId, viewCount]) => ({ playbackId, viewCount, errorRate: 0 })));
  }

  /** Streams that exist and are not deleted. */
  function live(): FakeStream[] {
    return [...streams.values()].filter((s) => !deleted.has(s.id));
  }

  /** Deletes a stream behind our back, as an operator in the Livepeer dashboard would. */
  function remove(id: string) {
    deleted.add(id);
  }

  return { handler, streams, deleted, state, viewers, live, remove };
}
