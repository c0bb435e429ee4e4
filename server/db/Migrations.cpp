#include "Migrations.h"

#include "DbError.h"

#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcDb)

namespace Messenger::Server::Migrations {

namespace {

constexpr qint64 migrationLockKey = 0x6d657373; // "mess"

// Splits a migration file into statements at semicolons that end a line.
QStringList statementsOf(const QString &script)
{
    QStringList statements;
    QString current;
    for (const QString &line : script.split(u'\n')) {
        if (line.trimmed().startsWith(u"--"_s))
            continue;
        current += line + u'\n';
        if (line.trimmed().endsWith(u';')) {
            statements.append(current.trimmed().chopped(1));
            current.clear();
        }
    }
    if (!current.trimmed().isEmpty())
        statements.append(current.trimmed());
    return statements;
}

} // namespace

bool apply(Db &db, QString *error)
{
    const QString folder = db.isPostgres() ? u":/migrations/postgres"_s : u":/migrations/sqlite"_s;
    try {
        if (db.isPostgres())
            db.execDirect(u"SELECT pg_advisory_lock(%1)"_s.arg(migrationLockKey));
        // PostgreSQL answers CREATE TABLE IF NOT EXISTS on an existing table
        // with a NOTICE, which libpq prints on stderr at every start: asked
        // first instead (not with client_min_messages in the connection's
        // options, which PgBouncer refuses).
        bool tracked = false;
        if (db.isPostgres()) {
            Rows rows = db.exec(u"SELECT to_regclass('schema_migrations') IS NOT NULL"_s);
            tracked = rows.next() && rows.value(0).toBool();
        }
        if (!tracked) {
            db.execDirect(u"CREATE TABLE IF NOT EXISTS schema_migrations ("
                          "version integer PRIMARY KEY, applied_at bigint NOT NULL)"_s);
        }
        qint64 current = 0;
        {
            Rows rows = db.exec(u"SELECT COALESCE(MAX(version), 0) FROM schema_migrations"_s);
            if (rows.next())
                current = rows.integer(0);
        }
        const QStringList files = QDir(folder).entryList({ u"*.sql"_s }, QDir::Files, QDir::Name);
        if (files.isEmpty()) {
            *error = u"no migrations found in "_s + folder;
            return false;
        }
        static const QRegularExpression versionPattern(u"^(\\d+)_"_s);
        for (const QString &file : files) {
            const auto match = versionPattern.match(file);
            const qint64 version = match.hasMatch() ? match.captured(1).toLongLong() : 0;
            if (version <= current)
                continue;
            QFile source(folder + u'/' + file);
            if (!source.open(QIODevice::ReadOnly)) {
                *error = u"cannot read migration "_s + file;
                return false;
            }
            Transaction transaction(db);
            for (const QString &statement : statementsOf(QString::fromUtf8(source.readAll())))
                db.execDirect(statement);
            db.exec(u"INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)"_s,
                { version, QDateTime::currentSecsSinceEpoch() });
            transaction.commit();
            qCInfo(lcDb) << "applied migration" << file;
        }
        if (db.isPostgres())
            db.execDirect(u"SELECT pg_advisory_unlock(%1)"_s.arg(migrationLockKey));
    } catch (const DbError &dbError) {
        *error = u"migration failed: "_s + dbError.error().text();
        return false;
    }
    return true;
}

} // namespace Messenger::Server::Migrations
