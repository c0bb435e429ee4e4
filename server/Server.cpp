#include "Server.h"

#include "auth/PasswordHasher.h"
#include "cluster/ClusterLink.h"
#include "cluster/EventFeed.h"
#include "db/Database.h"
#include "http/HttpApi.h"
#include "services/TokenService.h"
#include "ws/Hub.h"
#include "ws/WsGateway.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTimer>

#include <QDir>
#include <QFileInfo>
#include <QHttpServer>
#include <QLoggingCategory>
#include <QTcpServer>
#include <QThread>

#include <sodium.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcServer, "messenger.server")

// Resources compiled into a static library must be registered by hand.
static void initServerResources()
{
    Q_INIT_RESOURCE(migrations);
}

namespace Messenger::Server {

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
}

bool Server::start(QString *error)
{
    initServerResources();
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

    m_http = std::make_unique<QHttpServer>();
    m_api = std::make_unique<HttpApi>(*m_database, *m_hasher, *m_tokens, *m_feed);
    m_api->registerRoutes(*m_http);
    WsSettings wsSettings;
    wsSettings.maxConnectionsPerUser = m_config.wsMaxConnectionsPerUser;
    wsSettings.maxOutboundBytes = m_config.wsMaxOutboundBytes;
    m_gateway = std::make_unique<WsGateway>(*m_database, *m_tokens, *m_hub, *m_feed, wsSettings);
    m_gateway->registerRoutes(*m_http);
    connect(m_api.get(), &HttpApi::committed, m_feed.get(), &EventFeed::poke);
    connect(m_gateway.get(), &WsGateway::committed, m_feed.get(), &EventFeed::poke);

    if (settings->backend == Backend::Postgres) {
        // Other instances learn of our commits, and we of theirs, through LISTEN/NOTIFY.
        m_clusterThread = new QThread(this);
        m_clusterThread->setObjectName(u"cluster-link"_s);
        m_cluster = new ClusterLink(*settings);
        m_cluster->moveToThread(m_clusterThread);
        connect(m_cluster, &ClusterLink::remoteCommitted, m_feed.get(), &EventFeed::poke);
        connect(m_api.get(), &HttpApi::committed, this, [this] { m_cluster->announce(); });
        connect(m_gateway.get(), &WsGateway::committed, this, [this] { m_cluster->announce(); });
        connect(m_gateway.get(), &WsGateway::typingBroadcast, this,
            [this](const QByteArray &frame) { m_cluster->broadcastEphemeral(frame); });
        connect(m_cluster, &ClusterLink::remoteEphemeral, m_gateway.get(),
            &WsGateway::deliverRemoteTyping);
        m_clusterThread->start();
    }

    m_listener = new QTcpServer(m_http.get());
    const QHostAddress address = m_config.host == u"localhost"_s
        ? QHostAddress(QHostAddress::LocalHost)
        : QHostAddress(m_config.host);
    if (address.isNull()) {
        *error = u"HOST is not an IP address: "_s + m_config.host;
        return false;
    }
    if (!m_listener->listen(address, m_config.port)) {
        *error = u"cannot listen on %1:%2: %3"_s.arg(m_config.host)
                     .arg(m_config.port)
                     .arg(m_listener->errorString());
        return false;
    }
    m_http->bind(m_listener);
    // Always printed, whatever the log level: scripts and tests wait for it.
    const QByteArray line = "Listening on http://" + m_config.host.toUtf8() + ':'
        + QByteArray::number(m_listener->serverPort()) + '\n';
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
