// The one way a fake outside service (each a `(Request) => Response` factory in this folder) is
// served, from Deno tests, vitest (Node) and the fault suite alike: node:http on a loopback port
// (`port` 0: one the OS picks). The Request's signal aborts when the client goes away.
import { Buffer } from "node:buffer";
import { createServer } from "node:http";

export type FakeHandler = (req: Request) => Response | Promise<Response>;

export interface FakeServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export function serve(handler: FakeHandler, port = 0): Promise<FakeServer> {
  const server = createServer(async (req, res) => {
    const aborted = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) aborted.abort();
    });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === "string") headers.set(name, value);
      else if (Array.isArray(value)) headers.set(name, value.join(", "));
    }
    const body = req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks);
    const address = server.address() as { port: number };
    const response = await handler(
      new Request(`http://127.0.0.1:${address.port}${req.url}`, { method: req.method, headers, body, signal: aborted.signal }),
    );
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const bound = (server.address() as { port: number }).port;
      resolve({
        url: `http://127.0.0.1:${bound}`,
        port: bound,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections?.();
          }),
      });
    });
  });
}
