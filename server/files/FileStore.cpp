#include "FileStore.h"

#include "db/DbError.h"

#include <QDir>
#include <QFile>
#include <QLoggingCategory>

#include <unistd.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcFiles, "messenger.server.files")

namespace Messenger::Server {

namespace {

class DirectoryStore final : public FileStore
{
public:
    explicit DirectoryStore(QString folder)
        : m_folder(std::move(folder))
    { }

    void write(Db &, const QString &key, qint64 offset, const QByteArray &data) override
    {
        const QString path = pathOf(key);
        QDir().mkpath(QFileInfo(path).path());
        QFile file(path);
        if (!file.open(QIODevice::ReadWrite))
            fail(u"cannot open %1: %2"_s.arg(path, file.errorString()));
        if (file.size() != offset && !file.resize(offset))
            fail(u"cannot truncate %1: %2"_s.arg(path, file.errorString()));
        if (!file.seek(offset) || file.write(data) != data.size() || !file.flush())
            fail(u"cannot write %1: %2"_s.arg(path, file.errorString()));
        // Acknowledged bytes survive a power cut, as committed rows do.
        if (::fdatasync(file.handle()) != 0)
            fail(u"cannot sync %1"_s.arg(path));
    }

    QByteArray read(Db &, const QString &key, qint64 offset, qint64 maxLength) override
    {
        QFile file(pathOf(key));
        if (!file.open(QIODevice::ReadOnly))
            fail(u"cannot open %1: %2"_s.arg(file.fileName(), file.errorString()));
        if (!file.seek(offset))
            return {};
        return file.read(maxLength);
    }

    void remove(Db &, const QString &key) override { QFile::remove(pathOf(key)); }

    bool isTransactional() const override { return false; }

private:
    QString pathOf(const QString &key) const { return m_folder + u'/' + key.left(2) + u'/' + key; }

    // A failed disk is a server error, as a failed statement is.
    [[noreturn]] static void fail(const QString &what)
    {
        qCWarning(lcFiles).noquote() << what;
        throw DbError(QSqlError(what, {}, QSqlError::UnknownError), Backend::Sqlite);
    }

    QString m_folder;
};

class DatabaseStore final : public FileStore
{
public:
    void write(Db &db, const QString &key, qint64 offset, const QByteArray &data) override
    {
        db.exec(u"DELETE FROM file_chunks WHERE content_id = ? AND start >= ?"_s, { key, offset });
        if (!data.isEmpty())
            db.exec(u"INSERT INTO file_chunks (content_id, start, data) VALUES (?, ?, ?)"_s,
                { key, offset, data });
    }

    QByteArray read(Db &db, const QString &key, qint64 offset, qint64 maxLength) override
    {
        // The piece that holds `offset` (pieces are contiguous), and of it
        // only what is asked for: the column is stored uncompressed, so
        // PostgreSQL reads just that slice.
        Rows rows
            = db.exec(u"SELECT substring(data FROM CAST(CAST(? AS bigint) - start + 1 AS integer) "
                      "FOR CAST(? AS integer)) "
                      "FROM file_chunks WHERE content_id = ? AND start <= ? "
                      "ORDER BY start DESC LIMIT 1"_s,
                { offset, maxLength, key, offset });
        return rows.next() ? rows.value(0).toByteArray() : QByteArray();
    }

    void remove(Db &db, const QString &key) override
    {
        db.exec(u"DELETE FROM file_chunks WHERE content_id = ?"_s, { key });
    }

    bool isTransactional() const override { return true; }
};

} // namespace

std::unique_ptr<FileStore> makeDirectoryStore(const QString &folder)
{
    return std::make_unique<DirectoryStore>(folder);
}

std::unique_ptr<FileStore> makeDatabaseStore()
{
    return std::make_unique<DatabaseStore>();
}

} // namespace Messenger::Server
