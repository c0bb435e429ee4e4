#pragma once

#include "config/Config.h"
#include "db/DbError.h"

#include <QObject>

class QThread;

#include <memory>

class QHttpServer;
class QEventLoop;
class QTcpServer;
class QTimer;

namespace Messenger::Server {

class ClusterLink;
class Database;
class EventFeed;
class FileLinks;
class FileStore;
class HttpApi;
class HttpConnections;
class Hub;
class PresenceTracker;
class PasswordHasher;
class SendQueue;
struct RateLimits;
class KnownUsers;
class SessionRegistry;
class TokenService;
class WsGateway;

// The process's exit codes, for start-up and --check-config alike (README).
enum class ExitCode {
    Fine = 0,
    CannotStart = 1, // valid, but not here and now: the port is taken, a folder unwritable
    ConfigurationInvalid = 2,
    DatabaseUnreachable = 3, // includes a refused login or an untrusted certificate
};

// Assembles the server: database pool and migrations, password hashing,
// tokens, the HTTP API, and the listening socket.
class Server : public QObject
{
    Q_OBJECT
public:
    explicit Server(Config config, QObject *parent = nullptr);
    ~Server() override;

    // Migrates the database and starts listening; false with a reason otherwise
    // (and failure() says which kind).
    bool start(QString *error);
    ExitCode failure() const { return m_failure; }
    quint16 port() const;

    // --check-config: prints what the configuration means and checks what
    // start() would (addresses, folders, the port, TLS files, that the
    // database answers) without changing anything; the process exit code.
    static ExitCode checkConfiguration(const Config &config);

public Q_SLOTS:
    // Stops accepting, lets in-flight work finish (up to the grace period),
    // closes every WebSocket with 1001, then quits the event loop.
    void shutdown();

private:
    // The file store, its limits and its sweep (after the HTTP API exists).
    bool startFiles(Backend backend, QString *error);
    // Opens the database, retrying with back-off for databaseStartTimeoutSeconds
    // while events (SIGTERM) are still handled; false once that time is up.
    bool openDatabaseWhenItAnswers(QString *error);
    Config m_config;
    ExitCode m_failure = ExitCode::CannotStart;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<PasswordHasher> m_hasher;
    std::unique_ptr<TokenService> m_tokens;
    std::unique_ptr<HttpApi> m_api;
    std::unique_ptr<Hub> m_hub;
    std::unique_ptr<PresenceTracker> m_presence;
    std::unique_ptr<EventFeed> m_feed;
    std::unique_ptr<RateLimits> m_limits;
    std::unique_ptr<KnownUsers> m_knownUsers;
    std::unique_ptr<SessionRegistry> m_sessions;
    std::unique_ptr<SendQueue> m_sends;
    std::unique_ptr<WsGateway> m_gateway;
    std::unique_ptr<FileStore> m_fileStore;
    std::unique_ptr<FileLinks> m_fileLinks;
    QTimer *m_fileSweep = nullptr;
    QThread *m_clusterThread = nullptr;
    ClusterLink *m_cluster = nullptr; // lives on m_clusterThread
    bool m_shuttingDown = false;
    QEventLoop *m_databaseWait = nullptr; // between start-up attempts to reach the database
    std::unique_ptr<HttpConnections> m_connections; // outlives m_http's sockets
    std::unique_ptr<QHttpServer> m_http;
    QTcpServer *m_listener = nullptr; // owned by m_http
};

} // namespace Messenger::Server
