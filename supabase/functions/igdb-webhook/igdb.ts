// The IGDB API client: a Twitch client-credentials token cached until shortly before it expires
// (one request at a time refreshes it), and the one query igdb-webhook needs.
import { HttpError } from "../_shared/http.ts";

export interface IgdbConfig {
  apiUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
  now?: () => number;
}

export interface IgdbGame {
  id: number;
  name?: string;
  slug?: string;
  summary?: string;
  cover?: { image_id?: string } | number;
  genres?: ({ name?: string } | number)[];
  first_release_date?: number;
}

const unavailable = () => new HttpError(503, "igdb_unavailable", "IGDB did not answer as expected; try again later.");

export class IgdbClient {
  #token?: { value: string; expiresAt: number };
  #pending?: Promise<string>;
  readonly #now: () => number;

  constructor(private readonly config: IgdbConfig) {
    this.#now = config.now ?? Date.now;
  }

  /** The cached app token, or a new one; refreshed 60 s before Twitch says it expires. */
  token(): Promise<string> {
    if (this.#token && this.#token.expiresAt - 60_000 > this.#now()) return Promise.resolve(this.#token.value);
    this.#pending ??= this.#fetchToken().finally(() => (this.#pending = undefined));
    return this.#pending;
  }

  async #fetchToken(): Promise<string> {
    let res: Response;
    try {
      res = await fetch(this.config.tokenUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          client_id: this.config.clientId,
          client_secret: this.config.clientSecret,
          grant_type: "client_credentials",
        }),
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
    } catch (e) {
      console.error(`igdb-webhook: Twitch token endpoint did not answer (${(e as Error)?.name ?? "error"})`);
      throw unavailable();
    }
    const body = await res.json().catch(() => null) as { access_token?: unknown; expires_in?: unknown } | null;
    if (!res.ok || typeof body?.access_token !== "string" || typeof body.expires_in !== "number") {
      console.error(`igdb-webhook: Twitch token endpoint answered ${res.status}`);
      throw unavailable();
    }
    this.#token = { value: body.access_token, expiresAt: this.#now() + body.expires_in * 1000 };
    return body.access_token;
  }

  /** The full game, or null when IGDB has no game with this id. */
  async game(id: number): Promise<IgdbGame | null> {
    const query = `fields name,slug,summary,cover.image_id,genres.name,first_release_date; where id = ${id}; limit 1;`;
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = await this.token();
      let res: Response;
      try {
        res = await fetch(`${this.config.apiUrl.replace(/\/+$/, "")}/games`, {
          method: "POST",
          headers: {
            "Client-ID": this.config.clientId,
            Authorization: `Bearer ${token}`,
            Accept: "application/json",
            "Content-Type": "text/plain",
          },
          body: query,
          signal: AbortSignal.timeout(this.config.timeoutMs),
        });
      } catch (e) {
        console.error(`igdb-webhook: IGDB did not answer (${(e as Error)?.name ?? "error"})`);
        throw unavailable();
      }
      if (res.status === 401 && attempt === 0) {
        // Revoked or expired early: forget it and ask Twitch once more.
        await res.body?.cancel();
        if (this.#token?.value === token) this.#token = undefined;
        continue;
      }
      const body = await res.json().catch(() => undefined);
      if (!res.ok || !Array.isArray(body)) {
        console.error(`igdb-webhook: IGDB answered ${res.status}`);
        throw unavailable();
      }
      return (body[0] as IgdbGame | undefined) ?? null;
    }
    throw unavailable();
  }
}
