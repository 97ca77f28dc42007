// /email-unsubscribe?token=<signed token> (no JWT: the link of every notification email).
// POST with the form body `List-Unsubscribe=One-Click` (RFC 8058, what mailbox providers send for the
// List-Unsubscribe header, and what the confirmation page's button sends) turns the token's user's
// `email_enabled` off: idempotent, 200. GET never unsubscribes (mail scanners follow links): it shows
// a small page with that button, or sends the browser (303) to EMAIL_UNSUBSCRIBE_PAGE_URL when the
// operator hosts the page on the site (hosted Supabase serves a GET's text/html as text/plain).
import type { Sql } from "../_shared/db.ts";
import { HttpError, json, readBody, requireMethod, withErrors } from "../_shared/http.ts";
import { verifyUnsubscribeToken } from "../_shared/unsubscribe-token.ts";

export interface EmailUnsubscribeDeps {
  sql: Sql;
  /** null: EMAIL_UNSUBSCRIBE_SECRET is not set (email is not configured); every request answers 503. */
  unsubscribeKey: Uint8Array | null;
  /** The site's own confirmation page, if it has one: GET redirects there with `?token=`. */
  pageUrl?: string;
}

/** A form this small is all RFC 8058 sends. */
const MAX_FORM_BYTES = 4096;

// The token is in the URL: no referrer leaves the page, nothing is cached, nothing else may load.
const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
};

const page = (body: string) =>
  `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Streamz email notifications</title></head>
<body style="font-family: sans-serif; max-width: 32rem; margin: 3rem auto; line-height: 1.5">
${body}
</body></html>
`;

export function createHandler(deps: EmailUnsubscribeDeps) {
  return withErrors("email-unsubscribe", async (req) => {
    requireMethod(req, "GET", "POST");
    if (!deps.unsubscribeKey) throw new HttpError(503, "email_not_configured", "Email notifications are not set up here.");
    const url = new URL(req.url);
    const token = url.searchParams.get("token");
    if (!token) throw new HttpError(400, "unsubscribe_token_missing", "The link has no token.");
    const userId = await verifyUnsubscribeToken(deps.unsubscribeKey, token);
    if (!userId) throw new HttpError(403, "unsubscribe_token_invalid", "This unsubscribe link is not valid.");

    if (req.method === "GET") {
      if (deps.pageUrl) {
        const target = new URL(deps.pageUrl);
        target.searchParams.set("token", token);
        return new Response(null, { status: 303, headers: { location: target.href, "cache-control": "no-store", "referrer-policy": "no-referrer" } });
      }
      // A relative action keeps the path the platform serves the function at, and the token.
      const action = `?token=${encodeURIComponent(token)}`;
      return new Response(page(`<h1>Stop email notifications?</h1>
<p>You will no longer get Streamz notifications by email. In-app and push notifications stay as they are,
and you can turn email back on in your notification settings.</p>
<form method="post" action="${action.replaceAll("&", "&amp;").replaceAll('"', "&quot;")}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button>
</form>`), { headers: PAGE_HEADERS });
    }

    await requireOneClick(req);
    await deps.sql`select private.unsubscribe_email(${userId}::uuid)`;
    // A browser (the page's button) gets a page; a mailbox provider only reads the status.
    if (req.headers.get("accept")?.includes("text/html")) {
      return new Response(page(`<h1>You are unsubscribed</h1>
<p>You will no longer get Streamz notifications by email.</p>`), { headers: PAGE_HEADERS });
    }
    return json({ unsubscribed: true });
  });
}

/** The RFC 8058 body: `List-Unsubscribe=One-Click`, form-urlencoded or multipart/form-data. */
async function requireOneClick(req: Request) {
  const type = req.headers.get("content-type") ?? "";
  const body = await readBody(req, MAX_FORM_BYTES);
  let value: FormDataEntryValue | null = null;
  if (/^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(type)) {
    try {
      value = (await new Response(body as Uint8Array<ArrayBuffer>, { headers: { "content-type": type } }).formData()).get("List-Unsubscribe");
    } catch { /* not a form: below */ }
  }
  if (value !== "One-Click") {
    throw new HttpError(400, "unsubscribe_body_invalid", "Send the form body List-Unsubscribe=One-Click (RFC 8058).");
  }
}
