#pragma once

#include "db/Db.h"

#include <QByteArray>
#include <QString>

#include <memory>

namespace Messenger::Server {

// Where the bytes of uploads and files live, by key (a UUID). Called on
// worker threads with that thread's database connection; implementations
// keep no state that needs a lock. The database rows (files, blobs) say which
// keys exist; a store only keeps bytes.
//
// Another store (S3-compatible, say) implements these four calls: write()
// as a multipart-upload part or an object per key and offset, read() as a
// ranged GET, remove() as a DELETE of the key's objects.
class FileStore
{
public:
    virtual ~FileStore() = default;

    // Stores `data` at `offset` of the content `key`, first dropping anything
    // past `offset` (the tail of a write that was never acknowledged). Durable
    // when it returns, or, for a store in the database, when the caller's
    // transaction commits.
    virtual void write(Db &db, const QString &key, qint64 offset, const QByteArray &data) = 0;
    // At most `maxLength` bytes from `offset`: fewer only at the end (or at a
    // boundary where the store keeps pieces), nothing past the end.
    virtual QByteArray read(Db &db, const QString &key, qint64 offset, qint64 maxLength) = 0;
    // Forgets the content `key` (nothing when there is none).
    virtual void remove(Db &db, const QString &key) = 0;
    // Whether write() and remove() are part of the caller's transaction
    // (rolled back with it). A store outside the database removes bytes only
    // after the rows that named them are gone for good.
    virtual bool isTransactional() const = 0;
};

// Files in a folder, two levels deep by the key's first characters; writes
// are fsync'ed before they are acknowledged. For several instances, a shared
// volume.
std::unique_ptr<FileStore> makeDirectoryStore(const QString &folder);
// Rows of `file_chunks` in the PostgreSQL database: one per write, so a read
// of any range costs one indexed lookup per piece.
std::unique_ptr<FileStore> makeDatabaseStore();

} // namespace Messenger::Server
