-- Category removal: an IGDB delete hides the category from listings but keeps the row, so channels
-- and livestreams pointing at it stay valid. Serves API.md table `categories` and `igdb-webhook`.

alter table public.categories add column deleted_at timestamptz;

-- The read policy filters on deleted_at: listings read through this partial index.
create index categories_listed_name_idx on public.categories (name) where deleted_at is null;

-- Listings (anon and authenticated reads) show only categories IGDB still has.
alter policy "anyone can read categories" on public.categories using (deleted_at is null);
