-- Read cursors by chat_seq too (issue 18). A member's cursor is the seq of
-- the newest message they have read; last_read_chat_seq is that message's
-- chat_seq (0: none), set with the cursor in the same UPDATE. chat_seq has no
-- gaps, so a chat's unread messages are exactly chat_seq in
-- (last_read_chat_seq, last_chat_seq]: a range closed at both ends on the
-- (chat_id, chat_seq) key, which no statistics can turn into a walk of the
-- seq index or a scan of the table (right after a burst of writes, before
-- ANALYZE, the chat list's unread counts did both). No index: nothing looks
-- members up by it.
ALTER TABLE chat_members ADD COLUMN last_read_chat_seq integer NOT NULL DEFAULT 0;
-- Within a chat, seq and chat_seq grow together: the message at or below a
-- cursor is one step back along the (chat_id, seq) index.
UPDATE chat_members SET last_read_chat_seq = COALESCE((SELECT m.chat_seq FROM messages m
    WHERE m.chat_id = chat_members.chat_id AND m.seq <= chat_members.last_read_seq
    ORDER BY m.seq DESC LIMIT 1), 0)
WHERE last_read_seq > 0;
