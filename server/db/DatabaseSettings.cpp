#include "DatabaseSettings.h"

#include <algorithm>

#include <QThread>
#include <QUrl>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace Messenger::Server {

namespace {

// A libpq connection parameter DATABASE_URL may carry and the values it takes.
struct UrlParameter
{
    enum Kind { Text, Choice, Count };
    QString name;
    Kind kind = Text;
    QStringList choices = {};
};

// Those that choose how to reach and trust the server. Anything else (host,
// user, options, passfile, ...) would override what the URL itself says or
// what the server relies on, and a typo must not pass unnoticed: a misspelt
// sslmode would connect without TLS.
const QList<UrlParameter> &urlParameters()
{
    static const QList<UrlParameter> parameters {
        { u"sslmode"_s, UrlParameter::Choice,
            { u"disable"_s, u"allow"_s, u"prefer"_s, u"require"_s, u"verify-ca"_s,
                u"verify-full"_s } },
        { u"sslrootcert"_s },
        { u"sslcert"_s },
        { u"sslkey"_s },
        { u"sslcrl"_s },
        { u"sslcrldir"_s },
        { u"sslsni"_s, UrlParameter::Choice, { u"0"_s, u"1"_s } },
        { u"ssl_min_protocol_version"_s, UrlParameter::Choice,
            { u"TLSv1"_s, u"TLSv1.1"_s, u"TLSv1.2"_s, u"TLSv1.3"_s } },
        { u"ssl_max_protocol_version"_s, UrlParameter::Choice,
            { u"TLSv1"_s, u"TLSv1.1"_s, u"TLSv1.2"_s, u"TLSv1.3"_s } },
        { u"channel_binding"_s, UrlParameter::Choice, { u"disable"_s, u"prefer"_s, u"require"_s } },
        { u"connect_timeout"_s, UrlParameter::Count, {} },
        { u"application_name"_s },
        { u"target_session_attrs"_s, UrlParameter::Choice,
            { u"any"_s, u"read-write"_s, u"read-only"_s, u"primary"_s, u"standby"_s,
                u"prefer-standby"_s } },
        { u"keepalives"_s, UrlParameter::Choice, { u"0"_s, u"1"_s } },
        { u"keepalives_idle"_s, UrlParameter::Count, {} },
        { u"keepalives_interval"_s, UrlParameter::Count, {} },
        { u"keepalives_count"_s, UrlParameter::Count, {} },
        { u"tcp_user_timeout"_s, UrlParameter::Count, {} },
    };
    return parameters;
}

// Why `value` is not acceptable for `parameter`, or empty.
QString invalidValue(const UrlParameter &parameter, const QString &value)
{
    // QPSQL joins its connect options with ';' (it turns every ';' into a
    // space), so a value cannot hold one.
    if (value.contains(u';'))
        return u"DATABASE_URL: %1 cannot contain ';'"_s.arg(parameter.name);
    switch (parameter.kind) {
    case UrlParameter::Choice:
        if (!parameter.choices.contains(value)) {
            return u"DATABASE_URL: %1 must be one of %2, not '%3'"_s.arg(
                parameter.name, parameter.choices.join(u", "_s), value);
        }
        return {};
    case UrlParameter::Count: {
        bool ok = false;
        const int number = value.toInt(&ok);
        if (!ok || number < 0)
            return u"DATABASE_URL: %1 must be a whole number of 0 or more, not '%2'"_s.arg(
                parameter.name, value);
        return {};
    }
    case UrlParameter::Text:
        if (value.isEmpty())
            return u"DATABASE_URL: %1 needs a value"_s.arg(parameter.name);
        return {};
    }
    return {};
}

// One key='value' of a libpq connection string: quotes and backslashes escaped.
QString libpqOption(const QString &key, QString value)
{
    value.replace(u'\\', u"\\\\"_s).replace(u'\'', u"\\'"_s);
    return key + u"='"_s + value + u'\'';
}

} // namespace

QStringList DatabaseSettings::urlParameterNames()
{
    QStringList names;
    for (const UrlParameter &parameter : urlParameters())
        names.append(parameter.name);
    return names;
}

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
    if (!url.startsWith(u"postgres://"_s) && !url.startsWith(u"postgresql://"_s)) {
        *error = u"DATABASE_URL must start with sqlite:// or postgres://"_s;
        return std::nullopt;
    }
    // QUrl's own error text quotes the URL, password included: not shown.
    const QUrl parsed(url, QUrl::StrictMode);
    if (!parsed.isValid() || parsed.hasFragment()) {
        *error = u"DATABASE_URL is not a valid URL; percent-encode the characters @ : / ? # % "
                 "[ ] and spaces in the user name, password and database name (@ as %40, "
                 ": as %3A, / as %2F, ? as %3F, # as %23, % as %25)"_s;
        return std::nullopt;
    }
    settings.backend = Backend::Postgres;
    settings.host = parsed.host().isEmpty() ? u"localhost"_s : parsed.host();
    settings.port = parsed.port(5432);
    settings.name = parsed.path(QUrl::FullyDecoded).mid(1);
    settings.user = parsed.userName(QUrl::FullyDecoded);
    settings.password = parsed.password(QUrl::FullyDecoded);
    if (settings.name.isEmpty()) {
        *error = u"DATABASE_URL: postgres:// needs a database name"_s;
        return std::nullopt;
    }
    const auto items = QUrlQuery(parsed).queryItems(QUrl::FullyDecoded);
    for (const auto &[key, value] : items) {
        const auto known = std::find_if(urlParameters().cbegin(), urlParameters().cend(),
            [&key](const UrlParameter &parameter) { return parameter.name == key; });
        if (known == urlParameters().cend()) {
            *error = u"DATABASE_URL: unknown parameter '%1'; accepted: %2"_s.arg(
                key, urlParameterNames().join(u", "_s));
            return std::nullopt;
        }
        if (!settings.parameter(key).isNull()) {
            *error = u"DATABASE_URL: %1 is given twice"_s.arg(key);
            return std::nullopt;
        }
        if (const QString invalid = invalidValue(*known, value); !invalid.isEmpty()) {
            *error = invalid;
            return std::nullopt;
        }
        settings.parameters.append({ key, value });
    }
    return settings;
}

QString DatabaseSettings::parameter(const QString &key) const
{
    for (const auto &[given, value] : parameters) {
        if (given == key)
            return value;
    }
    return {};
}

QString DatabaseSettings::sslMode() const
{
    const QString mode = parameter(u"sslmode"_s);
    return mode.isEmpty() ? u"prefer"_s : mode;
}

QString DatabaseSettings::describe() const
{
    if (backend == Backend::Sqlite)
        return u"sqlite://"_s + sqlitePath;
    const bool ipv6 = host.contains(u':'); // QUrl gives [::1] as ::1
    QStringList query { u"sslmode="_s + sslMode() };
    for (const auto &[key, value] : parameters) {
        if (key != u"sslmode"_s)
            query.append(key + u'=' + value);
    }
    return u"postgres://%1@%2:%3/%4?%5"_s.arg(user, ipv6 ? u'[' + host + u']' : host)
        .arg(port)
        .arg(name, query.join(u'&'));
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
        // Every connection the server makes (workers, files, the cluster link,
        // --check-config) comes through here, so the URL's TLS settings apply
        // to all of them.
        QStringList options;
        if (parameter(u"connect_timeout"_s).isEmpty())
            options.append(libpqOption(u"connect_timeout"_s, u"5"_s));
        if (parameter(u"application_name"_s).isEmpty())
            options.append(libpqOption(u"application_name"_s, role));
        for (const auto &[key, value] : parameters)
            options.append(libpqOption(key, value));
        db.setConnectOptions(options.join(u';'));
    } else {
        db.setDatabaseName(sqlitePath);
        db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=10000"_s);
    }
    return db;
}

} // namespace Messenger::Server
