// CORS for the functions a browser calls (session, stream-key, search): any origin may call them with
// supabase-js's headers (authorization, apikey, content-type, x-client-info) plus the function's own;
// a preflight gets 204, and every answer, errors included, carries the same headers.
import type { Handler } from "./http.ts";

const CLIENT_HEADERS = ["authorization", "x-client-info", "apikey", "content-type"];

export function corsHeaders(methods: string[], extraHeaders: string[] = []): Record<string, string> {
  return {
    "access-control-allow-origin": "*",
    "access-control-allow-headers": [...CLIENT_HEADERS, ...extraHeaders].join(", "),
    "access-control-allow-methods": [...methods, "OPTIONS"].join(", "),
    "access-control-max-age": "86400",
  };
}

/** Answers preflights and puts the CORS headers on every response of `handler`. */
export function withCors(handler: Handler, options: { methods: string[]; extraHeaders?: string[] }): Handler {
  const headers = corsHeaders(options.methods, options.extraHeaders);
  return async (req) => {
    if (req.method === "OPTIONS") return new Response(null, { status: 204, headers });
    const res = await handler(req);
    for (const [name, value] of Object.entries(headers)) res.headers.set(name, value);
    return res;
  };
}
