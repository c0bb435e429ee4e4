#include "HttpApi.h"

#include "HttpConnections.h"
#include "Routing.h"
#include "auth/PasswordHasher.h"
#include "auth/SessionRegistry.h"
#include "cluster/EventFeed.h"
#include "db/Database.h"
#include "files/FileLinks.h"
#include "observability/Metrics.h"
#include "security/KnownUsers.h"
#include "security/LoginGuard.h"
#include "security/RateLimiter.h"
#include "services/ChatService.h"
#include "services/ChatSettingsService.h"
#include "services/MessageService.h"
#include "services/PresenceService.h"
#include "services/SearchService.h"
#include "services/SendOutcome.h"
#include "services/SendQueue.h"
#include "services/TokenService.h"
#include "services/Updates.h"
#include "services/UserService.h"
#include "shared/ApiPaths.h"
#include "shared/AuthDtos.h"
#include "shared/Limits.h"
#include "shared/Operations.h"
#include "shared/Queries.h"
#include "shared/Requests.h"
#include "shared/Validation.h"

#include <QDateTime>
#include <QFile>
#include <QHttpServer>
#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QLoggingCategory>
#include <QMetaEnum>
#include <QPointer>
#include <QRegularExpression>
#include <QTcpSocket>

using namespace Qt::StringLiterals;
using Method = QHttpServerRequest::Method;

Q_LOGGING_CATEGORY(lcHttp, "messenger.server.http")

namespace Messenger::Server {

namespace {

// Decodes the body into Dto (or answers 400/415/422) and hands it to `next`.
template <typename Dto, typename Next>
QFuture<HttpReply> withBody(const Request &request, Next next, bool optional = false)
{
    const Result<QJsonObject> json = request.jsonObject(optional);
    if (!json)
        return ready(json.error());
    Parsed<Dto> dto = Dto::fromJson(json.value());
    if (!dto)
        return ready(ApiError::validation(dto.errors()));
    return next(std::move(dto).value());
}

ApiError notFound(const QString &what)
{
    return ApiError::notFound(
        what.toLower().replace(u' ', u'_') + u"_not_found"_s, what + u" not found"_s);
}

const ApiError chatNotFound = notFound(u"Chat"_s);
const ApiError messageNotFound = notFound(u"Message"_s);
const ApiError sessionNotFound = notFound(u"Session"_s);
const ApiError memberNotFound
    = ApiError::notFound(u"member_not_found"_s, u"User is not a member of this chat"_s);

} // namespace

HttpApi::HttpApi(Database &database, SendQueue &sends, RateLimits &limits, KnownUsers &knownUsers,
    SessionRegistry &sessions, PasswordHasher &hasher, TokenService &tokens, EventFeed &feed,
    QObject *parent)
    : QObject(parent)
    , m_db(database)
    , m_sends(sends)
    , m_limits(limits)
    , m_knownUsers(knownUsers)
    , m_sessions(sessions)
    , m_hasher(hasher)
    , m_tokens(tokens)
    , m_feed(feed)
{ }

void HttpApi::addRoute(QHttpServer &server, const QString &path, Method method, Access access,
    const QList<ApiError> &unknownIds, Handler handler)
{
    // The path's ids, checked once here for every route that has them: an id
    // that is not a UUID names nothing, so it gets that placeholder's 404 (after
    // authentication, before the body is read); the handler sees canonical ids.
    // Placeholders past unknownIds are not ids (an emoji): the handler checks them.
    Q_ASSERT(path.count(u'{') >= unknownIds.size());
    addRoute(server, path, method, access,
        [unknownIds, handler = std::move(handler)](const Request &request) {
            Request checked = request;
            for (qsizetype i = 0; i < unknownIds.size(); ++i) {
                const auto id = canonicalUuid(request.args.value(i));
                if (!id)
                    return ready(unknownIds[i]);
                checked.args[i] = *id;
            }
            return handler(checked);
        });
}

void HttpApi::addRoute(
    QHttpServer &server, const QString &path, Method method, Access access, Handler handler)
{
    m_routes.append(
        { QByteArray(QMetaEnum::fromType<Method>().valueToKey(int(method))).toUpper(), path });
    // QHttpServer matches "<arg>" where the OpenAPI path names its parameter.
    static const QRegularExpression parameter(u"\\{[a-z_]+\\}"_s);
    const QString pattern = QString(path).replace(parameter, u"<arg>"_s);
    const qsizetype placeholders = pattern.count(u"<arg>"_s);
    if (placeholders == 0) {
        server.route(pattern, method,
            [this, path, access, handler](
                const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                dispatch(request, std::move(responder), path, {}, access, handler);
            });
    } else if (placeholders == 1) {
        server.route(pattern, method,
            [this, path, access, handler](const QString &first, const QHttpServerRequest &request,
                QHttpServerResponder &&responder) {
                dispatch(request, std::move(responder), path, { first }, access, handler);
            });
    } else {
        server.route(pattern, method,
            [this, path, access, handler](const QString &first, const QString &second,
                const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                dispatch(request, std::move(responder), path, { first, second }, access, handler);
            });
    }
}

namespace {

// A complete answer written through QHttpServer, with `extra` headers.
void writeReply(QHttpServerResponder &&responder, const HttpReply &reply,
    const QList<QPair<QByteArray, QByteArray>> &extra)
{
    QHttpServerResponse response(
        reply.contentType, reply.body, QHttpServerResponse::StatusCode(reply.status));
    for (const auto &[name, value] : reply.headers + extra)
        response.addHeader(name, value);
    response.write(std::move(responder));
}

} // namespace

bool HttpApi::admit(
    const QHttpServerRequest &request, QHttpServerResponder &responder, const QString &route)
{
    QTcpSocket *socket = responder.socket();
    if (!m_connections || m_connections->requestArrived(socket, request))
        return true;
    const RequestTrace trace = RequestTrace::of(request, route, m_trustedProxies);
    const HttpReply reply = HttpReply::error(ApiError::badRequest(u"ambiguous_framing"_s,
        u"Content-Length with Transfer-Encoding, several Content-Lengths or an unsupported "
        "Transfer-Encoding: the request's length is ambiguous"_s));
    writeReply(std::move(responder), reply, { { "Connection"_ba, "close"_ba }, trace.header() });
    m_connections->answeredAndClose(socket);
    trace.finish(reply.status, reply.body.size());
    return false;
}

void HttpApi::answered(QTcpSocket *socket)
{
    if (m_connections)
        m_connections->answered(socket);
}

void HttpApi::answerNow(const QHttpServerRequest &request, QHttpServerResponder &&responder,
    const QString &route, const std::function<HttpReply()> &answer)
{
    if (!admit(request, responder, route))
        return;
    const RequestTrace trace = RequestTrace::of(request, route, m_trustedProxies);
    QTcpSocket *socket = responder.socket();
    const HttpReply reply = answer();
    writeReply(
        std::move(responder), reply, corsHeaders(request.value("origin"_ba)) << trace.header());
    answered(socket);
    trace.finish(reply.status, reply.body.size());
}

void HttpApi::dispatch(const QHttpServerRequest &httpRequest, QHttpServerResponder &&responder,
    const QString &route, QStringList args, Access access, const Handler &handler)
{
    if (!admit(httpRequest, responder, route))
        return;
    Request request = Request::from(httpRequest, std::move(args), route, m_trustedProxies);
    std::optional<QFuture<HttpReply>> reply;
    if (request.body.size() > Limits::requestBodyMax) {
        reply = ready(ApiError { 413, u"body_too_large"_s,
            u"Request body exceeds %1 bytes"_s.arg(Limits::requestBodyMax), {} });
    } else if (access == Access::Authenticated
        || (access == Access::BearerOrSignedLink
            && (!request.bearerToken().isEmpty() || !FileLinks::isSigned(request.query)))) {
        const QString token = request.bearerToken();
        const auto identity = token.isEmpty() ? std::nullopt : m_tokens.authenticate(token);
        if (token.isEmpty())
            reply = ready(ApiError::unauthorized(u"not_authenticated"_s, u"Not authenticated"_s));
        else if (!identity)
            reply = ready(
                ApiError::unauthorized(u"invalid_token"_s, u"Could not validate credentials"_s));
        else if (m_sessions.isRevoked(identity->sessionId))
            reply
                = ready(ApiError::unauthorized(u"session_revoked"_s, u"This session was ended"_s));
        else {
            request.userId = identity->userId;
            request.sessionId = identity->sessionId;
        }
    }
    if (!reply && !request.userId.isEmpty()
        && (!m_sessions.isLive(request.sessionId) || !m_knownUsers.contains(request.userId))) {
        // The first request of a session on this instance checks it in the
        // database; a live session's user exists (users are never deleted).
        reply = m_sessions.confirm(request.userId, request.sessionId)
                    .then(this,
                        [this, handler, request](const Result<Empty> &live) {
                            if (!live)
                                return ready(live.error());
                            m_knownUsers.insert(request.userId);
                            return handler(request);
                        })
                    .unwrap();
    }
    if (!reply)
        reply = handler(request);

    // QHttpServer 6.4 keeps raw socket pointers in a future's continuation; we
    // hold the responder ourselves and let the socket's lifetime cancel the
    // write when the client has gone away.
    QTcpSocket *socket = responder.socket();
    auto sharedResponder = std::make_shared<QHttpServerResponder>(std::move(responder));
    reply->then(socket,
        [this, socket, sharedResponder, origin = request.origin, trace = request.trace()](
            const HttpReply &answer) {
            if (trace.method != "GET" && trace.method != "HEAD" && answer.status < 300
                && !answer.feedTold)
                Q_EMIT committed();
            const auto extra = corsHeaders(origin) << trace.header();
            // A file's body is streamed; a HEAD answer has none (RFC 9110:
            // only what GET would say of it), else the client would read the
            // body as the start of the next answer on the connection.
            if (answer.file) {
                const int status = writeFileAnswer(socket, answer, extra);
                const bool sent = status == answer.status && !answer.file->headOnly;
                trace.finish(status, sent && status != 304 ? answer.file->length : 0);
                return;
            }
            if (trace.method == "HEAD") {
                socket->write(responseHead(
                    answer.status, answer.contentType, answer.body.size(), answer.headers + extra));
                answered(socket);
                trace.finish(answer.status, 0);
                return;
            }
            writeReply(std::move(*sharedResponder), answer, extra);
            answered(socket);
            trace.finish(answer.status, answer.body.size());
        });
}

void HttpApi::registerRoutes(QHttpServer &server)
{
    addAuthRoutes(server);
    addSessionRoutes(server);
    addUserRoutes(server);
    addChatRoutes(server);
    addMessageRoutes(server);
    addFileRoutes(server);
    addOpsRoutes(server);
}

void HttpApi::addAuthRoutes(QHttpServer &server)
{
    const auto pub = Access::Public;
    const auto auth = Access::Authenticated;
    addRoute(server, ApiPaths::authRegister.toString(), Method::Post, pub,
        [this](const Request &r) { return registerUser(r); });
    addRoute(server, ApiPaths::authToken.toString(), Method::Post, pub,
        [this](const Request &r) { return login(r); });
    addRoute(server, ApiPaths::authRefresh.toString(), Method::Post, pub, [this](const Request &r) {
        return withBody<RefreshRequest>(r, [this, client = clientInfo(r)](RefreshRequest body) {
            auto revoked = std::make_shared<QStringList>();
            return m_db
                .run([this, body, client, revoked](Db &db) {
                    return m_tokens.refresh(db, body.refreshToken, client, revoked.get());
                })
                .then(this, [this, revoked](const Result<TokenResponse> &tokens) {
                    // A reused token ended its session: refused here from now
                    // on, and the feed tells every instance (closing sockets).
                    if (!revoked->isEmpty()) {
                        m_sessions.markRevoked(*revoked);
                        Q_EMIT committed();
                    }
                    return toReply(tokens);
                });
        });
    });
    addRoute(server, ApiPaths::authLogout.toString(), Method::Post, auth, [this](const Request &r) {
        return withBody<LogoutRequest>(
            r,
            [this, user = r.userId](LogoutRequest body) {
                return endSessions(m_db.run([this, user, body](Db &db) {
                    return m_tokens.logout(db, user, body.refreshToken);
                }));
            },
            true);
    });
}

// Sessions: the caller's signed-in devices.
void HttpApi::addSessionRoutes(QHttpServer &server)
{
    const auto auth = Access::Authenticated;
    const QString v1 = ApiPaths::apiPrefix.toString();
    addRoute(server, ApiPaths::sessions.toString(), Method::Get, auth, [this](const Request &r) {
        return respond(m_db.run([user = r.userId, current = r.sessionId](
                                    Db &db) { return TokenService::sessions(db, user, current); }));
    });
    // Fixed paths before /sessions/{session_id}: the router takes the first match.
    addRoute(server, ApiPaths::sessionsRevokeOthers.toString(), Method::Post, auth,
        [this](const Request &r) {
            return endSessions(m_db.run([user = r.userId, current = r.sessionId](Db &db) {
                return TokenService::revokeOtherSessionsNow(db, user, current);
            }));
        });
    addRoute(server, v1 + u"/sessions/{session_id}"_s, Method::Delete, auth, { sessionNotFound },
        [this](const Request &r) {
            return endSessions(m_db.run([user = r.userId, id = r.args[0]](Db &db) {
                return TokenService::revokeSession(db, user, id);
            }));
        });
}

void HttpApi::addUserRoutes(QHttpServer &server)
{
    const auto auth = Access::Authenticated;
    addRoute(server, ApiPaths::usersMe.toString(), Method::Get, auth, [this](const Request &r) {
        return respond(m_db.run([user = r.userId](Db &db) { return UserService::user(db, user); }));
    });
    addRoute(server, ApiPaths::usersMe.toString(), Method::Patch, auth, [this](const Request &r) {
        return withBody<UpdateProfileRequest>(r, [this, user = r.userId](auto body) {
            // A rename is stored and sent to everyone who shares a chat with
            // the user: the same budget as group changes.
            if (auto refused = chatChangeRefused(user))
                return ready(*refused);
            return respond(
                m_db.run([user, body](Db &db) { return UserService::rename(db, user, body); }));
        });
    });
    // Profile photos: announced as a rename is, on the same budget.
    addRoute(
        server, ApiPaths::usersMeAvatar.toString(), Method::Put, auth, [this](const Request &r) {
            return withBody<SetAvatarRequest>(r, [this, user = r.userId](auto body) {
                if (auto refused = chatChangeRefused(user))
                    return ready(*refused);
                return respond(m_db.run([store = m_fileStore, user, body](Db &db) {
                    return UserService::setAvatar(db, *store, user, body.uploadId);
                }));
            });
        });
    addRoute(
        server, ApiPaths::usersMeAvatar.toString(), Method::Delete, auth, [this](const Request &r) {
            if (auto refused = chatChangeRefused(r.userId))
                return ready(*refused);
            return respond(m_db.run([store = m_fileStore, user = r.userId](Db &db) {
                return UserService::setAvatar(db, *store, user, std::nullopt);
            }));
        });
    addRoute(server, ApiPaths::usersMePassword.toString(), Method::Post, auth,
        [this](const Request &r) { return changePassword(r); });
    addRoute(server, ApiPaths::users.toString(), Method::Get, auth,
        [this](const Request &r) { return searchUsers(r); });
    addRoute(
        server, ApiPaths::usersMePrivacy.toString(), Method::Get, auth, [this](const Request &r) {
            return respond(
                m_db.run([user = r.userId](Db &db) { return PresenceService::privacy(db, user); }));
        });
    addRoute(
        server, ApiPaths::usersMePrivacy.toString(), Method::Put, auth, [this](const Request &r) {
            return withBody<PrivacySettings>(r, [this, user = r.userId](auto body) {
                // A change is announced to everyone who shares a chat.
                if (auto refused = chatChangeRefused(user))
                    return ready(*refused);
                return m_db
                    .run([user, body](
                             Db &db) { return PresenceService::setPrivacy(db, user, body); })
                    .then(this, [this, user](const Result<PrivacySettings> &settings) {
                        if (settings)
                            Q_EMIT presenceVisibilityChanged(user);
                        return toReply(settings, 200);
                    });
            });
        });
    addRoute(server, ApiPaths::presence.toString(), Method::Get, auth,
        [this](const Request &r) { return presence(r); });
}

// Chats, and sending and reading messages (under /chats/messages): fixed paths
// before the /chats/{chat_id} ones, the router takes the first match.
void HttpApi::addChatRoutes(QHttpServer &server)
{
    const auto auth = Access::Authenticated;
    const QString v1 = ApiPaths::apiPrefix.toString();
    addRoute(server, ApiPaths::chats.toString(), Method::Get, auth, [this](const Request &r) {
        return respond(m_db.run([user = r.userId](Db &db) { return ChatService::list(db, user); }));
    });
    addRoute(server, ApiPaths::chatsWithLastMessage.toString(), Method::Get, auth,
        [this](const Request &r) {
            return respond(m_db.run(
                [user = r.userId](Db &db) { return ChatService::listWithLastMessage(db, user); }));
        });
    addRoute(
        server, ApiPaths::chatsPersonal.toString(), Method::Post, auth, [this](const Request &r) {
            return withBody<CreatePersonalChatRequest>(r, [this, user = r.userId](auto body) {
                return respond(m_db.run(
                    [user, body](Db &db) { return ChatService::createPersonal(db, user, body); }));
            });
        });
    addRoute(server, ApiPaths::chatsGroup.toString(), Method::Post, auth, [this](const Request &r) {
        return withBody<CreateGroupChatRequest>(r, [this, user = r.userId](auto body) {
            if (auto refused = chatChangeRefused(user))
                return ready(*refused);
            return respond(m_db.run(
                [user, body](Db &db) { return ChatService::createGroup(db, user, body); }));
        });
    });
    addRoute(
        server, ApiPaths::chatsMessages.toString(), Method::Post, auth, [this](const Request &r) {
            return withBody<SendMessageRequest>(r, [this, user = r.userId](auto body) {
                // Answered as the WebSocket answers a send, status for frame.
                return m_sends.submit(user, body)
                    .then([clientId = body.clientId](const Result<Message> &message) {
                        const SendOutcome outcome(message, clientId);
                        HttpReply reply
                            = HttpReply::jsonText(outcome.httpBody(), outcome.httpStatus());
                        reply.feedTold = true;
                        if (outcome.retryAfterSeconds() > 0)
                            reply.headers.append(qMakePair(QByteArrayLiteral("Retry-After"),
                                QByteArray::number(outcome.retryAfterSeconds())));
                        return reply;
                    });
            });
        });
    addRoute(server, ApiPaths::chatsMessagesForward.toString(), Method::Post, auth,
        [this](const Request &r) { return forward(r); });
    addRoute(server, ApiPaths::chatsPinned.toString(), Method::Put, auth, [this](const Request &r) {
        return withBody<ReorderPinnedChatsRequest>(r, [this, user = r.userId](auto body) {
            if (auto refused = chatChangeRefused(user))
                return ready(*refused);
            return respond(m_db.run([user, body](Db &db) {
                return ChatSettingsService::reorderPinned(db, user, body);
            }));
        });
    });
    addRoute(server, v1 + u"/chats/messages/{message_id}/read"_s, Method::Post, auth,
        { messageNotFound }, [this](const Request &r) {
            return m_db
                .run([user = r.userId, id = r.args[0]](
                         Db &db) { return MessageService::markRead(db, user, id); })
                .then([](const Result<ReadState> &state) {
                    if (!state)
                        return HttpReply::error(state.error());
                    return HttpReply::json(MessageReadAnswer { state.value().messageId }.toJson());
                });
        });
    for (const Method method : { Method::Put, Method::Delete }) {
        addRoute(server, v1 + u"/chats/messages/{message_id}/reactions/{emoji}"_s, method, auth,
            { messageNotFound },
            [this, add = method == Method::Put](const Request &r) { return react(r, add); });
    }
    addRoute(server, v1 + u"/chats/{chat_id}"_s, Method::Get, auth, { chatNotFound },
        [this](const Request &r) {
            return respond(m_db.run([user = r.userId, id = r.args[0]](
                                        Db &db) { return ChatService::chat(db, user, id); }));
        });
    addRoute(server, v1 + u"/chats/{chat_id}"_s, Method::Patch, auth, { chatNotFound },
        [this](const Request &r) {
            return withBody<RenameChatRequest>(
                r, [this, user = r.userId, id = r.args[0]](auto body) {
                    if (auto refused = chatChangeRefused(user))
                        return ready(*refused);
                    return respond(m_db.run([user, id, body](Db &db) {
                        return ChatService::rename(db, user, id, body);
                    }));
                });
        });
    addRoute(server, v1 + u"/chats/{chat_id}/avatar"_s, Method::Put, auth, { chatNotFound },
        [this](const Request &r) {
            return withBody<SetAvatarRequest>(
                r, [this, user = r.userId, id = r.args[0]](auto body) {
                    if (auto refused = chatChangeRefused(user))
                        return ready(*refused);
                    return respond(m_db.run([store = m_fileStore, user, id, body](Db &db) {
                        return ChatService::setAvatar(db, *store, user, id, body.uploadId);
                    }));
                });
        });
    addRoute(server, v1 + u"/chats/{chat_id}/avatar"_s, Method::Delete, auth, { chatNotFound },
        [this](const Request &r) {
            if (auto refused = chatChangeRefused(r.userId))
                return ready(*refused);
            return respond(m_db.run([store = m_fileStore, user = r.userId, id = r.args[0]](Db &db) {
                return ChatService::setAvatar(db, *store, user, id, std::nullopt);
            }));
        });
    addRoute(server, v1 + u"/chats/{chat_id}/pin"_s, Method::Put, auth, { chatNotFound },
        [this](const Request &r) {
            return withBody<PinMessageRequest>(
                r, [this, user = r.userId, id = r.args[0]](auto body) {
                    if (auto refused = chatChangeRefused(user))
                        return ready(*refused);
                    return respond(m_db.run([user, id, body](Db &db) {
                        return ChatService::pin(db, user, id, body.messageId);
                    }));
                });
        });
    addRoute(server, v1 + u"/chats/{chat_id}/pin"_s, Method::Delete, auth, { chatNotFound },
        [this](const Request &r) {
            if (auto refused = chatChangeRefused(r.userId))
                return ready(*refused);
            return respond(m_db.run([user = r.userId, id = r.args[0]](Db &db) {
                return ChatService::pin(db, user, id, std::nullopt);
            }));
        });
    addRoute(server, v1 + u"/chats/{chat_id}/settings"_s, Method::Patch, auth, { chatNotFound },
        [this](const Request &r) {
            return withBody<UpdateChatSettingsRequest>(
                r, [this, user = r.userId, id = r.args[0]](auto body) {
                    // Each change is stored and sent to all the user's
                    // devices: the same budget as group changes.
                    if (auto refused = chatChangeRefused(user))
                        return ready(*refused);
                    return respond(m_db.run([user, id, body](Db &db) {
                        return ChatSettingsService::update(db, user, id, body);
                    }));
                });
        });
    addRoute(server, v1 + u"/chats/{chat_id}/history"_s, Method::Get, auth, { chatNotFound },
        [this](const Request &r) { return history(r); });
    addRoute(server, ApiPaths::searchMessages.toString(), Method::Get, auth,
        [this](const Request &r) { return searchMessages(r); });
    addRoute(server, v1 + u"/chats/{chat_id}/read"_s, Method::Post, auth, { chatNotFound },
        [this](const Request &r) {
            return withBody<MarkReadRequest>(r, [this, user = r.userId, id = r.args[0]](auto body) {
                return respond(m_db.run([user, id, body](Db &db) {
                    return MessageService::markRead(db, user, body.messageId, id);
                }));
            });
        });
    addRoute(server, v1 + u"/chats/{chat_id}/members"_s, Method::Post, auth, { chatNotFound },
        [this](const Request &r) {
            return withBody<AddMembersRequest>(
                r, [this, user = r.userId, id = r.args[0]](auto body) {
                    if (auto refused = chatChangeRefused(user))
                        return ready(*refused);
                    return respond(m_db.run([user, id, body](Db &db) {
                        return ChatService::addMembers(db, user, id, body);
                    }));
                });
        });
    addRoute(server, v1 + u"/chats/{chat_id}/members/{user_id}"_s, Method::Delete, auth,
        { chatNotFound, memberNotFound }, [this](const Request &r) {
            if (auto refused = chatChangeRefused(r.userId))
                return ready(*refused);
            return respond(m_db.run([user = r.userId, id = r.args[0], member = r.args[1]](Db &db) {
                return ChatService::removeMember(db, user, id, member);
            }));
        });
}

// Editing and deleting messages, and the update feed. (Sending and reading
// them are chat routes: their paths are under /chats/messages.)
void HttpApi::addMessageRoutes(QHttpServer &server)
{
    const auto auth = Access::Authenticated;
    const QString v1 = ApiPaths::apiPrefix.toString();
    addRoute(server, v1 + u"/messages/{message_id}"_s, Method::Patch, auth, { messageNotFound },
        [this](const Request &r) {
            return withBody<EditMessageRequest>(
                r, [this, user = r.userId, id = r.args[0]](auto body) {
                    return respond(m_db.run([user, id, body](Db &db) {
                        return MessageService::edit(db, user, id, body);
                    }));
                });
        });
    addRoute(server, v1 + u"/messages/{message_id}"_s, Method::Delete, auth, { messageNotFound },
        [this](const Request &r) {
            return respond(m_db.run([user = r.userId, id = r.args[0]](
                                        Db &db) { return MessageService::remove(db, user, id); }));
        });

    addRoute(server, ApiPaths::updates.toString(), Method::Get, auth,
        [this](const Request &r) { return updates(r); });
}

// Health, metrics, the API documents, and what no route matches (404, CORS preflight).
void HttpApi::addOpsRoutes(QHttpServer &server)
{
    addRoute(server, ApiPaths::health.toString(), Method::Get, Access::Public,
        [this](const Request &) { return health(); });

    // Prometheus text format; meant for a scraper on the private network (the
    // reverse proxy should not expose it).
    server.route(u"/metrics"_s, Method::Get,
        [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            answerNow(request, std::move(responder), u"/metrics"_s, [] {
                return HttpReply { 200, Metrics::global().render(),
                    "text/plain; version=0.0.4; charset=utf-8", {}, {} };
            });
        });
    m_routes.append({ "GET", u"/metrics"_s });

    // The OpenAPI document of everything above (resources/api/openapi.json;
    // tst_openapi fails when a route is missing from it), and /docs, a page
    // that renders it (Swagger UI, vendored: it works offline).
    const auto serveResource = [this, &server](const QString &path, const QString &resource,
                                   const QByteArray &contentType) {
        // Read (and decompressed) once, on first use: the Swagger UI bundle is 1.7 MB.
        auto body = std::make_shared<std::optional<QByteArray>>();
        server.route(path, Method::Get,
            [this, path, resource, contentType, body](
                const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                answerNow(request, std::move(responder), path, [resource, contentType, body] {
                    if (!*body) {
                        QFile file(resource);
                        *body = file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
                    }
                    return HttpReply { 200, **body, contentType, {}, {} };
                });
            });
        m_routes.append({ "GET", path });
    };
    serveResource(u"/openapi.json"_s, u":/api/openapi.json"_s, "application/json");
    // The WebSocket API (resources/api/asyncapi.json), checked by the docs tests.
    serveResource(u"/asyncapi.json"_s, u":/api/asyncapi.json"_s, "application/json");
    serveResource(u"/docs"_s, u":/docs/index.html"_s, "text/html; charset=utf-8");
    serveResource(
        u"/docs/swagger-ui-bundle.js"_s, u":/docs/swagger-ui-bundle.js"_s, "text/javascript");
    serveResource(u"/docs/swagger-ui.css"_s, u":/docs/swagger-ui.css"_s, "text/css");

    // Whatever no route matched counts under one label: a client choosing
    // paths must not choose how many series /metrics has.
    server.setMissingHandler([this](const QHttpServerRequest &request,
                                 QHttpServerResponder &&responder) {
        answerNow(request, std::move(responder), unmatchedRoute, [this, &request] {
            const QByteArray origin = request.value("origin"_ba);
            if (request.method() == Method::Options && !origin.isEmpty() && originAllowed(origin)) {
                // A browser's CORS preflight: say what it may send, and cache that.
                HttpReply preflight = HttpReply::noContent();
                preflight.headers = preflightHeaders();
                return preflight;
            }
            return HttpReply::error(ApiError::notFound(u"not_found"_s, u"Not Found"_s));
        });
    });
}

bool HttpApi::originAllowed(const QByteArray &origin) const
{
    return m_corsOrigins.contains(u"*"_s) || m_corsOrigins.contains(QString::fromUtf8(origin));
}

QList<QPair<QByteArray, QByteArray>> HttpApi::corsHeaders(const QByteArray &origin) const
{
    if (origin.isEmpty() || !originAllowed(origin))
        return {};
    // A browser shows a script only the headers listed: tus clients need
    // Location and Upload-Offset, downloads their range and name.
    return { { "Access-Control-Allow-Origin"_ba, origin }, { "Vary"_ba, "Origin"_ba },
        { "Access-Control-Expose-Headers"_ba,
            "Location, Upload-Offset, Upload-Length, Upload-Expires, Tus-Resumable, Tus-Version, "
            "Tus-Max-Size, Tus-Extension, Messenger-Max-Chunk-Size, Content-Range, "
            "Content-Disposition, ETag, Retry-After, X-Request-Id"_ba } };
}

QList<QPair<QByteArray, QByteArray>> HttpApi::preflightHeaders()
{
    return { { "Access-Control-Allow-Methods"_ba,
                 "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"_ba },
        { "Access-Control-Allow-Headers"_ba,
            "Authorization, Content-Type, Tus-Resumable, Upload-Length, Upload-Offset, "
            "Upload-Metadata, Range, If-None-Match, If-Range, X-Request-Id"_ba },
        { "Access-Control-Max-Age"_ba, "600"_ba } };
}

QFuture<HttpReply> HttpApi::registerUser(const Request &request)
{
    return withBody<RegisterRequest>(
        request, [this, address = request.clientAddress](RegisterRequest body) {
            using Registration = UserService::Registration;
            if (m_registration == Registration::Closed)
                return ready(ApiError::forbidden(u"registration_closed"_s,
                    u"Registration is closed on this server; ask its administrator"_s));
            if (m_registration == Registration::Invite && !body.inviteCode)
                return ready(ApiError::forbidden(
                    u"invite_required"_s, u"Registration on this server needs an invite code"_s));
            if (const auto wait = m_limits.registrationsByAddress.acquire(address))
                return ready(ApiError::tooManyRequests(u"too_many_registrations"_s, *wait));
            // Continuations that start more pool work run on the event loop
            // (see startAfterCaller).
            return m_hasher.hash(body.password)
                .then(this,
                    [this, body](const QString &passwordHash) {
                        if (passwordHash.isEmpty())
                            return ready(ApiError::internal());
                        return respond(
                            m_db.run([body, passwordHash,
                                         invite = m_registration == Registration::Invite](Db &db) {
                                return UserService::registerUser(db, body, passwordHash, invite);
                            }));
                    })
                .unwrap();
        });
}

QFuture<HttpReply> HttpApi::login(const Request &request)
{
    return withBody<LoginRequest>(
        request, [this, request, address = request.clientAddress](LoginRequest body) {
            // The attempt takes its tokens now, before the hash: guesses sent
            // together cannot all pass a check that none of them has failed
            // yet. A refused attempt costs no hash; a success costs nothing.
            const auto admission = m_limits.logins->admit(body.email.toLower(), address);
            if (!admission.attempt)
                return ready(ApiError::tooManyRequests(
                    u"too_many_failed_logins"_s, admission.retryAfterSeconds));
            return m_db
                .run([email = body.email](Db &db) { return UserService::credentials(db, email); })
                .then(this,
                    [this, attempt = admission.attempt, password = body.password,
                        client = clientInfo(request, body.deviceName)](
                        const Result<UserService::Credentials> &credentials) {
                        if (!credentials) {
                            if (credentials.error().status == 401)
                                attempt->failed();
                            return ready(credentials.error());
                        }
                        const UserService::Credentials found = credentials.value();
                        return m_hasher.verify(found.passwordHash, password)
                            .then(this,
                                [this, attempt, client, user = found.user](bool matches) {
                                    if (!matches) {
                                        attempt->failed();
                                        return ready(
                                            ApiError::unauthorized(u"invalid_credentials"_s,
                                                u"Incorrect email or password"_s));
                                    }
                                    attempt->succeeded();
                                    return respond(m_db.run([this, user, client](Db &db) {
                                        return m_tokens.issue(db, user, client);
                                    }));
                                })
                            .unwrap();
                    })
                .unwrap();
        });
}

QFuture<HttpReply> HttpApi::changePassword(const Request &request)
{
    return withBody<ChangePasswordRequest>(request, [this, request](ChangePasswordRequest body) {
        return m_db
            .run([user = request.userId](Db &db) { return UserService::credentialsOf(db, user); })
            .then(this,
                [this, body, user = request.userId, session = request.sessionId,
                    address = request.clientAddress](
                    const Result<UserService::Credentials> &credentials) {
                    if (!credentials)
                        return ready(credentials.error());
                    // Wrong current passwords are guesses like wrong logins,
                    // and spend the same budgets (keyed by the account's
                    // email): a stolen access token does not buy more guesses.
                    const auto admission
                        = m_limits.logins->admit(credentials.value().user.email.toLower(), address);
                    if (!admission.attempt)
                        return ready(ApiError::tooManyRequests(
                            u"too_many_failed_logins"_s, admission.retryAfterSeconds));
                    return m_hasher.verify(credentials.value().passwordHash, body.currentPassword)
                        .then(this,
                            [this, attempt = admission.attempt, newPassword = body.newPassword,
                                user, session](bool matches) {
                                if (!matches) {
                                    attempt->failed();
                                    return ready(ApiError::forbidden(u"wrong_password"_s,
                                        u"The current password is incorrect"_s));
                                }
                                attempt->succeeded();
                                return m_hasher.hash(newPassword)
                                    .then(this,
                                        [this, user, session](const QString &passwordHash) {
                                            if (passwordHash.isEmpty())
                                                return ready(ApiError::internal());
                                            return endSessions(
                                                m_db.run([user, session, passwordHash](Db &db) {
                                                    return UserService::changePassword(
                                                        db, user, passwordHash, session);
                                                }));
                                        })
                                    .unwrap();
                            })
                        .unwrap();
                })
            .unwrap();
    });
}

QFuture<HttpReply> HttpApi::history(const Request &request)
{
    const auto query = HistoryQuery::fromQuery(request.query);
    if (!query)
        return ready(ApiError::validation(query.errors()));
    return respond(m_db.run([user = request.userId, id = request.args[0], query = query.value()](
                                Db &db) { return MessageService::history(db, user, id, query); }));
}

QFuture<HttpReply> HttpApi::searchMessages(const Request &request)
{
    const auto query = MessageSearchQuery::fromQuery(request.query);
    if (!query)
        return ready(ApiError::validation(query.errors()));
    // Not rate-limited like the user search: it reads only the caller's own
    // chats, so there is nothing to enumerate.
    return respond(m_db.run([user = request.userId, query = query.value()](
                                Db &db) { return SearchService::messages(db, user, query); }));
}

QFuture<HttpReply> HttpApi::react(const Request &request, bool add)
{
    // The router hands the path segment over percent-decoded: UTF-8 that is
    // not valid arrives with U+FFFD in it, which is no emoji.
    const QString emoji = request.args.value(1);
    if (!Validation::isOneEmoji(emoji))
        return ready(ApiError { 422, u"invalid_emoji"_s,
            u"A reaction is exactly one emoji (one grapheme cluster), URL-encoded as UTF-8"_s,
            {} });
    // Each change is stored and sent to every member of the chat.
    if (const auto wait = m_limits.reactionsByUser.acquire(request.userId))
        return ready(ApiError::tooManyRequests(u"too_many_reactions"_s, *wait));
    return respond(m_db.run([user = request.userId, id = request.args[0], emoji, add](Db &db) {
        return MessageService::react(db, user, id, emoji, add);
    }));
}

QFuture<HttpReply> HttpApi::forward(const Request &request)
{
    return withBody<ForwardMessagesRequest>(request, [this, user = request.userId](auto body) {
        // Each copy is a message stored and sent to its chat's members: it
        // costs what a send costs.
        const int copyCount = int(body.messageIds.size() * body.chatIds.size());
        if (const auto wait = m_limits.messagesByUser.acquire(user, copyCount))
            return ready(ApiError::tooManyRequests(u"too_many_messages"_s, *wait));
        return m_db.run([user, body](Db &db) { return MessageService::forward(db, user, body); })
            .then([](const Result<QList<Message>> &copies) {
                if (!copies)
                    return HttpReply::error(copies.error());
                return HttpReply::json(ForwardedMessages { copies.value() }.toJson());
            });
    });
}

std::optional<ApiError> HttpApi::chatChangeRefused(const QString &userId)
{
    // Every group change is stored and sent to each member: a per-user budget
    // keeps one account from flooding a large group's members.
    if (const auto wait = m_limits.chatChangesByUser.acquire(userId))
        return ApiError::tooManyRequests(u"too_many_chat_changes"_s, *wait);
    return std::nullopt;
}

QFuture<HttpReply> HttpApi::searchUsers(const Request &request)
{
    const auto query = UserSearchQuery::fromQuery(request.query);
    if (!query)
        return ready(ApiError::validation(query.errors()));
    if (const auto wait = m_limits.searchesByUser.acquire(request.userId))
        return ready(ApiError::tooManyRequests(u"too_many_searches"_s, *wait));
    return respond(m_db.run([user = request.userId, query = query.value()](
                                Db &db) { return UserService::search(db, user, query); }));
}

QFuture<HttpReply> HttpApi::presence(const Request &request)
{
    const auto query = PresenceQuery::fromQuery(request.query);
    if (!query)
        return ready(ApiError::validation(query.errors()));
    return respond(m_db.run([user = request.userId, ids = query->userIds](Db &db) {
        return PresenceService::read(db, user, ids, QDateTime::currentSecsSinceEpoch());
    }));
}

QFuture<HttpReply> HttpApi::updates(const Request &request)
{
    const auto query = UpdatesQuery::fromQuery(request.query);
    if (!query)
        return ready(ApiError::validation(query.errors()));
    // Only up to the feed's watermark: everything at or below it is committed,
    // so a client resuming from the last seq it saw misses nothing; and past
    // every commit made here, so a client sees what it just sent.
    return m_feed.currentSeq()
        .then(this,
            [this, user = request.userId, after = query->sinceSeq, count = query->limit](
                qint64 until) {
                return respond(m_db.run([user, after, until, count](Db &db) {
                    return UpdatesService::forUser(db, user, after, until, count);
                }));
            })
        .unwrap();
}

TokenService::ClientInfo HttpApi::clientInfo(
    const Request &request, const std::optional<QString> &deviceName)
{
    return { deviceName, QString::fromUtf8(request.userAgent), request.clientAddress };
}

QFuture<HttpReply> HttpApi::endSessions(QFuture<Result<QStringList>> revocation)
{
    return revocation.then(this, [this](const Result<QStringList> &revoked) {
        // Refused on this instance before the answer goes out; the feed
        // carries the news to the others and closes the sessions' sockets.
        if (revoked)
            m_sessions.markRevoked(revoked.value());
        return revoked ? HttpReply::noContent() : HttpReply::error(revoked.error());
    });
}

QFuture<HttpReply> HttpApi::health()
{
    return m_db.ping().then([](const Result<Empty> &result) {
        if (result)
            return HttpReply::json(HealthStatus {}.toJson());
        return HttpReply::json(
            HealthStatus { false, result.error().detail, result.error().code }.toJson(), 503);
    });
}

} // namespace Messenger::Server
