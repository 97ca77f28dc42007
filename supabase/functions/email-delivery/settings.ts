// The operator's email settings (secrets), read once at boot. Without SMTP_HOST email is off (not an
// error). With it, the rest must be complete and valid, or the function does not boot (a ConfigError
// naming the setting, never its value).
import { ConfigError, type Env, integerSetting } from "../_shared/config.ts";
import { unsubscribeKey } from "../_shared/unsubscribe-token.ts";

/** How the connection is protected, in nodemailer's terms: `implicit` TLS from the first byte (port
 * 465, nodemailer `secure: true`; the default); `starttls` upgrades a plain connection and refuses to send if the
 * server does not offer STARTTLS (`requireTLS`); `none` never uses TLS (`ignoreTLS`: a relay on the
 * same host or private network only). Certificates are always verified. */
export type SmtpTls = "implicit" | "starttls" | "none";

export interface SmtpSettings {
  host: string;
  port: number;
  tls: SmtpTls;
  /** Both or neither: AUTH is used when given. */
  user?: string;
  pass?: string;
  timeoutMs: number;
}

export interface EmailSettings {
  smtp: SmtpSettings;
  /** The From header, e.g. `Streamz <notifications@streamz.example>`. */
  from: string;
  unsubscribeKey: Uint8Array;
  /** email-unsubscribe's public URL; the token goes in its query. */
  unsubscribeUrl: string;
  /** A channel page, `{slug}` replaced by the channel's slug. */
  channelUrl: string;
  kinds: string[];
}

/** Every kind public.notifications has; EMAIL_KINDS picks from these. */
export const NOTIFICATION_KINDS = ["channel_live", "new_follower", "subscription", "gift_subscription", "raid_incoming"];
/** Emailed unless EMAIL_KINDS says otherwise: a followed channel going live, and (new or gifted)
 * subscriptions to your channel. New followers can come by the thousand and raids are over before an
 * email is read: those stay in the app and Web Push. */
export const DEFAULT_EMAIL_KINDS = ["channel_live", "subscription", "gift_subscription"];

const TLS_MODES: SmtpTls[] = ["implicit", "starttls", "none"];

function httpUrl(name: string, value: string): URL {
  try {
    const url = new URL(value);
    if (url.protocol === "https:" || url.protocol === "http:") return url;
  } catch { /* below */ }
  throw new ConfigError(`${name} must be an http(s) URL.`);
}

/** The settings, or null when SMTP_HOST is not set (email off). `supabaseUrl` is the project URL. */
export function readEmailSettings(env: Env, supabaseUrl: string): EmailSettings | null {
  const host = env("SMTP_HOST")?.trim();
  if (!host) return null;
  const missing = ["SMTP_FROM", "EMAIL_UNSUBSCRIBE_SECRET", "EMAIL_CHANNEL_URL"].filter((n) => !env(n));
  if (missing.length > 0) {
    throw new ConfigError(`SMTP_HOST is set, so these must be too: ${missing.join(", ")} (see docs/notifications.md).`);
  }
  // Implicit TLS on 465 unless told otherwise (RFC 8314 prefers it; hosted Supabase blocks 25 and 587).
  const port465 = !env("SMTP_PORT") || env("SMTP_PORT") === "465";
  const tlsSetting = env("SMTP_TLS") ?? (port465 ? "implicit" : "starttls");
  if (!TLS_MODES.includes(tlsSetting as SmtpTls)) throw new ConfigError(`SMTP_TLS must be one of ${TLS_MODES.join(", ")}.`);
  const tls = tlsSetting as SmtpTls;
  const port = integerSetting("SMTP_PORT", env("SMTP_PORT"), tls === "implicit" ? 465 : 587, { min: 1, max: 65535 });
  const user = env("SMTP_USER"), pass = env("SMTP_PASS");
  if (!user !== !pass) throw new ConfigError("Set both SMTP_USER and SMTP_PASS, or neither.");
  const from = env("SMTP_FROM")!;
  if (!/[^\s@<>]+@[^\s@<>]+/.test(from)) throw new ConfigError("SMTP_FROM must hold an email address.");
  const channelUrl = env("EMAIL_CHANNEL_URL")!;
  httpUrl("EMAIL_CHANNEL_URL", channelUrl.replaceAll("{slug}", "slug"));
  if (!channelUrl.includes("{slug}")) throw new ConfigError("EMAIL_CHANNEL_URL must contain {slug}.");
  const kinds = (env("EMAIL_KINDS") ?? DEFAULT_EMAIL_KINDS.join(",")).split(",").map((k) => k.trim()).filter(Boolean);
  const unknown = kinds.filter((k) => !NOTIFICATION_KINDS.includes(k));
  if (unknown.length > 0 || kinds.length === 0) {
    throw new ConfigError(`EMAIL_KINDS must list kinds among ${NOTIFICATION_KINDS.join(", ")}.`);
  }
  return {
    smtp: { host, port, tls, user, pass, timeoutMs: integerSetting("SMTP_TIMEOUT_MS", env("SMTP_TIMEOUT_MS"), 10_000) },
    from,
    unsubscribeKey: unsubscribeKey(env("EMAIL_UNSUBSCRIBE_SECRET")!),
    unsubscribeUrl: new URL("functions/v1/email-unsubscribe", httpUrl("SUPABASE_URL", supabaseUrl.replace(/\/*$/, "/"))).href,
    channelUrl,
    kinds,
  };
}
