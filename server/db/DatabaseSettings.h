#pragma once

#include "Db.h"

#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace Messenger::Server {

// Where the data lives: `sqlite:///path/to/file.db` or
// `postgres://user:password@host:port/dbname` (also `postgresql://`).
struct DatabaseSettings
{
    Backend backend = Backend::Sqlite;
    QString sqlitePath;
    QString host;
    int port = 5432;
    QString name;
    QString user;
    QString password;
    int poolSize = 0; // 0: a default for the backend

    static std::optional<DatabaseSettings> fromUrl(const QString &url, QString *error);
    // The URL without the password, for logs.
    QString describe() const;
    int effectivePoolSize() const;
    // A named connection configured for these settings (added on first use,
    // not opened). `role` shows in pg_stat_activity as the application name.
    QSqlDatabase connection(const QString &name, const QString &role) const;
};

} // namespace Messenger::Server
