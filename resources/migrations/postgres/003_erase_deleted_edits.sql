-- A message's edit events name the message, so deleting it can rewrite them:
-- after a deletion no stored event holds any of its texts.
ALTER TABLE events ADD COLUMN message_id uuid;
UPDATE events SET message_id = CAST(CAST(payload AS json) ->> 'id' AS uuid) WHERE type = 'message_edited';
CREATE INDEX events_message_idx ON events (message_id) WHERE message_id IS NOT NULL;
-- Messages deleted before this migration: their edits become tombstones too.
UPDATE events e SET type = 'message_deleted', payload = CAST(json_build_object('id', m.id, 'chat_id', m.chat_id, 'seq', m.seq, 'chat_seq', m.chat_seq) AS text) FROM messages m WHERE e.type = 'message_edited' AND m.id = e.message_id AND m.deleted_at IS NOT NULL;
