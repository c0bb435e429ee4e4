-- Per-user chat settings (issue 16): columns of the membership, because they
-- exist exactly as long as it does (leaving a chat drops them, rejoining
-- starts afresh), every chat-list query already reads the caller's row, and
-- the send path updates other members' rows of the chat anyway.
-- muted_until: Unix seconds, NULL = not muted (253402300799 = forever);
-- pin_position: ascending among the user's pinned chats, NULL = not pinned.
ALTER TABLE chat_members ADD COLUMN muted_until integer;
ALTER TABLE chat_members ADD COLUMN pin_position integer;
ALTER TABLE chat_members ADD COLUMN archived integer NOT NULL DEFAULT 0;
ALTER TABLE chat_members ADD COLUMN marked_unread integer NOT NULL DEFAULT 0;
-- A user's pinned chats (at most 5), read on every pin.
CREATE INDEX chat_members_pinned_idx ON chat_members (user_id, pin_position)
    WHERE pin_position IS NOT NULL;
