// A stand-in for the Twitch client-credentials endpoint (POST /oauth2/token) and the IGDB API
// (POST /v4/games with an Apicalypse body), answering as their docs show, errors included: Twitch's
// 400 "invalid client" / 403 "invalid client secret", IGDB's 401 "Authorization Failure" for a
// missing or revoked token, 429 when rate limited, 500, and slowness. Web APIs only (Deno and Node).
export interface FakeGame {
  id: number;
  name: string;
  slug: string;
  summary?: string;
  cover?: { id: number; image_id: string };
  genres?: { id: number; name: string }[];
  first_release_date?: number;
}

export type IgdbMode = "normal" | "error" | "rate_limited" | "slow";

export function createFakeIgdb(options: { clientId: string; clientSecret: string; slowMs?: number }) {
  const games = new Map<number, FakeGame>();
  const tokens = new Set<string>();
  const state = {
    mode: "normal" as IgdbMode,
    tokenMode: "normal" as "normal" | "error",
    tokenTtlSeconds: 5_184_000,
    tokenRequests: 0,
    gameRequests: 0,
    queries: [] as string[],
  };

  async function token(req: Request): Promise<Response> {
    state.tokenRequests++;
    if (state.tokenMode === "error") {
      return Response.json({ status: 500, message: "Internal Server Error" }, { status: 500 });
    }
    const url = new URL(req.url);
    const form = new URLSearchParams(await req.text());
    const param = (name: string) => form.get(name) ?? url.searchParams.get(name);
    if (param("grant_type") !== "client_credentials") {
      return Response.json({ status: 400, message: "invalid grant type" }, { status: 400 });
    }
    if (param("client_id") !== options.clientId) {
      return Response.json({ status: 400, message: "invalid client" }, { status: 400 });
    }
    if (param("client_secret") !== options.clientSecret) {
      return Response.json({ status: 403, message: "invalid client secret" }, { status: 403 });
    }
    const accessToken = crypto.randomUUID().replaceAll("-", "").slice(0, 30);
    tokens.add(accessToken);
    return Response.json({ access_token: accessToken, expires_in: state.tokenTtlSeconds, token_type: "bearer" });
  }

  async function gamesEndpoint(req: Request): Promise<Response> {
    state.gameRequests++;
    const query = await req.text();
    state.queries.push(query);
    const bearer = req.headers.get("authorization")?.match(/^Bearer (.+)$/)?.[1];
    if (req.headers.get("client-id") !== options.clientId || !bearer || !tokens.has(bearer)) {
      return Response.json({
        message: "Authorization Failure. Have you tried:",
        "Tip 1": "Ensure you are sending Authorization and Client-ID as headers.",
        "Tip 2": "Ensure Authorization value starts with 'Bearer ', including the space",
        "Tip 3": "Ensure Authorization value ends with the App Access Token you generated, NOT your Client Secret.",
        Docs: "https://api-docs.igdb.com/#authentication",
      }, { status: 401 });
    }
    if (state.mode === "slow") await new Promise((r) => setTimeout(r, options.slowMs ?? 3000));
    if (state.mode === "error") {
      return Response.json([{ title: "Internal Server Error", status: 500 }], { status: 500 });
    }
    if (state.mode === "rate_limited") return Response.json({ message: "Too Many Requests" }, { status: 429 });
    const id = Number(query.match(/where\s+id\s*=\s*(\d+)\s*;/)?.[1]);
    const game = games.get(id);
    if (!game) return Response.json([]);
    // Only the requested fields, expanded as the dotted field names ask.
    const fields = query.match(/fields\s+([^;]+);/)?.[1].split(",").map((f) => f.trim()) ?? [];
    const out: Record<string, unknown> = { id: game.id };
    for (const f of fields) {
      const [head] = f.split(".");
      if (head in game) out[head] = (game as unknown as Record<string, unknown>)[head];
    }
    return Response.json([out]);
  }

  async function handler(req: Request): Promise<Response> {
    const { pathname } = new URL(req.url);
    if (req.method === "POST" && pathname.endsWith("/oauth2/token")) return await token(req);
    if (req.method === "POST" && pathname.endsWith("/v4/games")) return await gamesEndpoint(req);
    return Response.json({ message: "Not Found" }, { status: 404 });
  }

  /** Invalidates every issued token, as when Twitch expires or revokes an app token early. */
  function revokeTokens() {
    tokens.clear();
  }

  return { handler, games, state, revokeTokens };
}
