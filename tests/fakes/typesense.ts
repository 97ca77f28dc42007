// A small in-memory Typesense for tests and benchmarks, on loopback. It answers the endpoints we use
// the way Typesense's API documents them (collections, aliases, JSONL import with one result line per
// document and HTTP 200 even when lines fail, delete by filter, multi_search), checks the API key
// header, validates documents against the collection schema, and can be told to misbehave: answer
// 503 "Not Ready or Lagging", refuse given documents, or answer slowly (every request, or the next
// few: a delayed request is still applied after its client gave up, as Typesense applies a request
// it already holds). Never used in production.
import { type FakeHandler, type FakeServer, serve } from "./serve.ts";

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

export interface FakeTypesenseState {
  handler: FakeHandler;
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
  /**
   * The next `count` requests (matching `path` when given) wait `ms` before they are handled, and are
   * handled (documents written) even if the client gave up meanwhile.
   */
  delayNext(count: number, ms: number, options?: { path?: RegExp }): void;
  /** Every answer waits this long first (latency of a real network hop). */
  delayMs: number;
}

export type FakeTypesense = FakeTypesenseState & FakeServer;

const MESSAGES: Record<number, string> = { 503: "Not Ready or Lagging", 500: "Internal error", 429: "Rate limit exceeded" };

/** A new, empty fake Typesense: its `(Request) => Response` handler and the state tests inspect. */
export function createFakeTypesense(options: { apiKey?: string } = {}): FakeTypesenseState {
  const apiKey = options.apiKey ?? "fake-typesense-admin-key";
  const collections = new Map<string, FakeCollection>();
  const aliases = new Map<string, string>();
  const requests: RecordedRequest[] = [];
  const failures: { remaining: number; status: number; message: string; path?: RegExp }[] = [];
  const delays: { remaining: number; ms: number; path?: RegExp }[] = [];
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

  // Enough of Typesense's search for tests, following its documented defaults and the parameters
  // sent: every query word must match a word of some query_by field, exactly, as a prefix (last word,
  // `prefix`) or within `num_typos` edits (1 from `min_len_1typo`, 2 from `min_len_2typo` characters;
  // the last word's typos measured against prefixes); typos only when nothing matches without them
  // (`typo_tokens_threshold`), then words dropped from the end (`drop_tokens_threshold`). `filter_by`
  // takes `field:=value` clauses joined by `&&`; `facet_by` counts values of the matched documents
  // (count desc, then value, `max_facet_values`); each hit carries `highlights` ({field,
  // matched_tokens, snippet}). `_text_match(buckets: n)` sorts by match kind (exact, prefix, typo): a
  // simplification of Typesense's equal-size buckets. Words compare folded (accents, full-width
  // letters), as with Typesense's default locale. Pages are `page`/`per_page` or `offset`/`limit`; with
  // `limit_hits`, a request reaching past it is refused (422) and `found` still counts every match.
  function search(coll: FakeCollection, params: Record<string, unknown>) {
    // Words: runs of letters and digits (the collections' separators, `_` and `-`, split too).
    const separators = /[^\p{L}\p{N}]+/u;
    const split = (text: string) => text.split(separators).filter(Boolean);
    const q = String(params.q ?? "");
    const queryBy = String(params.query_by ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    const tokens = q === "*" ? [] : [...new Set(split(fold(q.toLowerCase())))];
    // Pagination: page and per_page, or offset and limit; limit_hits refuses a request reaching past it.
    const perPage = Number(params.limit ?? params.per_page ?? 10);
    const offset = params.offset !== undefined && params.page === undefined
      ? Number(params.offset)
      : (Number(params.page ?? 1) - 1) * perPage;
    if (perPage > 250) return { code: 422, error: "Only upto 250 hits can be fetched per page." };
    const limitHits = params.limit_hits === undefined ? Infinity : Number(params.limit_hits);
    if (offset + perPage > limitHits) {
      return {
        code: 422,
        error: `Only upto ${limitHits} hits can be fetched. Ensure that \`page\` and \`per_page\` parameters are within this range.`,
      };
    }
    const prefix = String(params.prefix ?? "true") !== "false";
    const numTypos = Number(params.num_typos ?? 2);
    const min1 = Number(params.min_len_1typo ?? 4), min2 = Number(params.min_len_2typo ?? 7);
    const budget = (t: string) => Math.min(numTypos, t.length >= min2 ? 2 : t.length >= min1 ? 1 : 0);
    const filters = String(params.filter_by ?? "").split("&&").map((c) => c.trim()).filter(Boolean).map((c) => {
      const m = c.match(/^(\w+):=\s*`?([^`]*)`?$/);
      if (!m) throw new Error(`fake Typesense: unsupported filter ${c}`);
      return [m[1], m[2]] as const;
    });
    const docs = [...coll.docs.values()].filter((doc) => filters.every(([f, v]) => String(doc[f]) === v));

    // The match kind of query word `t` against document word `w`: 0 exact, 1 prefix, 2 typo, -1 none.
    const kind = (t: string, w: string, last: boolean, typos: boolean) => {
      if (w === t) return 0;
      if (last && prefix && w.startsWith(t)) return 1;
      const k = budget(t);
      if (!typos || k === 0) return -1;
      if (last && prefix) {
        for (let n = Math.max(1, t.length - k); n <= t.length + k; n++) if (editDistance(t, w.slice(0, n)) <= k) return 2;
        return -1;
      }
      return editDistance(t, w) <= k ? 2 : -1;
    };
    const run = (words: string[], typos: boolean) => {
      const matched: { doc: Record<string, unknown>; score: number; tier: number; highlights: unknown[] }[] = [];
      for (const doc of docs) {
        let score = 0, tier = 0, all = true;
        const hl = new Map<string, string[]>();
        words.forEach((t, i) => {
          let best = -1;
          queryBy.forEach((field, fi) => {
            for (const w of split(String(doc[field] ?? ""))) {
              const k = kind(t, fold(w.toLowerCase()), i === words.length - 1, typos);
              if (k < 0) continue;
              best = best < 0 ? k : Math.min(best, k);
              score += (3 - k) * (queryBy.length - fi);
              const list = hl.get(field) ?? [];
              if (!list.includes(w)) list.push(w);
              hl.set(field, list);
            }
          });
          if (best < 0) all = false;
          tier = Math.max(tier, best);
        });
        if (all || words.length === 0) {
          const highlights = queryBy.filter((f) => hl.has(f)).map((f) => ({
            field: f, matched_tokens: hl.get(f), snippet: String(doc[f] ?? ""),
          }));
          matched.push({ doc, score, tier, highlights });
        }
      }
      return matched;
    };
    let scored = run(tokens, false);
    for (let n = tokens.length; scored.length === 0 && n > 0; n--) {
      scored = run(tokens.slice(0, n), false);
      if (scored.length === 0) scored = run(tokens.slice(0, n), true);
    }
    const sortBy = String(params.sort_by ?? "_text_match:desc").split(/,(?![^(]*\))/).map((s) => {
      const i = s.lastIndexOf(":");
      return [s.slice(0, i).trim(), s.slice(i + 1).trim()];
    });
    scored.sort((a, b) => {
      for (const [field, dir] of sortBy) {
        const value = (x: typeof a) =>
          field.startsWith("_text_match(") ? -x.tier : field === "_text_match" ? x.score : Number(x.doc[field] ?? 0);
        const av = value(a), bv = value(b);
        if (av !== bv) return (dir === "asc" ? 1 : -1) * (av - bv);
      }
      return String(a.doc.id) < String(b.doc.id) ? -1 : 1;
    });
    const maxFacetValues = Number(params.max_facet_values ?? 10);
    const facetCounts = String(params.facet_by ?? "").split(",").map((f) => f.trim()).filter(Boolean).map((field) => {
      const counts = new Map<string, number>();
      for (const s of scored) {
        const v = s.doc[field];
        if (v !== undefined && v !== null) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
      }
      const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      return {
        field_name: field,
        sampled: false,
        stats: { total_values: sorted.length },
        counts: sorted.slice(0, maxFacetValues).map(([value, count]) => ({ count, highlighted: value, value })),
      };
    });
    return {
      facet_counts: facetCounts,
      found: scored.length, // not capped by limit_hits (Typesense counts every match)
      out_of: coll.docs.size,
      page: Math.floor(offset / Math.max(perPage, 1)) + 1,
      request_params: { collection_name: coll.name, q: params.q, per_page: perPage },
      search_time_ms: 0,
      hits: scored.slice(offset, offset + perPage).map((s) => ({
        document: s.doc,
        highlights: s.highlights,
        text_match: s.score,
      })),
    };
  }

  /** The fake as a `(Request) => Response` handler: record, delay, authenticate, inject failures, route. */
  async function handler(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const body = req.method === "GET" || req.method === "DELETE" ? "" : await req.text();
    const query = Object.fromEntries(url.searchParams);
    requests.push({ method: req.method, path: url.pathname, query, body });
    if (fake.delayMs > 0) await new Promise((r) => setTimeout(r, fake.delayMs));
    const delay = delays.find((d) => d.remaining > 0 && (!d.path || d.path.test(url.pathname)));
    if (delay) {
      delay.remaining--;
      await new Promise((r) => setTimeout(r, delay.ms));
    }
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
    const route = { method: req.method, parts, body, query };
    const answer = parts[0] === "collections" && parts[2] === "documents"
      ? documentsRoute(route)
      : parts[0] === "collections"
      ? collectionsRoute(route)
      : parts[0] === "aliases"
      ? aliasesRoute(route)
      : parts[0] === "multi_search" && req.method === "POST"
      ? multiSearch(route)
      : undefined;
    return answer ?? message(404, "Not Found");
  }

  interface Route {
    method: string;
    parts: string[];
    body: string;
    query: Record<string, string>;
  }

  /** GET and POST /collections, GET and DELETE /collections/:name. */
  function collectionsRoute({ method, parts, body }: Route): Response | undefined {
    if (parts.length === 1 && method === "GET") return Response.json([...collections.values()].map(describe));
    if (parts.length === 1 && method === "POST") {
      const schema = JSON.parse(body);
      if (collections.has(schema.name)) return message(409, `A collection with name \`${schema.name}\` already exists.`);
      const coll: FakeCollection = { ...schema, created_at: Math.floor(Date.now() / 1000), docs: new Map() };
      collections.set(schema.name, coll);
      return Response.json(describe(coll), { status: 201 });
    }
    if (parts.length !== 2) return undefined;
    const coll = collections.get(parts[1]);
    if (!coll) return message(404, `Collection not found`);
    if (method === "GET") return Response.json(describe(coll));
    if (method === "DELETE") {
      collections.delete(parts[1]);
      return Response.json(describe(coll));
    }
  }

  /** /collections/:name/documents: import, delete by id filter, get one. */
  function documentsRoute({ method, parts, body, query }: Route): Response | undefined {
    const coll = resolve(parts[1]);
    if (!coll) return message(404, "Not found.");
    if (parts[3] === "import" && method === "POST") {
      return new Response(importDocs(coll, body, query.action ?? "create"), {
        status: 200,
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    }
    if (parts.length === 3 && method === "DELETE") {
      const m = (query.filter_by ?? "").match(/^id:\s*\[(.*)\]$/);
      if (!m) return message(400, "Could not parse the filter query.");
      const ids = m[1].split(",").map((s) => s.trim().replace(/^`|`$/g, "")).filter(Boolean);
      let deleted = 0;
      for (const id of ids) if (coll.docs.delete(id)) deleted++;
      return Response.json({ num_deleted: deleted });
    }
    if (parts.length === 4 && method === "GET") {
      const doc = coll.docs.get(parts[3]);
      return doc ? Response.json(doc) : message(404, `Could not find a document with id: ${parts[3]}`);
    }
  }

  /** GET and PUT /aliases/:name. */
  function aliasesRoute({ method, parts, body }: Route): Response | undefined {
    if (parts.length !== 2) return undefined;
    if (method === "GET") {
      const target = aliases.get(parts[1]);
      return target ? Response.json({ name: parts[1], collection_name: target }) : message(404, "Not Found");
    }
    if (method === "PUT") {
      const { collection_name } = JSON.parse(body);
      if (!collections.has(collection_name)) return message(400, "Collection not found.");
      aliases.set(parts[1], collection_name);
      return Response.json({ name: parts[1], collection_name });
    }
  }

  /** POST /multi_search: one result per search, an error object for an unknown collection. */
  function multiSearch({ body, query }: Route): Response {
    const { searches } = JSON.parse(body);
    return Response.json({
      results: searches.map((s: Record<string, unknown>) => {
        const coll = resolve(String(s.collection));
        if (!coll) return { code: 404, error: `Collection \`${s.collection}\` not found.` };
        return search(coll, { ...query, ...s });
      }),
    });
  }

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

  const fake: FakeTypesenseState = {
    handler,
    apiKey,
    collections,
    aliases,
    requests,
    delayMs: 0,
    documents(name) {
      return resolve(name)?.docs ?? new Map();
    },
    delayNext(count, ms, o = {}) {
      delays.push({ remaining: count, ms, path: o.path });
    },
    failNext(count, o = {}) {
      const status = o.status ?? 503;
      failures.push({ remaining: count, status, message: o.message ?? MESSAGES[status] ?? "Error", path: o.path });
    },
    rejectDocument(id, error, o = {}) {
      rejections.set(id, { error, code: o.code ?? 400, remaining: o.times ?? Infinity });
    },
  };
  return fake;
}

/** Serves a new fake Typesense on a loopback port (serve.ts, the one way fakes are served). */
export async function startFakeTypesense(options: { apiKey?: string } = {}): Promise<FakeTypesense> {
  const fake = createFakeTypesense(options);
  const server = await serve(fake.handler);
  return Object.assign(fake, { url: server.url, port: server.port, close: server.close });
}

/**
 * Typesense's default normalization of a word (no `locale`), as far as the fake follows it: accents
 * and compatibility forms folded (`Déjà` -> `Deja`, `ＦＵＬＬ` -> `FULL`).
 */
function fold(word: string): string {
  return word.normalize("NFKD").replace(/\p{M}/gu, "").normalize("NFC");
}

/** Levenshtein distance (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
