#include "Config.h"

#include "db/DatabaseSettings.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QLoggingCategory>
#include <QProcessEnvironment>
#include <QUrl>

#include <sodium.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcConfig, "messenger.server.config")

namespace Messenger::Server {

namespace {

QString postgresUrlFromSeedVariables(const QProcessEnvironment &env)
{
    if (!env.contains(u"POSTGRES_HOST"_s) && !env.contains(u"POSTGRES_DB"_s))
        return {};
    QUrl url;
    url.setScheme(u"postgres"_s);
    url.setUserName(env.value(u"POSTGRES_USER"_s, u"postgres"_s));
    if (env.contains(u"POSTGRES_PASSWORD"_s))
        url.setPassword(env.value(u"POSTGRES_PASSWORD"_s));
    url.setHost(env.value(u"POSTGRES_HOST"_s, u"localhost"_s));
    url.setPort(env.value(u"POSTGRES_PORT"_s, u"5432"_s).toInt());
    url.setPath(u"/"_s + env.value(u"POSTGRES_DB"_s, u"messenger"_s));
    return url.toString(QUrl::FullyEncoded); // a password may hold @ : / ? # %
}

// "a, b or c"
QString listedAsAlternatives(const QStringList &choices)
{
    if (choices.size() < 2)
        return choices.value(0);
    return choices.first(choices.size() - 1).join(u", "_s) + u" or "_s + choices.last();
}

// The kinds of option; each derives what it accepts and its default from one place.

ConfigOption textOption(const QString &flag, const QString &valueName, const QString &variable,
    const QString &description, QString Config::*member, const QString &defaultText = {})
{
    return { flag, valueName, variable, description, {},
        defaultText.isEmpty() ? Config {}.*member : defaultText,
        [member](Config &config, const QString &value, QString *) {
            config.*member = value;
            return true;
        } };
}

ConfigOption choiceOption(const QString &flag, const QString &valueName, const QString &variable,
    const QString &description, QString Config::*member, const QStringList &choices)
{
    const QString accepted = listedAsAlternatives(choices);
    return { flag, valueName, variable, description, accepted, Config {}.*member,
        [=](Config &config, const QString &value, QString *error) {
            const QString choice = value.toLower();
            if (!choices.contains(choice)) {
                *error = variable + u" must be "_s + accepted;
                return false;
            }
            config.*member = choice;
            return true;
        } };
}

// A whole number from min to max, stored multiplied by unit (KiB as bytes).
template <typename T>
ConfigOption numberOption(const QString &flag, const QString &valueName, const QString &variable,
    const QString &description, T Config::*member, int min, int max, int unit = 1)
{
    return { flag, valueName, variable, description, u"%1 to %2"_s.arg(min).arg(max),
        QString::number(Config {}.*member / unit),
        [=](Config &config, const QString &value, QString *error) {
            bool ok = false;
            const int parsed = value.toInt(&ok);
            if (!ok || parsed < min || parsed > max) {
                *error = u"%1 must be a number from %2 to %3"_s.arg(variable).arg(min).arg(max);
                return false;
            }
            config.*member = T(parsed) * unit;
            return true;
        } };
}

ConfigOption rateOption(const QString &flag, const QString &variable, const QString &description,
    RateLimiter::Rule Config::*member)
{
    return { flag, u"rate"_s, variable, description, u"per second/burst, or off"_s,
        (Config {}.*member).toString(), [=](Config &config, const QString &value, QString *error) {
            const auto rule = RateLimiter::Rule::parse(value);
            if (!rule) {
                *error = variable + u" must be per-second/burst (e.g. 0.17/3) or off"_s;
                return false;
            }
            config.*member = *rule;
            return true;
        } };
}

} // namespace

QString ConfigOption::helpText() const
{
    QString text = description;
    if (!variable.isEmpty())
        text += u" ["_s + variable + u']';
    text += u'.';
    if (!accepted.isEmpty())
        text += u" Values: "_s + accepted + u'.';
    if (!defaultText.isEmpty())
        text += u" Default "_s + defaultText + u'.';
    return text;
}

const QList<ConfigOption> &Config::options()
{
    static const QList<ConfigOption> rows {
        { u"host"_s, u"address"_s, u"HOST"_s, u"Address to listen on"_s,
            u"an IPv4 or IPv6 address, or localhost"_s, Config {}.host,
            [](Config &config, const QString &value, QString *error) {
                if (value != u"localhost"_s && QHostAddress(value).isNull()) {
                    *error = u"HOST must be an IP address or localhost, not "_s + value;
                    return false;
                }
                config.host = value;
                return true;
            } },
        numberOption(u"port"_s, u"port"_s, u"PORT"_s, u"Port to listen on, 0 for any free port"_s,
            &Config::port, 0, 65535),
        textOption(u"database-url"_s, u"url"_s, u"DATABASE_URL"_s,
            u"sqlite:///path/file.db or postgres://user:pass@host:port/db; "
            "POSTGRES_HOST/PORT/USER/PASSWORD/DB are used when it is unset"_s,
            &Config::databaseUrl, u"sqlite in the data folder"_s),
        numberOption(u"database-start-timeout"_s, u"seconds"_s, u"DATABASE_START_TIMEOUT"_s,
            u"Seconds to keep retrying, with back-off, a database that does not answer at "
            "start-up before giving up (exit code 3); 0 tries once"_s,
            &Config::databaseStartTimeoutSeconds, 0, 3600),
        textOption(u"data-dir"_s, u"path"_s, u"DATA_DIR"_s,
            u"Folder for the SQLite database and the generated secret key"_s, &Config::dataDir),
        { u"secret-key"_s, u"key"_s, u"SECRET_KEY"_s,
            u"Key that signs access tokens, at least %1 bytes"_s.arg(secretKeyMinBytes), {},
            u"generated and kept in the data folder"_s,
            [](Config &config, const QString &value, QString *error) {
                config.secretKey = value.toUtf8();
                if (config.secretKey.size() >= secretKeyMinBytes)
                    return true;
                *error = u"SECRET_KEY is %1 bytes; it must be at least %2 (e.g. openssl rand -hex "
                         "32), or unset to have one generated"_s.arg(config.secretKey.size())
                             .arg(secretKeyMinBytes);
                return false;
            } },
        numberOption(u"access-token-expire-minutes"_s, u"minutes"_s,
            u"ACCESS_TOKEN_EXPIRE_MINUTES"_s, u"Access token lifetime"_s,
            &Config::accessTokenMinutes, 1, 525600),
        choiceOption(u"log-level"_s, u"level"_s, u"LOG_LEVEL"_s, u"Least severe message logged"_s,
            &Config::logLevel, { u"debug"_s, u"info"_s, u"warning"_s, u"error"_s }),
        choiceOption(u"log-format"_s, u"format"_s, u"LOG_FORMAT"_s,
            u"Log lines as text, or as json (one object per line)"_s, &Config::logFormat,
            { u"text"_s, u"json"_s }),
        textOption(u"log-file"_s, u"path"_s, u"LOG_FILE"_s,
            u"Write the log to this file instead of stderr; SIGHUP reopens it"_s, &Config::logFile),
        textOption(u"pid-file"_s, u"path"_s, u"PID_FILE"_s,
            u"Write the process id to this file once listening, remove it at exit (for "
            "logrotate's SIGHUP)"_s,
            &Config::pidFile),
        numberOption(u"db-pool-size"_s, u"n"_s, u"DB_POOL_SIZE"_s,
            u"Database worker threads/connections; 0 chooses by backend and cores"_s,
            &Config::dbPoolSize, 0, 256),
        numberOption(u"hash-concurrency"_s, u"n"_s, u"HASH_CONCURRENCY"_s,
            u"Password hashes computed at once (each takes 19 MiB); 0 is one per core"_s,
            &Config::hashConcurrency, 0, 64),
        numberOption(u"ws-ping-interval"_s, u"seconds"_s, u"WS_PING_INTERVAL"_s,
            u"Seconds between WebSocket keepalive pings; a silent client is dropped after 2.5 "
            "intervals"_s,
            &Config::wsPingIntervalSeconds, 1, 3600),
        numberOption(u"ws-max-connections-per-user"_s, u"n"_s, u"WS_MAX_CONNECTIONS_PER_USER"_s,
            u"Open WebSockets per user"_s, &Config::wsMaxConnectionsPerUser, 1, 10000),
        numberOption(u"ws-max-connections-per-address"_s, u"n"_s,
            u"WS_MAX_CONNECTIONS_PER_ADDRESS"_s, u"Open WebSockets per client address"_s,
            &Config::wsMaxConnectionsPerAddress, 1, 1000000),
        rateOption(u"ws-frame-rate"_s, u"WS_FRAME_RATE"_s,
            u"Frames one WebSocket may send; a socket over it is closed"_s, &Config::wsFrameRate),
        numberOption(u"ws-max-outbound-kib"_s, u"KiB"_s, u"WS_MAX_OUTBOUND_KIB"_s,
            u"Unsent data (KiB) a WebSocket client may have queued before it is dropped"_s,
            &Config::wsMaxOutboundBytes, 16, 1024 * 1024, 1024),
        numberOption(u"presence-grace"_s, u"seconds"_s, u"PRESENCE_GRACE"_s,
            u"Seconds a user stays online after their last WebSocket closed (a reload does not "
            "flap); also the least time between two presence announcements of one user"_s,
            &Config::presenceGraceSeconds, 0, 3600),
        numberOption(u"presence-timeout"_s, u"seconds"_s, u"PRESENCE_TIMEOUT"_s,
            u"Seconds after which the users of an instance that stopped renewing its presence "
            "(it died) count as offline; renewed every third of it"_s,
            &Config::presenceTimeoutSeconds, 3, 3600),
        numberOption(u"http-idle-timeout"_s, u"seconds"_s, u"HTTP_IDLE_TIMEOUT"_s,
            u"Seconds an HTTP connection may stay idle (a keep-alive between requests, a client "
            "not reading its answer) before it is closed; 0 never"_s,
            &Config::httpIdleTimeoutSeconds, 0, 86400),
        numberOption(u"http-request-timeout"_s, u"seconds"_s, u"HTTP_REQUEST_TIMEOUT"_s,
            u"Seconds a request (head and body) may take to arrive, from its first byte; 0 never"_s,
            &Config::httpRequestTimeoutSeconds, 0, 86400),
        numberOption(u"http-max-connections-per-address"_s, u"n"_s,
            u"HTTP_MAX_CONNECTIONS_PER_ADDRESS"_s,
            u"Open HTTP connections per client address; trusted proxies are exempt"_s,
            &Config::httpMaxConnectionsPerAddress, 1, 1000000),
        numberOption(u"shutdown-grace"_s, u"seconds"_s, u"SHUTDOWN_GRACE"_s,
            u"Seconds to finish in-flight work on SIGTERM"_s, &Config::shutdownGraceSeconds, 0,
            3600),
        textOption(u"tls-cert"_s, u"path"_s, u"TLS_CERT"_s,
            u"PEM certificate (chain): serve HTTPS and WSS, with --tls-key"_s,
            &Config::tlsCertificateFile),
        textOption(u"tls-key"_s, u"path"_s, u"TLS_KEY"_s, u"PEM private key for --tls-cert"_s,
            &Config::tlsKeyFile),
        { u"cors-origins"_s, u"origins"_s, u"CORS_ORIGINS"_s,
            u"Comma-separated browser origins allowed to call the API, or *"_s, {}, u"none"_s,
            [](Config &config, const QString &value, QString *error) {
                for (const QString &item : value.split(u',', Qt::SkipEmptyParts)) {
                    // Browsers send Origin as scheme://host[:port]: anything more never matches.
                    const QString origin = item.trimmed();
                    const QUrl url(origin, QUrl::StrictMode);
                    if (origin != u"*"_s
                        && (!url.isValid() || url.scheme().isEmpty() || url.host().isEmpty()
                            || !url.userInfo().isEmpty() || !url.path().isEmpty() || url.hasQuery()
                            || url.hasFragment())) {
                        *error = u"CORS_ORIGINS: %1 is not an origin (scheme://host[:port], "
                                 "without a path or a trailing /)"_s.arg(origin);
                        return false;
                    }
                    config.corsOrigins.append(origin);
                }
                return true;
            } },
        rateOption(u"login-rate"_s, u"LOGIN_RATE"_s,
            u"Failed logins allowed per account and address, and per address"_s,
            &Config::failedLoginRate),
        rateOption(u"login-account-rate"_s, u"LOGIN_ACCOUNT_RATE"_s,
            u"Failed logins allowed per account from all addresses together, not charged to "
            "addresses the account signed in from before"_s,
            &Config::failedLoginAccountRate),
        rateOption(u"register-rate"_s, u"REGISTER_RATE"_s, u"Registrations allowed per address"_s,
            &Config::registrationRate),
        rateOption(u"message-rate"_s, u"MESSAGE_RATE"_s,
            u"Messages a user may send (REST and WebSocket)"_s, &Config::messageRate),
        rateOption(u"user-search-rate"_s, u"USER_SEARCH_RATE"_s,
            u"User searches one user may make"_s, &Config::userSearchRate),
        rateOption(u"chat-change-rate"_s, u"CHAT_CHANGE_RATE"_s,
            u"Group changes (create, rename, add and remove members) a user may make"_s,
            &Config::chatChangeRate),
        rateOption(u"reaction-rate"_s, u"REACTION_RATE"_s,
            u"Reactions a user may add or take back"_s, &Config::reactionRate),
        { u"file-storage"_s, u"store"_s, u"FILE_STORAGE"_s,
            u"Where uploaded files are kept: directory (FILES_DIR; a shared volume for several "
            "instances) or postgres (in the database, PostgreSQL only)"_s,
            u"directory, postgres"_s, u"postgres with a PostgreSQL database, else directory"_s,
            [](Config &config, const QString &value, QString *error) {
                const QString store = value.toLower();
                if (store != u"directory"_s && store != u"postgres"_s) {
                    *error = u"FILE_STORAGE must be directory or postgres"_s;
                    return false;
                }
                config.fileStorage = store;
                return true;
            } },
        textOption(u"files-dir"_s, u"path"_s, u"FILES_DIR"_s,
            u"Folder for uploaded files with FILE_STORAGE=directory"_s, &Config::filesDir,
            u"files in the data folder"_s),
        numberOption(u"upload-max-mb"_s, u"MiB"_s, u"UPLOAD_MAX_MB"_s,
            u"Largest file a user may upload, in MiB"_s, &Config::uploadMaxBytes, 1, 1024 * 1024,
            1024 * 1024),
        numberOption(u"storage-quota-mb"_s, u"MiB"_s, u"STORAGE_QUOTA_MB"_s,
            u"Files (and unfinished uploads) one user may keep, in MiB"_s,
            &Config::storageQuotaBytes, 1, 1024 * 1024 * 1024, 1024 * 1024),
        numberOption(u"uploads-in-progress-max"_s, u"n"_s, u"UPLOADS_IN_PROGRESS_MAX"_s,
            u"Unfinished uploads one user may have at once"_s, &Config::uploadsInProgressMax, 1,
            10000),
        numberOption(u"upload-expiry"_s, u"seconds"_s, u"UPLOAD_EXPIRY"_s,
            u"Seconds an upload has to finish, and a finished one to be sent, before it is "
            "removed"_s,
            &Config::uploadExpirySeconds, 1, 365 * 86400),
        numberOption(u"file-link-lifetime"_s, u"seconds"_s, u"FILE_LINK_LIFETIME"_s,
            u"Seconds a signed download link works"_s, &Config::fileLinkSeconds, 1, 7 * 86400),
        { u"trusted-proxies"_s, u"subnets"_s, u"TRUSTED_PROXIES"_s,
            u"Comma-separated addresses or subnets of load balancers whose X-Forwarded-For names "
            "the client"_s,
            {}, u"none"_s,
            [](Config &config, const QString &value, QString *error) {
                const auto proxies = TrustedProxies::parse(value);
                if (!proxies) {
                    *error = u"TRUSTED_PROXIES must be addresses or subnets, comma-separated"_s;
                    return false;
                }
                config.trustedProxies = *proxies;
                return true;
            } },
        choiceOption(u"registration"_s, u"mode"_s, u"REGISTRATION"_s,
            u"Who may register: anyone, nobody (accounts made with `admin user create`), or "
            "whoever has a code from `admin invite create`"_s,
            &Config::registration, { u"open"_s, u"closed"_s, u"invite"_s }),
        choiceOption(u"event-dispatcher"_s, u"name"_s, u"EVENT_DISPATCHER"_s,
            u"Event loop of the server's threads: epoll (a wake-up costs only the sockets that "
            "are ready) or qt (Qt's own, which polls every open socket)"_s,
            &Config::eventDispatcher, { u"epoll"_s, u"qt"_s }),
        { u"check-config"_s, {}, {},
            u"Validate the configuration, connect to the database, report and exit (0 when fine)"_s,
            {}, {},
            [](Config &config, const QString &, QString *) {
                config.checkOnly = true;
                return true;
            } },
    };
    return rows;
}

QString Config::eventDispatcherBeforeStart(const QStringList &arguments)
{
    // What QCommandLineParser accepts: --event-dispatcher=x and --event-dispatcher x.
    const QString flag = u"--event-dispatcher"_s;
    QString chosen;
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        if (arguments[i] == u"--"_s)
            break;
        if (arguments[i].startsWith(flag + u'='))
            chosen = arguments[i].mid(flag.size() + 1);
        else if (arguments[i] == flag && i + 1 < arguments.size())
            chosen = arguments[++i];
    }
    if (chosen.isEmpty())
        chosen = qEnvironmentVariable("EVENT_DISPATCHER");
    return chosen.isEmpty() ? Config {}.eventDispatcher : chosen.toLower();
}

std::optional<Config> Config::load(const QStringList &arguments, QString *error)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Messenger server: REST and WebSocket chat API on SQLite or PostgreSQL.\n"
        "Every option can also be set through the environment variable in brackets.\n"
        "`messenger-server admin --help` lists the administration commands."_s);
    addOptions(parser);
    parser.process(arguments);
    return fromParser(parser, error);
}

void Config::addOptions(QCommandLineParser &parser)
{
    parser.addHelpOption();
    parser.addVersionOption();
    for (const ConfigOption &option : options()) {
        parser.addOption(option.valueName.isEmpty()
                ? QCommandLineOption(option.flag, option.helpText())
                : QCommandLineOption(option.flag, option.helpText(), option.valueName));
    }
}

std::optional<Config> Config::fromParser(const QCommandLineParser &parser, QString *error)
{
    // The command line wins over the environment; an empty value keeps the default.
    const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    Config config;
    for (const ConfigOption &option : options()) {
        QString value;
        if (option.valueName.isEmpty())
            value = parser.isSet(option.flag) ? u"on"_s : QString();
        else if (parser.isSet(option.flag))
            value = parser.value(option.flag);
        else if (!option.variable.isEmpty())
            value = env.value(option.variable);
        if (!value.isEmpty() && !option.apply(config, value, error))
            return std::nullopt;
    }

    // What depends on several options.
    if (config.databaseUrl.isEmpty())
        config.databaseUrl = postgresUrlFromSeedVariables(env);
    if (config.databaseUrl.isEmpty())
        config.databaseUrl
            = u"sqlite://"_s + QDir(config.dataDir).absoluteFilePath(u"messenger.db"_s);
    if (!DatabaseSettings::fromUrl(config.databaseUrl, error))
        return std::nullopt;
    if (config.tlsCertificateFile.isEmpty() != config.tlsKeyFile.isEmpty()) {
        *error = u"TLS needs both TLS_CERT and TLS_KEY"_s;
        return std::nullopt;
    }
    return config;
}

bool Config::ensureSecretKey(QString *error)
{
    if (!secretKey.isEmpty())
        return true;
    if (!QDir().mkpath(dataDir)) {
        *error = u"cannot create data folder "_s + dataDir;
        return false;
    }
    QFile file(QDir(dataDir).filePath(u"secret_key"_s));
    if (file.exists()) {
        if (!file.open(QIODevice::ReadOnly)) {
            *error = u"cannot read "_s + file.fileName();
            return false;
        }
        secretKey = file.readAll().trimmed();
        if (!secretKey.isEmpty() && secretKey.size() < secretKeyMinBytes) {
            *error = u"%1 holds a key of %2 bytes; it must be at least %3"_s.arg(file.fileName())
                         .arg(secretKey.size())
                         .arg(secretKeyMinBytes);
            return false;
        }
        if (!secretKey.isEmpty())
            return true;
        file.close();
    }
    QByteArray random(32, Qt::Uninitialized);
    randombytes_buf(random.data(), size_t(random.size()));
    secretKey = random.toHex();
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)
        || !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)
        || file.write(secretKey + '\n') < 0) {
        *error = u"cannot write "_s + file.fileName();
        return false;
    }
    qCWarning(lcConfig).noquote() << "SECRET_KEY is not set: generated one and stored it in"
                                  << file.fileName()
                                  << "(keep it secret; set SECRET_KEY for several instances)";
    return true;
}

} // namespace Messenger::Server
