// Serves a fake (Request -> Response) on a fixed loopback port from a vitest (Node) process.
import { createServer } from "node:http";

export interface NodeFakeServer {
  close(): Promise<void>;
}

export function serveOnPort(
  handler: (req: Request) => Response | Promise<Response>,
  port: number,
): Promise<NodeFakeServer> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === "string") headers.set(name, value);
      else if (Array.isArray(value)) headers.set(name, value.join(", "));
    }
    const body = req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks);
    const response = await handler(
      new Request(`http://127.0.0.1:${port}${req.url}`, { method: req.method, headers, body }),
    );
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(
      port,
      "127.0.0.1",
      () => resolve({ close: () => new Promise<void>((done) => server.close(() => done())) }),
    );
  });
}

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with \`npm test\`.`);
  return value;
}
