-- Presence. A user is online while some instance holds an unexpired row for
-- them here: an instance inserts the row at the user's first socket, renews
-- the expiry of all its rows every heartbeat, and deletes the row once the
-- user's last socket has been gone for the grace period. The rows of an
-- instance that died expire (presence timeout) and whichever instance sweeps
-- them first announces the change. last_seen_at (unix seconds) is when the
-- user was last online; presence_visible is 'everyone' (who shares a chat)
-- or 'nobody'.
ALTER TABLE users ADD COLUMN last_seen_at integer;
ALTER TABLE users ADD COLUMN presence_visible text NOT NULL DEFAULT 'everyone'
    CHECK (presence_visible IN ('everyone', 'nobody'));

CREATE TABLE presence (
    user_id text NOT NULL REFERENCES users (id),
    instance_id text NOT NULL,
    expires_at integer NOT NULL,
    PRIMARY KEY (user_id, instance_id)
);
CREATE INDEX presence_instance_idx ON presence (instance_id);
CREATE INDEX presence_expires_idx ON presence (expires_at);
