#pragma once

#include "security/RateLimiter.h"
#include "security/TrustedProxies.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

class QCommandLineParser;

namespace Messenger::Server {

struct Config;

// One row of the configuration: a command-line option and its environment
// variable, what it means, what it accepts and its default. --help, parsing
// and range checks all come from these rows (Config::options()).
struct ConfigOption
{
    QString flag; // "port" for --port
    QString valueName; // shown in --help ("<port>"); empty for a switch
    QString variable; // "PORT"; empty when only the command line sets it
    QString description;
    QString accepted; // "from 0 to 65535"; empty when anything goes
    QString defaultText; // empty when there is none to show
    // Stores a non-empty value; false with *error set when it is invalid.
    std::function<bool(Config &config, const QString &value, QString *error)> apply;

    // description [VARIABLE]. Accepted, default X.
    QString helpText() const;
};

// Server configuration from the command line, then the environment, then
// defaults. The seed's variables (POSTGRES_*, SECRET_KEY,
// ACCESS_TOKEN_EXPIRE_MINUTES) are honoured.
struct Config
{
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 8000;
    QString databaseUrl; // sqlite://<dataDir>/messenger.db when empty
    // A database that does not answer yet at start-up (a container started
    // beside it) is retried, with back-off, this long before exit code 3.
    int databaseStartTimeoutSeconds = 60;
    QString dataDir = QStringLiteral("./data");
    QByteArray secretKey;
    int accessTokenMinutes = 30;
    QString logLevel = QStringLiteral("info");
    int dbPoolSize = 0; // 0: chosen by backend and cores
    int hashConcurrency = 0; // 0: one per core
    int wsPingIntervalSeconds = 30;
    int wsMaxConnectionsPerUser = 16;
    int wsMaxConnectionsPerAddress = 500;
    RateLimiter::Rule wsFrameRate { 30, 60 };
    qint64 wsMaxOutboundBytes = 4 * 1024 * 1024;
    int shutdownGraceSeconds = 10;
    int presenceGraceSeconds = 10;
    int presenceTimeoutSeconds = 30;
    int httpIdleTimeoutSeconds = 60; // 0: never
    int httpRequestTimeoutSeconds = 10; // a whole request, from its first byte; 0: never
    int httpMaxConnectionsPerAddress = 256;
    QString logFormat = QStringLiteral("text"); // or "json": one JSON object per line
    QString logFile; // empty: stderr; reopened on SIGHUP (for logrotate)
    QString pidFile; // empty: none; written once listening, removed at exit
    QString tlsCertificateFile; // both set: serve HTTPS and WSS
    QString tlsKeyFile;
    QStringList corsOrigins; // browser origins allowed to call the API; "*" for any
    // Synapse's defaults: failed logins per account and address and per address, and
    // registrations per address, 0.17/s with a burst of 3; sends per user.
    RateLimiter::Rule failedLoginRate { 0.17, 3 };
    // Failed logins per account from every address together: looser than one
    // address can use up, so a single attacker never locks the owner out.
    RateLimiter::Rule failedLoginAccountRate { 0.5, 10 };
    RateLimiter::Rule registrationRate { 0.17, 3 };
    RateLimiter::Rule messageRate { 5, 20 };
    RateLimiter::Rule userSearchRate { 1, 30 }; // user searches per user
    // Group management (create, rename, add, remove) per user: each change
    // is sent to every member and stored.
    RateLimiter::Rule chatChangeRate { 1, 20 };
    // Reactions added or taken back per user: each is stored and sent to
    // every member of the chat.
    RateLimiter::Rule reactionRate { 2, 30 };
    // Files: where their bytes are kept ("directory" or "postgres"; empty:
    // postgres with a PostgreSQL database, else directory), the folder for
    // "directory" (empty: <dataDir>/files), and the limits.
    QString fileStorage;
    QString filesDir;
    qint64 uploadMaxBytes = 100LL * 1024 * 1024;
    qint64 storageQuotaBytes = 1024LL * 1024 * 1024; // per user
    int uploadsInProgressMax = 10; // per user
    int uploadExpirySeconds = 24 * 3600;
    int fileLinkSeconds = 600; // signed download links
    TrustedProxies trustedProxies; // whose X-Forwarded-For names the client
    QString registration = QStringLiteral("open"); // or "closed", "invite"
    bool checkOnly = false; // --check-config: validate, reach the database, exit
    // "epoll" (EpollEventDispatcher: a wake-up costs the ready sockets only) or
    // "qt" (Qt's own, which polls every socket on each wake-up).
    QString eventDispatcher = QStringLiteral("epoll");

    // Parses arguments (exits for --help / --version) and the environment.
    static std::optional<Config> load(const QStringList &arguments, QString *error);
    // The same in two steps, for a command line with more options of its
    // own (`messenger-server admin`): every option added to `parser`, then
    // the configuration from what it parsed and the environment.
    static void addOptions(QCommandLineParser &parser);
    static std::optional<Config> fromParser(const QCommandLineParser &parser, QString *error);

    // The event dispatcher asked for, from the command line or the
    // environment, before QCoreApplication exists (it installs one). An
    // invalid value is refused by load() later.
    static QString eventDispatcherBeforeStart(const QStringList &arguments);

    // Every option, in --help order.
    static const QList<ConfigOption> &options();

    // HS256 keys shorter than the hash (32 bytes) are guessable offline from
    // any one token; such a SECRET_KEY is refused at start-up.
    static constexpr qsizetype secretKeyMinBytes = 32;

    // Reads SECRET_KEY from <dataDir>/secret_key, creating it (0600) when missing.
    bool ensureSecretKey(QString *error);
};

} // namespace Messenger::Server
