#pragma once

#include "Db.h"

#include <QList>
#include <QPair>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace Messenger::Server {

// Where the data lives: `sqlite:///path/to/file.db` or
// `postgres://user:password@host:port/dbname?param=value&...` (also
// `postgresql://`). User, password and database name are percent-decoded; the
// query carries libpq connection parameters (sslmode, sslrootcert, ...), the
// ones urlParameterNames() lists, each checked when the URL is read.
struct DatabaseSettings
{
    Backend backend = Backend::Sqlite;
    QString sqlitePath;
    QString host;
    int port = 5432;
    QString name;
    QString user;
    QString password;
    // libpq parameters from the URL's query, in the URL's order, decoded and valid.
    QList<QPair<QString, QString>> parameters;
    int poolSize = 0; // 0: a default for the backend

    static std::optional<DatabaseSettings> fromUrl(const QString &url, QString *error);
    // The libpq parameters a postgres:// URL may carry.
    static QStringList urlParameterNames();
    // The URL without the password, for logs; shows the sslmode in effect.
    QString describe() const;
    // The URL's sslmode, or libpq's default (prefer).
    QString sslMode() const;
    int effectivePoolSize() const;
    // A named connection configured for these settings (added on first use,
    // not opened). `role` shows in pg_stat_activity as the application name
    // unless the URL gives one.
    QSqlDatabase connection(const QString &name, const QString &role) const;

private:
    QString parameter(const QString &name) const;
};

} // namespace Messenger::Server
