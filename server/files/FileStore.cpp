#include "FileStore.h"

#include "db/DbError.h"

#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QSqlDriver>

#include <libpq-fe.h>

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
        const QString folder = QFileInfo(path).path();
        // People's files: readable by the server's user alone, whatever the umask.
        if (!QFileInfo::exists(folder)) {
            QDir().mkpath(folder);
            QFile::setPermissions(folder, ownerOnly | QFileDevice::ExeOwner);
        }
        QFile file(path);
        const bool created = !file.exists();
        if (!file.open(QIODevice::ReadWrite))
            fail(u"cannot open %1: %2"_s.arg(path, file.errorString()));
        if (created)
            file.setPermissions(ownerOnly);
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
    static constexpr QFileDevice::Permissions ownerOnly
        = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

    QString pathOf(const QString &key) const { return m_folder + u'/' + key.left(2) + u'/' + key; }

    // A failed disk is a server error, as a failed statement is.
    [[noreturn]] static void fail(const QString &what)
    {
        qCWarning(lcFiles).noquote() << what;
        throw DbError(QSqlError(what, {}, QSqlError::UnknownError), Backend::Sqlite);
    }

    QString m_folder;
};

// Bytes go to and from PostgreSQL through libpq with binary parameters and
// results: Qt's driver would send a MiB as a 2 MiB hex literal inside a
// statement string (and as UTF-16 on the way), and read it back as hex.
class DatabaseStore final : public FileStore
{
public:
    void write(Db &db, const QString &key, qint64 offset, const QByteArray &data) override
    {
        db.exec(u"DELETE FROM file_chunks WHERE content_id = ? AND start >= ?"_s, { key, offset });
        if (data.isEmpty())
            return;
        const QByteArray id = key.toLatin1();
        const QByteArray start = QByteArray::number(offset);
        const char *values[] = { id.constData(), start.constData(), data.constData() };
        const int lengths[] = { 0, 0, int(data.size()) };
        const int formats[] = { 0, 0, 1 };
        check(db,
            PQexecParams(db.postgresConnection(),
                "INSERT INTO file_chunks (content_id, start, data) "
                "VALUES ($1::uuid, $2::bigint, $3::bytea)",
                3, nullptr, values, lengths, formats, 0));
    }

    QByteArray read(Db &db, const QString &key, qint64 offset, qint64 maxLength) override
    {
        // The piece that holds `offset` (pieces are contiguous), and of it
        // only what is asked for: the column is stored uncompressed, so
        // PostgreSQL reads just that slice.
        const QByteArray id = key.toLatin1();
        const QByteArray start = QByteArray::number(offset);
        const QByteArray length = QByteArray::number(maxLength);
        const char *values[] = { id.constData(), start.constData(), length.constData() };
        PGresult *result = check(db,
            PQexecParams(db.postgresConnection(),
                "SELECT substring(data FROM ($2::bigint - start + 1)::integer FOR $3::integer) "
                "FROM file_chunks WHERE content_id = $1::uuid AND start <= $2::bigint "
                "ORDER BY start DESC LIMIT 1",
                3, nullptr, values, nullptr, nullptr, 1));
        QByteArray bytes;
        if (PQntuples(result) == 1)
            bytes = QByteArray(PQgetvalue(result, 0, 0), PQgetlength(result, 0, 0));
        PQclear(result);
        return bytes;
    }

    void remove(Db &db, const QString &key) override
    {
        db.exec(u"DELETE FROM file_chunks WHERE content_id = ?"_s, { key });
    }

    bool isTransactional() const override { return true; }

private:
    // The result, or a DbError as Db::exec would throw (a lost connection
    // is told apart, so the request is retried or answered 503).
    static PGresult *check(Db &db, PGresult *result)
    {
        const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
            return result;
        const DbError error = db.postgresError(result, u"file store statement"_s);
        PQclear(result);
        throw error;
    }
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
