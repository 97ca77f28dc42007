import { afterAll, describe, expect, it } from "vitest";
import { anon, asUser, request, sql } from "./postgrest.ts";

afterAll(() => sql.end());

describe("requests as PostgREST makes them", () => {
  it("anon reads public profiles but not preferences", async () => {
    const users = await request(anon, (tx) => tx`select username from public.users where username = 'nova'`);
    expect(users).toEqual([{ username: "nova" }]);
    await expect(request(anon, (tx) => tx`select * from public.notification_preferences`)).rejects.toMatchObject({
      code: "42501",
    });
  });

  it("a signed-in user sees only their own notification preferences", async () => {
    const [nova] = await sql`select id from public.users where username = 'nova'`;
    const rows = await request(asUser(nova.id), (tx) => tx`select user_id from public.notification_preferences`);
    expect(rows).toEqual([{ user_id: nova.id }]);
  });
});
