-- Files (issue 17). An upload is a row of `files` from its tus creation on;
-- its bytes land under `staging_id` in the file store (a directory, or
-- `file_chunks` below) and, once complete, become a blob: content-addressed
-- by SHA-256, so two uploads of the same bytes and every forward of a message
-- share one copy. `refs` counts the files (and thumbnails) that point at a
-- blob; the last one gone removes its bytes.
CREATE TABLE blobs (
    id uuid PRIMARY KEY,          -- the store's key of the bytes
    sha256 text NOT NULL UNIQUE,
    size bigint NOT NULL,
    refs integer NOT NULL
);

CREATE TABLE files (
    id uuid PRIMARY KEY,
    owner_id uuid NOT NULL REFERENCES users (id),
    name text NOT NULL,
    length bigint NOT NULL,       -- Upload-Length: what the quota counts
    received bigint NOT NULL DEFAULT 0, -- Upload-Offset
    staging_id uuid NOT NULL,
    blob_id uuid REFERENCES blobs (id),      -- set once complete
    thumbnail_id uuid REFERENCES blobs (id),
    thumbnail_mime_type text,
    mime_type text,               -- sniffed from the content once complete
    width integer,                -- an image's, as displayed
    height integer,
    created_at bigint NOT NULL,
    -- When an unfinished or never-attached upload is removed (microseconds);
    -- NULL while a message carries the file.
    expires_at bigint
);
CREATE INDEX files_owner_idx ON files (owner_id);
CREATE INDEX files_expires_idx ON files (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE message_attachments (
    message_id uuid NOT NULL REFERENCES messages (id),
    position integer NOT NULL,
    file_id uuid NOT NULL REFERENCES files (id),
    PRIMARY KEY (message_id, position)
);
CREATE INDEX message_attachments_file_idx ON message_attachments (file_id);

-- What a message carries, as its `attachments` JSON: read with the message,
-- no join on the history and chat-list paths. NULL: none.
ALTER TABLE messages ADD COLUMN attachments text;

-- The PostgreSQL file store (FILE_STORAGE=postgres): bytes as rows of at most
-- one PATCH each, so several instances and pg_dump need nothing else.
CREATE TABLE file_chunks (
    content_id uuid NOT NULL,
    start bigint NOT NULL,
    data bytea NOT NULL,
    PRIMARY KEY (content_id, start)
);
-- Uncompressed (files mostly are compressed already): a read of a slice
-- fetches only that slice of a 1 MiB piece.
ALTER TABLE file_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
