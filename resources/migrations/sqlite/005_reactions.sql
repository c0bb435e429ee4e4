-- Reactions: who reacted to which message with which emoji, one row each
-- (a user may use several emoji on one message, each once). A message lists
-- its emoji in the order each was first used (MIN(created_at)); pages read
-- them for all their messages at once by message_id, the key's first column.
-- A deleted message loses its reactions (the service deletes the rows).
CREATE TABLE message_reactions (
    message_id text NOT NULL REFERENCES messages (id),
    user_id text NOT NULL REFERENCES users (id),
    emoji text NOT NULL,
    created_at integer NOT NULL,
    PRIMARY KEY (message_id, user_id, emoji)
);
