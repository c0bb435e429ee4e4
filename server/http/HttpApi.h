#pragma once

#include "HttpReply.h"
#include "Request.h"
#include "files/FileService.h"
#include "security/TrustedProxies.h"
#include "services/TokenService.h"
#include "services/UserService.h"

#include <QFuture>
#include <QHttpServerRequest>
#include <QObject>

#include <functional>

class QHttpServer;
class QHttpServerResponder;
class QTcpSocket;

namespace Messenger::Server {

class Database;
class EventFeed;
class FileLinks;
class FileStore;
class HttpConnections;
class PasswordHasher;
class SendQueue;
class KnownUsers;
class SessionRegistry;
struct RateLimits;

// The REST API: registers every route on the QHttpServer and maps requests to
// services. Handlers never touch SQL or hash passwords on this (the event
// loop's) thread; they return futures that complete on worker threads.
class HttpApi : public QObject
{
    Q_OBJECT
public:
    HttpApi(Database &database, SendQueue &sends, RateLimits &limits, KnownUsers &knownUsers,
        SessionRegistry &sessions, PasswordHasher &hasher, TokenService &tokens, EventFeed &feed,
        QObject *parent = nullptr);

    void registerRoutes(QHttpServer &server);

    // Every route registerRoutes() added: method ("GET") and path as the
    // OpenAPI document names it ("/api/v1/chats/{chat_id}", also the route's
    // label in logs and metrics); the OpenAPI test checks the document against it.
    struct Route
    {
        QByteArray method;
        QString path;
    };
    const QList<Route> &routes() const { return m_routes; }
    // Browser origins allowed to call the API ("*" for any); none by default.
    void setCorsOrigins(const QStringList &origins) { m_corsOrigins = origins; }
    void setTrustedProxies(const TrustedProxies &proxies) { m_trustedProxies = proxies; }
    // The connection rules (one request at a time, framing) requests go through.
    void setConnections(HttpConnections *connections) { m_connections = connections; }
    // Where files are kept, the limits on them and the signer of download
    // links; set before registerRoutes().
    void setFiles(FileStore *store, const FileSettings &settings, const FileLinks *links);
    // A download whose client takes nothing for this long is closed.
    void setDownloadStallLimit(int milliseconds) { m_downloadStallMs = milliseconds; }
    // Who may register (REGISTRATION); open by default.
    void setRegistration(UserService::Registration mode) { m_registration = mode; }

Q_SIGNALS:
    // A request that changes data succeeded: its updates are in the log
    // (sends tell the feed themselves, through SendQueue).
    void committed();
    // The user changed who sees their presence (PresenceTracker tells watchers).
    void presenceVisibilityChanged(const QString &userId);

private:
    using Handler = std::function<QFuture<HttpReply>(const Request &)>;
    // BearerOrSignedLink: a bearer token, or else a signed link's query (the
    // handler checks that one; Request::userId is empty then).
    enum class Access { Public, Authenticated, BearerOrSignedLink };

    void addRoute(QHttpServer &server, const QString &path, QHttpServerRequest::Method method,
        Access access, Handler handler);
    // `path` names its parameters as the OpenAPI document does ("{chat_id}").
    // A path with ids: `unknownIds` is each id's 404 when it is not a UUID.
    void addRoute(QHttpServer &server, const QString &path, QHttpServerRequest::Method method,
        Access access, const QList<ApiError> &unknownIds, Handler handler);
    // The routes, by area.
    void addAuthRoutes(QHttpServer &server);
    void addSessionRoutes(QHttpServer &server);
    void addUserRoutes(QHttpServer &server);
    void addChatRoutes(QHttpServer &server);
    void addMessageRoutes(QHttpServer &server);
    void addOpsRoutes(QHttpServer &server);
    // tus uploads and file downloads (FileRoutes.cpp).
    void addFileRoutes(QHttpServer &server);
    // Writes a file answer's head and streams its body; answered() once done.
    // Returns the status written (429 when no download slot was free).
    // `extra`: the headers every answer gets (CORS, X-Request-Id).
    int writeFileAnswer(QTcpSocket *socket, const HttpReply &answer,
        const QList<QPair<QByteArray, QByteArray>> &extra);
    // What a browser's CORS preflight is told it may send.
    static QList<QPair<QByteArray, QByteArray>> preflightHeaders();
    QFuture<HttpReply> forward(const Request &request);
    void dispatch(const QHttpServerRequest &request, QHttpServerResponder &&responder,
        const QString &route, QStringList args, Access access, const Handler &handler);
    // Hands a complete request to the connection rules; false when it was
    // refused (and answered) there.
    bool admit(
        const QHttpServerRequest &request, QHttpServerResponder &responder, const QString &route);
    // The answer on `socket` is written: the connection may read the next request.
    void answered(QTcpSocket *socket);
    // A route answered on the spot, under the same connection rules.
    // `route` is its label in logs and metrics.
    void answerNow(const QHttpServerRequest &request, QHttpServerResponder &&responder,
        const QString &route, const std::function<HttpReply()> &answer);
    bool originAllowed(const QByteArray &origin) const;
    // The CORS headers for a browser request from `origin`, if it is allowed.
    QList<QPair<QByteArray, QByteArray>> corsHeaders(const QByteArray &origin) const;

    QFuture<HttpReply> registerUser(const Request &request);
    QFuture<HttpReply> login(const Request &request);
    // POST /users/me/password: checks the current password under the login
    // guard, stores the new hash and ends the user's other sessions.
    QFuture<HttpReply> changePassword(const Request &request);
    QFuture<HttpReply> history(const Request &request);
    QFuture<HttpReply> searchUsers(const Request &request);
    QFuture<HttpReply> presence(const Request &request);
    QFuture<HttpReply> searchMessages(const Request &request);
    // A 429 when the user made too many group changes (CHAT_CHANGE_RATE).
    std::optional<ApiError> chatChangeRefused(const QString &userId);
    // PUT (add) or DELETE a reaction: /chats/messages/{id}/reactions/{emoji}.
    QFuture<HttpReply> react(const Request &request, bool add);
    QFuture<HttpReply> health();
    static TokenService::ClientInfo clientInfo(
        const Request &request, const std::optional<QString> &deviceName = {});
    // 204 once the sessions a revocation ended are refused here, or its error.
    QFuture<HttpReply> endSessions(QFuture<Result<QStringList>> revocation);
    QFuture<HttpReply> updates(const Request &request);

    Database &m_db;
    SendQueue &m_sends;
    RateLimits &m_limits;
    KnownUsers &m_knownUsers;
    SessionRegistry &m_sessions;
    TrustedProxies m_trustedProxies;
    PasswordHasher &m_hasher;
    TokenService &m_tokens;
    EventFeed &m_feed;
    QStringList m_corsOrigins;
    HttpConnections *m_connections = nullptr;
    QList<Route> m_routes;
    FileStore *m_fileStore = nullptr;
    FileSettings m_fileSettings;
    const FileLinks *m_fileLinks = nullptr;
    int m_downloadStallMs = 60 * 1000;
    UserService::Registration m_registration = UserService::Registration::Open;
};

} // namespace Messenger::Server
