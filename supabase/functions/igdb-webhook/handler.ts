// POST /igdb-webhook/{create,update,delete}: IGDB game webhooks, one URL per method, authenticated by
// the X-Secret header. The body is the unexpanded game (ids only), so create/update re-fetch the game
// from the IGDB API before upserting its category; delete hides the category from listings while
// keeping the row that channels and livestreams point at.
import type { Sql } from "../_shared/db.ts";
import { HttpError, json, readJson, requireMethod, withErrors } from "../_shared/http.ts";
import { secretsEqual } from "../_shared/signatures.ts";
import type { IgdbClient, IgdbGame } from "./igdb.ts";

export const COVER_BASE = "https://images.igdb.com/igdb/image/upload/t_cover_big/";

export interface HandlerDeps {
  sql: Sql;
  secret: string;
  igdb: IgdbClient;
}

export function createHandler(deps: HandlerDeps) {
  return withErrors("igdb-webhook", async (req) => {
    requireMethod(req, "POST");
    const action = new URL(req.url).pathname.match(/\/(create|update|delete)\/?$/)?.[1];
    if (!action) {
      await req.body?.cancel();
      throw new HttpError(404, "unknown_action", "Use /igdb-webhook/create, /update or /delete.");
    }
    if (!(await secretsEqual(req.headers.get("x-secret"), deps.secret))) {
      await req.body?.cancel();
      throw new HttpError(401, "invalid_secret", "Missing or wrong X-Secret header.");
    }
    const body = await readJson<{ id?: unknown } | null>(req);
    const id = body && typeof body === "object" ? body.id : undefined;
    if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0) {
      throw new HttpError(400, "invalid_body", "The body must be an IGDB game with a positive integer `id`.");
    }

    if (action === "delete") {
      const [removed] = await deps.sql`
        update public.categories set deleted_at = coalesce(deleted_at, now()), updated_at = now()
        where igdb_id = ${id} returning id`;
      return json(
        removed ? { status: "removed", category_id: removed.id } : { status: "ignored", reason: "unknown_game" },
      );
    }

    const game = await deps.igdb.game(id);
    if (!game) return json({ status: "ignored", reason: "game_not_found" });
    const category = toCategory(game, id);
    return json(await upsertCategory(deps.sql, category));
  });
}

export interface CategoryRow {
  igdb_id: number;
  name: string;
  slug: string;
  summary: string | null;
  cover_url: string | null;
  genres: string[];
  first_release_date: string | null;
}

/** The category row of an IGDB game. Postgres text refuses U+0000: a name holding it is refused with
 * 400 `invalid_body` (nothing is written, and IGDB does not retry a 4xx), while the optional summary and
 * genre names just lose it, so one stray byte in a description does not keep the game unlisted. */
export function toCategory(game: IgdbGame, id: number): CategoryRow {
  const name = (typeof game.name === "string" && game.name.trim() !== "" ? game.name.trim() : `Game ${id}`).slice(
    0,
    255,
  );
  if (name.includes("\0")) {
    throw new HttpError(400, "invalid_body", `IGDB's game ${id} has U+0000 in its name, which cannot be stored.`);
  }
  const slug = slugify(typeof game.slug === "string" ? game.slug : name) || `game-${id}`;
  const imageId = typeof game.cover === "object" && typeof game.cover?.image_id === "string"
    ? game.cover.image_id
    : null;
  const genres = (game.genres ?? [])
    .map((g) => (typeof g === "object" && typeof g?.name === "string" ? withoutNul(g.name) : ""))
    .filter((g) => g !== "");
  const released = typeof game.first_release_date === "number" && Number.isFinite(game.first_release_date)
    ? new Date(game.first_release_date * 1000).toISOString().slice(0, 10)
    : null;
  return {
    igdb_id: id,
    name,
    slug,
    summary: typeof game.summary === "string" ? withoutNul(game.summary) : null,
    cover_url: imageId && /^[A-Za-z0-9_-]+$/.test(imageId) ? `${COVER_BASE}${imageId}.jpg` : null,
    genres,
    first_release_date: released,
  };
}

const withoutNul = (value: string) => value.replaceAll("\0", "");

function slugify(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 200).replace(/-+$/, "");
}

async function upsertCategory(sql: Sql, c: CategoryRow) {
  const write = (slug: string) =>
    sql<{ id: string; created: boolean }[]>`
      insert into public.categories as k (igdb_id, name, slug, summary, cover_url, genres, first_release_date)
      values (${c.igdb_id}, ${c.name}, ${slug}, ${c.summary}, ${c.cover_url}, ${c.genres}::text[], ${c.first_release_date}::date)
      on conflict (igdb_id) do update set
        name = excluded.name, slug = excluded.slug, summary = excluded.summary, cover_url = excluded.cover_url,
        genres = excluded.genres, first_release_date = excluded.first_release_date,
        deleted_at = null, updated_at = now()
      returning k.id, (xmax = 0) as created`;
  let rows;
  try {
    rows = await write(c.slug);
  } catch (e) {
    // Another game already owns this slug (IGDB slugs are unique, but ours may predate a rename).
    if ((e as { code?: string; constraint_name?: string }).constraint_name !== "categories_slug_key") throw e;
    rows = await write(await fallbackSlug(sql, c));
  }
  return { status: rows[0].created ? "created" : "updated", category_id: rows[0].id };
}

/** `<slug>-<igdb id>`, or, when another game's category holds that too, `<slug>-<igdb id>-<n>` with the
 * lowest n free. The k categories whose slug is of that form hold at most k of the k + 1 candidates, so
 * one query always finds a free one. A slug the game's own category holds is free for it. */
async function fallbackSlug(sql: Sql, c: CategoryRow): Promise<string> {
  const base = `${c.slug}-${c.igdb_id}`;
  const [{ slug }] = await sql<{ slug: string }[]>`
    select candidate as slug
    from generate_series(1, 1 + (
      select count(*)::int from public.categories where slug = ${base} or slug like ${base + "-%"}
    )) as n,
    lateral (select case when n = 1 then ${base}::text else ${base}::text || '-' || n end as candidate) as c
    where not exists (
      select 1 from public.categories k where k.slug = c.candidate and k.igdb_id <> ${c.igdb_id}
    )
    order by n
    limit 1`;
  return slug;
}
