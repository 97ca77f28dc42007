import assert from "node:assert/strict";
import { startFakeSmtp } from "../../../tests/fakes/smtp.ts";
import { holdOpen, testPool, uniqueUsername } from "../../../tests/function-helpers.ts";
import { ConfigError } from "../_shared/config.ts";
import { unsubscribeKey, verifyUnsubscribeToken } from "../_shared/unsubscribe-token.ts";
import { createHandler, describeSmtpError, type EmailDeliveryDeps } from "./handler.ts";
import { render } from "./message.ts";
import { DEFAULT_EMAIL_KINDS, type EmailSettings, readEmailSettings } from "./settings.ts";

const SERVICE_KEY = "email-delivery-test-service-key";
const SMTP_USER = "streamz-mailer";
const SMTP_PASS = "correct horse battery staple";
const SECRET = "email-unsubscribe-test-secret-of-32-chars!";

type Sql = ReturnType<typeof testPool>;

function settings(port: number, overrides: Partial<EmailSettings["smtp"]> = {}): EmailSettings {
  return {
    smtp: { host: "127.0.0.1", port, tls: "none", user: SMTP_USER, pass: SMTP_PASS, timeoutMs: 2000, ...overrides },
    from: "Streamz <notifications@streamz.test>",
    unsubscribeKey: unsubscribeKey(SECRET),
    unsubscribeUrl: "https://project.supabase.test/functions/v1/email-unsubscribe",
    channelUrl: "https://streamz.test/{slug}",
    kinds: DEFAULT_EMAIL_KINDS,
  };
}

async function withEmail(fn: (h: {
  sql: Sql;
  smtp: Awaited<ReturnType<typeof startFakeSmtp>>;
  run: (overrides?: Partial<EmailDeliveryDeps>) => Promise<Record<string, unknown>>;
  user: (opts?: { verified?: boolean }) => Promise<{ id: string; username: string; email: string }>;
  notify: (userId: string, kind?: string, channelOwner?: string, payload?: Record<string, unknown>) => Promise<number>;
}) => Promise<void>) {
  const sql = testPool();
  const smtp = await startFakeSmtp({ user: SMTP_USER, pass: SMTP_PASS });
  const created: string[] = [];
  const run = async (overrides: Partial<EmailDeliveryDeps> = {}) => {
    const handler = createHandler({ sql, serviceKeys: [SERVICE_KEY], email: settings(smtp.port), ...overrides });
    const res = await handler(new Request("http://localhost/email-delivery", { method: "POST", headers: { authorization: `Bearer ${SERVICE_KEY}` } }));
    assert.equal(res.status, 200);
    return await res.json();
  };
  // Deliver only what this test creates: drop every queued notification (email off), then run once
  // with the default kinds so that they are what the queue holds (a run reports its kinds).
  await run({ email: null, scanLimit: 100_000_000 });
  await run();
  const user = async ({ verified = true } = {}) => {
    const id = crypto.randomUUID(), username = uniqueUsername("ed"), email = `${username}@viewers.test`;
    await sql`select private.provision_user(${id}::uuid, ${username}, ${email}, ${verified})`;
    created.push(id);
    return { id, username, email };
  };
  const notify = async (userId: string, kind = "channel_live", channelOwner?: string, payload: Record<string, unknown> = {}) => {
    const [row] = await sql<{ id: number }[]>`
      insert into public.notifications (user_id, kind, channel_id, payload)
      values (${userId}, ${kind}, (select id from public.channels where owner_id = ${channelOwner ?? null}), ${sql.json(payload as never)})
      returning id`;
    return Number(row.id);
  };
  try {
    await fn({ sql, smtp, run, user, notify });
  } finally {
    await sql`delete from public.users where id = any(${created}::uuid[])`;
    await smtp.close();
    await sql.end();
  }
}

Deno.test("a go-live notification is emailed once to a follower with email on, well-formed, with one-click unsubscribe", async () => {
  await withEmail(async ({ sql, smtp, run, user, notify }) => {
    const streamer = await user(), viewer = await user(), unverified = await user({ verified: false });
    await sql`update public.users set display_name = 'Quasar Kid' where id = ${streamer.id}`;
    await notify(viewer.id, "channel_live", streamer.id, { channel_slug: streamer.username, title: "Speedrun <any%> & chill" });
    await notify(unverified.id, "channel_live", streamer.id, { channel_slug: streamer.username, title: "x" });
    assert.deepEqual(await run(), { email: "on", sent: 1, failed: 0 });
    assert.equal(smtp.messages.length, 1);
    const mail = smtp.messages[0];
    assert.deepEqual(mail.envelope, { from: "notifications@streamz.test", to: [viewer.email] });
    assert.equal(mail.user, SMTP_USER);
    assert.equal(mail.from, "notifications@streamz.test");
    assert.deepEqual(mail.to, [viewer.email]);
    assert.equal(mail.subject, "Quasar Kid is live: Speedrun <any%> & chill");
    assert.match(mail.text, new RegExp(`Open the channel: https://streamz\\.test/${streamer.username}`));
    assert.match(mail.html, /Quasar Kid is live: Speedrun &lt;any%&gt; &amp; chill/, "user text is escaped in the HTML part");
    assert.equal(mail.header("List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
    const link = mail.header("List-Unsubscribe")!.match(/^<(https:\/\/project\.supabase\.test\/functions\/v1\/email-unsubscribe\?token=([^>]+))>$/);
    assert.ok(link, `List-Unsubscribe is one https URL in angle brackets: ${mail.header("List-Unsubscribe")}`);
    assert.equal(await verifyUnsubscribeToken(unsubscribeKey(SECRET), decodeURIComponent(link[2])), viewer.id, "the token names the recipient");
    assert.ok(mail.text.includes(link[1]) && mail.html.includes(link[1]), "the body carries the same link");
    assert.equal(mail.header("Auto-Submitted"), "auto-generated");
    assert.ok(Math.abs(mail.date.getTime() - Date.now()) < 60_000);
    assert.deepEqual(await run(), { email: "on", sent: 0, failed: 0 }, "a notification is emailed once");
  });
});

Deno.test("a notification committing after a higher id was emailed is still emailed, once", async () => {
  await withEmail(async ({ sql, smtp, run, user, notify }) => {
    const streamer = await user(), early = await user(), late = await user();
    // The early viewer's notification takes its id first and commits last (a transaction still open
    // while another notification is inserted, committed and emailed).
    const held = await holdOpen(sql, (tx) =>
      tx<{ id: number }[]>`insert into public.notifications (user_id, kind, channel_id)
         values (${early.id}, 'channel_live', (select id from public.channels where owner_id = ${streamer.id})) returning id`);
    try {
      assert.ok(await notify(late.id, "channel_live", streamer.id) > Number(held.result[0].id), "the later one has the higher id");
      assert.deepEqual(await run(), { email: "on", sent: 1, failed: 0 });
    } finally {
      await held.commit();
    }
    assert.deepEqual(await run(), { email: "on", sent: 1, failed: 0 }, "emailed once it commits");
    assert.deepEqual(smtp.messages.map((m) => m.envelope.to), [[late.email], [early.email]]);
    assert.deepEqual(await run(), { email: "on", sent: 0, failed: 0 }, "and not again");
  });
});

Deno.test("two runs at once never take the same notification, and neither waits for the other", async () => {
  await withEmail(async ({ sql, smtp, run, user, notify }) => {
    const streamer = await user(), a = await user(), b = await user();
    const first = [await notify(a.id, "channel_live", streamer.id), await notify(a.id, "subscription", streamer.id)];
    // A run that has claimed a's notifications and is still in its transaction.
    const other = await holdOpen(sql, (tx) =>
      tx<{ id: string }[]>`select notification ->> 'id' as id from private.claim_email_deliveries(${DEFAULT_EMAIL_KINDS}::text[])`);
    try {
      assert.deepEqual(other.result.map((r) => Number(r.id)), first);
      await notify(b.id, "channel_live", streamer.id);
      assert.deepEqual(await run(), { email: "on", sent: 1, failed: 0 }, "only b's, at once");
      assert.deepEqual(smtp.messages.map((m) => m.envelope.to), [[b.email]]);
    } finally {
      await other.commit();
    }
    assert.deepEqual(await run(), { email: "on", sent: 0, failed: 0 }, "a's belong to the other run");
  });
});

Deno.test("email_enabled off, or a kind not chosen for email: nothing is sent", async () => {
  await withEmail(async ({ sql, smtp, run, user, notify }) => {
    const streamer = await user(), off = await user(), on = await user();
    await sql`update public.notification_preferences set email_enabled = false where user_id = ${off.id}`;
    await notify(off.id, "channel_live", streamer.id);
    await notify(on.id, "new_follower", on.id, { username: streamer.username });
    assert.deepEqual(await run(), { email: "on", sent: 0, failed: 0 });
    const withFollowers = { email: { ...settings(smtp.port), kinds: ["new_follower"] } };
    assert.deepEqual(await run(withFollowers), { email: "on", sent: 0, failed: 0 },
      "EMAIL_KINDS may add a kind: the follower notified before this run was not queued for email");
    await notify(on.id, "new_follower", on.id, { username: streamer.username });
    assert.deepEqual(await run(withFollowers), { email: "on", sent: 1, failed: 0 }, "one notified after it is emailed");
    assert.equal(smtp.messages[0].subject, `${streamer.username} now follows ${on.username}`);
  });
});

Deno.test("without SMTP settings email is off: nothing is sent, and old notifications are not queued for later", async () => {
  await withEmail(async ({ smtp, run, user, notify }) => {
    const streamer = await user(), viewer = await user();
    await notify(viewer.id, "channel_live", streamer.id);
    assert.deepEqual(await run({ email: null }), { email: "off", sent: 0, failed: 0 });
    assert.deepEqual(await run(), { email: "on", sent: 0, failed: 0 });
    assert.equal(smtp.messages.length, 0);
  });
});

Deno.test("a wrong SMTP password is refused (535): the run answers 200 with the failures, logged without secrets or addresses", async () => {
  await withEmail(async ({ smtp, run, user, notify }) => {
    const streamer = await user(), a = await user(), b = await user();
    await notify(a.id, "channel_live", streamer.id);
    await notify(b.id, "channel_live", streamer.id);
    const logged: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => logged.push(args.map(String).join(" "));
    try {
      assert.deepEqual(await run({ email: settings(smtp.port, { pass: "wrong password" }), concurrency: 1 }), { email: "on", sent: 0, failed: 2 });
    } finally {
      console.error = original;
    }
    assert.deepEqual(smtp.refusals, [{ code: 535, reason: "authentication failed" }], "one login tried: the rest of the run is not");
    assert.equal(smtp.messages.length, 0);
    assert.deepEqual(logged, ["email-delivery: SMTP connection or login failed (EAUTH 535); 2 emails of this run not sent"]);
    for (const secret of ["wrong password", SMTP_USER, a.email, b.email, SECRET]) assert.ok(!logged.join("\n").includes(secret));
  });
});

Deno.test("a recipient the SMTP server refuses (550) fails that email only; the others are sent, the refusals logged once", async () => {
  await withEmail(async ({ run, user, notify }) => {
    const streamer = await user(), gone = await user(), a = await user(), b = await user();
    for (const u of [gone, a, gone, b]) await notify(u.id, "channel_live", streamer.id);
    const picky = await startFakeSmtp({ user: SMTP_USER, pass: SMTP_PASS, unknownRecipients: [gone.email] });
    const logged: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => logged.push(args.map(String).join(" "));
    try {
      assert.deepEqual(await run({ email: settings(picky.port), concurrency: 1 }), { email: "on", sent: 2, failed: 2 });
    } finally {
      console.error = original;
      await picky.close();
    }
    assert.deepEqual(picky.messages.map((m) => m.envelope.to[0]).sort(), [a.email, b.email].sort());
    assert.deepEqual(picky.refusals.map((r) => r.code), [550, 550]);
    assert.deepEqual(logged, ["email-delivery: the SMTP server refused 2 emails (EENVELOPE 550)"]);
  });
});

Deno.test("an SMTP server that cannot be reached fails the run's emails, not the run", async () => {
  await withEmail(async ({ smtp, run, user, notify }) => {
    const streamer = await user(), a = await user();
    await notify(a.id, "channel_live", streamer.id);
    const closed = await startFakeSmtp({ user: SMTP_USER, pass: SMTP_PASS });
    await closed.close();
    const original = console.error;
    console.error = () => {};
    try {
      assert.deepEqual(await run({ email: settings(closed.port) }), { email: "on", sent: 0, failed: 1 });
    } finally {
      console.error = original;
    }
    assert.equal(smtp.messages.length, 0);
  });
});

Deno.test("starttls never sends in clear to a server without STARTTLS, and verifies the server's certificate", async () => {
  await withEmail(async ({ smtp, run, user, notify }) => {
    const streamer = await user(), a = await user(), b = await user();
    const original = console.error;
    const logged: string[] = [];
    console.error = (...args: unknown[]) => logged.push(args.map(String).join(" "));
    try {
      await notify(a.id, "channel_live", streamer.id);
      assert.deepEqual(await run({ email: settings(smtp.port, { tls: "starttls" }) }), { email: "on", sent: 0, failed: 1 });
      // The fake's STARTTLS certificate is self-signed: a real client must not trust it.
      const tls = await startFakeSmtp({ user: SMTP_USER, pass: SMTP_PASS, starttls: true });
      try {
        await notify(b.id, "channel_live", streamer.id);
        assert.deepEqual(await run({ email: settings(tls.port, { tls: "starttls" }) }), { email: "on", sent: 0, failed: 1 });
        assert.equal(tls.messages.length, 0);
      } finally {
        await tls.close();
      }
    } finally {
      console.error = original;
    }
    assert.equal(smtp.messages.length, 0);
    assert.equal(logged.length, 2);
  });
});

Deno.test("only a service key may run it", async () => {
  const sql = testPool();
  try {
    const handler = createHandler({ sql, serviceKeys: [SERVICE_KEY], email: null });
    assert.equal((await handler(new Request("http://localhost/email-delivery", { method: "POST", headers: { apikey: "nope" } }))).status, 403);
    assert.equal((await handler(new Request("http://localhost/email-delivery", { method: "POST" }))).status, 401);
    assert.equal((await handler(new Request("http://localhost/email-delivery", { headers: { apikey: SERVICE_KEY } }))).status, 405);
  } finally {
    await sql.end();
  }
});

Deno.test("each kind reads as a sentence, with the channel link", () => {
  const base = { email: "a@b.test", channel_slug: "nova", channel_name: "Nova" };
  const n = (kind: string, payload: Record<string, unknown>) => ({ id: 1, user_id: crypto.randomUUID(), kind, channel_id: null, payload });
  const links = { channel: "https://streamz.test/nova", unsubscribe: "https://x.test/u?token=t" };
  const subject = (kind: string, payload: Record<string, unknown>) => render({ ...base, notification: n(kind, payload) }, links).subject;
  assert.equal(subject("channel_live", { title: "Multi\nline   title" }), "Nova is live: Multi line title");
  assert.equal(subject("channel_live", { title: "" }), "Nova is live");
  assert.equal(subject("new_follower", { username: "kim", display_name: "Kim" }), "Kim now follows Nova");
  assert.equal(subject("subscription", { username: "kim", tier: 2, cumulative_months: 3 }), "kim subscribed to Nova");
  assert.match(render({ ...base, notification: n("subscription", { username: "kim", tier: 2, cumulative_months: 3 }) }, links).text,
    /^kim subscribed to Nova at tier 2 \(3 months\)\./);
  assert.equal(subject("gift_subscription", { username: "kim", gifter_username: "lee", tier: 1 }), "lee gifted a subscription to Nova");
  assert.equal(subject("raid_incoming", { raider_display_name: "Orbit", viewer_count: 42 }), "Orbit is raiding Nova");
  const raid = render({ ...base, notification: n("raid_incoming", { raider_display_name: "Orbit", viewer_count: 1 }) }, links);
  assert.match(raid.text, /^Orbit is raiding Nova with 1 viewer\.\r\n\r\nOpen the channel: https:\/\/streamz\.test\/nova\r\n/);
  assert.match(raid.html, /<a href="https:\/\/streamz\.test\/nova">/);
});

Deno.test("settings: off without SMTP_HOST; complete and valid with it, or the function does not boot", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  const full = {
    SMTP_HOST: "smtp.example.test", SMTP_FROM: "Streamz <n@streamz.example>", EMAIL_UNSUBSCRIBE_SECRET: SECRET,
    EMAIL_CHANNEL_URL: "https://streamz.example/{slug}",
  };
  assert.equal(readEmailSettings(env({}), "https://ref.supabase.co"), null);
  const s = readEmailSettings(env(full), "https://ref.supabase.co")!;
  assert.deepEqual(s.smtp, { host: "smtp.example.test", port: 465, tls: "implicit", user: undefined, pass: undefined, timeoutMs: 10_000 });
  assert.equal(s.unsubscribeUrl, "https://ref.supabase.co/functions/v1/email-unsubscribe");
  assert.deepEqual(s.kinds, DEFAULT_EMAIL_KINDS);
  const smtpOf = (vars: Record<string, string>) => readEmailSettings(env({ ...full, ...vars }), "https://ref.supabase.co")!.smtp;
  assert.deepEqual([smtpOf({ SMTP_PORT: "2525" }).tls, smtpOf({ SMTP_PORT: "465" }).tls], ["starttls", "implicit"], "another port: STARTTLS");
  assert.deepEqual([smtpOf({ SMTP_TLS: "starttls" }).port, smtpOf({ SMTP_TLS: "none" }).port], [587, 587]);
  const refused = (vars: Record<string, string>, message: RegExp) =>
    assert.throws(() => readEmailSettings(env(vars), "https://ref.supabase.co"), (e) => e instanceof ConfigError && message.test(e.message));
  refused({ SMTP_HOST: "smtp.example.test" }, /SMTP_FROM, EMAIL_UNSUBSCRIBE_SECRET, EMAIL_CHANNEL_URL/);
  refused({ ...full, SMTP_TLS: "ssl" }, /SMTP_TLS must be one of implicit, starttls, none/);
  refused({ ...full, SMTP_PORT: "70000" }, /SMTP_PORT must be an integer between 1 and 65535/);
  refused({ ...full, SMTP_USER: "only-user" }, /both SMTP_USER and SMTP_PASS/);
  refused({ ...full, SMTP_FROM: "Streamz" }, /SMTP_FROM must hold an email address/);
  refused({ ...full, EMAIL_CHANNEL_URL: "https://streamz.example/" }, /must contain \{slug\}/);
  refused({ ...full, EMAIL_CHANNEL_URL: "javascript:alert({slug})" }, /EMAIL_CHANNEL_URL must be an http\(s\) URL/);
  refused({ ...full, EMAIL_KINDS: "channel_live,everything" }, /EMAIL_KINDS must list kinds among/);
  refused({ ...full, EMAIL_UNSUBSCRIBE_SECRET: "short" }, /at least 32 characters/);
  try {
    readEmailSettings(env({ ...full, EMAIL_UNSUBSCRIBE_SECRET: "short-secret-value" }), "https://ref.supabase.co");
  } catch (e) {
    assert.ok(!(e as Error).message.includes("short-secret-value"), "a ConfigError never echoes a value");
  }
});

Deno.test("an SMTP error is described by its kind and reply code only", () => {
  assert.equal(describeSmtpError(Object.assign(new Error("Invalid login: 535 user x@y failed"), { code: "EAUTH", responseCode: 535 })), "EAUTH 535");
  assert.equal(describeSmtpError(new Error("boom")), "error");
});
