-- Message search: an FTS5 index over messages.text (external content: the
-- text is stored once, in messages), keyed by seq, which never changes (the
-- table's own rowid could on VACUUM). unicode61 folds case for every script
-- (Cyrillic included) and remove_diacritics 2 lets "e" find "é". Only live
-- messages are indexed: the triggers follow inserts, edits and deletion.
-- (Migrations split at a semicolon that ends a line: a trigger's inner
-- statements end mid-line.)
CREATE VIRTUAL TABLE messages_fts USING fts5(
    text, content = 'messages', content_rowid = 'seq',
    tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO messages_fts (rowid, text) SELECT seq, text FROM messages WHERE deleted_at IS NULL;
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.deleted_at IS NULL BEGIN
    INSERT INTO messages_fts (rowid, text) VALUES (new.seq, new.text); END;
-- An external-content index forgets a row only when told its old text exactly.
CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, deleted_at ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text)
        SELECT 'delete', old.seq, old.text WHERE old.deleted_at IS NULL; INSERT INTO messages_fts (rowid, text)
        SELECT new.seq, new.text WHERE new.deleted_at IS NULL; END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.deleted_at IS NULL BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.seq, old.text); END;
