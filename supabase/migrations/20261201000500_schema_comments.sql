-- Schema comments: every public table, column and RPC, and the search functions, described where
-- the schema lives. Serves API.md "Tables", "RPCs" and "Search functions" (the same facts, in SQL).
--
-- Each comment says what the value means, its unit and limits, what null means and who writes it.
-- tests/api-docs.test.ts checks that every such object has one, and that each single-column CHECK
-- bound and per-parent row limit appears in its comment. Comments earlier migrations wrote stay, but
-- four lacked a bound their constraint sets and are rewritten (users.display_name, channel_links.url,
-- chatroom_lockdowns.followers_only_minutes and .min_account_age_minutes).

-- users -------------------------------------------------------------------------------------------
comment on table public.users is
  'Public profiles, one per Ory identity. Anyone reads; a user updates their own display_name, avatar_url and bio; the service role creates and deletes them (ory-hooks, session).';
comment on column public.users.id is 'The Ory identity id (never the all-zero uuid).';
comment on column public.users.username is 'Unique, case-insensitive; 3–25 characters of [A-Za-z0-9_]. Set from the Ory identity by the service role; the owner''s channel slug follows it.';
comment on column public.users.display_name is 'How the user is shown: 1–25 characters when set or changed (names saved before that rule keep up to 50), NFC; no control, format, invisible or bidirectional characters; never another user''s username in the matching form. Null shows the username.';
comment on column public.users.avatar_url is 'Avatar image: an https URL without whitespace, at most 2048 characters; null = none.';
comment on column public.users.bio is 'Profile text, at most 300 characters; null = none.';
comment on column public.users.created_at is 'When the account was created; chat''s min_account_age_minutes counts from it.';

-- notification_preferences ------------------------------------------------------------------------
comment on table public.notification_preferences is
  'Each user''s notification switches, one row per user (created with the user by the service role). The user reads and updates their own; nobody else sees them.';
comment on column public.notification_preferences.user_id is 'The user these preferences belong to.';
comment on column public.notification_preferences.email_enabled is 'Whether the user accepts notifications by email (default true). In-app notifications do not depend on it.';
comment on column public.notification_preferences.push_enabled is 'Whether the user accepts push notifications (default true). In-app notifications do not depend on it.';
comment on column public.notification_preferences.on_followed_live is 'Whether a followed channel going live notifies the user (channel_live; default true). follows.notifications must be on too.';
comment on column public.notification_preferences.on_new_follower is 'Whether a new follower of the user''s channel notifies them (new_follower; default true).';
comment on column public.notification_preferences.on_subscription is 'Whether a new or gifted subscription to the user''s channel notifies them (subscription, gift_subscription; default true).';

-- categories --------------------------------------------------------------------------------------
comment on table public.categories is
  'Games from IGDB, written by the service role (igdb-webhook). Anyone reads those not deleted.';
comment on column public.categories.id is 'The category''s id.';
comment on column public.categories.igdb_id is 'The IGDB game id; unique.';
comment on column public.categories.name is 'The game''s name, 1–255 characters.';
comment on column public.categories.slug is 'Unique URL name: lowercase words of [a-z0-9] joined by single hyphens.';
comment on column public.categories.summary is 'IGDB''s summary of the game; null = none.';
comment on column public.categories.cover_url is 'Cover image, an https URL (IGDB''s t_cover_big image); null = none.';
comment on column public.categories.genres is 'IGDB genre names; empty when IGDB lists none.';
comment on column public.categories.first_release_date is 'First release date (UTC day); null = unknown.';
comment on column public.categories.created_at is 'When the category was first written.';
comment on column public.categories.updated_at is 'When igdb-webhook last wrote it.';
comment on column public.categories.deleted_at is 'When IGDB deleted the game; null = listed. Reads by anon and authenticated skip deleted categories; channels and livestreams keep pointing at them.';

-- category_follows --------------------------------------------------------------------------------
comment on table public.category_follows is
  'Categories a user follows. A signed-in user inserts, reads and deletes their own; nobody else sees them.';
comment on column public.category_follows.user_id is 'The follower; defaults to the caller.';
comment on column public.category_follows.category_id is 'The followed category.';
comment on column public.category_follows.created_at is 'When the follow was made.';

-- channels ----------------------------------------------------------------------------------------
comment on table public.channels is
  'One channel per user, created with the user. Anyone reads; the owner updates title, description, category_id, language and is_mature; the database keeps slug, is_live, followers_count and updated_at.';
comment on column public.channels.id is 'The channel''s id.';
comment on column public.channels.owner_id is 'The user who owns the channel; unique (one channel per user).';
comment on column public.channels.slug is 'Unique URL name: the owner''s username (3–25 characters of [A-Za-z0-9_]), changed with it by the database.';
comment on column public.channels.title is 'Stream title, at most 140 characters (default empty). While live, a change is copied to the current livestream.';
comment on column public.channels.description is 'Channel description, at most 1000 characters (default empty).';
comment on column public.channels.category_id is 'The category streamed; null = none (also when the category row is removed). While live, a change is copied to the current livestream.';
comment on column public.channels.language is 'Stream language: 2 lowercase letters (ISO 639-1), default en.';
comment on column public.channels.is_mature is 'Whether the channel is for adults; search leaves mature channels out unless asked (default false).';
comment on column public.channels.is_live is 'True exactly while the channel has a livestream with ended_at null; kept by the database.';
comment on column public.channels.followers_count is 'Number of follows rows for the channel (≥ 0), kept exact by the database in the same transaction as each follow and unfollow.';
comment on column public.channels.created_at is 'When the channel was created.';
comment on column public.channels.updated_at is 'Last change to what viewers see (slug, title, description, category, language, is_mature, is_live); follower counts do not change it.';

-- channel_panels ----------------------------------------------------------------------------------
comment on table public.channel_panels is
  'Information panels under a channel. Anyone reads; the owner inserts, updates and deletes; at most 20 per channel. A panel needs a title, a body or an image.';
comment on column public.channel_panels.id is 'The panel''s id.';
comment on column public.channel_panels.channel_id is 'The channel; defaults to the caller''s own channel.';
comment on column public.channel_panels.position is 'Display order, 0–999 (then created_at).';
comment on column public.channel_panels.title is 'Panel title, at most 60 characters (default empty).';
comment on column public.channel_panels.body is 'Panel text, at most 1000 characters (default empty).';
comment on column public.channel_panels.image_url is 'Panel image: an https URL without whitespace, at most 2048 characters; null = none.';
comment on column public.channel_panels.link_url is 'Where the panel links to: an https URL without whitespace, at most 2048 characters; null = none.';
comment on column public.channel_panels.created_at is 'When the panel was added.';
comment on column public.channel_panels.updated_at is 'When the panel was last changed.';

-- channel_links -----------------------------------------------------------------------------------
comment on table public.channel_links is
  'Links from a channel to its other platforms. Anyone reads; the owner inserts, updates and deletes; at most 10 per channel, each url once per channel.';
comment on column public.channel_links.id is 'The link''s id.';
comment on column public.channel_links.channel_id is 'The channel; defaults to the caller''s own channel.';
comment on column public.channel_links.platform is 'x, instagram, youtube, tiktok, discord, facebook or website; decides which hosts url may use.';
comment on column public.channel_links.url is 'The link: https, without user info, port or whitespace, at most 2048 characters, unique per channel. For every platform but website, its host is one of the platform''s (x.com, twitter.com, instagram.com, youtube.com, youtu.be, tiktok.com, discord.gg, discord.com, facebook.com, fb.com) or a subdomain of it.';
comment on column public.channel_links.position is 'Display order, 0–999.';
comment on column public.channel_links.created_at is 'When the link was added.';

-- subscriber_badges -------------------------------------------------------------------------------
comment on table public.subscriber_badges is
  'A channel''s subscriber badge images by tenure. Anyone reads; the owner inserts and deletes (to change an image, delete and insert).';
comment on column public.subscriber_badges.id is 'The badge''s id.';
comment on column public.subscriber_badges.channel_id is 'The channel; defaults to the caller''s own channel.';
comment on column public.subscriber_badges.months is 'Cumulative months of subscription from which this badge shows, ≥ 1; unique per channel. A subscriber shows the badge with the largest months reached.';
comment on column public.subscriber_badges.image_url is 'Badge image: an https URL without whitespace, at most 2048 characters.';
comment on column public.subscriber_badges.created_at is 'When the badge was added.';

-- channel_roles -----------------------------------------------------------------------------------
comment on table public.channel_roles is
  'Roles users hold in a channel. Anyone reads; the channel owner grants (insert) and revokes (delete). Never the owner themselves; moderator and vip exclusive.';
comment on column public.channel_roles.channel_id is 'The channel.';
comment on column public.channel_roles.user_id is 'The user holding the role (never the channel''s owner).';
comment on column public.channel_roles.role is 'moderator (staff: moderates chat), vip (skips slow mode, followers-only, subscribers-only and account requirements) or og (a badge). moderator and vip exclude each other.';
comment on column public.channel_roles.granted_by is 'Who granted it: the caller (the owner), or whom the service role names; null when unknown or that user is gone.';
comment on column public.channel_roles.created_at is 'When the role was granted.';

-- follows -----------------------------------------------------------------------------------------
comment on table public.follows is
  'Users following channels. A signed-in user follows any channel but their own, changes notifications, unfollows and reads their own follows; a channel owner reads their channel''s followers.';
comment on column public.follows.user_id is 'The follower; defaults to the caller.';
comment on column public.follows.channel_id is 'The followed channel.';
comment on column public.follows.notifications is 'Whether the follower is notified when the channel goes live (default true); the only column a follower updates.';
comment on column public.follows.created_at is 'When the follow was made; followers-only chat counts from it.';

-- subscriptions -----------------------------------------------------------------------------------
comment on table public.subscriptions is
  'Paid or gifted subscriptions to a channel, one row per (channel, user), written by the service role. The subscriber and the channel owner read them. A subscriber is a user whose current_period_end is ahead.';
comment on column public.subscriptions.id is 'The subscription''s id.';
comment on column public.subscriptions.channel_id is 'The channel subscribed to.';
comment on column public.subscriptions.user_id is 'The subscriber.';
comment on column public.subscriptions.tier is 'Subscription tier, 1–3 (default 1).';
comment on column public.subscriptions.cumulative_months is 'Months subscribed in total, ≥ 1 (default 1); picks the subscriber badge.';
comment on column public.subscriptions.started_at is 'When the subscription started.';
comment on column public.subscriptions.current_period_end is 'End of the paid period (after started_at); the user counts as a subscriber while it is ahead.';
comment on column public.subscriptions.is_gift is 'Whether another user gifted it (default false); then gifter_id is required.';
comment on column public.subscriptions.gifter_id is 'The user who gifted it; required when is_gift.';

-- livestreams -------------------------------------------------------------------------------------
comment on table public.livestreams is
  'Broadcast sessions, written by the service role (livepeer-webhook). Anyone reads. At most one live row (ended_at null) per channel.';
comment on column public.livestreams.id is 'The livestream''s id.';
comment on column public.livestreams.channel_id is 'The channel that streamed.';
comment on column public.livestreams.livepeer_stream_id is 'The Livepeer stream it was ingested on; null when not from Livepeer.';
comment on column public.livestreams.playback_id is 'Livepeer playback id for the player; null when unknown.';
comment on column public.livestreams.title is 'The channel''s title, at most 140 characters: copied when the stream starts and on each change while live.';
comment on column public.livestreams.category_id is 'The channel''s category: copied when the stream starts and on each change while live; null = none.';
comment on column public.livestreams.started_at is 'When the stream started (for a Livepeer stream, the time of its stream.started event).';
comment on column public.livestreams.ended_at is 'When the stream ended, not before started_at; null = live.';
comment on column public.livestreams.viewer_count is 'Concurrent viewers as the service role last wrote them, ≥ 0 (default 0); search ranks live streams by it.';
comment on column public.livestreams.recording_url is 'Recording playback URL, https, at most 2048 characters, set by Livepeer''s recording.ready; null until then.';
comment on column public.livestreams.recording_mp4_url is 'MP4 recording, an https URL of at most 2048 characters, set by Livepeer''s recording.ready; null until then.';
comment on column public.livestreams.recording_asset_id is 'Livepeer asset id of the recording (at most 128 characters), set by recording.ready; null until then.';

-- chatrooms ---------------------------------------------------------------------------------------
comment on table public.chatrooms is
  'One chatroom per channel, created with it: its chat settings and the pinned message. Anyone reads; the room''s staff (owner, moderators) update the six settings; pins change only through pin_message and unpin_message.';
comment on column public.chatrooms.id is 'The chatroom''s id.';
comment on column public.chatrooms.channel_id is 'The channel the room belongs to; unique.';
comment on column public.chatrooms.slow_mode_seconds is 'Slow mode: seconds a sender waits between messages; 0 = off, else 3–120. Staff and VIPs skip it.';
comment on column public.chatrooms.followers_only_minutes is 'Followers-only: minutes a sender must have followed, 0–129600 (0 = any follower); null = off. Staff and VIPs skip it.';
comment on column public.chatrooms.subscribers_only is 'Subscribers-only: only active subscribers send (default false). Staff and VIPs skip it.';
comment on column public.chatrooms.emotes_only is 'Emotes-only: every whitespace-separated token of a message must be an emote the sender may use (default false). Staff skip it.';
comment on column public.chatrooms.min_account_age_minutes is 'Minimum account age in minutes to send, 0–259200; null = no requirement. Staff and VIPs skip it.';
comment on column public.chatrooms.require_verified_email is 'Whether senders need a verified email (default false). Staff and VIPs skip it.';
comment on column public.chatrooms.pinned_message_id is 'The pinned message; null = none. Set by pin_message; cleared by unpin_message or when the message is deleted.';
comment on column public.chatrooms.pinned_until is 'When the pin ends (30–1800 s after pinning); null with a pinned message = until unpinned. No event is sent at expiry: clients hide a pin whose time has passed.';
comment on column public.chatrooms.created_at is 'When the room was created.';
comment on column public.chatrooms.updated_at is 'Last change to the room (settings or pin).';

-- chatroom_rules ----------------------------------------------------------------------------------
comment on table public.chatroom_rules is
  'A chatroom''s rules as shown to chatters. Anyone reads; the room''s staff insert and delete; at most 20 per room.';
comment on column public.chatroom_rules.id is 'The rule''s id.';
comment on column public.chatroom_rules.chatroom_id is 'The chatroom.';
comment on column public.chatroom_rules.position is 'Display order, ≥ 0 (default 0).';
comment on column public.chatroom_rules.body is 'The rule''s text, 1–500 characters.';
comment on column public.chatroom_rules.created_at is 'When the rule was added.';

-- chatroom_blocked_terms --------------------------------------------------------------------------
comment on table public.chatroom_blocked_terms is
  'Words and phrases send_message refuses in a chatroom (chat_blocked_term; staff are not checked). Only the room''s staff read, insert and delete them; at most 1000 per room.';
comment on column public.chatroom_blocked_terms.id is 'The term''s id.';
comment on column public.chatroom_blocked_terms.chatroom_id is 'The chatroom.';
comment on column public.chatroom_blocked_terms.created_by is 'The staff member who added it (the caller); null when added by the service role or that user is gone.';
comment on column public.chatroom_blocked_terms.created_at is 'When the term was added.';
comment on column public.chatroom_blocked_terms.expires_at is 'When the term stops applying; null = never.';

-- emotes ------------------------------------------------------------------------------------------
comment on table public.emotes is
  'Emotes, global (channel_id null, written by the service role) or a channel''s. Anyone reads; a channel owner inserts and deletes their channel''s; at most 500 per channel.';
comment on column public.emotes.id is 'The emote''s id.';
comment on column public.emotes.channel_id is 'The channel whose emote it is; null = global. In a chatroom, the channel''s emote wins over a global one with the same code.';
comment on column public.emotes.code is 'The word that shows the emote: 2–25 characters of [A-Za-z0-9_], unique per channel (global codes unique among globals).';
comment on column public.emotes.image_url is 'Emote image: an https URL without whitespace, at most 2048 characters.';
comment on column public.emotes.subscribers_only is 'Whether only the channel''s active subscribers (and its owner) may use it (default false); never true for a global emote.';
comment on column public.emotes.created_at is 'When the emote was added.';

-- chat_identities ---------------------------------------------------------------------------------
comment on table public.chat_identities is
  'How a user appears in one chatroom: name color and chosen badges. Anyone reads; a user inserts and updates their own. A message copies the identity at send time (messages.sender).';
comment on column public.chat_identities.chatroom_id is 'The chatroom.';
comment on column public.chat_identities.user_id is 'The user.';
comment on column public.chat_identities.color is 'Name color as #RRGGBB; null = the client''s default.';
comment on column public.chat_identities.updated_at is 'When the identity was last set.';

-- chatroom_bans -----------------------------------------------------------------------------------
comment on table public.chatroom_bans is
  'Bans and timeouts, one row per (chatroom, user): a new ban replaces the previous one. The room''s staff insert, read and delete (never against staff); a user reads their own. ban_user and unban_user are the usual way.';
comment on column public.chatroom_bans.id is 'The ban''s id.';
comment on column public.chatroom_bans.chatroom_id is 'The chatroom.';
comment on column public.chatroom_bans.user_id is 'The banned user.';
comment on column public.chatroom_bans.banned_by is 'The staff member who banned (the caller); null when banned by the service role or that user is gone.';
comment on column public.chatroom_bans.reason is 'Why, at most 500 characters; null = none given.';
comment on column public.chatroom_bans.created_at is 'When the ban was made.';
comment on column public.chatroom_bans.expires_at is 'End of a timeout, 1 second to 14 days (1209600 s) after created_at; null = permanent. A ban applies while expires_at is null or ahead.';

-- messages ----------------------------------------------------------------------------------------
comment on table public.messages is
  'Chat messages, created only by send_message and soft-deleted by delete_message. Anyone reads; a signed-in reader does not get the messages of users they block. Page newest first with a keyset on id.';
comment on column public.messages.id is 'Increasing id: newer messages have larger ids (page with id < the oldest shown).';
comment on column public.messages.chatroom_id is 'The chatroom.';
comment on column public.messages.user_id is 'The sender.';
comment on column public.messages.content is 'The text, 1–500 characters, trimmed and in NFC; null once deleted.';
comment on column public.messages.reply_to_id is 'The message replied to, in the same chatroom; null = not a reply (or the replied message is gone).';
comment on column public.messages.created_at is 'When it was sent.';
comment on column public.messages.deleted_at is 'When it was deleted (delete_message); null = not deleted.';
comment on column public.messages.deleted_by is 'Who deleted it; null when not deleted, deleted by the service role, or that user is gone.';
comment on column public.messages.sender is 'The sender''s identity at send time: {user_id, username, display_name, color, badges: [{type, text, count?, image_url?}]}.';
comment on column public.messages.emotes is 'Emotes used: [{id, code, image_url, positions: [{s, e}]}], s and e 0-based inclusive character offsets into content; [] once deleted.';

-- RPCs --------------------------------------------------------------------------------------------
comment on function public.send_message(uuid, text, bigint) is
  'Sends a message as the caller; returns the new messages row as jsonb (content trimmed, in NFC). Refusals are the codes of API.md''s send table, checked in its order; a chat_blocked_term refusal answers 403 and still commits its moderation-log row.';
comment on function public.delete_message(bigint) is
  'Staff soft-delete a message (content null, deleted_at and deleted_by set; unpinned if pinned). A moderator cannot delete the owner''s or another moderator''s message. Deleting twice changes nothing.';
comment on function public.ban_user(uuid, uuid, text, integer) is
  'Staff ban a user who is not staff from a chatroom, replacing any ban there. duration_seconds 1–1209600 makes a timeout, null a permanent ban; reason at most 500 characters. Returns the chatroom_bans row.';
comment on function public.unban_user(uuid, uuid) is
  'Staff lift a user''s ban in a chatroom; nothing changes and nothing is sent when the user is not banned.';
comment on function public.clear_chat(uuid, uuid) is
  'Staff clear the chat for viewers, of one user (not another staff member) or, with user_id null, of everyone: sends messages.cleared; history stays.';
comment on function public.pin_message(bigint, integer) is
  'Staff pin a message of their room for 30–1800 seconds, or until unpinned when duration_seconds is null. Returns the chatrooms row.';
comment on function public.unpin_message(uuid) is
  'Staff remove a chatroom''s pin.';
comment on function public.chat_identity(uuid, uuid) is
  'How a user appears in a chatroom now: {user_id, username, display_name, color, badges: [{type, text, count?, image_url?}]}. Anyone may call it.';
comment on function public.resolve_report(bigint, text, text) is
  'Staff of the report''s room (the service role: any report) close an open report as dismissed or actioned, with a note of at most 1000 characters. Returns the report without reporter_id.';
comment on function public.resolve_unban_request(bigint, boolean, text) is
  'Staff of the room (or the service role) approve or deny a pending unban request; approving lifts the ban in the same transaction. Returns the unban_requests row.';
comment on function public.set_chat_lockdown(uuid, boolean) is
  'Staff switch lockdown on (save the room''s settings, apply the stricter of each setting and the preset) or off (restore them). Returns the chatroom_lockdowns row.';

-- Search functions (private: the search edge function calls them; no API role may) -----------------
comment on function private.search_channels(text, integer, integer, text, text, boolean, boolean, text[]) is
  'Channels matching query: {found, hits (with highlights), facet_counts?}. Null filters do not filter; include_mature false leaves mature channels out; facets among category and language. A language that is not 2 lowercase letters or a category that is not a slug raises invalid_argument.';
comment on function private.search_livestreams(text, integer, integer, text, text, boolean, boolean, text[]) is
  'Livestreams matching query, as search_channels answers (language and maturity are the channel''s).';
comment on function private.search_categories(text, integer, integer, text[]) is
  'Categories matching query: {found, hits (with highlights), facet_counts?}; no filters, empty facet lists.';
comment on function private.search_channels(text, integer, integer) is
  'The first signature, kept: {found, hits} without highlights, mature channels included, no filters.';
comment on function private.search_livestreams(text, integer, integer) is
  'The first signature, kept: {found, hits} without highlights, mature channels'' streams included, no filters.';
comment on function private.search_categories(text, integer, integer) is
  'The first signature, kept: {found, hits} without highlights.';

-- chatroom_lockdowns: the preset's bounds ------------------------------------------------------------
comment on column public.chatroom_lockdowns.followers_only_minutes is 'Preset: followers-only minutes, 0–129600 (default 10); null = leave the room''s setting as is.';
comment on column public.chatroom_lockdowns.min_account_age_minutes is 'Preset: minimum account age in minutes, 0–259200 (default 1440, one day); null = leave the room''s setting as is.';
