// JSON responses and errors shared by every function: {"error": {"code", "message"}}, body size
// limits, method checks, and a wrapper that never lets a stack trace or secret reach a response.
export const MAX_BODY_BYTES = 1024 * 1024;

export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export function json(body: unknown, status = 200, headers: HeadersInit = {}): Response {
  return Response.json(body, { status, headers });
}

export function errorResponse(status: number, code: string, message: string, headers: HeadersInit = {}): Response {
  return json({ error: { code, message } }, status, headers);
}

export function requireMethod(req: Request, ...methods: string[]) {
  if (!methods.includes(req.method)) {
    throw new HttpError(405, "method_not_allowed", `Use ${methods.join(" or ")}.`);
  }
}

/** The raw body as bytes, refused with 413 past `limit` (checked while streaming, not trusted from headers). */
export async function readBody(req: Request, limit = MAX_BODY_BYTES): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) throw new HttpError(413, "payload_too_large", `The body is over ${limit} bytes.`);
  if (!req.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req.body) {
    size += chunk.byteLength;
    if (size > limit) throw new HttpError(413, "payload_too_large", `The body is over ${limit} bytes.`);
    chunks.push(chunk);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** Parses a JSON body (≤ 1 MiB); 400 `invalid_json` when it is not JSON. */
export async function readJson<T = unknown>(req: Request, limit = MAX_BODY_BYTES): Promise<T> {
  const text = new TextDecoder().decode(await readBody(req, limit));
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new HttpError(400, "invalid_json", "The body is not valid JSON.");
  }
}

export type Handler = (req: Request) => Promise<Response>;

/** Turns HttpErrors into their JSON answer and anything else into a bare 500, logging only the error's kind. */
export function withErrors(name: string, handler: Handler): Handler {
  return async (req) => {
    try {
      return await handler(req);
    } catch (e) {
      if (e instanceof HttpError) return errorResponse(e.status, e.code, e.message);
      console.error(`${name}: unexpected ${(e as Error)?.name ?? "error"}${pgCode(e)}`);
      return errorResponse(500, "internal_error", "Something went wrong on our side; try again.");
    }
  };
}

function pgCode(e: unknown): string {
  const code = (e as { code?: unknown })?.code;
  return typeof code === "string" ? ` (${code})` : "";
}
