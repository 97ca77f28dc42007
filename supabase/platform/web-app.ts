// Local only: serves a built web client (examples/web, built by scripts/lib/web.ts) at /app/ from the
// folder in STREAMZ_WEB_DIR, so the example runs on the gateway's origin next to the API it calls.
import { extname, join, normalize } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
  ".json": "application/json", ".map": "application/json", ".png": "image/png", ".svg": "image/svg+xml",
};

export async function serveWebApp(url: URL, dir = Deno.env.get("STREAMZ_WEB_DIR")): Promise<Response> {
  const { pathname } = url;
  if (!dir) return new Response("The web client is not built here (STREAMZ_WEB_DIR unset).", { status: 404 });
  if (pathname === "/app") return Response.redirect(new URL("/app/", url), 301);
  const rel = normalize(decodeURIComponent(pathname.slice("/app/".length)) || "index.html");
  if (rel.startsWith("..")) return new Response("Not found", { status: 404 });
  try {
    const body = await Deno.readFile(join(dir, rel));
    return new Response(body, { headers: { "content-type": TYPES[extname(rel)] ?? "application/octet-stream", "cache-control": "no-cache" } });
  } catch {
    return new Response("Not found", { status: 404 });
  }
}
