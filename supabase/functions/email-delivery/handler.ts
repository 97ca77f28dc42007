// POST /email-delivery (pg_cron via pg_net every 5 seconds, or the local scheduler): claims queued
// notifications (private.claim_email_deliveries over private.email_queue: the kinds EMAIL_KINDS
// names, for users with a verified address and email_enabled) and sends one email per notification
// through the operator's SMTP server with nodemailer, each with a one-click unsubscribe (RFC 8058:
// List-Unsubscribe + List-Unsubscribe-Post). Without SMTP settings email is off: the run empties the
// queue and sends nothing (200, `email: "off"`). At most once: a refused or failed email is counted,
// logged without addresses or secrets, and not tried again. Service key only. Answers {email, sent, failed}.
import nodemailer from "nodemailer";
import type { Sql } from "../_shared/db.ts";
import { json, requireMethod, withErrors } from "../_shared/http.ts";
import { requireServiceKey } from "../_shared/service-keys.ts";
import { signUnsubscribeToken } from "../_shared/unsubscribe-token.ts";
import { channelLink, type Delivery, render } from "./message.ts";
import type { EmailSettings, SmtpSettings } from "./settings.ts";

export interface EmailDeliveryDeps {
  sql: Sql;
  serviceKeys: string[];
  /** null: email is off. */
  email: EmailSettings | null;
  /** Emails per run (default 200). */
  batchSize?: number;
  /** Notifications read per run (default 10,000). */
  scanLimit?: number;
  /** SMTP connections used at once (each sends its emails one after the other). */
  concurrency?: number;
}

/** Errors of the connection or the login, not of one message: the rest of the run would fail alike. */
const CONNECTION_ERRORS = new Set(["EAUTH", "ECONNECTION", "ETIMEDOUT", "ESOCKET", "ETLS", "EDNS", "ENOAUTH"]);

/** nodemailer's transport options for the settings (connection pooled for one run). */
export function transportOptions(smtp: SmtpSettings, concurrency: number) {
  return {
    pool: true,
    maxConnections: concurrency,
    host: smtp.host,
    port: smtp.port,
    secure: smtp.tls === "implicit",
    requireTLS: smtp.tls === "starttls",
    ignoreTLS: smtp.tls === "none",
    auth: smtp.user ? { user: smtp.user, pass: smtp.pass } : undefined,
    connectionTimeout: smtp.timeoutMs,
    greetingTimeout: smtp.timeoutMs,
    socketTimeout: smtp.timeoutMs,
    // nodemailer logs nothing by default; said here because its debug log would print the AUTH exchange.
    logger: false,
    debug: false,
  };
}

/** What may be logged of an SMTP error: its kind and the server's reply code, never its text (which
 * can quote addresses) or anything of the settings. */
export function describeSmtpError(e: unknown): string {
  const { code, responseCode } = (e ?? {}) as { code?: unknown; responseCode?: unknown };
  return `${typeof code === "string" ? code : "error"}${typeof responseCode === "number" ? ` ${responseCode}` : ""}`;
}

export function createHandler(deps: EmailDeliveryDeps) {
  return withErrors("email-delivery", async (req) => {
    requireMethod(req, "POST");
    requireServiceKey(req, deps.serviceKeys, "email-delivery");
    const email = deps.email;
    const rows = await deps.sql<Delivery[]>`
      select * from private.claim_email_deliveries(
        ${email?.kinds ?? []}::text[], ${deps.batchSize ?? 200}, ${email !== null}, ${deps.scanLimit ?? 10_000})`;
    const result = { email: email ? "on" : "off", sent: 0, failed: 0 };
    if (!email || rows.length === 0) return json(result);
    const concurrency = Math.min(deps.concurrency ?? 3, rows.length);
    const transport = nodemailer.createTransport(transportOptions(email.smtp, concurrency));
    let next = 0;
    let broken: string | null = null;
    // Refusals of single emails, logged once per kind at the end (not one line per email).
    const refused = new Map<string, number>();
    const worker = async () => {
      while (broken === null && next < rows.length) {
        const row = rows[next++];
        try {
          await transport.sendMail(await message(row, email));
          result.sent++;
        } catch (e) {
          result.failed++;
          const kind = describeSmtpError(e);
          if (CONNECTION_ERRORS.has(kind.split(" ")[0])) broken ??= kind;
          else refused.set(kind, (refused.get(kind) ?? 0) + 1);
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: concurrency }, worker));
    } finally {
      transport.close();
    }
    for (const [kind, count] of refused) console.error(`email-delivery: the SMTP server refused ${count} emails (${kind})`);
    if (broken !== null) {
      result.failed += rows.length - next;
      console.error(`email-delivery: SMTP connection or login failed (${broken}); ${result.failed} emails of this run not sent`);
    }
    return json(result);
  });
}

async function message(row: Delivery, email: EmailSettings) {
  const token = await signUnsubscribeToken(email.unsubscribeKey, row.notification.user_id);
  const unsubscribe = `${email.unsubscribeUrl}?token=${encodeURIComponent(token)}`;
  const { subject, text, html } = render(row, { channel: channelLink(email.channelUrl, row.channel_slug), unsubscribe });
  return {
    from: email.from,
    to: row.email,
    subject,
    text,
    html,
    headers: {
      // RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs
      // `List-Unsubscribe=One-Click` to this URL (the mailbox provider does it, without a browser).
      "List-Unsubscribe": `<${unsubscribe}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      // RFC 3834: sent by a program; auto-responders do not answer it.
      "Auto-Submitted": "auto-generated",
    },
  };
}
