#include "Server.h"

#include "Logging.h"
#include "auth/PasswordHasher.h"
#include "auth/SessionRegistry.h"
#include "cluster/ClusterLink.h"
#include "cluster/EventFeed.h"
#include "db/Database.h"
#include "eventloop/EpollEventDispatcher.h"
#include "files/FileLinks.h"
#include "files/FileService.h"
#include "http/HttpApi.h"
#include "http/HttpConnections.h"
#include "security/KnownUsers.h"
#include "security/RateLimiter.h"
#include "services/SendQueue.h"
#include "services/TokenService.h"
#include "ws/Hub.h"
#include "ws/PresenceTracker.h"
#include "ws/WsGateway.h"

#include <QAbstractEventDispatcher>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QHttpServer>
#include <QLoggingCategory>
#include <QPointer>
#include <QSqlError>
#include <QSqlQuery>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslServer>
#include <QTcpServer>
#include <QThread>
#include <QTimer>

#include <cstdio>

#include <malloc.h>
#include <sys/resource.h>

#include <sodium.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcServer, "messenger.server")

// Resources compiled into a static library must be registered by hand.
static void initServerResources()
{
    Q_INIT_RESOURCE(migrations);
    Q_INIT_RESOURCE(api);
}

namespace Messenger::Server {

namespace {

// Why a TLS server with this configuration cannot complete a handshake, or
// empty. OpenSSL checks that the key belongs to the certificate only when a
// handshake starts, so one is made over loopback: a mismatched pair is found
// at start-up, not by every client.
QString handshakeFailure(const QSslConfiguration &tls)
{
    QSslServer server;
    server.setSslConfiguration(tls);
    if (!server.listen(QHostAddress::LocalHost, 0))
        return {}; // no loopback to try it on: the first client will tell
    QString failure;
    QEventLoop loop;
    QSslSocket client;
    client.setPeerVerifyMode(QSslSocket::VerifyNone);
    QObject::connect(&client, &QSslSocket::encrypted, &loop, &QEventLoop::quit);
    QObject::connect(&client, &QAbstractSocket::errorOccurred, &loop, [&] {
        if (failure.isEmpty())
            failure = client.errorString();
        loop.quit();
    });
    QObject::connect(&server, &QSslServer::errorOccurred, &loop,
        [&](QSslSocket *socket, QAbstractSocket::SocketError) {
            failure = socket->errorString();
            loop.quit();
        });
    QTimer::singleShot(10000, &loop, [&] {
        failure = u"no TLS handshake within 10 s"_s;
        loop.quit();
    });
    client.connectToHostEncrypted(u"127.0.0.1"_s, server.serverPort());
    loop.exec();
    return failure;
}

// The certificate chain and key for HTTPS/WSS, or why they cannot be used.
std::optional<QSslConfiguration> tlsConfiguration(const Config &config, QString *error)
{
    const QList<QSslCertificate> chain = QSslCertificate::fromPath(config.tlsCertificateFile);
    if (chain.isEmpty()) {
        *error = u"no PEM certificate in "_s + config.tlsCertificateFile;
        return std::nullopt;
    }
    QFile keyFile(config.tlsKeyFile);
    if (!keyFile.open(QIODevice::ReadOnly)) {
        *error = u"cannot read "_s + config.tlsKeyFile;
        return std::nullopt;
    }
    const QByteArray pem = keyFile.readAll();
    QSslKey key(pem, QSsl::Rsa);
    if (key.isNull())
        key = QSslKey(pem, QSsl::Ec);
    if (key.isNull()) {
        *error = u"no RSA or EC private key in "_s + config.tlsKeyFile;
        return std::nullopt;
    }
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificateChain(chain);
    tls.setPrivateKey(key);
    tls.setPeerVerifyMode(QSslSocket::VerifyNone); // clients are not asked for certificates
    if (const QString mismatch = handshakeFailure(tls); !mismatch.isEmpty()) {
        *error = u"%1 and %2 do not make a working pair (is the key the certificate's?): %3"_s.arg(
            config.tlsCertificateFile, config.tlsKeyFile, mismatch);
        return std::nullopt;
    }
    return tls;
}

// "127.0.0.1:8000", "[::1]:8000": as in a URL.
QString addressText(const QString &host, quint16 port)
{
    const bool ipv6 = QHostAddress(host).protocol() == QAbstractSocket::IPv6Protocol;
    return u"%1:%2"_s.arg(ipv6 ? u'[' + host + u']' : host).arg(port);
}

QHostAddress listenAddress(const QString &host)
{
    return host == u"localhost"_s ? QHostAddress(QHostAddress::LocalHost) : QHostAddress(host);
}

// Whether a folder exists and is writable, or could be created: nothing is created.
bool writableOrCreatable(const QString &path)
{
    QFileInfo info(QDir(path).absolutePath());
    while (!info.exists()) {
        const QString parent = info.absolutePath();
        if (parent == info.absoluteFilePath())
            return false;
        info = QFileInfo(parent);
    }
    return info.isDir() && info.isWritable();
}

constexpr int listenBacklog = 4096;

// Hands every accepted connection to HttpConnections before QHttpServer sees
// it, so the connection rules apply from its first byte.
class HttpListener : public QTcpServer
{
public:
    HttpListener(HttpConnections &connections, QObject *parent)
        : QTcpServer(parent)
        , m_connections(connections)
    { }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *socket = new QTcpSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        if (m_connections.adopt(socket))
            addPendingConnection(socket);
        else
            HttpConnections::refuse(socket);
    }

private:
    HttpConnections &m_connections;
};

// Raises a resource's soft limit to its hard limit and logs the figure:
// thousands of sockets are normal for a chat server, and the common soft limit
// of 1,024 descriptors is not; a crash should leave a core dump where the
// operator allows one (the soft core limit is often 0).
// Uploads and downloads pass through buffers of a MiB or more (a PATCH body,
// Qt's PostgreSQL driver escaping it). glibc serves such a block from the
// heap of the worker thread that asked once its mmap threshold has grown past
// the block, and keeps the memory there after it is freed: every worker
// thread's arena grows to the largest buffer it ever held. A fixed threshold
// maps each big block on its own and returns it when freed, so memory
// follows the transfers in progress, not the history of them.
void keepBigBuffersOffTheHeap()
{
    ::mallopt(M_MMAP_THRESHOLD, 256 * 1024);
}

void raiseSoftLimit(int resource, const char *what)
{
    rlimit limit {};
    if (::getrlimit(resource, &limit) != 0)
        return;
    if (limit.rlim_cur < limit.rlim_max) {
        const rlim_t before = limit.rlim_cur;
        limit.rlim_cur = limit.rlim_max;
        if (::setrlimit(resource, &limit) != 0) {
            qCWarning(lcServer) << "cannot raise the" << what << "limit from" << quint64(before);
            return;
        }
    }
    if (limit.rlim_cur == RLIM_INFINITY)
        qCInfo(lcServer) << what << "limit: unlimited";
    else
        qCInfo(lcServer) << what << "limit:" << quint64(limit.rlim_cur);
}

// Where files go with this configuration: the database (an empty folder),
// or a folder. nullopt, with *error set, when FILE_STORAGE=postgres lacks a
// PostgreSQL database.
std::optional<QString> filesFolder(const Config &config, Backend backend, QString *error)
{
    const QString storage = !config.fileStorage.isEmpty() ? config.fileStorage
        : backend == Backend::Postgres                    ? u"postgres"_s
                                                          : u"directory"_s;
    if (storage == u"postgres"_s) {
        if (backend == Backend::Postgres)
            return QString();
        *error = u"FILE_STORAGE=postgres needs a PostgreSQL DATABASE_URL"_s;
        return std::nullopt;
    }
    return QDir(config.filesDir.isEmpty() ? QDir(config.dataDir).absoluteFilePath(u"files"_s)
                                          : config.filesDir)
        .absolutePath();
}

} // namespace

ExitCode Server::checkConfiguration(const Config &config)
{
    const auto report = [](const QString &line) { std::fprintf(stdout, "%s\n", qPrintable(line)); };
    // The worst finding decides the exit code: a configuration that is wrong,
    // then a database that does not answer, then what only this machine lacks.
    bool invalid = false;
    bool unreachable = false;
    bool cannotStart = false;
    QString error;
    report(u"listen:   %1 (%2)"_s.arg(addressText(config.host, config.port),
        config.tlsCertificateFile.isEmpty() ? u"http"_s : u"https"_s));
    {
        QTcpServer probe; // bound and released at once
        if (!probe.listen(listenAddress(config.host), config.port)) {
            report(u"          ERROR cannot listen there: "_s + probe.errorString());
            cannotStart = true;
        }
    }
    if (!config.tlsCertificateFile.isEmpty()) {
        if (tlsConfiguration(config, &error)) {
            report(u"tls:      %1 with %2"_s.arg(config.tlsCertificateFile, config.tlsKeyFile));
        } else {
            report(u"tls:      ERROR "_s + error);
            invalid = true;
        }
    }
    if (!writableOrCreatable(config.dataDir)) {
        report(u"data:     ERROR %1 cannot be written or created"_s.arg(config.dataDir));
        cannotStart = true;
    }
    if (!config.pidFile.isEmpty()) {
        report(u"pid file: "_s + config.pidFile);
        if (!writableOrCreatable(QFileInfo(config.pidFile).absolutePath())) {
            report(u"          ERROR its folder cannot be written or created"_s);
            cannotStart = true;
        }
    }
    const QString keyFile = QDir(config.dataDir).filePath(u"secret_key"_s);
    if (!config.secretKey.isEmpty()) {
        report(u"secret:   SECRET_KEY is set"_s);
    } else if (QFile file(keyFile); file.exists()) {
        const qsizetype length
            = file.open(QIODevice::ReadOnly) ? file.readAll().trimmed().size() : -1;
        if (length < 0) {
            report(u"secret:   ERROR cannot read "_s + keyFile);
            cannotStart = true;
        } else if (length > 0 && length < Config::secretKeyMinBytes) {
            report(
                u"secret:   ERROR %1 holds a key of %2 bytes; it must be at least %3"_s.arg(keyFile)
                    .arg(length)
                    .arg(Config::secretKeyMinBytes));
            invalid = true;
        } else {
            report(u"secret:   from "_s + keyFile);
        }
    } else {
        report(u"secret:   generated into %1 on first start"_s.arg(keyFile));
    }
    report(u"events:   %1 event dispatcher"_s.arg(config.eventDispatcher));
    const auto settings = DatabaseSettings::fromUrl(config.databaseUrl, &error);
    if (!settings) {
        report(u"database: ERROR "_s + error);
        report(u"configuration has errors"_s);
        return ExitCode::ConfigurationInvalid;
    }
    report(u"database: "_s + settings->describe());
    if (settings->backend == Backend::Postgres) {
        {
            QSqlDatabase db = settings->connection(u"check-config"_s, u"messenger-check"_s);
            QSqlQuery probe(db);
            if (db.open()
                && probe.exec(u"SELECT version(), (SELECT ssl FROM pg_stat_ssl WHERE pid = "
                              "pg_backend_pid())"_s)
                && probe.next()) {
                report(u"          reachable: %1, %2"_s.arg(
                    probe.value(0).toString().section(u',', 0, 0),
                    probe.value(1).toBool() ? u"over TLS"_s : u"without TLS"_s));
            } else {
                report(u"          ERROR unreachable: "_s
                    + (db.isOpenError() ? db.lastError() : probe.lastError()).text().simplified());
                unreachable = true;
            }
        }
        QSqlDatabase::removeDatabase(u"check-config"_s);
    } else if (!writableOrCreatable(QFileInfo(settings->sqlitePath).absolutePath())) {
        report(u"          ERROR the folder of the database cannot be written or created"_s);
        cannotStart = true;
    }
    if (const auto folder = filesFolder(config, settings->backend, &error); !folder) {
        report(u"files:    ERROR "_s + error);
        invalid = true;
    } else {
        report(u"files:    %1; at most %2 MiB a file, %3 MiB per user"_s
                   .arg(folder->isEmpty() ? u"in the database"_s : *folder)
                   .arg(config.uploadMaxBytes / (1024 * 1024))
                   .arg(config.storageQuotaBytes / (1024 * 1024)));
        if (!folder->isEmpty() && !writableOrCreatable(*folder)) {
            report(u"          ERROR the folder cannot be written or created"_s);
            cannotStart = true;
        }
    }
    if (!config.corsOrigins.isEmpty())
        report(u"cors:     "_s + config.corsOrigins.join(u", "_s));
    const ExitCode verdict = invalid ? ExitCode::ConfigurationInvalid
        : unreachable                ? ExitCode::DatabaseUnreachable
        : cannotStart                ? ExitCode::CannotStart
                                     : ExitCode::Fine;
    report(verdict == ExitCode::Fine ? u"configuration OK"_s : u"configuration has errors"_s);
    return verdict;
}

Server::Server(Config config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
{ }

Server::~Server()
{
    if (m_clusterThread) {
        QMetaObject::invokeMethod(m_cluster, &QObject::deleteLater);
        m_clusterThread->quit();
        m_clusterThread->wait();
    }
    // Sessions before the hub they are registered with.
    m_gateway.reset();
    m_presence.reset();
}

bool Server::startFiles(Backend backend, QString *error)
{
    const auto folder = filesFolder(m_config, backend, error);
    if (!folder)
        return false;
    if (folder->isEmpty()) {
        m_fileStore = makeDatabaseStore();
        qCInfo(lcServer).noquote() << "files in the database";
    } else {
        if (!QDir().mkpath(*folder) || !QFileInfo(*folder).isWritable()) {
            *error = u"cannot write to the files folder "_s + *folder;
            return false;
        }
        // People's files: the server's user alone may list or read them.
        QFile::setPermissions(
            *folder, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        m_fileStore = makeDirectoryStore(*folder);
        qCInfo(lcServer).noquote() << "files in" << *folder;
    }
    FileSettings settings;
    settings.maxFileBytes = m_config.uploadMaxBytes;
    settings.quotaBytes = m_config.storageQuotaBytes;
    settings.uploadsInProgressMax = m_config.uploadsInProgressMax;
    settings.expirySeconds = m_config.uploadExpirySeconds;
    m_fileLinks = std::make_unique<FileLinks>(m_config.secretKey, m_config.fileLinkSeconds);
    m_api->setFiles(m_fileStore.get(), settings, m_fileLinks.get());
    m_api->setDownloadStallLimit(qMax(1, m_config.httpIdleTimeoutSeconds) * 1000);
    // Expired uploads and files nothing carries any more: removed in the
    // background, often enough that an expiry is kept to within a few seconds.
    m_fileSweep = new QTimer(this);
    m_fileSweep->setInterval(qBound(1, settings.expirySeconds / 4, 60) * 1000);
    connect(m_fileSweep, &QTimer::timeout, this, [this, settings] {
        m_database->run([store = m_fileStore.get(), settings](Db &db) {
            return Result<int>(FileService::sweep(db, *store, settings));
        });
    });
    m_fileSweep->start();
    return true;
}

bool Server::openDatabaseWhenItAnswers(QString *error)
{
    QElapsedTimer waited;
    waited.start();
    const qint64 patienceMs = qint64(m_config.databaseStartTimeoutSeconds) * 1000;
    int pauseMs = 250;
    for (int attempt = 1;; ++attempt) {
        // Not after a SIGTERM (shutdown() ends the wait below, or came earlier).
        if (!m_shuttingDown && m_database->open(error)) {
            if (attempt > 1)
                qCInfo(lcServer) << "database answered at attempt" << attempt;
            return true;
        }
        const qint64 leftMs = patienceMs - waited.elapsed();
        if (leftMs <= 0 || m_shuttingDown) {
            if (m_shuttingDown) { // stopped while waiting: what was asked for, not a failure
                *error = u"stopped while waiting for the database"_s;
                m_failure = ExitCode::Fine;
            } else {
                *error = u"database unreachable: "_s + *error;
                m_failure = ExitCode::DatabaseUnreachable;
            }
            return false;
        }
        const int nextMs = int(qMin<qint64>(pauseMs, leftMs));
        qCWarning(lcServer).noquote()
            << u"database unreachable (attempt %1), retrying in %2 ms for up to %3 s more: %4"_s
                   .arg(attempt)
                   .arg(nextMs)
                   .arg((leftMs + 999) / 1000)
                   .arg(*error);
        // A local loop, not a sleep: SIGTERM (shutdown()) ends the wait.
        QEventLoop wait;
        m_databaseWait = &wait;
        QTimer::singleShot(nextMs, &wait, &QEventLoop::quit);
        wait.exec();
        m_databaseWait = nullptr;
        pauseMs = qMin(pauseMs * 2, 5000);
    }
}

bool Server::start(QString *error)
{
    initServerResources();
    keepBigBuffersOffTheHeap();
    raiseSoftLimit(RLIMIT_NOFILE, "open files");
    raiseSoftLimit(RLIMIT_CORE, "core file size");
    if (sodium_init() < 0) {
        *error = u"libsodium failed to initialise"_s;
        return false;
    }
    // Before anything runs: the pair check spins an event loop of its own.
    const bool tls = !m_config.tlsCertificateFile.isEmpty();
    std::optional<QSslConfiguration> tlsSettings;
    if (tls && !(tlsSettings = tlsConfiguration(m_config, error))) {
        m_failure = ExitCode::ConfigurationInvalid;
        return false;
    }
    if (!m_config.ensureSecretKey(error)) {
        // A key file too short is the configuration's fault; no folder or file, the machine's.
        if (!m_config.secretKey.isEmpty() && m_config.secretKey.size() < Config::secretKeyMinBytes)
            m_failure = ExitCode::ConfigurationInvalid;
        return false;
    }
    auto settings = DatabaseSettings::fromUrl(m_config.databaseUrl, error);
    if (!settings || !filesFolder(m_config, settings->backend, error)) {
        m_failure = ExitCode::ConfigurationInvalid;
        return false;
    }
    settings->poolSize = m_config.dbPoolSize;
    if (settings->backend == Backend::Sqlite) {
        const QString folder = QFileInfo(settings->sqlitePath).absolutePath();
        if (!QDir().mkpath(folder)) {
            *error = u"cannot create "_s + folder;
            return false;
        }
    }
    m_database = std::make_unique<Database>(*settings);
    qCInfo(lcServer).noquote() << "database" << settings->describe() << "with"
                               << settings->effectivePoolSize() << "workers";
    if (!openDatabaseWhenItAnswers(error))
        return false;
    if (!m_database->migrate(error))
        return false;

    const int hashers = m_config.hashConcurrency > 0 ? m_config.hashConcurrency
                                                     : qMax(1, QThread::idealThreadCount());
    m_hasher = std::make_unique<PasswordHasher>(hashers);
    m_tokens = std::make_unique<TokenService>(m_config.secretKey, m_config.accessTokenMinutes);
    m_feed = std::make_unique<EventFeed>(*m_database);
    if (!m_feed->start(error))
        return false;
    m_hub = std::make_unique<Hub>(m_config.wsPingIntervalSeconds);
    connect(m_feed.get(), &EventFeed::updatesReady, m_hub.get(), &Hub::deliver);
    m_presence = std::make_unique<PresenceTracker>(*m_database,
        PresenceSettings { m_config.presenceGraceSeconds, m_config.presenceTimeoutSeconds });
    m_presence->setHub(m_hub.get());
    connect(m_hub.get(), &Hub::userSocketOpened, m_presence.get(), &PresenceTracker::socketOpened);
    connect(m_hub.get(), &Hub::userSocketClosed, m_presence.get(), &PresenceTracker::socketClosed);

    m_http = std::make_unique<QHttpServer>();
    m_limits = std::make_unique<RateLimits>(m_config.failedLoginRate, m_config.registrationRate,
        m_config.messageRate, m_config.failedLoginAccountRate, m_config.userSearchRate,
        m_config.chatChangeRate, m_config.reactionRate);
    m_sends = std::make_unique<SendQueue>(*m_database, m_limits->messagesByUser);
    m_knownUsers = std::make_unique<KnownUsers>(*m_database);
    m_sessions = std::make_unique<SessionRegistry>(*m_database);
    // Revocations from any instance arrive through the log.
    connect(m_feed.get(), &EventFeed::updatesReady, m_sessions.get(), &SessionRegistry::observe);
    m_api = std::make_unique<HttpApi>(*m_database, *m_sends, *m_limits, *m_knownUsers, *m_sessions,
        *m_hasher, *m_tokens, *m_feed);
    m_api->setTrustedProxies(m_config.trustedProxies);
    m_api->setRegistration(m_config.registration == u"closed"_s ? UserService::Registration::Closed
            : m_config.registration == u"invite"_s              ? UserService::Registration::Invite
                                                                : UserService::Registration::Open);
    if (!startFiles(settings->backend, error))
        return false;
    m_api->registerRoutes(*m_http);
    WsSettings wsSettings;
    wsSettings.maxConnectionsPerUser = m_config.wsMaxConnectionsPerUser;
    wsSettings.maxConnectionsPerAddress = m_config.wsMaxConnectionsPerAddress;
    wsSettings.frameRate = m_config.wsFrameRate;
    wsSettings.trustedProxies = m_config.trustedProxies;
    wsSettings.maxOutboundBytes = m_config.wsMaxOutboundBytes;
    m_gateway = std::make_unique<WsGateway>(
        *m_database, *m_sends, *m_knownUsers, *m_sessions, *m_tokens, *m_hub, *m_feed, wsSettings);
    m_gateway->registerRoutes(*m_http);
    connect(m_api.get(), &HttpApi::committed, m_feed.get(), &EventFeed::localCommit);
    connect(m_api.get(), &HttpApi::presenceVisibilityChanged, m_presence.get(),
        &PresenceTracker::visibilityChanged);
    connect(m_gateway.get(), &WsGateway::committed, m_feed.get(), &EventFeed::localCommit);
    // Sends tell the feed themselves, with what they stored.
    connect(m_feed.get(), &EventFeed::interestChanged, m_sends.get(), &SendQueue::setAudience);
    connect(m_sends.get(), &SendQueue::batchDispatched, m_feed.get(), &EventFeed::sendsDispatched);
    connect(m_sends.get(), &SendQueue::batchStored, m_feed.get(), &EventFeed::sendsStored);

    if (settings->backend == Backend::Postgres) {
        // Other instances learn of our commits, and we of theirs, through LISTEN/NOTIFY.
        m_clusterThread = new QThread(this);
        m_clusterThread->setObjectName(u"cluster-link"_s);
        if (m_config.eventDispatcher == u"epoll"_s)
            m_clusterThread->setEventDispatcher(new EpollEventDispatcher);
        m_cluster = new ClusterLink(*settings);
        m_cluster->moveToThread(m_clusterThread);
        connect(m_cluster, &ClusterLink::remoteCommitted, m_feed.get(), &EventFeed::poke);
        connect(m_api.get(), &HttpApi::committed, this, [this] { m_cluster->announce(); });
        connect(m_gateway.get(), &WsGateway::committed, this, [this] { m_cluster->announce(); });
        connect(m_sends.get(), &SendQueue::batchStored, this,
            [this](quint64, const QList<Update> &stored, const QHash<QString, QStringList> &,
                bool complete) {
                if (!stored.isEmpty() || !complete)
                    m_cluster->announce();
            });
        connect(m_gateway.get(), &WsGateway::typingBroadcast, this,
            [this](const QByteArray &frame) { m_cluster->broadcastEphemeral(frame); });
        connect(m_cluster, &ClusterLink::remoteEphemeral, m_gateway.get(),
            &WsGateway::deliverRemoteTyping);
        connect(m_presence.get(), &PresenceTracker::changesBroadcast, this,
            [this](const QByteArray &frame) { m_cluster->broadcastEphemeral(frame); });
        connect(m_cluster, &ClusterLink::remoteEphemeral, m_presence.get(),
            &PresenceTracker::remoteFrame);
        m_clusterThread->start();
    }

    m_api->setCorsOrigins(m_config.corsOrigins);
    HttpConnectionSettings connectionSettings;
    connectionSettings.requestTimeoutSeconds = m_config.httpRequestTimeoutSeconds;
    connectionSettings.idleTimeoutSeconds = m_config.httpIdleTimeoutSeconds;
    connectionSettings.maxConnectionsPerAddress = m_config.httpMaxConnectionsPerAddress;
    connectionSettings.trustedProxies = m_config.trustedProxies;
    m_connections = std::make_unique<HttpConnections>(connectionSettings);
    m_api->setConnections(m_connections.get());
    m_gateway->setHttpConnections(m_connections.get());
    if (tls) {
        auto *secure = new QSslServer(m_http.get());
        secure->setSslConfiguration(*tlsSettings);
        // The handshake counts toward the first request's deadline.
        connect(secure, &QSslServer::startedEncryptionHandshake, m_connections.get(),
            [this](QSslSocket *socket) {
                if (!m_connections->adopt(socket, true))
                    QMetaObject::invokeMethod(
                        socket, &QAbstractSocket::abort, Qt::QueuedConnection);
            });
        m_listener = secure;
    } else {
        m_listener = new HttpListener(*m_connections, m_http.get());
    }
    const QHostAddress address = listenAddress(m_config.host); // Config checked it
    // Qt listens with a backlog of 50: in a reconnect storm (an instance
    // restarted, thousands of clients coming back) the kernel then drops
    // SYNs and clients wait out 1, 3, 7, 15 s retransmits. The kernel caps
    // this at net.core.somaxconn (4096 on Debian 12).
    m_listener->setListenBacklogSize(listenBacklog);
    if (!m_listener->listen(address, m_config.port)) {
        *error = u"cannot listen on %1: %2"_s.arg(
            addressText(m_config.host, m_config.port), m_listener->errorString());
        return false;
    }
    m_http->bind(m_listener);
    // What is installed, not what was asked for (EVENT_DISPATCHER).
    qCInfo(lcServer) << "event dispatcher:"
                     << QAbstractEventDispatcher::instance()->metaObject()->className();
    // Always printed, whatever the log level: scripts and tests wait for it.
    Logging::announce((tls ? u"Listening on https://"_s : u"Listening on http://"_s)
        + addressText(m_config.host, m_listener->serverPort()));
    return true;
}

void Server::shutdown()
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    qCInfo(lcServer) << "shutting down";
    if (!m_listener) {
        // Still starting (waiting for the database): nothing to drain yet.
        if (m_databaseWait)
            m_databaseWait->quit();
        return;
    }
    m_listener->close();
    // Our users go offline now, not when the presence timeout expires.
    m_presence->leave();
    // Let database work in flight finish and its answers be written.
    auto waited = std::make_shared<QElapsedTimer>();
    waited->start();
    auto *drain = new QTimer(this);
    drain->setInterval(20);
    connect(drain, &QTimer::timeout, this, [this, drain, waited] {
        const bool busy = m_database->pool()->activeThreadCount() > 0;
        if (busy && waited->elapsed() < qint64(m_config.shutdownGraceSeconds) * 1000)
            return;
        drain->stop();
        m_hub->closeAll(QWebSocketProtocol::CloseCodeGoingAway, u"server shutting down"_s);
        // A moment for the close frames to leave.
        QTimer::singleShot(200, qApp, &QCoreApplication::quit);
    });
    drain->start();
}

quint16 Server::port() const
{
    return m_listener ? m_listener->serverPort() : 0;
}

} // namespace Messenger::Server
