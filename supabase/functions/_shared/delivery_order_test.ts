// Push and email claims deliver in commit order (migration 20261201133205): a notification whose
// transaction commits after a higher id was claimed is still delivered, by both claims, once.
import assert from "node:assert/strict";
import { testPool, uniqueUsername } from "../../../tests/function-helpers.ts";

Deno.test("a notification committing after a higher id is claimed by push and email, once each", async () => {
  const sql = testPool();
  const writer = testPool();
  const users: string[] = [];
  try {
    // Start both cursors after everything that exists now.
    await sql`select count(*) from private.claim_push_deliveries(1000000, false)`;
    await sql`select count(*) from private.claim_email_deliveries(array['channel_live'], 200, false, 1000000)`;
    const user = async () => {
      const id = crypto.randomUUID();
      const name = uniqueUsername("do");
      await sql`select private.provision_user(${id}::uuid, ${name}, ${name + "@example.test"}, true)`;
      await sql`insert into public.push_subscriptions (user_id, endpoint, p256dh, auth)
                values (${id}, ${"https://push.example.test/" + name}, ${"B".repeat(87)}, ${"a".repeat(22)})`;
      users.push(id);
      return id;
    };
    const early = await user();
    const late = await user();

    // The early notification takes its id first but commits last.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let inserted!: (id: number) => void;
    const earlyId = new Promise<number>((r) => (inserted = r));
    const open = writer.begin(async (tx) => {
      const [row] = await tx`insert into public.notifications (user_id, kind) values (${early}, 'channel_live') returning id`;
      inserted(Number(row.id));
      await held;
    });
    const firstId = await earlyId;
    const [row] = await sql`insert into public.notifications (user_id, kind) values (${late}, 'channel_live') returning id`;
    assert.ok(Number(row.id) > firstId, "the late notification has the higher id");

    const pushed = async () =>
      (await sql`select (notification ->> 'id')::bigint as id, notification ? 'delivery_xact' as leaks
                 from private.claim_push_deliveries(1000, true)`).map((r) => ({ id: Number(r.id), leaks: r.leaks }));
    const emailed = async () =>
      (await sql`select (notification ->> 'id')::bigint as id from private.claim_email_deliveries(array['channel_live'], 200, true, 1000)`)
        .map((r) => Number(r.id));

    // While the early transaction is open, nothing after it is claimed (its id would fall behind).
    assert.deepEqual(await pushed(), []);
    assert.deepEqual(await emailed(), []);
    release();
    await open;
    const both = await pushed();
    assert.deepEqual(both.map((r) => r.id), [firstId, Number(row.id)], "both pushed, in commit order");
    assert.ok(both.every((r) => !r.leaks), "the push payload leaves out delivery_xact");
    assert.deepEqual(await emailed(), [firstId, Number(row.id)], "both emailed");
    assert.deepEqual(await pushed(), [], "and not again");
    assert.deepEqual(await emailed(), [], "and not again by email");
  } finally {
    await sql`delete from public.users where id = any(${users}::uuid[])`;
    await sql.end();
    await writer.end();
  }
});
