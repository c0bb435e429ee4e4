#include "DatabaseSettings.h"

#include <QThread>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace Messenger::Server {

std::optional<DatabaseSettings> DatabaseSettings::fromUrl(const QString &url, QString *error)
{
    DatabaseSettings settings;
    if (url.startsWith(u"sqlite://"_s)) {
        // sqlite:///absolute/path or sqlite://relative/path
        settings.backend = Backend::Sqlite;
        settings.sqlitePath = url.mid(9);
        if (settings.sqlitePath.isEmpty()) {
            *error = u"DATABASE_URL: sqlite:// needs a file path"_s;
            return std::nullopt;
        }
        return settings;
    }
    const QUrl parsed(url, QUrl::StrictMode);
    if (!parsed.isValid()
        || (parsed.scheme() != u"postgres"_s && parsed.scheme() != u"postgresql"_s)) {
        *error = u"DATABASE_URL must start with sqlite:// or postgres://"_s;
        return std::nullopt;
    }
    settings.backend = Backend::Postgres;
    settings.host = parsed.host().isEmpty() ? u"localhost"_s : parsed.host();
    settings.port = parsed.port(5432);
    settings.name = parsed.path().mid(1);
    settings.user = parsed.userName();
    settings.password = parsed.password();
    if (settings.name.isEmpty()) {
        *error = u"DATABASE_URL: postgres:// needs a database name"_s;
        return std::nullopt;
    }
    return settings;
}

QString DatabaseSettings::describe() const
{
    if (backend == Backend::Sqlite)
        return u"sqlite://"_s + sqlitePath;
    return u"postgres://%1@%2:%3/%4"_s.arg(user, host).arg(port).arg(name);
}

int DatabaseSettings::effectivePoolSize() const
{
    if (poolSize > 0)
        return poolSize;
    // PostgreSQL work is mostly waiting on round-trips, so a few connections per
    // core keep the server busy; SQLite serialises writers, so fewer suffice.
    const int cores = qMax(1, QThread::idealThreadCount());
    return backend == Backend::Postgres ? qBound(4, cores * 4, 16) : qBound(2, cores * 2, 8);
}

} // namespace Messenger::Server

namespace Messenger::Server {

QSqlDatabase DatabaseSettings::connection(const QString &connectionName, const QString &role) const
{
    const bool postgres = backend == Backend::Postgres;
    QSqlDatabase db = QSqlDatabase::contains(connectionName)
        ? QSqlDatabase::database(connectionName, false)
        : QSqlDatabase::addDatabase(postgres ? u"QPSQL"_s : u"QSQLITE"_s, connectionName);
    if (postgres) {
        db.setHostName(host);
        db.setPort(port);
        db.setDatabaseName(name);
        db.setUserName(user);
        db.setPassword(password);
        db.setConnectOptions(u"connect_timeout=5;application_name="_s + role);
    } else {
        db.setDatabaseName(sqlitePath);
        db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=10000"_s);
    }
    return db;
}

} // namespace Messenger::Server
