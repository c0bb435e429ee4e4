-- A message's edit events name the message, so deleting it can rewrite them:
-- after a deletion no stored event holds any of its texts.
ALTER TABLE events ADD COLUMN message_id text;
UPDATE events SET message_id = json_extract(payload, '$.id') WHERE type = 'message_edited';
CREATE INDEX events_message_idx ON events (message_id) WHERE message_id IS NOT NULL;
-- Messages deleted before this migration: their edits become tombstones too.
UPDATE events SET type = 'message_deleted', payload = (SELECT json_object('id', m.id, 'chat_id', m.chat_id, 'seq', m.seq, 'chat_seq', m.chat_seq) FROM messages m WHERE m.id = events.message_id) WHERE type = 'message_edited' AND message_id IN (SELECT id FROM messages WHERE deleted_at IS NOT NULL);
