#pragma once

#include "config/Config.h"

#include <QObject>

#include <memory>

class QHttpServer;
class QTcpServer;

namespace Messenger::Server {

class Database;
class HttpApi;
class PasswordHasher;
class TokenService;

// Assembles the server: database pool and migrations, password hashing,
// tokens, the HTTP API, and the listening socket.
class Server : public QObject
{
    Q_OBJECT
public:
    explicit Server(Config config, QObject *parent = nullptr);
    ~Server() override;

    // Migrates the database and starts listening; false with a reason otherwise.
    bool start(QString *error);
    quint16 port() const;

private:
    Config m_config;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<PasswordHasher> m_hasher;
    std::unique_ptr<TokenService> m_tokens;
    std::unique_ptr<HttpApi> m_api;
    std::unique_ptr<QHttpServer> m_http;
    QTcpServer *m_listener = nullptr; // owned by m_http
};

} // namespace Messenger::Server
