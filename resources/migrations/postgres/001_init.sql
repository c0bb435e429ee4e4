-- Messenger schema v1 (PostgreSQL). Times are microseconds since the Unix epoch (UTC),
-- the same on both backends, so behaviour and JSON are identical.
CREATE SEQUENCE global_seq;

CREATE TABLE users (
    id uuid PRIMARY KEY,
    email text NOT NULL UNIQUE,
    name text NOT NULL,
    name_lower text NOT NULL,
    password_hash text NOT NULL,
    created_at bigint NOT NULL
);
CREATE INDEX users_name_lower_idx ON users (name_lower text_pattern_ops);
CREATE INDEX users_email_prefix_idx ON users (email text_pattern_ops);

CREATE TABLE chats (
    id uuid PRIMARY KEY,
    type text NOT NULL CHECK (type IN ('personal', 'group')),
    name text,
    personal_key text UNIQUE,
    created_by uuid REFERENCES users (id),
    created_at bigint NOT NULL,
    last_chat_seq bigint NOT NULL DEFAULT 0,
    last_seq bigint NOT NULL DEFAULT 0
);

CREATE TABLE chat_members (
    chat_id uuid NOT NULL REFERENCES chats (id),
    user_id uuid NOT NULL REFERENCES users (id),
    role text NOT NULL CHECK (role IN ('owner', 'member')),
    joined_at bigint NOT NULL,
    last_read_seq bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (chat_id, user_id)
);
CREATE INDEX chat_members_user_idx ON chat_members (user_id, chat_id);

CREATE TABLE messages (
    id uuid PRIMARY KEY,
    seq bigint NOT NULL UNIQUE,
    chat_id uuid NOT NULL REFERENCES chats (id),
    chat_seq bigint NOT NULL,
    sender_id uuid NOT NULL REFERENCES users (id),
    text text NOT NULL,
    created_at bigint NOT NULL,
    edited_at bigint,
    deleted_at bigint,
    client_id uuid,
    UNIQUE (chat_id, chat_seq),
    UNIQUE (sender_id, client_id)
);
CREATE INDEX messages_chat_seq_idx ON messages (chat_id, seq);

-- The outbox / catch-up log for everything that is not a new message; shares `seq`.
CREATE TABLE events (
    seq bigint PRIMARY KEY,
    chat_id uuid,
    user_id uuid,
    type text NOT NULL,
    payload text NOT NULL,
    created_at bigint NOT NULL
);
CREATE INDEX events_chat_seq_idx ON events (chat_id, seq);
CREATE INDEX events_user_seq_idx ON events (user_id, seq);

CREATE TABLE refresh_tokens (
    token_hash text PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id),
    family_id uuid NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    rotated_at bigint,
    revoked_at bigint
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);
