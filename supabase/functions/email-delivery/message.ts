// One notification in words, as an email: a subject, a plain-text body and the same as simple HTML,
// each with a link to the channel and the unsubscribe link. Every name and title comes from users, so
// the HTML escapes them and the subject keeps them on one line.

export interface EmailNotification {
  id: number;
  user_id: string;
  kind: string;
  channel_id: string | null;
  payload: Record<string, unknown> | null;
}

export interface Delivery {
  notification: EmailNotification;
  email: string;
  channel_slug: string | null;
  channel_name: string | null;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** Subject and one sentence per kind; the link is the channel the notification is about. */
export function describe(d: Delivery): { subject: string; sentence: string } {
  const p = d.notification.payload ?? {};
  const str = (key: string) => (typeof p[key] === "string" && p[key] !== "" ? p[key] as string : null);
  const num = (key: string) => (typeof p[key] === "number" ? p[key] as number : null);
  const channel = d.channel_name ?? d.channel_slug ?? str("channel_slug") ?? "A channel you follow";
  switch (d.notification.kind) {
    case "channel_live": {
      const title = str("title");
      const sentence = title ? `${channel} is live: ${title}` : `${channel} is live`;
      return { subject: sentence, sentence };
    }
    case "new_follower": {
      const follower = str("display_name") ?? str("username") ?? "Someone";
      return { subject: `${follower} now follows ${channel}`, sentence: `${follower} now follows your channel ${channel}.` };
    }
    case "subscription": {
      const subscriber = str("username") ?? "Someone";
      const months = num("cumulative_months");
      return {
        subject: `${subscriber} subscribed to ${channel}`,
        sentence: `${subscriber} subscribed to ${channel} at tier ${num("tier") ?? 1}` +
          (months && months > 1 ? ` (${months} months).` : "."),
      };
    }
    case "gift_subscription": {
      const gifter = str("gifter_username") ?? "Someone";
      const subscriber = str("username") ?? "a viewer";
      return {
        subject: `${gifter} gifted a subscription to ${channel}`,
        sentence: `${gifter} gifted ${subscriber} a tier ${num("tier") ?? 1} subscription to ${channel}.`,
      };
    }
    case "raid_incoming": {
      const raider = str("raider_display_name") ?? str("raider_slug") ?? "A channel";
      const viewers = num("viewer_count") ?? 0;
      return {
        subject: `${raider} is raiding ${channel}`,
        sentence: `${raider} is raiding ${channel} with ${viewers} ${viewers === 1 ? "viewer" : "viewers"}.`,
      };
    }
    default:
      return { subject: `New notification on ${channel}`, sentence: `There is something new on ${channel}.` };
  }
}

export function channelLink(template: string, slug: string | null): string | null {
  return slug ? template.replaceAll("{slug}", encodeURIComponent(slug)) : null;
}

const escapeHtml = (s: string) =>
  s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&#39;");

export function render(d: Delivery, links: { channel: string | null; unsubscribe: string }): RenderedEmail {
  const { subject, sentence } = describe(d);
  const footer = "You get this email because email notifications are on in your Streamz settings.";
  const text = [
    sentence,
    ...(links.channel ? ["", `Open the channel: ${links.channel}`] : []),
    "",
    "--",
    footer,
    `Unsubscribe from these emails: ${links.unsubscribe}`,
    "",
  ].join("\r\n");
  const html = `<!doctype html>
<html><body style="font-family: sans-serif; line-height: 1.5">
<p>${escapeHtml(sentence)}</p>
${links.channel ? `<p><a href="${escapeHtml(links.channel)}">Open the channel</a></p>\n` : ""}<hr>
<p style="color: #666; font-size: 12px">${escapeHtml(footer)}
<a href="${escapeHtml(links.unsubscribe)}">Unsubscribe from these emails</a>.</p>
</body></html>
`;
  // A header is one line: user-written titles may hold line breaks or runs of spaces.
  return { subject: subject.replace(/\s+/g, " ").trim().slice(0, 200), text, html };
}
