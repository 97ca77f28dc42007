// A loopback HTTP proxy in front of a fake service (e.g. tests/fakes/typesense.ts), served by serve.ts,
// that an outage can be switched on: `ok` forwards, `503` answers Typesense's "Not Ready or Lagging"
// without forwarding, `hang` holds the request unanswered (the client times out) and never forwards.
// It records what it forwarded, so a test counts what really reached the service. Tests only.
import { serve } from "./serve.ts";

export type ProxyMode = "ok" | "503" | "hang";

export interface FlakyProxy {
  url: string;
  port: number;
  mode: ProxyMode;
  /** Requests answered per mode, and the bodies forwarded to the service. */
  counts: Record<ProxyMode, number>;
  forwarded: { method: string; path: string; body: string; status: number }[];
  close(): Promise<void>;
}

export async function startFlakyProxy(target: string): Promise<FlakyProxy> {
  const held = new Set<() => void>();
  const proxy: FlakyProxy = {
    url: "",
    port: 0,
    mode: "ok",
    counts: { ok: 0, "503": 0, hang: 0 },
    forwarded: [],
    close: async () => {
      for (const release of held) release();
      await server.close();
    },
  };
  const server = await serve(async (req) => {
    const mode = proxy.mode;
    proxy.counts[mode]++;
    if (mode === "503") return Response.json({ message: "Not Ready or Lagging" }, { status: 503 });
    if (mode === "hang") {
      // Held until the client gives up (its abort ends the request) or the proxy closes.
      await new Promise<void>((resolve) => {
        const release = () => {
          held.delete(release);
          resolve();
        };
        held.add(release);
        req.signal.addEventListener("abort", release);
      });
      return new Response(null, { status: 504 });
    }
    const url = new URL(req.url);
    const body = req.body ? await req.text() : "";
    const res = await fetch(`${target}${url.pathname}${url.search}`, {
      method: req.method,
      headers: req.headers,
      body: body === "" ? undefined : body,
    });
    proxy.forwarded.push({ method: req.method, path: url.pathname, body, status: res.status });
    return new Response(await res.arrayBuffer(), { status: res.status, headers: res.headers });
  });
  proxy.port = server.port;
  proxy.url = server.url;
  return proxy;
}
