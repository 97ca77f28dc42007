// The reference web client (examples/web) in a real browser: Debian's Chromium driven by
// playwright-core, one browser context per user. A chatter's message appears on a moderator's page,
// a refused message shows its reason in words, settings and a ban made on the moderator's page take
// effect on the chatter's, and the search box stops at search's 100 characters. Each step's
// screenshots go to $STREAMZ_BROWSER_OUT.
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "../db.ts";
import { token } from "../realtime-clients.ts";

const webUrl = process.env.STREAMZ_WEB_URL!;
const out = process.env.STREAMZ_BROWSER_OUT ?? mkdtempSync(join(tmpdir(), "streamz-browser-"));
const run = Math.random().toString(36).slice(2, 8);
let browser: Browser;
const contexts: BrowserContext[] = [];
let step = 0;
let slug = "";
let room = "";
let chatter: Page;
let moderator: Page;
const ids: Record<string, string> = {};

async function provision(name: string): Promise<string> {
  const username = `${name}_${run}`;
  const [row] = await sql`select (private.provision_user(gen_random_uuid(), ${username}, ${username + "@example.test"}, true)).id`;
  return row.id as string;
}

/** A page in its own context (its own storage), signed in through the sign-in form. */
async function pageAs(userId: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(webUrl);
  await page.fill("input[name=token]", await token(userId));
  await page.click(".sign-in button");
  await page.waitForSelector(".me");
  await page.goto(`${webUrl}#/c/${slug}`);
  await page.waitForSelector("main[data-realtime][data-ready]");
  expect(await page.getAttribute("main", "data-realtime")).toBe("SUBSCRIBED");
  return page;
}

async function shoot(what: string) {
  step++;
  for (const [who, page] of [["chatter", chatter], ["moderator", moderator]] as const) {
    await page.screenshot({ path: join(out, `${String(step).padStart(2, "0")}-${what}-${who}.png`) });
  }
}

async function say(page: Page, text: string) {
  await page.fill(".chat-input", text);
  await page.click(".send");
}

beforeAll(async () => {
  mkdirSync(out, { recursive: true });
  for (const name of ["streamer", "mod", "chatter"]) ids[name] = await provision(`br_${name}`);
  const [r] = await sql`select r.id, c.slug from public.chatrooms r join public.channels c on c.id = r.channel_id
                        where c.owner_id = ${ids.streamer}`;
  room = r.id;
  slug = r.slug;
  await sql`insert into public.channel_roles (channel_id, user_id, role)
            select channel_id, ${ids.mod}, 'moderator' from public.chatrooms where id = ${room}`;
  await sql`insert into public.chatroom_blocked_terms (chatroom_id, term, created_by) values (${room}, 'spoil*', ${ids.streamer})`;
  // playwright-core starts Chromium with a fresh temporary user-data-dir and removes it on close.
  browser = await chromium.launch({
    executablePath: process.env.STREAMZ_CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync",
    ],
  });
  chatter = await pageAs(ids.chatter);
  moderator = await pageAs(ids.mod);
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await sql.end();
});

describe("the web client in Chromium, a chatter and a moderator", () => {
  it("shows the moderator tools to the moderator only", async () => {
    await shoot("joined");
    expect(await moderator.locator(".mod-panel").count()).toBe(1);
    expect(await chatter.locator(".mod-panel").count()).toBe(0);
  });

  it("a message the chatter sends appears on the moderator's page", async () => {
    await say(chatter, `hello from the chatter ${run}`);
    await moderator.locator(".message", { hasText: `hello from the chatter ${run}` }).waitFor();
    await expect(chatter.locator(".chat-input").inputValue()).resolves.toBe("");
    await shoot("message-delivered");
  });

  it("a refused message shows its reason in words, and nothing reaches the moderator", async () => {
    await say(chatter, "huge SPOILERS ahead");
    await chatter.locator(".notice.error", { hasText: "Your message contains a term this chat does not allow." }).waitFor();
    expect(await moderator.locator(".message", { hasText: "SPOILERS" }).count()).toBe(0);
    await shoot("message-refused");
  });

  it("slow mode set on the moderator's page reaches the chatter, whose next send counts down", async () => {
    await moderator.fill(".mod-panel input[name=slow]", "30");
    await moderator.click(".mod-panel button[type=submit]");
    await moderator.locator(".mod-panel .result.ok", { hasText: "Settings saved." }).waitFor();
    await chatter.locator(".mode", { hasText: "Slow mode 30s" }).waitFor();
    await say(chatter, `second message ${run}`);
    await chatter.locator(".notice.error", { hasText: /Slow mode: wait \d+ s\./ }).waitFor();
    await expect(chatter.locator(".send").textContent()).resolves.toMatch(/^Wait \d+s$/);
    await shoot("slow-mode");
  });

  it("a ban on the moderator's page takes effect on the chatter's page", async () => {
    const line = moderator.locator(".message", { hasText: `hello from the chatter ${run}` });
    await line.hover();
    await line.locator("button.ban").click();
    await chatter.locator(".notice.error", { hasText: "You were banned from this chat." }).waitFor();
    expect(await chatter.locator(".chat-input").isDisabled()).toBe(true);
    await moderator.locator(".system", { hasText: `@br_chatter_${run} was banned.` }).waitFor();
    await shoot("banned");
  });

  it("after a reload the banned chatter's send is refused with the ban in words", async () => {
    await sql`update public.chatrooms set slow_mode_seconds = 0 where id = ${room}`;
    await chatter.reload();
    await chatter.waitForSelector("main[data-realtime][data-ready]");
    await say(chatter, `let me back in ${run}`);
    await chatter.locator(".notice.error", { hasText: "You are banned from this chat permanently." }).waitFor();
    await shoot("ban-refusal");
  });

  it("the search box takes at most 100 characters, the longest q search answers (beyond: 422)", async () => {
    const box = moderator.locator("#search");
    expect(await box.getAttribute("maxlength")).toBe("100");
    await box.pressSequentially("a".repeat(105));
    expect((await box.inputValue()).length).toBe(100);
    await box.fill("");
  });
});
