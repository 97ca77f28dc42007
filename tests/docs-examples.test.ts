// Every code example in the docs runs against the local stack: the fenced ```js and ```ts blocks of
// README.md and docs/*.md are extracted from the Markdown (never copied here) and run, one by one,
// as a frontend would, through supabase-js over HTTP and WebSocket. A block runs when no exception
// escapes it and every Data API answer it caused is a success (status < 400).
//
// Blocks that cannot run here are marked in the Markdown itself with an info string after the
// language, ```ts illustrative: they need something the local stack does not have (an Ory session
// for the `session` function), state the fixtures do not build (a report to resolve, a ban to
// appeal) or only show a shape. Everything else must run.
//
// The free names an example uses (the signed-in `supabase` client, ids like `channelId`, the UI
// callbacks like `addMessage`) come from the fixtures below, built on the seed: examples act as
// `nova`, the seed's live channel owner. A name that is neither a fixture nor a global fails the
// example, so a new example names what it needs here. `createClient` is supabase-js's, pointed at
// the stack under test whatever URL the example writes (the docs show the default local one).
//
// This file runs after every other test file (vitest.config.ts, project "docs"), since examples
// change the seed world (a follow, a ban, chat settings) that other files read.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createClient as realCreateClient, type SupabaseClient } from "@supabase/supabase-js";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { anonKey, apiUrl, jwtSecret } from "./env.ts";
import { sql } from "./db.ts";

const ROOT = join(import.meta.dirname, "..");
const NOVA = "a1b2c3d4-0001-4000-8000-000000000001";
const run = Math.random().toString(36).slice(2, 8);

interface Example {
  file: string;
  line: number;
  lang: string;
  runnable: boolean;
  code: string;
}

function examples(): Example[] {
  const files = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
  const found: Example[] = [];
  for (const file of files) {
    const lines = readFileSync(join(ROOT, file), "utf8").split("\n");
    for (let i = 0; i < lines.length; i++) {
      const open = lines[i].match(/^```(js|ts)\b(.*)$/);
      if (!open) continue;
      const end = lines.findIndex((l, j) => j > i && l.startsWith("```"));
      found.push({
        file, line: i + 1, lang: open[1], runnable: !/\billustrative\b/.test(open[2]), code: lines.slice(i + 1, end).join("\n"),
      });
      i = end;
    }
  }
  return found;
}

async function token(sub: string): Promise<string> {
  return await new SignJWT({ sub, role: "authenticated", aud: "authenticated" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" }).setIssuedAt().setExpirationTime("1h")
    .sign(new TextEncoder().encode(jwtSecret));
}

// Every client an example makes: pointed at the stack under test, with Node's WebSocket, recording
// the status of each HTTP answer.
let answers: { url: string; status: number }[] = [];
const clients: SupabaseClient[] = [];
function createClient(_url: string, key: string, options: Record<string, any> = {}): SupabaseClient {
  const c = realCreateClient(apiUrl, key, {
    ...options,
    realtime: { ...(options.realtime ?? {}), transport: WebSocket as unknown as typeof globalThis.WebSocket },
    global: {
      fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
        const res = await fetch(input, init);
        answers.push({ url: `${init?.method ?? "GET"} ${String(input).replace(apiUrl, "")}`, status: res.status });
        return res;
      },
    },
  });
  clients.push(c);
  return c;
}

const noop = () => {};
let fixtures: Record<string, unknown> = {};

beforeAll(async () => {
  const jwt = await token(NOVA);
  const provision = async (name: string) =>
    (await sql`select (private.provision_user(gen_random_uuid(), ${`${name}_${run}`}, null, true)).id as id`)[0].id as string;
  const [nova] = await sql`select c.id as channel, r.id as room from public.channels c join public.chatrooms r on r.channel_id = c.id
                           where c.slug = 'nova'`;
  const [unfollowedChannel] = await sql`select id from public.channels c where c.owner_id <> ${NOVA} and not exists (
    select 1 from public.follows f where f.channel_id = c.id and f.user_id = ${NOVA}) limit 1`;
  const [celeste] = await sql`select id from public.categories where slug = 'celeste'`;
  const [unfollowed] = await sql`select id from public.categories c where not exists (
    select 1 from public.category_follows f where f.category_id = c.id and f.user_id = ${NOVA}) limit 1`;
  const viewer = await provision("docs_viewer");
  // Another author's than `u`: the example bans u first, which removes u's messages (moderation.md).
  const regular = await provision("docs_regular");
  const [spam] = await sql`insert into public.messages (chatroom_id, user_id, content, sender, emotes)
    values (${nova.room}, ${regular}, 'spam from a docs regular', private.chat_identity(${nova.room}, ${regular}), '[]') returning id`;
  const [pinnable] = await sql`insert into public.messages (chatroom_id, user_id, content, sender, emotes)
    values (${nova.room}, ${regular}, 'a message worth pinning', private.chat_identity(${nova.room}, ${regular}), '[]') returning id`;
  fixtures = {
    createClient, WebSocket,
    supabase: createClient(apiUrl, anonKey, { accessToken: async () => jwt }),
    SUPABASE_URL: apiUrl, SUPABASE_ANON_KEY: anonKey, ANON_KEY: anonKey, anonKey,
    token: jwt, streamzJwt: jwt, userJwt: jwt, myUserId: NOVA,
    myChannelId: nova.channel, channelId: unfollowedChannel.id, roomId: nova.room, chatroom_id: nova.room,
    celesteId: celeste.id, categoryId: unfollowed.id, userId: viewer, u: viewer, harasserId: await provision("docs_harasser"),
    room: { id: nova.room }, c: nova.channel, before: null, lastId: Number.MAX_SAFE_INTEGER,
    spamId: Number(spam.id), id: Number(pinnable.id), text: `hello from the docs ${run}`, replyingTo: null,
    // UI callbacks a client would render with.
    ...Object.fromEntries(["addMessage", "blankMessage", "clearMessages", "hideMessagesOf", "setSettings", "setPin", "celebrate",
      "setViewers", "logBan", "logBlocked", "appendToLog", "show", "notifyBanned", "promptSignIn", "showGone", "toast", "promptVerifyEmail",
      "promptFollow", "promptSubscribe", "disableInputFor", "showLive", "setChannel"].map((n) => [n, noop])),
  };
});

afterAll(async () => {
  for (const c of clients) {
    await Promise.race([c.removeAllChannels(), new Promise((r) => setTimeout(r, 3_000))]);
    await Promise.race([c.realtime.disconnect(), new Promise((r) => setTimeout(r, 1_000))]);
  }
  await sql.end();
});

// Examples are sloppy-mode function bodies run `with` a scope of fixtures: their free names resolve
// to fixtures or globals, and anything else is a ReferenceError naming what is missing.
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
async function runExample(code: string) {
  const body = code.replace(/^import .*$/gm, "");
  const scope = new Proxy(fixtures, { has: (target, key) => typeof key === "string" && key in target });
  await new AsyncFunction("scope", `with (scope) {\n${body}\n}`)(scope);
}

describe("every code example in the docs runs against the local stack", () => {
  const all = examples();

  it("finds the docs' examples (a renamed fence or folder would silently run none)", () => {
    expect(all.filter((e) => e.runnable).length).toBeGreaterThanOrEqual(10);
  });

  for (const example of all.filter((e) => e.runnable)) {
    it(`${example.file}:${example.line}`, async () => {
      answers = [];
      await runExample(example.code);
      expect(answers.filter((a) => a.status >= 400).map((a) => `${a.status} ${a.url}`)).toEqual([]);
    });
  }
});
