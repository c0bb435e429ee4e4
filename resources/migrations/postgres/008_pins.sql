-- Pinned message: at most one per chat, a message of that chat. Its preview is
-- joined at read time, so it follows edits and renames. Messages are not
-- deleted as rows (deletion leaves a tombstone, and unpins in the same
-- transaction); ON DELETE SET NULL keeps the pin consistent should a row ever go.
ALTER TABLE chats ADD COLUMN pinned_message_id uuid REFERENCES messages (id) ON DELETE SET NULL;
