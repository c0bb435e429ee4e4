-- The GIN index of message search takes new entries into a pending list
-- (fastupdate) that every search using the index reads through, and that the
-- insert which overflows it merges into the index. At the default limit of
-- 4 MB a search read up to ~500 pending pages (30 ms) and one send paid for
-- the whole merge; 512 kB bounds both to about an eighth.
ALTER INDEX messages_search_idx SET (gin_pending_list_limit = 512);
