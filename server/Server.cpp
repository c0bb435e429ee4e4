#include "Server.h"

#include "auth/PasswordHasher.h"
#include "db/Database.h"
#include "http/HttpApi.h"
#include "services/TokenService.h"

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

Server::Server(Config config, QObject *parent) : QObject(parent), m_config(std::move(config)) { }

Server::~Server() = default;

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
    m_http = std::make_unique<QHttpServer>();
    m_api = std::make_unique<HttpApi>(*m_database, *m_hasher, *m_tokens);
    m_api->registerRoutes(*m_http);

    m_listener = new QTcpServer(m_http.get());
    const QHostAddress address = m_config.host == u"localhost"_s ? QHostAddress(QHostAddress::LocalHost)
                                                                  : QHostAddress(m_config.host);
    if (address.isNull()) {
        *error = u"HOST is not an IP address: "_s + m_config.host;
        return false;
    }
    if (!m_listener->listen(address, m_config.port)) {
        *error = u"cannot listen on %1:%2: %3"_s.arg(m_config.host).arg(m_config.port).arg(m_listener->errorString());
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

quint16 Server::port() const
{
    return m_listener ? m_listener->serverPort() : 0;
}

} // namespace Messenger::Server
