-- Mentions: the ids of the members a message mentions, comma-separated, in
-- the order sent (NULL: none). A column rather than a table: every message
-- query reads it with the row, and the chat list counts a chat's unread
-- mentions among its unread messages, which it walks for the unread count
-- anyway. A deleted message mentions nobody (the service clears it).
ALTER TABLE messages ADD COLUMN mentions text;
