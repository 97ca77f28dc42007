// Every error code of the contract in words. `Record<ErrorCode, …>` makes the compiler refuse a
// code without words: a code added to supabase/contract/contract.json must be added here too.
import type { ErrorCode, ErrorDetails, StreamzError } from "../../../supabase/functions/_shared/contract.types.ts";

const minutes = (n: number) => (n >= 1440 ? `${Math.round(n / 1440)} days` : n >= 60 ? `${Math.round(n / 60)} hours` : `${n} minutes`);
const until = (at: string | null) => (at ? `until ${new Date(at).toLocaleTimeString()}` : "permanently");

const WORDS: { [C in ErrorCode]: (details: ErrorDetails<C>) => string } = {
  auth_required: () => "Sign in to do that.",
  chatroom_not_found: () => "This chat does not exist any more.",
  message_invalid: (d) =>
    ({
      length: "Messages are 1 to 500 characters.",
      control_characters: "Your message has control characters.",
      bidi_controls: "Your message has text-direction override characters.",
      no_visible_characters: "Your message has nothing visible in it.",
      combining_marks: "Your message stacks too many accents on a letter.",
      reply_not_in_chatroom: "You can only reply to a message in this chat.",
      reply_blocked: "You cannot reply to this user.",
      expanded_length: "Your message uses characters that spell out too long a text.",
    })[d?.reason ?? "length"],
  chat_banned: (d) => `You are banned from this chat ${until(d.expires_at)}.`,
  chat_account_too_new: (d) => `Your account must be ${minutes(d.required_minutes)} old to chat here.`,
  chat_email_unverified: () => "Verify your email address to chat here.",
  chat_followers_only: (d) =>
    d.required_minutes ? `Followers only: follow for ${minutes(d.required_minutes)} to chat.` : "Followers only: follow to chat.",
  chat_subscribers_only: () => "Subscribers only.",
  chat_emotes_only: () => "Emotes only right now.",
  chat_blocked_term: () => "Your message contains a term this chat does not allow.",
  chat_slow_mode: (d) => `Slow mode: wait ${d.retry_after_seconds} s.`,
  chat_duplicate: () => "You just said that.",
  chat_rate_limited: (d) => `You are sending too fast: wait ${d.retry_after_seconds} s.`,
  not_staff: () => "Only the channel's moderators can do that.",
  not_found: () => "That no longer exists.",
  cannot_target_staff: () => "Moderators and the owner cannot be targeted.",
  invalid_argument: (d) => `Check the ${d.argument.replace(/_/g, " ")}.`,
  report_already_open: () => "You already reported this.",
  report_rate_limited: (d) => `Too many reports: try again in ${d.retry_after_seconds} s.`,
  report_closed: () => "This report is already resolved.",
  not_banned: () => "You are not banned here.",
  unban_request_pending: () => "Your unban request is waiting for an answer.",
  unban_request_cooldown: (d) => `You can ask again in ${minutes(Math.ceil(d.retry_after_seconds / 60))}.`,
  unban_request_closed: () => "This request is already answered.",
  channel_not_found: () => "That channel does not exist.",
  raid_source_not_live: () => "You can raid only while your channel is live.",
  raid_target_not_live: () => "That channel is not live.",
  raid_same_channel: () => "A channel cannot raid itself.",
  raids_disabled: () => "That channel does not accept raids.",
  raid_not_followed: () => "That channel accepts raids only from channels it follows.",
  raid_cooldown: (d) => `You can raid again in ${minutes(Math.ceil(d.retry_after_seconds / 60))}.`,
  raid_not_found: () => "There is no raid to cancel.",
  raid_cancel_expired: () => "A raid can be canceled only in its first 90 seconds.",
};

/** A supabase-js error as the contract's typed refusal (PostgREST sends `details` as JSON text). */
export function asStreamzError(error: { code?: string; message: string; details?: unknown }): StreamzError | undefined {
  if (!error.code || !(error.code in WORDS)) return undefined;
  let details = error.details ?? null;
  if (typeof details === "string") {
    try {
      details = JSON.parse(details);
    } catch { /* plain text details */ }
  }
  return { code: error.code, message: error.message, details } as StreamzError;
}

/** Words for any error supabase-js returns: the contract's code in words, else the server's message. */
export function inWords(error: { code?: string; message: string; details?: unknown }): string {
  const refusal = asStreamzError(error);
  if (!refusal) return error.message || "Something went wrong.";
  return (WORDS[refusal.code] as (d: unknown) => string)(refusal.details);
}

/** Seconds to wait before sending again, when the refusal says so. */
export function retryAfter(error: { code?: string; message: string; details?: unknown }): number {
  const refusal = asStreamzError(error);
  return refusal?.code === "chat_slow_mode" || refusal?.code === "chat_rate_limited" ? refusal.details.retry_after_seconds : 0;
}
