-- Sessions: one per login (device). Access tokens name theirs (`sid`), refresh
-- tokens belong to it (refresh_tokens.family_id = sessions.id), and revoking it
-- ends both. Every refresh-token family that exists becomes a session, so
-- clients signed in before this migration stay signed in.
CREATE TABLE sessions (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id),
    device_name text NOT NULL DEFAULT '',
    client text NOT NULL DEFAULT '',
    address text NOT NULL DEFAULT '',
    created_at bigint NOT NULL,
    last_used_at bigint NOT NULL,
    revoked_at bigint
);
CREATE INDEX sessions_user_idx ON sessions (user_id, last_used_at);

INSERT INTO sessions (id, user_id, created_at, last_used_at, revoked_at)
SELECT family_id, (array_agg(user_id))[1], MIN(created_at), MAX(created_at),
       CASE WHEN COUNT(revoked_at) = COUNT(*) THEN MAX(revoked_at) END
FROM refresh_tokens GROUP BY family_id;
