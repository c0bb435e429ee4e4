-- Message search: a tsvector kept by the database itself (a generated column
-- follows every edit, and a deleted message's text is '' so it has no words)
-- with a GIN index. The configuration is 'simple' on purpose: chats mix
-- Russian and English, and stemming ('russian', 'english') needs one language
-- per text and mangles the other language's words; 'simple' keeps every word
-- as it is. Word prefixes match through prefix queries ("deploy:*" finds
-- "deployment"), which is most of what stemming would buy. The text is
-- lower-cased with ICU's root collation first: 'simple' lower-cases with the
-- database's collation, which in a "C" database leaves "Привет" as it is.
ALTER TABLE messages ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', lower(text COLLATE "und-x-icu"))) STORED;
CREATE INDEX messages_search_idx ON messages USING gin (search_vector);
