// A stand-in for the operator's SMTP server (submission, RFC 6409), checking what a real one checks,
// built on the maintained `smtp-server` (the protocol) and `mailparser` (the message) packages, which
// run under Deno and Node alike. An SMTP server is not HTTP, so unlike the other fakes it is not a
// `(Request) => Response` factory: `startFakeSmtp` listens on a loopback port itself.
//
// It checks: EHLO/HELO before anything (smtp-server answers 503 otherwise); AUTH PLAIN or LOGIN with
// the configured user and password before MAIL (530 without, 535 for wrong ones); a well-formed
// MAIL FROM and RCPT TO address (553 otherwise); and a message that is well-formed RFC 5322: lines of
// at most 998 characters, and From, To, Subject, Date (a valid date) and a Message-ID of the form
// <left@right> (550 otherwise, as Gmail refuses a message without a valid Message-ID). `starttls`
// offers STARTTLS with smtp-server's built-in self-signed certificate (then AUTH needs TLS first, 538);
// `unknownRecipients` are answered 550 at RCPT TO.
// Accepted messages are parsed; tests read them from `messages`.
import { Buffer } from "node:buffer";
import { type AddressObject, type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface ReceivedEmail {
  envelope: { from: string; to: string[] };
  /** Header lines as sent (`Name: value`, unfolded), in order. */
  headerLines: string[];
  /** The raw value of a header (first occurrence), by case-insensitive name. */
  header(name: string): string | undefined;
  from: string;
  to: string[];
  subject: string;
  date: Date;
  messageId: string;
  text: string;
  html: string;
  /** The user who authenticated. */
  user: string;
}

export interface FakeSmtp {
  port: number;
  messages: ReceivedEmail[];
  /** Each refusal: its reply code and why. */
  refusals: { code: number; reason: string }[];
  close(): Promise<void>;
}

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;

function refuse(code: number, reason: string, refusals: FakeSmtp["refusals"]): Error {
  refusals.push({ code, reason });
  return Object.assign(new Error(reason), { responseCode: code });
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  return (Array.isArray(value) ? value : value ? [value] : []).flatMap((a) => a.value.map((v) => v.address ?? ""));
}

/** Checks the message as RFC 5322 requires; the reason it is not well-formed, or null. */
function malformed(raw: string, mail: ParsedMail): string | null {
  const head = raw.split(/\r?\n\r?\n/, 1)[0];
  if (raw.split(/\r?\n/).some((line) => line.length > 998)) return "a line is over 998 characters";
  for (const name of ["From", "To", "Subject", "Date", "Message-ID"]) {
    if (!new RegExp(`^${name}:`, "im").test(head)) return `no ${name} header`;
  }
  if (addresses(mail.from).filter((a) => ADDRESS.test(a)).length !== 1) return "From is not one address";
  if (addresses(mail.to).length === 0 || !addresses(mail.to).every((a) => ADDRESS.test(a))) return "To is not a list of addresses";
  if (!mail.date || Number.isNaN(mail.date.getTime())) return "Date is not a date";
  if (!/^<[^<>@\s]+@[^<>@\s]+>$/.test(mail.messageId ?? "")) return "Message-ID is not <left@right>";
  return null;
}

export async function startFakeSmtp(options: {
  user: string;
  pass: string;
  port?: number;
  starttls?: boolean;
  /** Recipients answered 550 (no such mailbox), as a server does for an address it does not know. */
  unknownRecipients?: string[];
}): Promise<FakeSmtp> {
  const messages: ReceivedEmail[] = [];
  const refusals: FakeSmtp["refusals"] = [];
  const server = new SMTPServer({
    logger: false,
    banner: "streamz fake smtp",
    authMethods: ["PLAIN", "LOGIN"],
    hideSTARTTLS: !options.starttls,
    allowInsecureAuth: !options.starttls,
    size: 10 * 1024 * 1024,
    onAuth(auth, _session, callback) {
      if (auth.username === options.user && auth.password === options.pass) return callback(null, { user: auth.username });
      callback(refuse(535, "authentication failed", refusals));
    },
    onMailFrom(address, _session, callback) {
      callback(ADDRESS.test(address.address) ? undefined : refuse(553, "MAIL FROM is not an address", refusals));
    },
    onRcptTo(address, _session, callback) {
      if (!ADDRESS.test(address.address)) return callback(refuse(553, "RCPT TO is not an address", refusals));
      if (options.unknownRecipients?.includes(address.address)) return callback(refuse(550, "no such mailbox", refusals));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", async () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        try {
          const mail = await simpleParser(raw);
          const reason = malformed(raw, mail);
          if (reason) return callback(refuse(550, reason, refusals));
          const headerLines = mail.headerLines.map((h) => h.line.replace(/\r?\n[ \t]+/g, " "));
          messages.push({
            envelope: {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
              to: session.envelope.rcptTo.map((r) => r.address),
            },
            headerLines,
            header: (name) => {
              const line = headerLines.find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
              return line?.slice(name.length + 1).trim();
            },
            from: addresses(mail.from)[0],
            to: addresses(mail.to),
            subject: mail.subject ?? "",
            date: mail.date!,
            messageId: mail.messageId!,
            text: mail.text ?? "",
            html: typeof mail.html === "string" ? mail.html : "",
            user: String(session.user),
          });
          callback();
        } catch {
          callback(refuse(550, "the message does not parse", refusals));
        }
      });
    },
  });
  // A client that drops the connection (or fails a TLS handshake) is not an error of the fake.
  server.on("error", () => {});
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.server.address() as { port: number }).port,
    messages,
    refusals,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
