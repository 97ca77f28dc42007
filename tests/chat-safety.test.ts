// Chat safety as a frontend meets it, with supabase-js over HTTP against the local stack: evasions of
// a blocked term are refused with chat_blocked_term, invisible or bidi-override messages with
// message_invalid and a reason, a flood of blocked attempts runs into the rate rules, and a display
// name cannot copy another user's username. Users are provisioned with SQL as production does.
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbUrl } from "./env.ts";
import { closeClients, signedIn as as } from "./realtime-clients.ts";

const sql = postgres(dbUrl, { max: 2, onnotice: () => {} });
afterAll(async () => {
  await closeClients();
  await sql.end();
});

const run = Math.random().toString(36).slice(2, 8);
const ids: Record<string, string> = {};
let room = "";

async function send(userId: string, content: string) {
  const { data, error } = await (await as(userId)).rpc("send_message", { chatroom_id: room, content });
  return { data, error, details: error?.details ? JSON.parse(error.details) : null };
}

beforeAll(async () => {
  for (const name of ["owner", "chatter", "flooder", "mimic"]) {
    const [row] = await sql`select (private.provision_user(gen_random_uuid(), ${`${name}_${run}`}, null, true)).id as id`;
    ids[name] = row.id as string;
  }
  const [r] = await sql`select r.id from public.chatrooms r join public.channels c on c.id = r.channel_id
                        where c.owner_id = ${ids.owner}`;
  room = r.id as string;
  const { error } = await (await as(ids.owner)).from("chatroom_blocked_terms").insert({ chatroom_id: room, term: "badword" });
  expect(error).toBeNull();
});

describe("chat safety over HTTP", () => {
  it("refuses a blocked term written with look-alike, fullwidth and zero-width characters, or spelled out", async () => {
    for (const evasion of ["b\u0430dword", "\uff42\uff41\uff44\uff57\uff4f\uff52\uff44", "bad\u200bword", "BAD\u00adWORD", "b a d w o r d", "b.a.d.w.o.r.d"]) {
      const { error } = await send(ids.chatter, evasion);
      expect(error, JSON.stringify(evasion)).toMatchObject({ code: "chat_blocked_term" });
      await sql`delete from private.chat_blocked_attempts where user_id = ${ids.chatter}`;
    }
  });

  it("refuses the term in small capitals and emoji letters, and sends flags unchanged", async () => {
    for (const evasion of ["\u0299\u1d00\u1d05\u1d21\u1d0f\u0280\u1d05", "\u{1F171}\u{1F170}\u{1F173}word", "\u{1F1E7}\u{1F1E6}\u{1F1E9}word"]) {
      const { error } = await send(ids.chatter, evasion);
      expect(error, JSON.stringify(evasion)).toMatchObject({ code: "chat_blocked_term" });
      await sql`delete from private.chat_blocked_attempts where user_id = ${ids.chatter}`;
    }
    const { data, error } = await send(ids.chatter, "gg \u{1F1EB}\u{1F1F7} \u{1F170}\u{1F171}");
    expect(error).toBeNull();
    expect((data as { content: string }).content).toBe("gg \u{1F1EB}\u{1F1F7} \u{1F170}\u{1F171}");
    await sql`delete from public.messages where user_id = ${ids.chatter}`;
  });

  it("refuses the term in leetspeak, held down, or split by a space or an underscore, and sends numbers unchanged", async () => {
    for (const evasion of ["b4dw0rd", "b@dword!", "baaadword", "bad_word", "bad word"]) {
      const { error } = await send(ids.chatter, evasion);
      expect(error, JSON.stringify(evasion)).toMatchObject({ code: "chat_blocked_term" });
      await sql`delete from private.chat_blocked_attempts where user_id = ${ids.chatter}`;
    }
    const [logged] = await sql`select details ->> 'term' as term from public.moderation_actions
                               where target_user_id = ${ids.chatter} and action = 'message.blocked'
                               order by id desc limit 1`;
    expect(logged.term).toBe("badword");
    const { data, error } = await send(ids.chatter, "bad day, 455 points at 5pm");
    expect(error).toBeNull();
    expect((data as { content: string }).content).toBe("bad day, 455 points at 5pm");
    await sql`delete from public.messages where user_id = ${ids.chatter}`;
  });

  it("refuses invisible, control and bidi-override messages with message_invalid and a reason", async () => {
    const cases: [string, string][] = [
      ["\u200b\u00a0\u3000", "no_visible_characters"],
      ["\u001b[31mred", "control_characters"],
      ["\u202edrowdab", "bidi_controls"],
      ["z\u0351\u0307\u0352\u0315\u035fa\u0336lgo", "combining_marks"],
    ];
    for (const [content, reason] of cases) {
      const { error, details } = await send(ids.chatter, content);
      expect(error).toMatchObject({ code: "message_invalid" });
      expect(details).toEqual({ reason });
    }
  });

  it("sends emoji sequences, other scripts and accents unchanged", async () => {
    for (const content of ["\u{1F469}\u200d\u{1F4BB} shipping", "\u041f\u0440\u0438\u0432\u0435\u0442", "Stra\u00dfe"]) {
      const { data, error } = await send(ids.chatter, content);
      expect(error).toBeNull();
      expect((data as { content: string }).content).toBe(content);
    }
  });

  it("counts blocked attempts toward the rate rules: the same attempt again is a duplicate", async () => {
    expect((await send(ids.flooder, "badword")).error).toMatchObject({ code: "chat_blocked_term" });
    expect((await send(ids.flooder, "BADWORD")).error).toMatchObject({ code: "chat_duplicate" });
    const [{ count }] = await sql`select count(*)::int as count from private.chat_blocked_attempts where user_id = ${ids.flooder}`;
    expect(count).toBe(1);
  });

  it("refuses a display name that copies another user's username, and accepts one's own", async () => {
    const mimic = await as(ids.mimic);
    const copy = await mimic.from("users").update({ display_name: `OWNER_${run}`.replace("O", "\u041e") }).eq("id", ids.mimic);
    expect(copy.error).toMatchObject({ code: "23514" });
    expect(copy.error!.message).toContain("looks like another user's username");
    const own = await mimic.from("users").update({ display_name: `Mimic_${run}` }).eq("id", ids.mimic);
    expect(own.error).toBeNull();
  });
});
