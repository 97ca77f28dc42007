-- User blocks: a signed-in user blocks another user (a harasser) for themselves only, at most 5,000.
-- Serves API.md `user_blocks` (insert/read/delete own); chat and notifications read it to hide.

create table public.user_blocks (
  blocker_id uuid not null default auth.uid() references public.users (id) on delete cascade,
  blocked_id uuid not null references public.users (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (blocker_id, blocked_id),
  constraint user_blocks_not_self check (blocker_id <> blocked_id)
);

comment on table public.user_blocks is
  'Users a signed-in user has blocked: their messages are hidden from the blocker, they cannot reply to the blocker, and their follows do not notify the blocker. At most 5,000 per user; each user sees only their own.';
comment on column public.user_blocks.blocker_id is 'The user who blocks (defaults to the caller).';
comment on column public.user_blocks.blocked_id is 'The blocked user.';
comment on column public.user_blocks.created_at is 'When the block was made.';

-- The primary key (blocker_id, blocked_id) serves the owner policies and "whom do I block";
-- this one serves "who blocks me" (notifications, reply checks) and the FK.
create index user_blocks_blocked_id_idx on public.user_blocks (blocked_id, blocker_id);

grant select, delete on public.user_blocks to authenticated;
grant insert (blocker_id, blocked_id) on public.user_blocks to authenticated;
grant select, insert, update, delete on public.user_blocks to service_role;

alter table public.user_blocks enable row level security;

create policy "users read their own blocks" on public.user_blocks
  for select to authenticated using (blocker_id = (select auth.uid()));
create policy "users can block for themselves" on public.user_blocks
  for insert to authenticated with check (blocker_id = (select auth.uid()));
create policy "users can remove their own blocks" on public.user_blocks
  for delete to authenticated using (blocker_id = (select auth.uid()));

create trigger enforce_block_limit after insert on public.user_blocks
  for each row execute function private.enforce_row_limit('blocker_id', '5000', 'user_blocks_max_5000_per_user');
