-- Messenger schema v1 (SQLite). Times are microseconds since the Unix epoch (UTC),
-- the same on both backends, so behaviour and JSON are identical.
-- SQLite has no sequences: one counter row stands in for global_seq.
CREATE TABLE counters (name text PRIMARY KEY, value integer NOT NULL);
INSERT INTO counters (name, value) VALUES ('global_seq', 0);

CREATE TABLE users (
    id text PRIMARY KEY,
    email text NOT NULL UNIQUE,
    name text NOT NULL,
    name_lower text NOT NULL,
    password_hash text NOT NULL,
    created_at integer NOT NULL
);
CREATE INDEX users_name_lower_idx ON users (name_lower);
CREATE INDEX users_email_prefix_idx ON users (email);

CREATE TABLE chats (
    id text PRIMARY KEY,
    type text NOT NULL CHECK (type IN ('personal', 'group')),
    name text,
    personal_key text UNIQUE,
    created_by text REFERENCES users (id),
    created_at integer NOT NULL,
    last_chat_seq integer NOT NULL DEFAULT 0,
    last_seq integer NOT NULL DEFAULT 0
);

CREATE TABLE chat_members (
    chat_id text NOT NULL REFERENCES chats (id),
    user_id text NOT NULL REFERENCES users (id),
    role text NOT NULL CHECK (role IN ('owner', 'member')),
    joined_at integer NOT NULL,
    last_read_seq integer NOT NULL DEFAULT 0,
    PRIMARY KEY (chat_id, user_id)
);
CREATE INDEX chat_members_user_idx ON chat_members (user_id, chat_id);

CREATE TABLE messages (
    id text PRIMARY KEY,
    seq integer NOT NULL UNIQUE,
    chat_id text NOT NULL REFERENCES chats (id),
    chat_seq integer NOT NULL,
    sender_id text NOT NULL REFERENCES users (id),
    text text NOT NULL,
    created_at integer NOT NULL,
    edited_at integer,
    deleted_at integer,
    client_id text,
    UNIQUE (chat_id, chat_seq),
    UNIQUE (sender_id, client_id)
);
CREATE INDEX messages_chat_seq_idx ON messages (chat_id, seq);

-- The outbox / catch-up log for everything that is not a new message; shares `seq`.
CREATE TABLE events (
    seq integer PRIMARY KEY,
    chat_id text,
    user_id text,
    type text NOT NULL,
    payload text NOT NULL,
    created_at integer NOT NULL
);
CREATE INDEX events_chat_seq_idx ON events (chat_id, seq);
CREATE INDEX events_user_seq_idx ON events (user_id, seq);

CREATE TABLE refresh_tokens (
    token_hash text PRIMARY KEY,
    user_id text NOT NULL REFERENCES users (id),
    family_id text NOT NULL,
    created_at integer NOT NULL,
    expires_at integer NOT NULL,
    rotated_at integer,
    revoked_at integer
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);
