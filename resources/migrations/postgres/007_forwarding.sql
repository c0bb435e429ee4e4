-- Forwarding: a copy of a message is a new message of the caller's with the
-- original author's user id. The author's name is joined at read time (never
-- copied), so it follows renames as sender names do; nothing links the copy to
-- the original's chat, which a reader of the copy may not be in. A forward of
-- a forward keeps the first author. No index: nothing looks messages up by it.
ALTER TABLE messages ADD COLUMN forwarded_from_id uuid REFERENCES users (id);
