// Livepeer Studio's realtime viewership API ("Query realtime viewership"): GET /data/views/now with
// `breakdownBy[]=playbackId` answers an array of RealtimeViewershipMetric {playbackId, viewCount,
// errorRate}, one per playback id being watched right now. Needs a private (non-CORS) API key, sent
// only in the Authorization header (never logged or echoed).
import { HttpError } from "../_shared/http.ts";

export interface ViewershipConfig {
  /** e.g. https://livepeer.studio/api */
  apiUrl: string;
  apiKey: string;
  timeoutMs: number;
}

const unavailable = () =>
  new HttpError(503, "livepeer_unavailable", "Livepeer's viewership API is not answering; the next run tries again.");
const unexpected = () => new HttpError(502, "livepeer_error", "Livepeer's viewership API gave an unexpected answer.");

/** Concurrent viewers per playback id (ids nobody watches are absent). */
export async function viewersNow(config: ViewershipConfig): Promise<Record<string, number>> {
  const url = `${config.apiUrl.replace(/\/+$/, "")}/data/views/now?${new URLSearchParams({ "breakdownBy[]": "playbackId" })}`;
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { authorization: `Bearer ${config.apiKey}`, accept: "application/json" },
      signal: AbortSignal.timeout(config.timeoutMs),
    });
  } catch {
    throw unavailable();
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    console.error(`viewer-counts: Livepeer answered HTTP ${res.status}`);
    throw res.status >= 500 ? unavailable() : unexpected();
  }
  let metrics: unknown;
  try {
    metrics = await res.json();
  } catch {
    throw unexpected();
  }
  if (!Array.isArray(metrics)) throw unexpected();
  const counts: Record<string, number> = {};
  for (const m of metrics) {
    if (!m || typeof m !== "object") throw unexpected();
    const { playbackId, viewCount } = m as { playbackId?: unknown; viewCount?: unknown };
    if (typeof viewCount !== "number" || !Number.isFinite(viewCount) || viewCount < 0) throw unexpected();
    if (typeof playbackId !== "string" || playbackId === "") continue; // an account-wide total
    counts[playbackId] = (counts[playbackId] ?? 0) + Math.floor(viewCount);
  }
  return counts;
}
