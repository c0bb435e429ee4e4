-- Profile and group photos (issue 17). Each points at a file of its own, made
-- from an upload (a 512 px square JPEG with a 128 px thumbnail) that never
-- expires while it is in use; NULL: no photo. The indexes answer "is this
-- file someone's photo?" for downloads and for the expiry sweep.
ALTER TABLE users ADD COLUMN avatar_file_id uuid REFERENCES files (id);
ALTER TABLE chats ADD COLUMN avatar_file_id uuid REFERENCES files (id);
CREATE INDEX users_avatar_idx ON users (avatar_file_id) WHERE avatar_file_id IS NOT NULL;
CREATE INDEX chats_avatar_idx ON chats (avatar_file_id) WHERE avatar_file_id IS NOT NULL;
