-- Administration (issue 19). A disabled account cannot sign in and has no
-- live session; a deleted one keeps its row (its messages name it as their
-- sender) as "Deleted account", with its email replaced by its id (free for a
-- new registration; the API shows it as ""), no password and no photo.
ALTER TABLE users ADD COLUMN disabled_at bigint;
ALTER TABLE users ADD COLUMN deleted_at bigint;

-- Invitations for REGISTRATION=invite: a registration consumes one use of a
-- code that is not revoked, not expired and not used up, in its transaction.
CREATE TABLE invites (
    code text PRIMARY KEY,
    max_uses integer NOT NULL CHECK (max_uses > 0),
    uses integer NOT NULL DEFAULT 0,
    created_at bigint NOT NULL,
    expires_at bigint,            -- NULL: never
    revoked_at bigint
);
