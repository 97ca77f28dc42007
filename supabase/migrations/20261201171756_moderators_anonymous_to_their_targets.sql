-- Moderators stay anonymous to the users they act on: signed-in users no longer read `chatroom_bans.banned_by`,
-- `reports.resolved_by` or `unban_requests.resolved_by`. Serves API.md `chatroom_bans`, `reports`, `unban_requests`.
--
-- A banned user read which moderator banned them (`select('reason, users!banned_by(username)')` on their own
-- ban), and a reporter or an appellant who answered them. Twitch never tells a user which moderator acted.
-- Column privileges cannot depend on who reads, so no signed-in user reads these columns, staff included;
-- staff have the moderator elsewhere: `actor_id` in the moderators' log (`user.banned` / `user.timed_out`
-- with `details.ban_id`, `report.resolved` with `details.report_id`, `unban_request.resolved` with
-- `details.request_id`), `ban.created` on the mods topic, `chat_user_card` (the active ban's moderator) and
-- the rows `ban_user`, `resolve_report` and `resolve_unban_request` return to the moderator who called them.
-- The service role reads the columns as before. A signed-in `select('*')` on `chatroom_bans` or
-- `unban_requests` is now refused (42501), as on `reports` already: clients name their columns.

-- Revoking the table-wide SELECT also takes it off every column; the others are granted back.
revoke select on public.chatroom_bans from authenticated;
grant select (id, chatroom_id, user_id, reason, created_at, expires_at) on public.chatroom_bans to authenticated;

revoke select on public.unban_requests from authenticated;
grant select (id, chatroom_id, user_id, ban_id, text, status, resolution_text, created_at, resolved_at)
  on public.unban_requests to authenticated;

revoke select (resolved_by) on public.reports from authenticated;

comment on table public.chatroom_bans is
  'Bans and timeouts, one row per (chatroom, user): a new ban replaces the previous one. The room''s staff insert, read and delete (never against staff); a user reads their own. Signed-in readers name their columns: banned_by is the service role''s only. ban_user and unban_user are the usual way.';
comment on column public.chatroom_bans.banned_by is
  'The staff member who banned (the caller); null when banned by the service role or that user is gone. Readable by the service role only, so a banned user never learns who banned them; staff find the moderator in moderation_actions (user.banned, user.timed_out: actor_id, details.ban_id) and chat_user_card.';
comment on column public.reports.resolved_by is
  'Who resolved it (null for the service). Readable by the service role only, so a reporter never learns who answered; staff find the moderator in moderation_actions (report.resolved: actor_id, details.report_id).';
comment on table public.unban_requests is
  'Appeals of a chat ban: only the user under an active ban in that room creates one; one pending per ban, none within 7 days of a denial. The user and the room''s staff read them (naming their columns: resolved_by is the service role''s only); staff resolve them with resolve_unban_request.';
comment on column public.unban_requests.resolved_by is
  'Who resolved it (null for the service). Readable by the service role only, so the user never learns who answered; staff find the moderator in moderation_actions (unban_request.resolved: actor_id, details.request_id).';
