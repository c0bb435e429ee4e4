#pragma once

#include "FileStore.h"
#include "core/ApiError.h"
#include "shared/Files.h"

#include <functional>

namespace Messenger::Server {

// The limits on what users store (configuration: UPLOAD_MAX_MB and friends).
struct FileSettings
{
    qint64 maxFileBytes = 100LL * 1024 * 1024;
    qint64 quotaBytes = 1024LL * 1024 * 1024; // per user: uploads and files they own
    int uploadsInProgressMax = 10; // per user
    int expirySeconds = 24 * 3600; // to finish an upload, and to attach a finished one
};

namespace FileService {

// POST /uploads: a new upload of `length` bytes named `name` (cleaned of
// paths and control characters). 413 file_too_large past maxFileBytes, 413
// storage_quota_exceeded when the caller's files and uploads would pass the
// quota, 429 too_many_uploads with uploadsInProgressMax unfinished. Checked
// and stored under a lock on the caller, so simultaneous creations cannot
// all pass a check none of them has counted yet. A zero-length upload is
// complete at once (completeUpload follows).
Result<Upload> createUpload(Db &db, const FileSettings &settings, const QString &callerId,
    qint64 length, const QString &name);

// HEAD and GET /uploads/{id}: the caller's upload, unless it expired (404).
Result<Upload> upload(Db &db, const QString &callerId, const QString &uploadId);

// PATCH /uploads/{id}: stores `data` at `offset`, which must be what was
// received so far (409 offset_mismatch); 400 upload_length_exceeded past
// the announced length; 409 upload_complete once all arrived. Simultaneous
// PATCHes of one upload take turns (the row is locked), so no two both write
// at one offset.
Result<Upload> appendToUpload(Db &db, FileStore &store, const QString &callerId,
    const QString &uploadId, qint64 offset, const QByteArray &data);

// Makes an upload that has all its bytes a file: the type sniffed from the
// content; images (JPEG, PNG, GIF) measured, cleaned of metadata (GPS, camera)
// and thumbnailed; the bytes stored once per content (SHA-256). The heavy
// part runs without a lock; safe to call again or concurrently (one wins).
// Answers the upload with its `file` (none while bytes are missing).
Result<Upload> completeUpload(
    Db &db, FileStore &store, const FileSettings &settings, const QString &uploadId);

// DELETE /uploads/{id} (tus termination): removes the caller's upload, or
// their finished file while no message carries it and it is nobody's photo
// (409 file_attached then).
Result<Empty> terminate(Db &db, FileStore &store, const QString &callerId, const QString &uploadId);

// What GET /files/{id} (or its thumbnail) serves.
struct Download
{
    QString contentKey; // in the FileStore
    qint64 size = 0;
    QString mimeType;
    QString name;
    QByteArray sha256; // hex: the ETag
};
// The file (or its thumbnail) as `callerId` may see it: their own, one a
// message of a chat they are a member of carries, a user's profile photo, or
// the photo of a group they are a member of. Everyone else, and files gone or
// expired, get 404 file_not_found (404 thumbnail_not_found for a file without
// one).
Result<Download> download(Db &db, const QString &callerId, const QString &fileId, bool thumbnail);

// A send's `attachment_ids`: the caller's complete files, in that order.
// 404 attachment_not_found for an id that is not one of the caller's files
// (or expired), 409 upload_incomplete for one still uploading. Within the
// send's transaction; the files are locked against the expiry sweep.
Result<QList<Attachment>> attachable(Db &db, const QString &callerId, const QStringList &fileIds);
// Records that the stored message carries the files: they no longer expire.
void attach(Db &db, const QString &messageId, const QList<Attachment> &attachments);
// The message was deleted: files no other message carries expire now (the
// sweep removes them and, with the last reference, their bytes).
void detach(Db &db, const QString &messageId);
// The stored form of a message's attachments (NULL for none) and back.
QVariant storedAttachments(const QList<Attachment> &attachments);
QList<Attachment> attachmentsFromStored(const QString &stored);

// Profile and group photos. Replaces one: with `uploadId`, first makes the
// new photo's file from the caller's complete upload (Images::makeAvatar: a
// 512 px square JPEG and its 128 px thumbnail, stored by content like every
// file, owned by the caller, never expiring); 404 upload_not_found when it is
// not the caller's complete upload, 422 avatar_not_an_image when it is not a
// JPEG, PNG or GIF that decodes. The upload itself is left as it is. Then, in
// one transaction, `swap` gets the new file's id (empty: no photo), checks
// what it must, points the user's or the chat's avatar_file_id at it,
// announces it and answers the former photo's file id (empty: none), which is
// removed with the bytes nothing else uses. An error from `swap` keeps nothing.
using AvatarSwap = std::function<Result<QString>(const QString &newFileId)>;
Result<Empty> replaceAvatar(Db &db, FileStore &store, const QString &callerId,
    const std::optional<QString> &uploadId, const AvatarSwap &swap);

// Removes expired uploads and files (and bytes nothing else uses), and
// completes uploads whose completion was cut short (a restart). Returns how
// many files it removed. Runs in batches; call it periodically.
int sweep(Db &db, FileStore &store, const FileSettings &settings);

} // namespace FileService
} // namespace Messenger::Server
