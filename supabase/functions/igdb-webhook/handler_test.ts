import assert from "node:assert/strict";
import { createFakeIgdb, type FakeGame } from "../../../tests/fakes/igdb.ts";
import type { Sql } from "../_shared/db.ts";
import { MAX_BODY_BYTES } from "../_shared/http.ts";
import { refusedUrl, testPool, uniqueUsername } from "../../../tests/function-helpers.ts";
import { serve } from "../../../tests/fakes/serve.ts";
import { COVER_BASE, createHandler } from "./handler.ts";
import { IgdbClient } from "./igdb.ts";

const SECRET = "igdb-test-x-secret";
const CLIENT = { clientId: "test-client-id", clientSecret: "test-client-secret-value" };

function newGame(overrides: Partial<FakeGame> = {}): FakeGame {
  const id = 1_000_000_000 + Math.floor(Math.random() * 1_000_000_000);
  return {
    id,
    name: `Hollow Test ${id}`,
    slug: `hollow-test-${id}`,
    summary: "A challenging 2D action-adventure.",
    cover: { id: id + 1, image_id: "co1rgi" },
    genres: [{ id: 31, name: "Adventure" }, { id: 8, name: "Platform" }],
    first_release_date: 1487894400, // 2017-02-24
    ...overrides,
  };
}

interface Harness {
  sql: Sql;
  fake: ReturnType<typeof createFakeIgdb>;
  clock: { now: number };
  post(action: string, body: unknown, secret?: string | null): Promise<Response>;
  handler: (req: Request) => Promise<Response>;
}

async function withIgdb(
  fn: (h: Harness) => Promise<void>,
  options: { timeoutMs?: number; slowMs?: number; tokenUrl?: string; clientSecret?: string } = {},
) {
  const fake = createFakeIgdb({ ...CLIENT, slowMs: options.slowMs });
  const server = await serve(fake.handler);
  const sql = testPool();
  const clock = { now: Date.now() };
  const igdb = new IgdbClient({
    apiUrl: `${server.url}/v4`,
    tokenUrl: options.tokenUrl ?? `${server.url}/oauth2/token`,
    clientId: CLIENT.clientId,
    clientSecret: options.clientSecret ?? CLIENT.clientSecret,
    timeoutMs: options.timeoutMs ?? 2000,
    now: () => clock.now,
  });
  const handler = createHandler({ sql, secret: SECRET, igdb });
  const post = (action: string, body: unknown, secret: string | null = SECRET) =>
    handler(
      new Request(`http://local/igdb-webhook/${action}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(secret === null ? {} : { "x-secret": secret }) },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
    );
  try {
    await fn({ sql, fake, clock, post, handler });
  } finally {
    await sql.end();
    await server.close();
  }
}

async function category(sql: Sql, igdbId: number) {
  const [row] = await sql`
    select id, name, slug::text, summary, cover_url, genres, first_release_date::text, deleted_at
    from public.categories where igdb_id = ${igdbId}`;
  return row;
}

/** The unexpanded entity IGDB posts: references are ids only. */
function webhookBody(game: FakeGame) {
  return {
    id: game.id,
    name: game.name,
    cover: game.cover?.id,
    genres: game.genres?.map((g) => g.id),
    updated_at: 1700000000,
  };
}

Deno.test("create re-fetches the full game from IGDB and stores the category", async () => {
  await withIgdb(async ({ sql, fake, post }) => {
    const game = newGame();
    fake.games.set(game.id, game);
    const res = await post("create", webhookBody(game));
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.status, "created");
    const row = await category(sql, game.id);
    assert.deepEqual({ ...row, id: undefined }, {
      id: undefined,
      name: game.name,
      slug: game.slug,
      summary: game.summary,
      cover_url: `${COVER_BASE}co1rgi.jpg`,
      genres: ["Adventure", "Platform"],
      first_release_date: "2017-02-24",
      deleted_at: null,
    });
    assert.equal(row.id, body.category_id);
    assert.match(fake.state.queries[0], new RegExp(`where id = ${game.id};`));
    assert.match(fake.state.queries[0], /cover\.image_id/);
  });
});

Deno.test("update refreshes the category and repeated deliveries leave one row", async () => {
  await withIgdb(async ({ sql, fake, post }) => {
    const game = newGame();
    fake.games.set(game.id, game);
    assert.equal((await post("create", webhookBody(game))).status, 200);
    game.name = "Hollow Test: Silksong";
    game.genres = [{ id: 31, name: "Adventure" }];
    delete game.cover;
    for (let i = 0; i < 3; i++) {
      assert.equal((await (await post("update", webhookBody(game))).json()).status, "updated");
    }
    const row = await category(sql, game.id);
    assert.equal(row.name, "Hollow Test: Silksong");
    assert.deepEqual(row.genres, ["Adventure"]);
    assert.equal(row.cover_url, null);
    const [{ n }] = await sql`select count(*)::int as n from public.categories where igdb_id = ${game.id}`;
    assert.equal(n, 1);
  });
});

Deno.test("the Twitch token is fetched once, reused, and refreshed when it expires", async () => {
  await withIgdb(async ({ fake, clock, post }) => {
    fake.state.tokenTtlSeconds = 3600;
    const game = newGame();
    fake.games.set(game.id, game);
    for (let i = 0; i < 3; i++) assert.equal((await post("update", webhookBody(game))).status, 200);
    assert.equal(fake.state.tokenRequests, 1);
    clock.now += 3600_000 - 30_000; // inside the refresh margin
    assert.equal((await post("update", webhookBody(game))).status, 200);
    assert.equal(fake.state.tokenRequests, 2);
  });
});

Deno.test("a token IGDB refuses with 401 is replaced once and the call succeeds", async () => {
  await withIgdb(async ({ sql, fake, post }) => {
    const game = newGame();
    fake.games.set(game.id, game);
    assert.equal((await post("create", webhookBody(game))).status, 200);
    fake.revokeTokens();
    game.summary = "Updated after the token was revoked.";
    assert.equal((await post("update", webhookBody(game))).status, 200);
    assert.equal(fake.state.tokenRequests, 2);
    assert.equal((await category(sql, game.id)).summary, "Updated after the token was revoked.");
  });
});

Deno.test("delete hides the category from listings but channels keep pointing at it", async () => {
  await withIgdb(async ({ sql, fake, post }) => {
    const game = newGame();
    fake.games.set(game.id, game);
    const { category_id } = await (await post("create", webhookBody(game))).json();
    const ownerId = crypto.randomUUID();
    await sql`select private.provision_user(${ownerId}::uuid, ${uniqueUsername("ig")})`;
    await sql`update public.channels set category_id = ${category_id} where owner_id = ${ownerId}`;

    const res = await post("delete", { id: game.id });
    assert.deepEqual(await res.json(), { status: "removed", category_id });
    const visibleToAnon = await sql.begin(async (tx) => {
      await tx`select set_config('role', 'anon', true), set_config('request.jwt.claims', '{"role":"anon"}', true)`;
      return (await tx`select count(*)::int as n from public.categories where igdb_id = ${game.id}`)[0].n;
    });
    assert.equal(visibleToAnon, 0);
    const [channel] = await sql`select category_id from public.channels where owner_id = ${ownerId}`;
    assert.equal(channel.category_id, category_id);
    assert.equal(fake.state.gameRequests, 1, "delete does not call IGDB");

    // A later create or update brings it back.
    assert.equal((await post("update", webhookBody(game))).status, 200);
    assert.equal((await category(sql, game.id)).deleted_at, null);
  });
});

Deno.test("a slug already used by another game's category gets the igdb id appended", async () => {
  await withIgdb(async ({ sql, fake, post }) => {
    const first = newGame();
    const second = newGame({ slug: first.slug });
    fake.games.set(first.id, first);
    fake.games.set(second.id, second);
    assert.equal((await post("create", webhookBody(first))).status, 200);
    assert.equal((await post("create", webhookBody(second))).status, 200);
    assert.equal((await category(sql, second.id)).slug, `${first.slug}-${second.id}`);
  });
});

Deno.test("when the igdb-id slug is taken too, the category gets the lowest free <slug>-<igdb id>-<n> and keeps it", async () => {
  await withIgdb(async ({ sql, fake, post }) => {
    const owner = newGame(), late = newGame();
    late.slug = owner.slug;
    // Two other games already hold `<slug>-<late's id>` and `<slug>-<late's id>-2` as their own IGDB slugs.
    const squatters = [newGame({ slug: `${owner.slug}-${late.id}` }), newGame({ slug: `${owner.slug}-${late.id}-2` })];
    for (const g of [owner, ...squatters, late]) fake.games.set(g.id, g);
    for (const g of [owner, ...squatters]) assert.equal((await post("create", webhookBody(g))).status, 200);
    const res = await post("create", webhookBody(late));
    assert.equal(res.status, 200);
    assert.equal((await res.json()).status, "created");
    assert.equal((await category(sql, late.id)).slug, `${owner.slug}-${late.id}-3`);
    // A repeated delivery finds its own slug free for itself: same row, same slug.
    assert.equal((await (await post("update", webhookBody(late))).json()).status, "updated");
    assert.equal((await category(sql, late.id)).slug, `${owner.slug}-${late.id}-3`);
    for (const g of [owner, ...squatters]) assert.equal((await category(sql, g.id)).slug, g.slug, "the others keep theirs");
  });
});

Deno.test("U+0000 (which Postgres text refuses): a name with it is 400 invalid_body with nothing written; summary and genres lose it", async () => {
  await withIgdb(async ({ sql, fake, post }) => {
    const named = newGame({ name: "Nul\u0000Game" });
    fake.games.set(named.id, named);
    const res = await post("create", webhookBody(named));
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error.code, "invalid_body");
    assert.equal(await category(sql, named.id), undefined);

    const game = newGame({ summary: "A\u0000B", genres: [{ id: 31, name: "Adven\u0000ture" }, { id: 8, name: "\u0000" }] });
    fake.games.set(game.id, game);
    assert.equal((await post("create", webhookBody(game))).status, 200);
    const row = await category(sql, game.id);
    assert.equal(row.summary, "AB");
    assert.deepEqual(row.genres, ["Adventure"]);
  });
});

Deno.test("a game IGDB does not know and a delete of an unknown game are acknowledged and ignored", async () => {
  await withIgdb(async ({ post }) => {
    assert.deepEqual(await (await post("create", { id: 42 })).json(), { status: "ignored", reason: "game_not_found" });
    assert.deepEqual(await (await post("delete", { id: 1 })).json(), { status: "ignored", reason: "unknown_game" });
  });
});

Deno.test("a wrong or missing X-Secret is refused with 401 before IGDB is called", async () => {
  await withIgdb(async ({ sql, fake, post }) => {
    const game = newGame();
    fake.games.set(game.id, game);
    for (const secret of [null, "", "igdb-test-x-secreT", SECRET + "x", SECRET.slice(1)]) {
      const res = await post("create", webhookBody(game), secret);
      assert.equal(res.status, 401);
      assert.equal((await res.json()).error.code, "invalid_secret");
    }
    assert.equal(fake.state.tokenRequests + fake.state.gameRequests, 0);
    assert.equal(await category(sql, game.id), undefined);
  });
});

Deno.test("IGDB failing, rate limiting or hanging gives 503 igdb_unavailable and writes nothing", async () => {
  await withIgdb(async ({ sql, fake, post }) => {
    const game = newGame();
    fake.games.set(game.id, game);
    for (const mode of ["error", "rate_limited", "slow"] as const) {
      fake.state.mode = mode;
      const started = performance.now();
      const res = await post("create", webhookBody(game));
      assert.equal(res.status, 503, mode);
      assert.equal((await res.json()).error.code, "igdb_unavailable");
      assert.ok(performance.now() - started < 1500, `${mode} answered within the timeout`);
    }
    assert.equal(await category(sql, game.id), undefined);
  }, { timeoutMs: 300, slowMs: 2000 });
});

Deno.test("Twitch refusing the client secret gives 503 without the secret in the answer or the log", async () => {
  const logged: string[] = [];
  const original = console.error;
  console.error = (msg: string) => logged.push(msg);
  try {
    await withIgdb(async ({ fake, post }) => {
      const game = newGame();
      fake.games.set(game.id, game);
      const res = await post("create", webhookBody(game));
      assert.equal(res.status, 503);
      const text = await res.text();
      assert.doesNotMatch(text + logged.join("\n"), /wrong-secret-value|test-client-id/);
      assert.match(logged.join("\n"), /answered 403/);
    }, { clientSecret: "wrong-secret-value" });
    await withIgdb(async ({ post }) => {
      const res = await post("create", { id: 7 });
      assert.equal(res.status, 503);
      assert.equal((await res.json()).error.code, "igdb_unavailable");
    }, { tokenUrl: refusedUrl() });
  } finally {
    console.error = original;
  }
});

Deno.test("bad paths, methods, bodies and sizes get 404, 405, 400 and 413", async () => {
  await withIgdb(async ({ post, handler }) => {
    const unknown = await post("upsert", { id: 1 });
    assert.equal(unknown.status, 404);
    assert.equal((await unknown.json()).error.code, "unknown_action");
    const get = await handler(new Request("http://local/igdb-webhook/create"));
    assert.equal(get.status, 405);
    await get.body?.cancel();
    for (const body of ['{"id": 12', { id: "12" }, { id: -1 }, { id: 1.5 }, [], {}]) {
      const res = await post("create", body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match((await res.json()).error.code, /^(invalid_json|invalid_body)$/);
    }
    const big = await post("create", "x".repeat(MAX_BODY_BYTES + 1));
    assert.equal(big.status, 413);
    await big.body?.cancel();
  });
});
