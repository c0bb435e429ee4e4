#include "Config.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
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
    return url.toString();
}

} // namespace

std::optional<Config> Config::load(const QStringList &arguments, QString *error)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Messenger server: REST and WebSocket chat API on SQLite or PostgreSQL.\n"
        "Every option can also be set through the environment variable in brackets."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption host(
        u"host"_s, u"Address to listen on [HOST]. Default 127.0.0.1."_s, u"address"_s);
    const QCommandLineOption port(
        u"port"_s, u"Port to listen on, 0 for any free port [PORT]. Default 8000."_s, u"port"_s);
    const QCommandLineOption databaseUrl(u"database-url"_s,
        u"sqlite:///path/file.db or postgres://user:pass@host:port/db [DATABASE_URL]. "
        "Default sqlite in the data folder; POSTGRES_HOST/PORT/USER/PASSWORD/DB are used when set."_s,
        u"url"_s);
    const QCommandLineOption dataDir(u"data-dir"_s,
        u"Folder for the SQLite database and the generated secret key [DATA_DIR]. Default ./data."_s,
        u"path"_s);
    const QCommandLineOption secretKey(u"secret-key"_s,
        u"Key that signs access tokens [SECRET_KEY]. Generated and kept in the data folder when unset."_s,
        u"key"_s);
    const QCommandLineOption tokenMinutes(u"access-token-expire-minutes"_s,
        u"Access token lifetime [ACCESS_TOKEN_EXPIRE_MINUTES]. Default 30."_s, u"minutes"_s);
    const QCommandLineOption logLevel(
        u"log-level"_s, u"debug, info, warning or error [LOG_LEVEL]. Default info."_s, u"level"_s);
    const QCommandLineOption poolSize(
        u"db-pool-size"_s, u"Database worker threads/connections [DB_POOL_SIZE]."_s, u"n"_s);
    const QCommandLineOption hashers(u"hash-concurrency"_s,
        u"Password hashes computed at once (each takes 19 MiB) [HASH_CONCURRENCY]."_s, u"n"_s);
    const QCommandLineOption pingInterval(u"ws-ping-interval"_s,
        u"Seconds between WebSocket keepalive pings; a silent client is dropped after 2.5 intervals [WS_PING_INTERVAL]. Default 30."_s,
        u"seconds"_s);
    const QCommandLineOption connectionsPerUser(u"ws-max-connections-per-user"_s,
        u"Open WebSockets per user [WS_MAX_CONNECTIONS_PER_USER]. Default 16."_s, u"n"_s);
    const QCommandLineOption connectionsPerAddress(u"ws-max-connections-per-address"_s,
        u"Open WebSockets per client address [WS_MAX_CONNECTIONS_PER_ADDRESS]. Default 500."_s,
        u"n"_s);
    const QCommandLineOption frameRate(u"ws-frame-rate"_s,
        u"Frames one WebSocket may send: per second/burst, or off; a socket over it is closed [WS_FRAME_RATE]. Default 30/60."_s,
        u"rate"_s);
    const QCommandLineOption outboundKiB(u"ws-max-outbound-kib"_s,
        u"Unsent data a WebSocket client may have queued before it is dropped [WS_MAX_OUTBOUND_KIB]. Default 4096."_s,
        u"KiB"_s);
    const QCommandLineOption httpIdle(u"http-idle-timeout"_s,
        u"Seconds an HTTP connection may stay idle (a keep-alive between requests, a client not reading its answer) before it is closed; 0 never [HTTP_IDLE_TIMEOUT]. Default 60."_s,
        u"seconds"_s);
    const QCommandLineOption httpRequestTimeout(u"http-request-timeout"_s,
        u"Seconds a request (head and body) may take to arrive, from its first byte; 0 never [HTTP_REQUEST_TIMEOUT]. Default 10."_s,
        u"seconds"_s);
    const QCommandLineOption httpPerAddress(u"http-max-connections-per-address"_s,
        u"Open HTTP connections per client address; trusted proxies are exempt [HTTP_MAX_CONNECTIONS_PER_ADDRESS]. Default 256."_s,
        u"n"_s);
    const QCommandLineOption grace(u"shutdown-grace"_s,
        u"Seconds to finish in-flight work on SIGTERM [SHUTDOWN_GRACE]. Default 10."_s,
        u"seconds"_s);
    const QCommandLineOption logFormat(u"log-format"_s,
        u"text or json (one object per line) [LOG_FORMAT]. Default text."_s, u"format"_s);
    const QCommandLineOption logFile(u"log-file"_s,
        u"Write the log to this file instead of stderr; SIGHUP reopens it [LOG_FILE]."_s,
        u"path"_s);
    const QCommandLineOption tlsCert(u"tls-cert"_s,
        u"PEM certificate (chain): serve HTTPS and WSS, with --tls-key [TLS_CERT]."_s, u"path"_s);
    const QCommandLineOption tlsKey(
        u"tls-key"_s, u"PEM private key for --tls-cert [TLS_KEY]."_s, u"path"_s);
    const QCommandLineOption cors(u"cors-origins"_s,
        u"Comma-separated browser origins allowed to call the API, or * [CORS_ORIGINS]. Default none."_s,
        u"origins"_s);
    const QCommandLineOption loginRate(u"login-rate"_s,
        u"Failed logins allowed per account and address, and per address: per second/burst, or off [LOGIN_RATE]. Default 0.17/3."_s,
        u"rate"_s);
    const QCommandLineOption loginAccountRate(u"login-account-rate"_s,
        u"Failed logins allowed per account from all addresses together, not charged to addresses the account signed in from before: per second/burst, or off [LOGIN_ACCOUNT_RATE]. Default 0.5/10."_s,
        u"rate"_s);
    const QCommandLineOption registerRate(u"register-rate"_s,
        u"Registrations allowed per address: per second/burst, or off [REGISTER_RATE]. Default 0.17/3."_s,
        u"rate"_s);
    const QCommandLineOption messageRate(u"message-rate"_s,
        u"Messages a user may send (REST and WebSocket): per second/burst, or off [MESSAGE_RATE]. Default 5/20."_s,
        u"rate"_s);
    const QCommandLineOption searchRate(u"user-search-rate"_s,
        u"User searches one user may make: per second/burst, or off [USER_SEARCH_RATE]. Default 1/30."_s,
        u"rate"_s);
    const QCommandLineOption chatChangeRate(u"chat-change-rate"_s,
        u"Group changes (create, rename, add and remove members) a user may make: per second/burst, or off [CHAT_CHANGE_RATE]. Default 1/20."_s,
        u"rate"_s);
    const QCommandLineOption trustedProxies(u"trusted-proxies"_s,
        u"Comma-separated addresses or subnets of load balancers whose X-Forwarded-For names the client [TRUSTED_PROXIES]. Default none."_s,
        u"subnets"_s);
    const QCommandLineOption checkConfig(u"check-config"_s,
        u"Validate the configuration, connect to the database, report and exit (0 when fine)."_s);
    parser.addOptions({ host, port, databaseUrl, dataDir, secretKey, tokenMinutes, logLevel,
        poolSize, hashers, pingInterval, httpIdle, connectionsPerUser, outboundKiB, grace,
        logFormat, logFile, tlsCert, tlsKey, cors, connectionsPerAddress, frameRate, loginRate,
        loginAccountRate, registerRate, messageRate, searchRate, chatChangeRate, trustedProxies,
        httpRequestTimeout, httpPerAddress, checkConfig });
    parser.process(arguments);

    const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    const auto value = [&](const QCommandLineOption &option, const QString &variable) {
        return parser.isSet(option) ? parser.value(option) : env.value(variable);
    };
    const auto number = [&](const QCommandLineOption &option, const QString &variable, int min,
                            int max, int fallback) -> std::optional<int> {
        const QString text = value(option, variable);
        if (text.isEmpty())
            return fallback;
        bool ok = false;
        const int parsed = text.toInt(&ok);
        if (!ok || parsed < min || parsed > max) {
            *error = u"%1 must be a number from %2 to %3"_s.arg(variable).arg(min).arg(max);
            return std::nullopt;
        }
        return parsed;
    };

    Config config;
    if (const QString text = value(host, u"HOST"_s); !text.isEmpty())
        config.host = text;
    const auto portNumber = number(port, u"PORT"_s, 0, 65535, 8000);
    const auto minutes = number(tokenMinutes, u"ACCESS_TOKEN_EXPIRE_MINUTES"_s, 1, 525600, 30);
    const auto pool = number(poolSize, u"DB_POOL_SIZE"_s, 0, 256, 0);
    const auto hashing = number(hashers, u"HASH_CONCURRENCY"_s, 0, 64, 0);
    const auto ping = number(pingInterval, u"WS_PING_INTERVAL"_s, 1, 3600, 30);
    const auto perUser = number(connectionsPerUser, u"WS_MAX_CONNECTIONS_PER_USER"_s, 1, 10000, 16);
    const auto perAddress
        = number(connectionsPerAddress, u"WS_MAX_CONNECTIONS_PER_ADDRESS"_s, 1, 1000000, 500);
    const auto outbound = number(outboundKiB, u"WS_MAX_OUTBOUND_KIB"_s, 16, 1024 * 1024, 4096);
    const auto graceSeconds = number(grace, u"SHUTDOWN_GRACE"_s, 0, 3600, 10);
    const auto idleSeconds = number(httpIdle, u"HTTP_IDLE_TIMEOUT"_s, 0, 86400, 60);
    const auto requestSeconds = number(httpRequestTimeout, u"HTTP_REQUEST_TIMEOUT"_s, 0, 86400, 10);
    const auto httpConnections
        = number(httpPerAddress, u"HTTP_MAX_CONNECTIONS_PER_ADDRESS"_s, 1, 1000000, 256);
    if (!portNumber || !minutes || !pool || !hashing || !ping || !perUser || !perAddress
        || !outbound || !graceSeconds || !idleSeconds || !requestSeconds || !httpConnections)
        return std::nullopt;
    config.httpRequestTimeoutSeconds = *requestSeconds;
    config.httpMaxConnectionsPerAddress = *httpConnections;
    config.wsPingIntervalSeconds = *ping;
    config.wsMaxConnectionsPerUser = *perUser;
    config.wsMaxConnectionsPerAddress = *perAddress;
    config.wsMaxOutboundBytes = qint64(*outbound) * 1024;
    config.shutdownGraceSeconds = *graceSeconds;
    config.httpIdleTimeoutSeconds = *idleSeconds;
    config.port = quint16(*portNumber);
    config.accessTokenMinutes = *minutes;
    config.dbPoolSize = *pool;
    config.hashConcurrency = *hashing;
    if (const QString text = value(dataDir, u"DATA_DIR"_s); !text.isEmpty())
        config.dataDir = text;
    config.databaseUrl = value(databaseUrl, u"DATABASE_URL"_s);
    if (config.databaseUrl.isEmpty())
        config.databaseUrl = postgresUrlFromSeedVariables(env);
    if (config.databaseUrl.isEmpty())
        config.databaseUrl
            = u"sqlite://"_s + QDir(config.dataDir).absoluteFilePath(u"messenger.db"_s);
    config.secretKey = value(secretKey, u"SECRET_KEY"_s).toUtf8();
    if (!config.secretKey.isEmpty() && config.secretKey.size() < secretKeyMinBytes) {
        *error = u"SECRET_KEY is %1 bytes; it must be at least %2 (e.g. openssl rand -hex 32), "
                 "or unset to have one generated"_s.arg(config.secretKey.size())
                     .arg(secretKeyMinBytes);
        return std::nullopt;
    }
    if (const QString text = value(logLevel, u"LOG_LEVEL"_s).toLower(); !text.isEmpty()) {
        if (!QStringList { u"debug"_s, u"info"_s, u"warning"_s, u"error"_s }.contains(text)) {
            *error = u"LOG_LEVEL must be debug, info, warning or error"_s;
            return std::nullopt;
        }
        config.logLevel = text;
    }
    if (const QString text = value(logFormat, u"LOG_FORMAT"_s).toLower(); !text.isEmpty()) {
        if (text != u"text"_s && text != u"json"_s) {
            *error = u"LOG_FORMAT must be text or json"_s;
            return std::nullopt;
        }
        config.logFormat = text;
    }
    config.logFile = value(logFile, u"LOG_FILE"_s);
    config.tlsCertificateFile = value(tlsCert, u"TLS_CERT"_s);
    config.tlsKeyFile = value(tlsKey, u"TLS_KEY"_s);
    if (config.tlsCertificateFile.isEmpty() != config.tlsKeyFile.isEmpty()) {
        *error = u"TLS needs both TLS_CERT and TLS_KEY"_s;
        return std::nullopt;
    }
    for (const QString &origin : value(cors, u"CORS_ORIGINS"_s).split(u',', Qt::SkipEmptyParts))
        config.corsOrigins.append(origin.trimmed());
    const auto rate
        = [&](const QCommandLineOption &option, const QString &variable, RateLimiter::Rule *rule) {
              const QString text = value(option, variable);
              if (text.isEmpty())
                  return true;
              const auto parsed = RateLimiter::Rule::parse(text);
              if (!parsed) {
                  *error = variable + u" must be per-second/burst (e.g. 0.17/3) or off"_s;
                  return false;
              }
              *rule = *parsed;
              return true;
          };
    if (!rate(loginRate, u"LOGIN_RATE"_s, &config.failedLoginRate)
        || !rate(loginAccountRate, u"LOGIN_ACCOUNT_RATE"_s, &config.failedLoginAccountRate)
        || !rate(registerRate, u"REGISTER_RATE"_s, &config.registrationRate)
        || !rate(messageRate, u"MESSAGE_RATE"_s, &config.messageRate)
        || !rate(searchRate, u"USER_SEARCH_RATE"_s, &config.userSearchRate)
        || !rate(chatChangeRate, u"CHAT_CHANGE_RATE"_s, &config.chatChangeRate)
        || !rate(frameRate, u"WS_FRAME_RATE"_s, &config.wsFrameRate))
        return std::nullopt;
    const auto proxies = TrustedProxies::parse(value(trustedProxies, u"TRUSTED_PROXIES"_s));
    if (!proxies) {
        *error = u"TRUSTED_PROXIES must be addresses or subnets, comma-separated"_s;
        return std::nullopt;
    }
    config.trustedProxies = *proxies;
    config.checkOnly = parser.isSet(checkConfig);
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
