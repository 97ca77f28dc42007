-- Channel links that go where they say: https, no user info or port, and a host that belongs to the
-- link's platform (youtube → youtube.com, youtu.be). Serves API.md `channel_links.url`.

-- The hosts each platform's links may use (a link may also use a subdomain, e.g. www. or m.).
-- `website` takes any host.
create table private.link_platform_hosts (
  platform text not null,
  host text not null,
  primary key (platform, host)
);

alter table private.link_platform_hosts enable row level security;

insert into private.link_platform_hosts (platform, host) values
  ('x', 'x.com'), ('x', 'twitter.com'),
  ('instagram', 'instagram.com'),
  ('youtube', 'youtube.com'), ('youtube', 'youtu.be'),
  ('tiktok', 'tiktok.com'),
  ('discord', 'discord.gg'), ('discord', 'discord.com'),
  ('facebook', 'facebook.com'), ('facebook', 'fb.com');

-- Checked when a link is added or changed (links saved before stay until edited). Each refusal is a
-- check violation (23514) naming its rule.
create function private.check_channel_link_host()
returns trigger language plpgsql security definer set search_path = '' as $$
declare
  authority text := substring(new.url from '^https://([^/?#]*)');
  link_host text;
begin
  -- Not https, or an unknown platform: the table's own checks name those refusals.
  if authority is null or not (new.platform = 'website' or exists (
    select 1 from private.link_platform_hosts h where h.platform = new.platform)) then
    return new;
  end if;
  if authority ~ '[@:\\]' then
    raise exception 'A link is https, without user info or a port.'
      using errcode = '23514', constraint = 'channel_links_url_authority', table = 'channel_links', schema = 'public';
  end if;
  link_host := rtrim(lower(authority), '.');
  if new.platform <> 'website' and not exists (
    select 1 from private.link_platform_hosts h
    where h.platform = new.platform and (link_host = h.host or right(link_host, char_length(h.host) + 1) = '.' || h.host)
  ) then
    raise exception 'A % link must point to one of that platform''s hosts.', new.platform
      using errcode = '23514', constraint = 'channel_links_url_platform_host', table = 'channel_links', schema = 'public';
  end if;
  return new;
end
$$;

revoke execute on function private.check_channel_link_host() from public;

create trigger check_channel_link_host before insert or update of platform, url on public.channel_links
  for each row execute function private.check_channel_link_host();

comment on column public.channel_links.url is
  'https URL without user info or port; for every platform but `website`, its host is one of the platform''s (x.com, twitter.com, instagram.com, youtube.com, youtu.be, tiktok.com, discord.gg, discord.com, facebook.com, fb.com) or a subdomain of it.';
