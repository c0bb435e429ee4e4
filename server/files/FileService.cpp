#include "FileService.h"

#include "ImageProcessing.h"
#include "services/ChatAccess.h"
#include "shared/Limits.h"

#include <QCryptographicHash>
#include <QFileInfo>
#include <QSemaphore>

using namespace Qt::StringLiterals;

namespace Messenger::Server::FileService {

namespace {

// Images up to this size are decoded (for their size, thumbnail and
// cleaning); bigger ones are kept as plain files. Bounds the memory one
// completion takes.
constexpr qint64 imageProcessingMax = 32LL * 1024 * 1024;
// Reads while hashing and copying: what one completion holds at a time.
constexpr qint64 readPiece = 1024 * 1024;

ApiError uploadNotFound()
{
    return ApiError::notFound(u"upload_not_found"_s, u"Upload not found"_s);
}

ApiError fileNotFound()
{
    return ApiError::notFound(u"file_not_found"_s, u"File not found"_s);
}

// Whether the file whose id is `fileIdColumn` is a profile or group photo:
// it stays while it is one.
QString isAvatarSql(QStringView fileIdColumn)
{
    return u"(EXISTS (SELECT 1 FROM users au WHERE au.avatar_file_id = %1) "
           "OR EXISTS (SELECT 1 FROM chats ac WHERE ac.avatar_file_id = %1))"_s.arg(fileIdColumn);
}

// A decoded image may take up to Images::maxPixels x 4 bytes: only a couple
// at once, whatever the number of workers.
QSemaphore &imageDecoders()
{
    static QSemaphore decoders(2);
    return decoders;
}

// A name to store and offer in Content-Disposition: no folders, no control
// characters, not empty, at most Limits::fileNameMax.
QString cleanName(const QString &name)
{
    QString clean = name.section(u'/', -1).section(u'\\', -1);
    clean.removeIf(
        [](QChar c) { return c.category() == QChar::Other_Control || c == QChar(0x7f); });
    clean = clean.trimmed().left(Limits::fileNameMax);
    if (clean.isEmpty() || clean == u"."_s || clean == u".."_s)
        return u"file"_s;
    return clean;
}

// Bytes a store outside the database may drop only once the rows that named
// them are committed away; a store in the database drops them with the rows.
class Removals
{
public:
    Removals(Db &db, FileStore &store)
        : m_db(db)
        , m_store(store)
    { }
    void remove(const QString &key)
    {
        if (key.isEmpty())
            return;
        if (m_store.isTransactional())
            m_store.remove(m_db, key);
        else
            m_later.append(key);
    }
    // After the transaction committed.
    void afterCommit()
    {
        for (const QString &key : std::as_const(m_later))
            m_store.remove(m_db, key);
        m_later.clear();
    }

private:
    Db &m_db;
    FileStore &m_store;
    QStringList m_later;
};

Upload readUpload(const Rows &rows)
{
    // Columns: see uploadColumns.
    Upload upload;
    upload.id = rows.string(0);
    upload.name = rows.string(1);
    upload.length = rows.integer(2);
    upload.offset = rows.integer(3);
    upload.expiresAt = rows.integer(4);
    if (!rows.isNull(5)) {
        Attachment file;
        file.id = upload.id;
        file.name = upload.name;
        file.size = rows.integer(6);
        file.mimeType = rows.string(7);
        if (!rows.isNull(8) && !rows.isNull(9)) {
            file.width = int(rows.integer(8));
            file.height = int(rows.integer(9));
        }
        file.hasThumbnail = !rows.isNull(10);
        upload.file = file;
    }
    return upload;
}

constexpr QStringView uploadColumns
    = u"f.id, f.name, f.length, f.received, f.expires_at, f.blob_id, b.size, f.mime_type, "
      u"f.width, f.height, f.thumbnail_id";
constexpr QStringView uploadFrom = u"files f LEFT JOIN blobs b ON b.id = f.blob_id";

std::optional<Upload> findUpload(Db &db, const QString &uploadId, const QString &ownerId = {})
{
    Rows rows = db.exec(u"SELECT "_s + uploadColumns + u" FROM "_s + uploadFrom
            + u" WHERE f.id = ? AND f.owner_id = ? "
              "AND (f.expires_at IS NULL OR f.expires_at > ?)"_s,
        { uploadId, ownerId, currentTimestamp() });
    if (!rows.next())
        return std::nullopt;
    return readUpload(rows);
}

// The blob for content stored under `key`: the one already holding the same
// bytes (its refs counted up; our copy is then to be removed), or a new one
// made of ours. Atomic on both backends (an upsert on the unique hash).
QString holdBlob(Db &db, const QString &key, const QByteArray &sha256, qint64 size)
{
    Rows rows = db.exec(u"INSERT INTO blobs (id, sha256, size, refs) VALUES (?, ?, ?, 1) "
                        "ON CONFLICT (sha256) DO UPDATE SET refs = blobs.refs + 1 RETURNING id"_s,
        { key, QString::fromLatin1(sha256), size });
    rows.next();
    return rows.string(0);
}

// One reference fewer; the last one gone removes the bytes.
void releaseBlob(Db &db, Removals &removals, const QVariant &blobId)
{
    if (blobId.isNull())
        return;
    qint64 refs = 0;
    {
        Rows rows = db.exec(
            u"UPDATE blobs SET refs = refs - 1 WHERE id = ? RETURNING refs"_s, { blobId });
        if (!rows.next())
            return;
        refs = rows.integer(0);
    }
    if (refs > 0)
        return;
    db.exec(u"DELETE FROM blobs WHERE id = ?"_s, { blobId });
    removals.remove(blobId.toString());
}

// Deletes the file's row and lets go of its bytes. In the caller's transaction.
// `extraCondition` (with its `extraValues`) must hold too.
bool removeFile(Db &db, Removals &removals, const QString &fileId,
    const QString &extraCondition = {}, const QVariantList &extraValues = {})
{
    QString staging;
    QVariant blob;
    QVariant thumbnail;
    {
        // Finished before the next statement: a Rows refers to its statement
        // in the connection's cache, which the next new statement may
        // reallocate (a crash in Rows' destructor, seen under load).
        Rows rows = db.exec(u"DELETE FROM files WHERE id = ? "_s + extraCondition
                + u" RETURNING staging_id, blob_id, thumbnail_id"_s,
            QVariantList { fileId } + extraValues);
        if (!rows.next())
            return false;
        staging = rows.string(0);
        blob = rows.value(1);
        thumbnail = rows.value(2);
    }
    if (blob.isNull())
        removals.remove(staging);
    releaseBlob(db, removals, blob);
    releaseBlob(db, removals, thumbnail);
    return true;
}

// Locks the row on PostgreSQL (SQLite's write transactions are exclusive).
QString forUpdate(Db &db)
{
    return db.isPostgres() ? u" FOR UPDATE"_s : QString();
}

void writeAll(Db &db, FileStore &store, const QString &key, const QByteArray &data)
{
    for (qint64 offset = 0; offset < data.size() || offset == 0; offset += Limits::uploadChunkMax) {
        store.write(db, key, offset, data.mid(offset, Limits::uploadChunkMax));
        if (data.isEmpty())
            break;
    }
}

QByteArray readAll(Db &db, FileStore &store, const QString &key, qint64 size)
{
    QByteArray content;
    content.reserve(size);
    while (content.size() < size) {
        const QByteArray piece = store.read(db, key, content.size(), readPiece);
        if (piece.isEmpty())
            break;
        content += piece;
    }
    return content;
}

} // namespace

Result<Upload> createUpload(Db &db, const FileSettings &settings, const QString &callerId,
    qint64 length, const QString &name)
{
    if (length > settings.maxFileBytes)
        return ApiError { 413, u"file_too_large"_s,
            u"A file may have at most %1 bytes"_s.arg(settings.maxFileBytes), {} };
    const qint64 now = currentTimestamp();
    Transaction transaction(db);
    // One creation per user at a time: the counts below stay true until commit.
    db.exec(u"SELECT id FROM users WHERE id = ?"_s + forUpdate(db), { callerId });
    {
        Rows rows = db.exec(u"SELECT COALESCE(SUM(length), 0), "
                            "COALESCE(SUM(CASE WHEN blob_id IS NULL THEN 1 ELSE 0 END), 0) "
                            "FROM files WHERE owner_id = ? "
                            "AND (expires_at IS NULL OR expires_at > ?)"_s,
            { callerId, now });
        rows.next();
        if (rows.integer(0) + length > settings.quotaBytes)
            return ApiError { 413, u"storage_quota_exceeded"_s,
                u"Your files would take more than %1 bytes; delete some first"_s.arg(
                    settings.quotaBytes),
                {} };
        if (rows.integer(1) >= settings.uploadsInProgressMax)
            return ApiError { 429, u"too_many_uploads"_s,
                u"At most %1 uploads may be in progress at once"_s.arg(
                    settings.uploadsInProgressMax),
                {} };
    }
    Upload upload;
    upload.id = newUuid();
    upload.name = cleanName(name);
    upload.length = length;
    upload.expiresAt = now + qint64(settings.expirySeconds) * 1000000;
    db.exec(u"INSERT INTO files (id, owner_id, name, length, received, staging_id, created_at, "
            "expires_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?)"_s,
        { upload.id, callerId, upload.name, length, newUuid(), now, upload.expiresAt });
    transaction.commit();
    return upload;
}

Result<Upload> upload(Db &db, const QString &callerId, const QString &uploadId)
{
    auto found = findUpload(db, uploadId, callerId);
    if (!found)
        return uploadNotFound();
    return *found;
}

Result<Upload> appendToUpload(Db &db, FileStore &store, const QString &callerId,
    const QString &uploadId, qint64 offset, const QByteArray &data)
{
    Transaction transaction(db);
    QString staging;
    qint64 length = 0;
    qint64 received = 0;
    {
        Rows rows
            = db.exec(u"SELECT staging_id, length, received FROM files "
                      "WHERE id = ? AND owner_id = ? AND (expires_at IS NULL OR expires_at > ?)"_s
                    + forUpdate(db),
                { uploadId, callerId, currentTimestamp() });
        if (!rows.next())
            return uploadNotFound();
        staging = rows.string(0);
        length = rows.integer(1);
        received = rows.integer(2);
    }
    if (received == length)
        return ApiError::conflict(u"upload_complete"_s, u"Every byte of this upload arrived"_s);
    if (offset != received)
        return ApiError { 409, u"offset_mismatch"_s,
            u"Upload-Offset must be %1, the bytes received so far"_s.arg(received), {} };
    if (offset + data.size() > length)
        return ApiError::badRequest(u"upload_length_exceeded"_s,
            u"The upload is %1 bytes; this chunk would end past it"_s.arg(length));
    store.write(db, staging, offset, data);
    db.exec(u"UPDATE files SET received = ? WHERE id = ?"_s, { offset + data.size(), uploadId });
    transaction.commit();
    auto found = findUpload(db, uploadId, callerId);
    if (!found)
        return uploadNotFound();
    return *found;
}

Result<Upload> completeUpload(
    Db &db, FileStore &store, const FileSettings &settings, const QString &uploadId)
{
    QString owner;
    QString name;
    QString staging;
    qint64 length = 0;
    {
        Rows rows = db.exec(u"SELECT owner_id, name, staging_id, length, received, blob_id "
                            "FROM files WHERE id = ?"_s,
            { uploadId });
        if (!rows.next())
            return uploadNotFound();
        owner = rows.string(0);
        name = rows.string(1);
        staging = rows.string(2);
        length = rows.integer(3);
        if (rows.integer(4) < length || !rows.isNull(5))
            return upload(db, owner, uploadId); // bytes missing, or done already
    }

    // The heavy part, with no lock held: what the content is, and the bytes
    // to keep. Its results go under new keys, so a concurrent completion of
    // the same upload cannot disturb it.
    // (An empty upload has no bytes in the store at all.)
    const QByteArray head
        = length > 0 ? store.read(db, staging, 0, Images::sniffBytes) : QByteArray();
    QString mimeType = Images::sniffMimeType(head, name);
    std::optional<Images::ProcessedImage> image;
    if (Images::isSafeImageType(mimeType) && length <= imageProcessingMax) {
        imageDecoders().acquire();
        const QSemaphoreReleaser release(imageDecoders());
        image = Images::process(readAll(db, store, staging, length), mimeType);
    }
    if (Images::isSafeImageType(mimeType) && !image)
        mimeType = u"application/octet-stream"_s; // claims to be an image and is not one

    QString contentKey = staging;
    QByteArray sha256;
    qint64 size = length;
    QString thumbnailKey;
    QByteArray thumbnailSha256;
    if (image) {
        contentKey = newUuid();
        writeAll(db, store, contentKey, image->content);
        sha256 = QCryptographicHash::hash(image->content, QCryptographicHash::Sha256).toHex();
        size = image->content.size();
        if (!image->thumbnail.isEmpty()) {
            thumbnailKey = newUuid();
            writeAll(db, store, thumbnailKey, image->thumbnail);
            thumbnailSha256
                = QCryptographicHash::hash(image->thumbnail, QCryptographicHash::Sha256).toHex();
        }
    } else {
        QCryptographicHash hash(QCryptographicHash::Sha256);
        for (qint64 offset = 0; offset < length;) {
            const QByteArray piece = store.read(db, staging, offset, readPiece);
            if (piece.isEmpty())
                return ApiError::internal(); // the store lost bytes it acknowledged
            hash.addData(piece);
            offset += piece.size();
        }
        sha256 = hash.result().toHex();
    }

    Removals removals(db, store);
    {
        Transaction transaction(db);
        bool stillPending = false;
        {
            Rows rows = db.exec(
                u"SELECT blob_id FROM files WHERE id = ?"_s + forUpdate(db), { uploadId });
            stillPending = rows.next() && rows.isNull(0);
        }
        if (!stillPending) {
            // Removed meanwhile, or completed by someone else: ours is not needed.
            transaction.commit();
            if (contentKey != staging)
                store.remove(db, contentKey);
            if (!thumbnailKey.isEmpty())
                store.remove(db, thumbnailKey);
            return upload(db, owner, uploadId);
        }
        const QString blob = holdBlob(db, contentKey, sha256, size);
        if (blob != contentKey)
            removals.remove(contentKey); // the same bytes are stored already
        if (contentKey != staging)
            removals.remove(staging); // the cleaned copy replaces the upload's bytes
        QVariant thumbnail;
        if (!thumbnailKey.isEmpty()) {
            thumbnail = holdBlob(db, thumbnailKey, thumbnailSha256, image->thumbnail.size());
            if (thumbnail.toString() != thumbnailKey)
                removals.remove(thumbnailKey);
        }
        db.exec(u"UPDATE files SET blob_id = ?, thumbnail_id = ?, thumbnail_mime_type = ?, "
                "mime_type = ?, width = ?, height = ?, expires_at = ? WHERE id = ?"_s,
            { blob, thumbnail, thumbnail.isNull() ? QVariant() : QVariant(image->thumbnailMimeType),
                mimeType, image ? QVariant(image->width) : QVariant(),
                image ? QVariant(image->height) : QVariant(),
                currentTimestamp() + qint64(settings.expirySeconds) * 1000000, uploadId });
        transaction.commit();
    }
    removals.afterCommit();
    return upload(db, owner, uploadId);
}

Result<Empty> terminate(Db &db, FileStore &store, const QString &callerId, const QString &uploadId)
{
    Removals removals(db, store);
    {
        Transaction transaction(db);
        {
            Rows rows = db.exec(u"SELECT EXISTS (SELECT 1 FROM message_attachments "
                                "WHERE file_id = f.id), "_s
                    + isAvatarSql(u"f.id")
                    + u" FROM files f WHERE f.id = ? AND f.owner_id = ? "
                      "AND (f.expires_at IS NULL OR f.expires_at > ?)"_s
                    + forUpdate(db),
                { uploadId, callerId, currentTimestamp() });
            if (!rows.next())
                return uploadNotFound();
            if (rows.value(0).toBool())
                return ApiError::conflict(u"file_attached"_s,
                    u"A message carries this file; delete the message instead"_s);
            if (rows.value(1).toBool())
                return ApiError::conflict(u"file_attached"_s,
                    u"This file is a profile or group photo; remove the photo instead"_s);
        }
        removeFile(db, removals, uploadId);
        transaction.commit();
    }
    removals.afterCommit();
    return Empty {};
}

Result<Download> download(Db &db, const QString &callerId, const QString &fileId, bool thumbnail)
{
    Rows rows = db.exec(u"SELECT f.name, f.mime_type, b.id, b.size, b.sha256, "
                        "t.id, t.size, t.sha256, f.thumbnail_mime_type "
                        "FROM files f JOIN blobs b ON b.id = f.blob_id "
                        "LEFT JOIN blobs t ON t.id = f.thumbnail_id "
                        "WHERE f.id = ? AND (f.expires_at IS NULL OR f.expires_at > ?) "
                        "AND (f.owner_id = ? OR EXISTS ("
                        "  SELECT 1 FROM message_attachments ma "
                        "  JOIN messages m ON m.id = ma.message_id "
                        "  JOIN chat_members cm ON cm.chat_id = m.chat_id AND cm.user_id = ? "
                        "  WHERE ma.file_id = f.id) "
                        // Profile photos are for every signed-in user to see;
                        // a group's photo for its members.
                        "OR EXISTS (SELECT 1 FROM users au WHERE au.avatar_file_id = f.id) "
                        "OR EXISTS (SELECT 1 FROM chats ac "
                        "  JOIN chat_members acm ON acm.chat_id = ac.id AND acm.user_id = ? "
                        "  WHERE ac.avatar_file_id = f.id))"_s,
        { fileId, currentTimestamp(), callerId, callerId, callerId });
    if (!rows.next())
        return fileNotFound();
    Download download;
    download.name = rows.string(0);
    download.mimeType = rows.string(1);
    if (!thumbnail) {
        download.contentKey = rows.string(2);
        download.size = rows.integer(3);
        download.sha256 = rows.value(4).toString().toLatin1();
        return download;
    }
    if (rows.isNull(5))
        return ApiError::notFound(u"thumbnail_not_found"_s, u"This file has no thumbnail"_s);
    download.contentKey = rows.string(5);
    download.size = rows.integer(6);
    download.sha256 = rows.value(7).toString().toLatin1();
    download.mimeType = rows.string(8);
    const QFileInfo named(download.name);
    download.name
        = named.completeBaseName() + (download.mimeType == u"image/png"_s ? u".png"_s : u".jpg"_s);
    return download;
}

Result<QList<Attachment>> attachable(Db &db, const QString &callerId, const QStringList &fileIds)
{
    if (fileIds.isEmpty())
        return QList<Attachment> {};
    QHash<QString, Attachment> found;
    QSet<QString> incomplete;
    {
        // Locked (shared) on PostgreSQL: the expiry sweep cannot remove a
        // file a send is about to carry.
        Rows rows = db.exec(u"SELECT f.id, f.name, b.size, f.mime_type, f.width, f.height, "
                            "f.thumbnail_id, f.blob_id FROM files f "
                            "LEFT JOIN blobs b ON b.id = f.blob_id "
                            "WHERE f.owner_id = ? AND (f.expires_at IS NULL OR f.expires_at > ?) "
                            "AND f.id IN "_s
                + db.idSetSql() + (db.isPostgres() ? u" FOR SHARE OF f"_s : QString()),
            { callerId, currentTimestamp(), ChatAccess::idArray(fileIds) });
        while (rows.next()) {
            if (rows.isNull(7)) {
                incomplete.insert(rows.string(0));
                continue;
            }
            Attachment attachment;
            attachment.id = rows.string(0);
            attachment.name = rows.string(1);
            attachment.size = rows.integer(2);
            attachment.mimeType = rows.string(3);
            if (!rows.isNull(4) && !rows.isNull(5)) {
                attachment.width = int(rows.integer(4));
                attachment.height = int(rows.integer(5));
            }
            attachment.hasThumbnail = !rows.isNull(6);
            found.insert(attachment.id, attachment);
        }
    }
    QList<Attachment> attachments;
    for (const QString &id : fileIds) {
        if (incomplete.contains(id))
            return ApiError::conflict(u"upload_incomplete"_s,
                u"Attachment %1 is still uploading; send it once complete"_s.arg(id));
        const auto it = found.constFind(id);
        if (it == found.constEnd())
            return ApiError::notFound(u"attachment_not_found"_s,
                u"Attachment %1 is not a file you uploaded (or it expired)"_s.arg(id));
        attachments.append(*it);
    }
    return attachments;
}

void attach(Db &db, const QString &messageId, const QList<Attachment> &attachments)
{
    for (qsizetype position = 0; position < attachments.size(); ++position) {
        db.exec(
            u"INSERT INTO message_attachments (message_id, position, file_id) VALUES (?, ?, ?)"_s,
            { messageId, position, attachments[position].id });
        db.exec(u"UPDATE files SET expires_at = NULL WHERE id = ? AND expires_at IS NOT NULL"_s,
            { attachments[position].id });
    }
}

void detach(Db &db, const QString &messageId)
{
    QStringList fileIds;
    {
        Rows rows
            = db.exec(u"DELETE FROM message_attachments WHERE message_id = ? RETURNING file_id"_s,
                { messageId });
        while (rows.next())
            fileIds.append(rows.string(0));
    }
    for (const QString &fileId : std::as_const(fileIds))
        db.exec(u"UPDATE files SET expires_at = ? WHERE id = ? AND NOT EXISTS "
                "(SELECT 1 FROM message_attachments WHERE file_id = files.id) AND NOT "_s
                + isAvatarSql(u"files.id"),
            { currentTimestamp(), fileId });
}

QVariant storedAttachments(const QList<Attachment> &attachments)
{
    if (attachments.isEmpty())
        return QVariant();
    return QString::fromUtf8(Attachment::listToJsonText(attachments));
}

QList<Attachment> attachmentsFromStored(const QString &stored)
{
    return Attachment::listFromJsonText(stored.toUtf8());
}

Result<Empty> replaceAvatar(Db &db, FileStore &store, const QString &callerId,
    const std::optional<QString> &uploadId, const AvatarSwap &swap)
{
    // The new photo's bytes, written under fresh keys before the transaction
    // (decoding and scaling take a while; no lock is held meanwhile).
    struct Written
    {
        QString key;
        QByteArray sha256;
        qint64 size = 0;
    };
    const auto write = [&db, &store](const QByteArray &content) {
        Written written { newUuid(),
            QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex(), content.size() };
        writeAll(db, store, written.key, content);
        return written;
    };
    std::optional<Written> image;
    std::optional<Written> thumbnail;
    int side = 0;
    if (uploadId) {
        QString blobKey;
        qint64 size = 0;
        QString mimeType;
        {
            Rows rows = db.exec(u"SELECT f.blob_id, b.size, f.mime_type "
                                "FROM files f JOIN blobs b ON b.id = f.blob_id "
                                "WHERE f.id = ? AND f.owner_id = ? "
                                "AND (f.expires_at IS NULL OR f.expires_at > ?)"_s,
                { *uploadId, callerId, currentTimestamp() });
            if (!rows.next())
                return ApiError::notFound(u"upload_not_found"_s,
                    u"Upload not found: a photo is made from a complete upload of yours"_s);
            blobKey = rows.string(0);
            size = rows.integer(1);
            mimeType = rows.string(2);
        }
        // Completion kept the image types only for content that decoded.
        const ApiError notAnImage { 422, u"avatar_not_an_image"_s,
            u"A photo is made from a JPEG, PNG or GIF image of at most %1 MiB"_s.arg(
                imageProcessingMax / (1024 * 1024)),
            {} };
        if (!Images::isSafeImageType(mimeType) || size > imageProcessingMax)
            return notAnImage;
        std::optional<Images::Avatar> avatar;
        {
            imageDecoders().acquire();
            const QSemaphoreReleaser release(imageDecoders());
            const QByteArray content = readAll(db, store, blobKey, size);
            if (content.size() != size) // expired and swept meanwhile
                return uploadNotFound();
            avatar = Images::makeAvatar(content, mimeType);
        }
        if (!avatar)
            return notAnImage;
        image = write(avatar->image);
        thumbnail = write(avatar->thumbnail);
        side = avatar->side;
    }

    Removals removals(db, store);
    const Result<QString> former = [&]() -> Result<QString> {
        Transaction transaction(db);
        QString fileId;
        if (image) {
            fileId = newUuid();
            const QString blob = holdBlob(db, image->key, image->sha256, image->size);
            if (blob != image->key)
                removals.remove(image->key); // the same bytes are stored already
            const QString thumbnailBlob
                = holdBlob(db, thumbnail->key, thumbnail->sha256, thumbnail->size);
            if (thumbnailBlob != thumbnail->key)
                removals.remove(thumbnail->key);
            db.exec(u"INSERT INTO files (id, owner_id, name, length, received, staging_id, "
                    "blob_id, thumbnail_id, thumbnail_mime_type, mime_type, width, height, "
                    "created_at, expires_at) "
                    "VALUES (?, ?, 'avatar.jpg', ?, ?, ?, ?, ?, 'image/jpeg', 'image/jpeg', "
                    "?, ?, ?, NULL)"_s,
                { fileId, callerId, image->size, image->size, newUuid(), blob, thumbnailBlob, side,
                    side, currentTimestamp() });
        }
        Result<QString> replaced = swap(fileId);
        if (!replaced)
            return replaced; // rolled back
        // The former photo goes, unless a message carries it too (then it
        // expires once no message does).
        if (!replaced.value().isEmpty())
            removeFile(db, removals, replaced.value(),
                u"AND NOT EXISTS (SELECT 1 FROM message_attachments WHERE file_id = files.id)"_s);
        transaction.commit();
        return replaced;
    }();
    if (!former) {
        // Rolled back: the bytes written above belong to nothing.
        for (const std::optional<Written> &written : { image, thumbnail }) {
            if (written)
                store.remove(db, written->key);
        }
        return former.error();
    }
    removals.afterCommit();
    return Empty {};
}

int sweep(Db &db, FileStore &store, const FileSettings &settings)
{
    const qint64 now = currentTimestamp();
    QStringList expired;
    {
        Rows rows = db.exec(u"SELECT id FROM files WHERE expires_at IS NOT NULL "
                            "AND expires_at <= ? ORDER BY expires_at LIMIT 100"_s,
            { now });
        while (rows.next())
            expired.append(rows.string(0));
    }
    int removed = 0;
    for (const QString &fileId : std::as_const(expired)) {
        Removals removals(db, store);
        Transaction transaction(db);
        // Attached since it was listed (a send took it): it stays.
        if (removeFile(db, removals, fileId,
                u"AND expires_at IS NOT NULL AND expires_at <= ? AND NOT EXISTS "
                "(SELECT 1 FROM message_attachments WHERE file_id = files.id)"_s
                    + u" AND NOT "_s + isAvatarSql(u"files.id"),
                { now })) {
            ++removed;
        }
        transaction.commit();
        removals.afterCommit();
    }
    // Uploads that have every byte but were never completed (the server
    // stopped in between).
    QStringList stalled;
    {
        Rows rows = db.exec(u"SELECT id FROM files WHERE blob_id IS NULL AND received = length "
                            "AND created_at < ? LIMIT 10"_s,
            { now - 60LL * 1000000 });
        while (rows.next())
            stalled.append(rows.string(0));
    }
    for (const QString &uploadId : std::as_const(stalled))
        completeUpload(db, store, settings, uploadId);
    return removed;
}

} // namespace Messenger::Server::FileService
