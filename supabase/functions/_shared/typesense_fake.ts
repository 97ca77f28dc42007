// A small in-memory Typesense for tests and benchmarks, on loopback. It answers the endpoints we use
// the way Typesense's API documents them (collections, aliases, JSONL import with one result line per
// document and HTTP 200 even when lines fail, delete by filter, multi_search), checks the API key
// header, validates documents against the collection schema, and can be told to misbehave: answer
// 503 "Not Ready or Lagging", refuse given documents, or answer slowly. Never used in production.

interface FakeField {
  name: string;
  type: string;
  optional?: boolean;
  facet?: boolean;
}

interface FakeCollection {
  name: string;
  fields: FakeField[];
  default_sorting_field?: string;
  token_separators?: string[];
  created_at: number;
  docs: Map<string, Record<string, unknown>>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: string;
}

export interface FakeTypesense {
  url: string;
  port: number;
  apiKey: string;
  collections: Map<string, FakeCollection>;
  aliases: Map<string, string>;
  requests: RecordedRequest[];
  /** The documents of a collection or alias, by id. */
  documents(nameOrAlias: string): Map<string, Record<string, unknown>>;
  /** The next `count` requests (matching `path` when given) answer `status` with Typesense's message. */
  failNext(count: number, options?: { status?: number; message?: string; path?: RegExp }): void;
  /** Import lines for this document id fail with `error` (and `code`), `times` times (default: always). */
  rejectDocument(id: string, error: string, options?: { code?: number; times?: number }): void;
  /** Every answer waits this long first (latency of a real network hop). */
  delayMs: number;
  close(): Promise<void>;
}

const MESSAGES: Record<number, string> = { 503: "Not Ready or Lagging", 500: "Internal error", 429: "Rate limit exceeded" };

export function startFakeTypesense(options: { apiKey?: string } = {}): FakeTypesense {
  const apiKey = options.apiKey ?? "fake-typesense-admin-key";
  const collections = new Map<string, FakeCollection>();
  const aliases = new Map<string, string>();
  const requests: RecordedRequest[] = [];
  const failures: { remaining: number; status: number; message: string; path?: RegExp }[] = [];
  const rejections = new Map<string, { error: string; code: number; remaining: number }>();

  const resolve = (name: string) => collections.get(aliases.get(name) ?? name);
  const message = (status: number, text: string) => Response.json({ message: text }, { status });

  function validate(coll: FakeCollection, doc: Record<string, unknown>): string | null {
    if (typeof doc.id !== "string" || doc.id === "") return "Document's `id` field should be a string.";
    for (const f of coll.fields) {
      const v = doc[f.name];
      if (v === undefined || v === null) {
        if (f.optional) continue;
        return `Field \`${f.name}\` has been declared in the schema, but is not found in the document.`;
      }
      const ok = f.type === "string" ? typeof v === "string"
        : f.type === "string[]" ? Array.isArray(v) && v.every((x) => typeof x === "string")
        : f.type === "int32" || f.type === "int64" ? Number.isInteger(v)
        : f.type === "bool" ? typeof v === "boolean"
        : true;
      if (!ok) return `Field \`${f.name}\` must be ${f.type === "int32" || f.type === "int64" ? "an" : "a"} ${f.type}.`;
    }
    return null;
  }

  function importDocs(coll: FakeCollection, body: string, action: string): string {
    const lines = body.split("\n").filter((l) => l.trim() !== "");
    return lines.map((line) => {
      let doc: Record<string, unknown>;
      try {
        doc = JSON.parse(line);
      } catch {
        return JSON.stringify({ success: false, error: "Bad JSON.", document: line, code: 400 });
      }
      const rejection = typeof doc.id === "string" ? rejections.get(doc.id) : undefined;
      if (rejection && rejection.remaining > 0) {
        rejection.remaining--;
        return JSON.stringify({ success: false, error: rejection.error, document: line, code: rejection.code });
      }
      const invalid = validate(coll, doc);
      if (invalid) return JSON.stringify({ success: false, error: invalid, document: line, code: 400 });
      const id = doc.id as string;
      if (action === "create" && coll.docs.has(id)) {
        return JSON.stringify({ success: false, error: "A document with id " + id + " already exists.", document: line, code: 409 });
      }
      coll.docs.set(id, doc);
      return JSON.stringify({ success: true });
    }).join("\n");
  }

  // Enough of Typesense's matching for tests: every query token is a prefix of a document token, or
  // within one edit of one (typo). text_match favours earlier query_by fields.
  function search(coll: FakeCollection, params: Record<string, unknown>) {
    const q = String(params.q ?? "").toLowerCase();
    const queryBy = String(params.query_by ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    const separators = new RegExp(`[\\s${(coll.token_separators ?? []).map((s) => "\\" + s).join("")}]+`);
    const tokens = q.split(/\s+/).filter(Boolean);
    const page = Number(params.page ?? 1), perPage = Number(params.per_page ?? 10);
    const scored: { doc: Record<string, unknown>; score: number }[] = [];
    for (const doc of coll.docs.values()) {
      let score = 0;
      let all = q === "*" || tokens.length > 0;
      for (const t of q === "*" ? [] : tokens) {
        let best = 0;
        queryBy.forEach((field, i) => {
          const words = String(doc[field] ?? "").toLowerCase().split(separators).filter(Boolean);
          const weight = queryBy.length - i;
          if (words.some((w) => w === t)) best = Math.max(best, 3 * weight);
          else if (words.some((w) => w.startsWith(t))) best = Math.max(best, 2 * weight);
          else if (t.length >= 4 && words.some((w) => withinOneEdit(w, t))) best = Math.max(best, weight);
        });
        if (best === 0) all = false;
        score += best;
      }
      if (all) scored.push({ doc, score });
    }
    const sortBy = String(params.sort_by ?? "_text_match:desc").split(",").map((s) => s.trim().split(":"));
    scored.sort((a, b) => {
      for (const [field, dir] of sortBy) {
        const av = field === "_text_match" ? a.score : Number(a.doc[field] ?? 0);
        const bv = field === "_text_match" ? b.score : Number(b.doc[field] ?? 0);
        if (av !== bv) return (dir === "asc" ? 1 : -1) * (av - bv);
      }
      return 0;
    });
    return {
      facet_counts: [],
      found: scored.length,
      out_of: coll.docs.size,
      page,
      request_params: { collection_name: coll.name, q: params.q, per_page: perPage },
      search_time_ms: 0,
      hits: scored.slice((page - 1) * perPage, page * perPage).map((s) => ({
        document: s.doc,
        highlights: [],
        text_match: s.score,
      })),
    };
  }

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    const body = req.method === "GET" || req.method === "DELETE" ? "" : await req.text();
    const query = Object.fromEntries(url.searchParams);
    requests.push({ method: req.method, path: url.pathname, query, body });
    if (fake.delayMs > 0) await new Promise((r) => setTimeout(r, fake.delayMs));
    if (url.pathname === "/health") return Response.json({ ok: true });
    if (req.headers.get("x-typesense-api-key") !== apiKey) {
      return message(401, "Forbidden - a valid `x-typesense-api-key` header must be sent.");
    }
    const failure = failures.find((f) => f.remaining > 0 && (!f.path || f.path.test(url.pathname)));
    if (failure) {
      failure.remaining--;
      return message(failure.status, failure.message);
    }

    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    // /collections
    if (parts[0] === "collections" && parts.length === 1 && req.method === "POST") {
      const schema = JSON.parse(body);
      if (collections.has(schema.name)) return message(409, `A collection with name \`${schema.name}\` already exists.`);
      const coll: FakeCollection = { ...schema, created_at: Math.floor(Date.now() / 1000), docs: new Map() };
      collections.set(schema.name, coll);
      return Response.json(describe(coll), { status: 201 });
    }
    if (parts[0] === "collections" && parts.length === 2) {
      const coll = collections.get(parts[1]);
      if (!coll) return message(404, `Collection not found`);
      if (req.method === "GET") return Response.json(describe(coll));
      if (req.method === "DELETE") {
        collections.delete(parts[1]);
        return Response.json(describe(coll));
      }
    }
    if (parts[0] === "collections" && parts[2] === "documents") {
      const coll = resolve(parts[1]);
      if (!coll) return message(404, "Not found.");
      if (parts[3] === "import" && req.method === "POST") {
        return new Response(importDocs(coll, body, query.action ?? "create"), {
          status: 200,
          headers: { "content-type": "text/plain; charset=utf-8" },
        });
      }
      if (parts.length === 3 && req.method === "DELETE") {
        const m = (query.filter_by ?? "").match(/^id:\s*\[(.*)\]$/);
        if (!m) return message(400, "Could not parse the filter query.");
        const ids = m[1].split(",").map((s) => s.trim().replace(/^`|`$/g, "")).filter(Boolean);
        let deleted = 0;
        for (const id of ids) if (coll.docs.delete(id)) deleted++;
        return Response.json({ num_deleted: deleted });
      }
      if (parts.length === 4 && req.method === "GET") {
        const doc = coll.docs.get(parts[3]);
        return doc ? Response.json(doc) : message(404, `Could not find a document with id: ${parts[3]}`);
      }
    }
    // /aliases/:name
    if (parts[0] === "aliases" && parts.length === 2) {
      if (req.method === "GET") {
        const target = aliases.get(parts[1]);
        return target ? Response.json({ name: parts[1], collection_name: target }) : message(404, "Not Found");
      }
      if (req.method === "PUT") {
        const { collection_name } = JSON.parse(body);
        if (!collections.has(collection_name)) return message(400, "Collection not found.");
        aliases.set(parts[1], collection_name);
        return Response.json({ name: parts[1], collection_name });
      }
    }
    if (parts[0] === "multi_search" && req.method === "POST") {
      const { searches } = JSON.parse(body);
      return Response.json({
        results: searches.map((s: Record<string, unknown>) => {
          const coll = resolve(String(s.collection));
          if (!coll) return { code: 404, error: `Collection \`${s.collection}\` not found.` };
          return search(coll, { ...query, ...s });
        }),
      });
    }
    return message(404, "Not Found");
  });

  function describe(coll: FakeCollection) {
    return {
      name: coll.name,
      created_at: coll.created_at,
      num_documents: coll.docs.size,
      default_sorting_field: coll.default_sorting_field ?? "",
      token_separators: coll.token_separators ?? [],
      symbols_to_index: [],
      enable_nested_fields: false,
      // A real server fills every field's options in; the fake does the same for the ones we read.
      fields: coll.fields.map((f) => ({
        facet: false, index: true, infix: false, locale: "", optional: false, sort: f.type !== "string", stem: false,
        ...f,
      })),
    };
  }

  const port = (server.addr as Deno.NetAddr).port;
  const fake: FakeTypesense = {
    url: `http://127.0.0.1:${port}`,
    port,
    apiKey,
    collections,
    aliases,
    requests,
    delayMs: 0,
    documents(name) {
      return resolve(name)?.docs ?? new Map();
    },
    failNext(count, o = {}) {
      const status = o.status ?? 503;
      failures.push({ remaining: count, status, message: o.message ?? MESSAGES[status] ?? "Error", path: o.path });
    },
    rejectDocument(id, error, o = {}) {
      rejections.set(id, { error, code: o.code ?? 400, remaining: o.times ?? Infinity });
    },
    close: () => server.shutdown(),
  };
  return fake;
}

function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0, j = 0, edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (b.length > a.length) j++;
    else {
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}
