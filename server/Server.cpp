#include "Server.h"

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
    return tls;
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

int Server::checkConfiguration(const Config &config)
{
    const auto report = [](const QString &line) { std::fprintf(stdout, "%s\n", qPrintable(line)); };
    bool fine = true;
    QString error;
    report(u"listen:   %1:%2 (%3)"_s.arg(config.host)
               .arg(config.port)
               .arg(config.tlsCertificateFile.isEmpty() ? u"http"_s : u"https"_s));
    if (!config.tlsCertificateFile.isEmpty() && !tlsConfiguration(config, &error)) {
        report(u"tls:      ERROR "_s + error);
        fine = false;
    }
    report(u"events:   %1 event dispatcher"_s.arg(config.eventDispatcher));
    report(u"secret:   %1"_s.arg(config.secretKey.isEmpty()
            ? u"from %1/secret_key (generated on first start)"_s.arg(config.dataDir)
            : u"SECRET_KEY is set"_s));
    const auto settings = DatabaseSettings::fromUrl(config.databaseUrl, &error);
    if (!settings) {
        report(u"database: ERROR "_s + error);
        return 1;
    }
    report(u"database: "_s + settings->describe());
    if (settings->backend == Backend::Postgres) {
        {
            QSqlDatabase db = settings->connection(u"check-config"_s, u"messenger-check"_s);
            QSqlQuery probe(db);
            if (db.open() && probe.exec(u"SELECT version()"_s) && probe.next()) {
                report(u"          reachable: "_s + probe.value(0).toString().section(u',', 0, 0));
            } else {
                report(u"          ERROR unreachable: "_s
                    + (db.isOpenError() ? db.lastError() : probe.lastError()).text());
                fine = false;
            }
        }
        QSqlDatabase::removeDatabase(u"check-config"_s);
    } else if (!QFileInfo(QFileInfo(settings->sqlitePath).absolutePath()).isWritable()
        && !QFileInfo(settings->sqlitePath).isWritable()) {
        report(
            u"          NOTE the folder does not exist yet or is not writable; it is created on start"_s);
    }
    if (const auto folder = filesFolder(config, settings->backend, &error); !folder) {
        report(u"files:    ERROR "_s + error);
        fine = false;
    } else {
        report(u"files:    %1; at most %2 MiB a file, %3 MiB per user"_s
                   .arg(folder->isEmpty() ? u"in the database"_s : *folder)
                   .arg(config.uploadMaxBytes / (1024 * 1024))
                   .arg(config.storageQuotaBytes / (1024 * 1024)));
    }
    report(fine ? u"configuration OK"_s : u"configuration has errors"_s);
    return fine ? 0 : 1;
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
    if (!m_config.ensureSecretKey(error))
        return false;
    auto settings = DatabaseSettings::fromUrl(m_config.databaseUrl, error);
    if (!settings)
        return false;
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
    connect(m_api.get(), &HttpApi::committed, m_feed.get(), &EventFeed::poke);
    connect(m_api.get(), &HttpApi::presenceVisibilityChanged, m_presence.get(),
        &PresenceTracker::visibilityChanged);
    connect(m_gateway.get(), &WsGateway::committed, m_feed.get(), &EventFeed::poke);

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
    const bool tls = !m_config.tlsCertificateFile.isEmpty();
    if (tls) {
        const auto configuration = tlsConfiguration(m_config, error);
        if (!configuration)
            return false;
        auto *secure = new QSslServer(m_http.get());
        secure->setSslConfiguration(*configuration);
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
    const QHostAddress address = m_config.host == u"localhost"_s
        ? QHostAddress(QHostAddress::LocalHost)
        : QHostAddress(m_config.host);
    if (address.isNull()) {
        *error = u"HOST is not an IP address: "_s + m_config.host;
        return false;
    }
    // Qt listens with a backlog of 50: in a reconnect storm (an instance
    // restarted, thousands of clients coming back) the kernel then drops
    // SYNs and clients wait out 1, 3, 7, 15 s retransmits. The kernel caps
    // this at net.core.somaxconn (4096 on Debian 12).
    m_listener->setListenBacklogSize(listenBacklog);
    if (!m_listener->listen(address, m_config.port)) {
        *error = u"cannot listen on %1:%2: %3"_s.arg(m_config.host)
                     .arg(m_config.port)
                     .arg(m_listener->errorString());
        return false;
    }
    m_http->bind(m_listener);
    // What is installed, not what was asked for (EVENT_DISPATCHER).
    qCInfo(lcServer) << "event dispatcher:"
                     << QAbstractEventDispatcher::instance()->metaObject()->className();
    // Always printed, whatever the log level: scripts and tests wait for it.
    const QByteArray line = (tls ? "Listening on https://" : "Listening on http://")
        + m_config.host.toUtf8() + ':' + QByteArray::number(m_listener->serverPort()) + '\n';
    std::fwrite(line.constData(), 1, size_t(line.size()), stderr);
    std::fflush(stderr);
    return true;
}

void Server::shutdown()
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    qCInfo(lcServer) << "shutting down";
    if (m_listener)
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
