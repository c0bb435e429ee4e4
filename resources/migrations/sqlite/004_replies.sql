-- Replies: a message may answer another message of its chat. The preview is
-- joined at read time (never copied), so it follows edits and deletion. No
-- index on reply_to_id: nothing looks messages up by it, and messages are
-- never deleted as rows (deletion leaves a tombstone).
ALTER TABLE messages ADD COLUMN reply_to_id text REFERENCES messages (id);
