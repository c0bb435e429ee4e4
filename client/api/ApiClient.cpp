#include "ApiClient.h"

#include "shared/ApiPaths.h"
#include "shared/ErrorBody.h"
#include "shared/Files.h"
#include "shared/Limits.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QNetworkReply>
#include <QPromise>
#include <QSysInfo>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcApi, "messenger.client.api")

namespace Messenger::Client {

namespace {

template <typename T> struct IsList : std::false_type
{
};
template <typename T> struct IsList<QList<T>> : std::true_type
{
    using Element = T;
};

ApiError protocolError(const QString &what)
{
    return ApiError { ApiError::Kind::Protocol, 0, what, {} };
}

// Turns an answer's JSON into T, or says why it cannot.
template <typename T> ApiResult<T> parse(const QJsonDocument &body)
{
    if constexpr (std::is_same_v<T, Empty>) {
        return Empty {};
    } else if constexpr (IsList<T>::value) {
        if (!body.isArray())
            return protocolError(u"expected a JSON array"_s);
        T list;
        for (const QJsonValue &item : body.array()) {
            auto parsed = IsList<T>::Element::fromJson(item.toObject());
            if (!parsed)
                return protocolError(parsed.errors().first().msg);
            list.append(std::move(parsed).value());
        }
        return list;
    } else {
        if (!body.isObject())
            return protocolError(u"expected a JSON object"_s);
        auto parsed = T::fromJson(body.object());
        if (!parsed)
            return protocolError(parsed.errors().first().msg);
        return std::move(parsed).value();
    }
}

} // namespace

ApiError ApiError::fromHttp(int status, const QJsonDocument &body)
{
    const ErrorBody error = ErrorBody::fromJson(body.object());
    QString detail = error.detail;
    if (!error.fieldErrors.isEmpty()) {
        // 422: name the field, as a form would ("password: too short").
        const FieldError &first = error.fieldErrors.first();
        detail = first.loc.isEmpty() ? first.msg : first.loc.last() + u": "_s + first.msg;
    }
    if (detail.isEmpty())
        detail = QCoreApplication::translate("Messenger::Client::ApiError", "Request failed (%1)")
                     .arg(status);
    return ApiError { ApiError::Kind::Http, status, detail, error.code, error.fieldErrors };
}

namespace {

// `path?name=value&...` with every value percent-encoded ('+' and '&' included).
// The typed outcome of one exchange with the server.
template <typename T>
ApiResult<T> outcome(int status, const QJsonDocument &answer, const ApiError *error)
{
    if (error)
        return *error;
    if (status < 200 || status >= 300)
        return ApiError::fromHttp(status, answer);
    return parse<T>(answer);
}

QString withQuery(const QString &path, const QUrlQuery &query)
{
    QString result = path;
    QChar separator = u'?';
    for (const auto &[name, value] : query.queryItems(QUrl::FullyDecoded)) {
        result += separator + name + u'=' + QString::fromLatin1(QUrl::toPercentEncoding(value));
        separator = u'&';
    }
    return result;
}

} // namespace

ApiClient::ApiClient(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
    , m_deviceName(QSysInfo::machineHostName())
    // The session list shows it: which app, which version, on what.
    , m_userAgent((QCoreApplication::applicationName() + u'/'
          + QCoreApplication::applicationVersion() + u" ("_s + QSysInfo::prettyProductName() + u')')
                      .toUtf8())
{ }

ApiClient::~ApiClient() = default;

void ApiClient::setBaseUrl(const QUrl &url)
{
    // Paths are appended to it: "http://host:8000/" must not give "//api/...".
    m_baseUrl = url.adjusted(QUrl::RemoveQuery | QUrl::RemoveFragment);
    QString path = m_baseUrl.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    m_baseUrl.setPath(path);
}

void ApiClient::setTokens(const QString &accessToken, const QString &refreshToken)
{
    m_accessToken = accessToken;
    const bool refreshChanged = m_refreshToken != refreshToken;
    m_refreshToken = refreshToken;
    Q_EMIT tokensChanged();
    if (refreshChanged)
        Q_EMIT refreshTokenChanged(refreshToken);
}

void ApiClient::storeTokens(const TokenResponse &tokens)
{
    m_accessTokenDeadline = tokens.expiresIn > 0
        ? QDeadlineTimer(std::chrono::seconds(tokens.expiresIn))
        : QDeadlineTimer(QDeadlineTimer::Forever);
    setTokens(tokens.accessToken, tokens.refreshToken);
}

template <typename T>
QFuture<ApiResult<T>> ApiClient::call(const QByteArray &method, const QString &pathAndQuery,
    const QJsonDocument &body, bool authenticated)
{
    auto promise = std::make_shared<QPromise<ApiResult<T>>>();
    promise->start();
    send(method, pathAndQuery, body, authenticated,
        [promise](int status, const QJsonDocument &answer, const ApiError *error) {
            promise->addResult(outcome<T>(status, answer, error));
            promise->finish();
        });
    return promise->future();
}

QNetworkRequest ApiClient::newRequest(
    const QString &pathAndQuery, bool authenticated, QString *tokenUsed) const
{
    QUrl url = m_baseUrl;
    const qsizetype queryStart = pathAndQuery.indexOf(u'?');
    // Tolerant: a path segment may come percent-encoded (an emoji, ApiPaths).
    url.setPath(m_baseUrl.path() + pathAndQuery.left(queryStart), QUrl::TolerantMode);
    if (queryStart >= 0)
        url.setQuery(pathAndQuery.mid(queryStart + 1), QUrl::StrictMode);
    QNetworkRequest request(url);
    request.setTransferTimeout(int(m_timeout.count()));
    request.setRawHeader("Accept", "application/json");
    request.setRawHeader("User-Agent", m_userAgent);
    *tokenUsed = authenticated ? m_accessToken : QString();
    if (!tokenUsed->isEmpty())
        request.setRawHeader("Authorization", "Bearer " + tokenUsed->toLatin1());
    return request;
}

void ApiClient::afterUnauthorized(
    const QString &tokenUsed, std::function<void()> retry, std::function<void()> giveUp)
{
    // The access token expired. If another call refreshed it meanwhile,
    // just retry; otherwise join (or start) the one refresh.
    if (m_accessToken != tokenUsed && !m_accessToken.isEmpty()) {
        retry();
        return;
    }
    refresh().then(this,
        [retry = std::move(retry), giveUp = std::move(giveUp)](
            const ApiResult<TokenResponse> &tokens) {
            if (tokens)
                retry();
            else
                giveUp();
        });
}

void ApiClient::send(const QByteArray &method, const QString &pathAndQuery,
    const QJsonDocument &body, bool authenticated, Completion done, bool retried)
{
    QString tokenUsed;
    QNetworkRequest request = newRequest(pathAndQuery, authenticated, &tokenUsed);
    QByteArray payload;
    if (!body.isNull()) {
        request.setRawHeader("Content-Type", "application/json");
        payload = body.toJson(QJsonDocument::Compact);
    }
    QNetworkReply *reply = m_network->sendCustomRequest(request, method, payload);
    connect(reply, &QNetworkReply::finished, this,
        [this, reply, method, pathAndQuery, body, authenticated, done = std::move(done), retried,
            tokenUsed] {
            reply->deleteLater();
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (status == 0) {
                qCInfo(lcApi) << method << pathAndQuery << "failed:" << reply->errorString();
                const ApiError error { ApiError::Kind::Network, 0, reply->errorString(), {} };
                done(0, {}, &error);
                return;
            }
            const QByteArray bytes = reply->readAll();
            QJsonParseError parseError {};
            const QJsonDocument answer
                = bytes.isEmpty() ? QJsonDocument() : parseJson(bytes, &parseError);
            if (!bytes.isEmpty() && parseError.error != QJsonParseError::NoError) {
                const ApiError error = protocolError(parseError.errorString());
                done(status, {}, &error);
                return;
            }
            if (status != 401 || !authenticated || retried || m_refreshToken.isEmpty()) {
                done(status, answer, nullptr);
                return;
            }
            afterUnauthorized(
                tokenUsed,
                [this, method, pathAndQuery, body, done] {
                    send(method, pathAndQuery, body, true, done, true);
                },
                [done, status, answer] { done(status, answer, nullptr); });
        });
}

struct ApiClient::RawRequest
{
    QPointer<QObject> context;
    QByteArray method;
    QString pathAndQuery;
    RawHeaders headers;
    QByteArray body;
    ReplyHandler started;
    ReplyHandler finished;
};

void ApiClient::sendRaw(QObject *context, const QByteArray &method, const QString &pathAndQuery,
    const RawHeaders &headers, const QByteArray &body, ReplyHandler started, ReplyHandler finished)
{
    sendRawAttempt(std::make_shared<const RawRequest>(RawRequest { context, method, pathAndQuery,
                       headers, body, std::move(started), std::move(finished) }),
        false);
}

void ApiClient::sendRawAttempt(const std::shared_ptr<const RawRequest> &raw, bool retried)
{
    if (!raw->context)
        return;
    QString tokenUsed;
    QNetworkRequest request = newRequest(raw->pathAndQuery, true, &tokenUsed);
    for (const auto &[name, value] : raw->headers)
        request.setRawHeader(name, value);
    // head(), not a custom "HEAD": that one waits for the Content-Length
    // bytes a HEAD answer announces and never sends.
    QNetworkReply *reply = raw->method == "HEAD"
        ? m_network->head(request)
        : m_network->sendCustomRequest(request, raw->method, raw->body);
    raw->started(reply);
    const auto finish = [reply, raw] {
        if (raw->context)
            raw->finished(reply);
        reply->deleteLater();
    };
    connect(reply, &QNetworkReply::finished, this, [this, reply, raw, retried, tokenUsed, finish] {
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 0)
            qCInfo(lcApi) << raw->method << raw->pathAndQuery << "failed:" << reply->errorString();
        if (status != 401 || retried || m_refreshToken.isEmpty() || !raw->context) {
            finish();
            return;
        }
        // The 401 stays readable until the refresh is over: it is the answer
        // when the refresh fails.
        afterUnauthorized(
            tokenUsed,
            [this, reply, raw] {
                reply->deleteLater();
                sendRawAttempt(raw, true);
            },
            finish);
    });
}

QFuture<ApiResult<User>> ApiClient::registerUser(
    const QString &name, const QString &email, const QString &password)
{
    return call<User>("POST", ApiPaths::authRegister.toString(),
        QJsonDocument(RegisterRequest { email, name, password }.toJson()), false);
}

QFuture<ApiResult<TokenResponse>> ApiClient::login(const QString &email, const QString &password)
{
    LoginRequest request { email, password, std::nullopt };
    if (!m_deviceName.isEmpty())
        request.deviceName = m_deviceName.left(Limits::deviceNameMax);
    return call<TokenResponse>(
        "POST", ApiPaths::authToken.toString(), QJsonDocument(request.toJson()), false)
        .then(this, [this](const ApiResult<TokenResponse> &tokens) {
            if (tokens)
                storeTokens(tokens.value());
            return tokens;
        });
}

QFuture<ApiResult<TokenResponse>> ApiClient::refresh()
{
    // Every caller gets its own future (a QFuture takes one continuation),
    // all fed by the one request in flight.
    auto promise = std::make_shared<QPromise<ApiResult<TokenResponse>>>();
    promise->start();
    m_refreshWaiters.append([promise](const ApiResult<TokenResponse> &tokens) {
        promise->addResult(tokens);
        promise->finish();
    });
    if (m_refreshWaiters.size() > 1)
        return promise->future();
    ++m_refreshCount;
    send("POST", ApiPaths::authRefresh.toString(),
        QJsonDocument(RefreshRequest { m_refreshToken }.toJson()), false,
        [this](int status, const QJsonDocument &answer, const ApiError *error) {
            const auto tokens = outcome<TokenResponse>(status, answer, error);
            const bool refused = !tokens && tokens.error().kind == ApiError::Kind::Http
                && tokens.error().status < 500;
            if (tokens)
                storeTokens(tokens.value());
            else if (refused)
                setTokens({}, {});
            const auto waiters = std::exchange(m_refreshWaiters, {});
            for (const auto &waiter : waiters)
                waiter(tokens);
            if (refused) // the server refused the refresh token: the session is over
                Q_EMIT sessionExpired();
        });
    return promise->future();
}

QFuture<ApiResult<Empty>> ApiClient::logout()
{
    return call<Empty>("POST", ApiPaths::authLogout.toString(),
        QJsonDocument(LogoutRequest { m_refreshToken }.toJson()));
}

QFuture<ApiResult<QList<SessionInfo>>> ApiClient::sessions()
{
    return call<QList<SessionInfo>>("GET", ApiPaths::sessions.toString());
}

QFuture<ApiResult<Empty>> ApiClient::revokeSession(const QString &sessionId)
{
    return call<Empty>("DELETE", ApiPaths::session(sessionId));
}

QFuture<ApiResult<Empty>> ApiClient::revokeOtherSessions()
{
    return call<Empty>("POST", ApiPaths::sessionsRevokeOthers.toString());
}

QFuture<ApiResult<HealthStatus>> ApiClient::health()
{
    return call<HealthStatus>("GET", ApiPaths::health.toString(), {}, false);
}

QFuture<ApiResult<User>> ApiClient::me()
{
    return call<User>("GET", ApiPaths::usersMe.toString());
}

QFuture<ApiResult<User>> ApiClient::updateName(const QString &name)
{
    return call<User>("PATCH", ApiPaths::usersMe.toString(),
        QJsonDocument(UpdateProfileRequest { name }.toJson()));
}

QFuture<ApiResult<User>> ApiClient::setProfilePhoto(const QString &uploadId)
{
    return call<User>("PUT", ApiPaths::usersMeAvatar.toString(),
        QJsonDocument(SetAvatarRequest { uploadId }.toJson()));
}

QFuture<ApiResult<User>> ApiClient::removeProfilePhoto()
{
    return call<User>("DELETE", ApiPaths::usersMeAvatar.toString());
}

QFuture<ApiResult<Empty>> ApiClient::changePassword(
    const QString &currentPassword, const QString &newPassword)
{
    return call<Empty>("POST", ApiPaths::usersMePassword.toString(),
        QJsonDocument(ChangePasswordRequest { currentPassword, newPassword }.toJson()));
}

QFuture<ApiResult<QList<User>>> ApiClient::searchUsers(const QString &query, int limit)
{
    return call<QList<User>>(
        "GET", withQuery(ApiPaths::users.toString(), UserSearchQuery { query, limit }.toQuery()));
}

QFuture<ApiResult<PresenceList>> ApiClient::presence(const QStringList &userIds)
{
    return call<PresenceList>(
        "GET", withQuery(ApiPaths::presence.toString(), PresenceQuery { userIds }.toQuery()));
}

QFuture<ApiResult<PrivacySettings>> ApiClient::privacy()
{
    return call<PrivacySettings>("GET", ApiPaths::usersMePrivacy.toString());
}

QFuture<ApiResult<PrivacySettings>> ApiClient::setPrivacy(const PrivacySettings &settings)
{
    return call<PrivacySettings>(
        "PUT", ApiPaths::usersMePrivacy.toString(), QJsonDocument(settings.toJson()));
}

QFuture<ApiResult<QList<ChatSummary>>> ApiClient::chatsWithLastMessage()
{
    return call<QList<ChatSummary>>("GET", ApiPaths::chatsWithLastMessage.toString());
}

QFuture<ApiResult<Chat>> ApiClient::chat(const QString &chatId)
{
    return call<Chat>("GET", ApiPaths::chat(chatId));
}

QFuture<ApiResult<Chat>> ApiClient::createPersonalChat(const QString &userId)
{
    return call<Chat>("POST", ApiPaths::chatsPersonal.toString(),
        QJsonDocument(CreatePersonalChatRequest { userId }.toJson()));
}

QFuture<ApiResult<Chat>> ApiClient::createGroupChat(
    const QString &name, const QStringList &memberIds)
{
    return call<Chat>("POST", ApiPaths::chatsGroup.toString(),
        QJsonDocument(CreateGroupChatRequest { name, memberIds }.toJson()));
}

QFuture<ApiResult<Chat>> ApiClient::renameChat(const QString &chatId, const QString &name)
{
    return call<Chat>(
        "PATCH", ApiPaths::chat(chatId), QJsonDocument(RenameChatRequest { name }.toJson()));
}

QFuture<ApiResult<Chat>> ApiClient::setGroupPhoto(const QString &chatId, const QString &uploadId)
{
    return call<Chat>(
        "PUT", ApiPaths::chatAvatar(chatId), QJsonDocument(SetAvatarRequest { uploadId }.toJson()));
}

QFuture<ApiResult<Chat>> ApiClient::removeGroupPhoto(const QString &chatId)
{
    return call<Chat>("DELETE", ApiPaths::chatAvatar(chatId));
}

QFuture<ApiResult<Chat>> ApiClient::addMembers(const QString &chatId, const QStringList &userIds)
{
    return call<Chat>("POST", ApiPaths::chatMembers(chatId),
        QJsonDocument(AddMembersRequest { userIds }.toJson()));
}

QFuture<ApiResult<Empty>> ApiClient::removeMember(const QString &chatId, const QString &userId)
{
    return call<Empty>("DELETE", ApiPaths::chatMember(chatId, userId));
}

QFuture<ApiResult<HistoryPage>> ApiClient::history(const QString &chatId, const HistoryQuery &query)
{
    return call<HistoryPage>("GET", withQuery(ApiPaths::chatHistory(chatId), query.toQuery()));
}

QFuture<ApiResult<MessageSearchPage>> ApiClient::searchMessages(const MessageSearchQuery &query)
{
    return call<MessageSearchPage>(
        "GET", withQuery(ApiPaths::searchMessages.toString(), query.toQuery()));
}

QFuture<ApiResult<Message>> ApiClient::sendMessage(const QString &chatId, const QString &text,
    const QString &clientId, const QString &replyToId, const QStringList &mentions,
    const QStringList &attachmentIds)
{
    SendMessageRequest request { chatId, text, std::nullopt };
    request.mentions = mentions;
    request.attachmentIds = attachmentIds;
    if (!clientId.isEmpty())
        request.clientId = clientId;
    if (!replyToId.isEmpty())
        request.replyToId = replyToId;
    return call<Message>(
        "POST", ApiPaths::chatsMessages.toString(), QJsonDocument(request.toJson()));
}

QFuture<ApiResult<Message>> ApiClient::editMessage(const QString &messageId, const QString &text)
{
    return call<Message>(
        "PATCH", ApiPaths::message(messageId), QJsonDocument(EditMessageRequest { text }.toJson()));
}

QFuture<ApiResult<Message>> ApiClient::deleteMessage(const QString &messageId)
{
    return call<Message>("DELETE", ApiPaths::message(messageId));
}

QFuture<ApiResult<ForwardedMessages>> ApiClient::forwardMessages(const QStringList &messageIds,
    const QStringList &chatIds, const std::optional<QString> &clientId)
{
    return call<ForwardedMessages>("POST", ApiPaths::chatsMessagesForward.toString(),
        QJsonDocument(ForwardMessagesRequest { messageIds, chatIds, clientId }.toJson()));
}

QFuture<ApiResult<Chat>> ApiClient::pinMessage(
    const QString &chatId, const std::optional<QString> &messageId)
{
    if (!messageId)
        return call<Chat>("DELETE", ApiPaths::chatPin(chatId));
    return call<Chat>(
        "PUT", ApiPaths::chatPin(chatId), QJsonDocument(PinMessageRequest { *messageId }.toJson()));
}

QFuture<ApiResult<ChatSettings>> ApiClient::updateChatSettings(
    const QString &chatId, const UpdateChatSettingsRequest &request)
{
    return call<ChatSettings>(
        "PATCH", ApiPaths::chatSettings(chatId), QJsonDocument(request.toJson()));
}

QFuture<ApiResult<QList<ChatSettingsChanged>>> ApiClient::reorderPinnedChats(
    const QStringList &chatIds)
{
    return call<QList<ChatSettingsChanged>>("PUT", ApiPaths::chatsPinned.toString(),
        QJsonDocument(ReorderPinnedChatsRequest { chatIds }.toJson()));
}

QFuture<ApiResult<Message>> ApiClient::react(
    const QString &messageId, const QString &emoji, bool add)
{
    return call<Message>(add ? "PUT" : "DELETE", ApiPaths::messageReaction(messageId, emoji));
}

QFuture<ApiResult<ReadState>> ApiClient::markRead(const QString &chatId, const QString &messageId)
{
    return call<ReadState>(
        "POST", ApiPaths::chatRead(chatId), QJsonDocument(MarkReadRequest { messageId }.toJson()));
}

QFuture<ApiResult<UpdatesPage>> ApiClient::updates(qint64 sinceSeq, int limit)
{
    return call<UpdatesPage>(
        "GET", withQuery(ApiPaths::updates.toString(), UpdatesQuery { sinceSeq, limit }.toQuery()));
}

} // namespace Messenger::Client
