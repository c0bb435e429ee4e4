-- Files (issue 17). An upload is a row of `files` from its tus creation on;
-- its bytes land under `staging_id` in the file store (a directory, or
-- `file_chunks` below) and, once complete, become a blob: content-addressed
-- by SHA-256, so two uploads of the same bytes and every forward of a message
-- share one copy. `refs` counts the files (and thumbnails) that point at a
-- blob; the last one gone removes its bytes.
CREATE TABLE blobs (
    id text PRIMARY KEY,          -- the store's key of the bytes
    sha256 text NOT NULL UNIQUE,
    size integer NOT NULL,
    refs integer NOT NULL
);

CREATE TABLE files (
    id text PRIMARY KEY,
    owner_id text NOT NULL REFERENCES users (id),
    name text NOT NULL,
    length integer NOT NULL,       -- Upload-Length: what the quota counts
    received integer NOT NULL DEFAULT 0, -- Upload-Offset
    staging_id text NOT NULL,
    blob_id text REFERENCES blobs (id),      -- set once complete
    thumbnail_id text REFERENCES blobs (id),
    thumbnail_mime_type text,
    mime_type text,               -- sniffed from the content once complete
    width integer,                -- an image's, as displayed
    height integer,
    created_at integer NOT NULL,
    -- When an unfinished or never-attached upload is removed (microseconds);
    -- NULL while a message carries the file.
    expires_at integer
);
CREATE INDEX files_owner_idx ON files (owner_id);
CREATE INDEX files_expires_idx ON files (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE message_attachments (
    message_id text NOT NULL REFERENCES messages (id),
    position integer NOT NULL,
    file_id text NOT NULL REFERENCES files (id),
    PRIMARY KEY (message_id, position)
);
CREATE INDEX message_attachments_file_idx ON message_attachments (file_id);

-- What a message carries, as its `attachments` JSON: read with the message,
-- no join on the history and chat-list paths. NULL: none.
ALTER TABLE messages ADD COLUMN attachments text;

-- The database file store (FILE_STORAGE=postgres; unused on SQLite): bytes as rows of at most
-- one PATCH each, so several instances and pg_dump need nothing else.
CREATE TABLE file_chunks (
    content_id text NOT NULL,
    start integer NOT NULL,
    data blob NOT NULL,
    PRIMARY KEY (content_id, start)
);
