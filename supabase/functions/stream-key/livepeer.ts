// The Livepeer Studio stream API, the three calls stream-key needs: create a stream (POST /stream, 201),
// read one (GET /stream/{id}, 200; 404 when deleted) and delete one (DELETE /stream/{id}, 204). The API
// key travels only in the Authorization header: it is never logged, echoed or put in an error.
import { HttpError } from "../_shared/http.ts";

export interface LivepeerConfig {
  /** e.g. https://livepeer.studio/api */
  apiUrl: string;
  apiKey: string;
  timeoutMs: number;
}

export interface LivepeerStream {
  id: string;
  streamKey: string;
  playbackId: string;
}

export interface NewStream {
  name: string;
  record: boolean;
  userTags: Record<string, string>;
}

const unavailable = () =>
  new HttpError(503, "livepeer_unavailable", "The streaming provider is not answering; try again in a minute.");
const unexpected = () =>
  new HttpError(502, "livepeer_error", "The streaming provider gave an unexpected answer; try again later.");

export class LivepeerClient {
  readonly #base: string;

  constructor(private readonly config: LivepeerConfig) {
    this.#base = config.apiUrl.replace(/\/+$/, "");
  }

  async createStream(payload: NewStream): Promise<LivepeerStream> {
    const res = await this.#request("POST", "/stream", payload);
    if (res.status !== 201 && res.status !== 200) throw await this.#refused(res, "create");
    return await this.#stream(res);
  }

  /** The stream, or null when Livepeer no longer has it (deleted). */
  async getStream(id: string): Promise<LivepeerStream | null> {
    const res = await this.#request("GET", `/stream/${encodeURIComponent(id)}`);
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (res.status !== 200) throw await this.#refused(res, "get");
    return await this.#stream(res);
  }

  /** Best effort: true once Livepeer has no such stream any more; never throws. */
  async deleteStream(id: string): Promise<boolean> {
    try {
      const res = await this.#request("DELETE", `/stream/${encodeURIComponent(id)}`);
      await res.body?.cancel();
      if (res.ok || res.status === 404) return true;
      console.error(`stream-key: Livepeer answered ${res.status} to deleting a stream`);
      return false;
    } catch {
      return false;
    }
  }

  async #request(method: string, path: string, body?: unknown): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${this.#base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.config.apiKey}`,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
    } catch (e) {
      console.error(`stream-key: Livepeer did not answer ${method} (${(e as Error)?.name ?? "error"})`);
      throw unavailable();
    }
    if (res.status >= 500 || res.status === 429) {
      await res.body?.cancel();
      console.error(`stream-key: Livepeer answered ${res.status} to ${method}`);
      throw unavailable();
    }
    return res;
  }

  async #refused(res: Response, what: string): Promise<HttpError> {
    await res.body?.cancel();
    const hint = res.status === 401 || res.status === 403 ? " (check LIVEPEER_API_KEY)" : "";
    console.error(`stream-key: Livepeer answered ${res.status} to ${what} stream${hint}`);
    return unexpected();
  }

  async #stream(res: Response): Promise<LivepeerStream> {
    let body: Record<string, unknown> | null;
    try {
      body = await res.json();
    } catch (e) {
      const name = (e as Error)?.name;
      if (name === "TimeoutError" || name === "AbortError") throw unavailable();
      console.error("stream-key: Livepeer answered with a body that is not JSON");
      throw unexpected();
    }
    const ok = (v: unknown, max: number) => typeof v === "string" && v.length >= 1 && v.length <= max;
    if (
      !body || typeof body !== "object" || !ok(body.id, 128) || !ok(body.streamKey, 256) || !ok(body.playbackId, 128)
    ) {
      console.error("stream-key: Livepeer answered with something that is not a push stream");
      throw unexpected();
    }
    return { id: body.id as string, streamKey: body.streamKey as string, playbackId: body.playbackId as string };
  }
}
