#pragma once

#include "ApiResult.h"
#include "shared/AuthDtos.h"
#include "shared/Chat.h"
#include "shared/Events.h"
#include "shared/Operations.h"
#include "shared/Presence.h"
#include "shared/Queries.h"
#include "shared/Requests.h"
#include "shared/Search.h"

#include <QDeadlineTimer>
#include <QFuture>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <functional>
#include <memory>

namespace Messenger::Client {

// Typed calls to the REST API. Each returns a future of ApiResult: the DTO or
// one ApiError. Authenticated calls carry the access token; a 401 triggers
// one refresh (shared by every call that meets it: one refresh in flight at a
// time) and one retry. A refresh that fails ends the session: sessionExpired().
class ApiClient : public QObject
{
    Q_OBJECT
public:
    explicit ApiClient(QObject *parent = nullptr);
    ~ApiClient() override;

    void setBaseUrl(const QUrl &url);
    QUrl baseUrl() const { return m_baseUrl; }
    void setTokens(const QString &accessToken, const QString &refreshToken);
    QString accessToken() const { return m_accessToken; }
    QString refreshToken() const { return m_refreshToken; }
    // When the access token stops working (as the server said at issue);
    // forever when unknown.
    QDeadlineTimer accessTokenDeadline() const { return m_accessTokenDeadline; }
    // Sent at login, shown in the session list ("Work laptop"); the host name
    // by default.
    void setDeviceName(const QString &name) { m_deviceName = name; }
    // Network timeout per request.
    void setTimeout(std::chrono::milliseconds timeout) { m_timeout = timeout; }

    QFuture<ApiResult<Messenger::User>> registerUser(
        const QString &name, const QString &email, const QString &password);
    QFuture<ApiResult<Messenger::TokenResponse>> login(
        const QString &email, const QString &password);
    // Trades the refresh token for new tokens; concurrent callers share one request.
    QFuture<ApiResult<Messenger::TokenResponse>> refresh();
    QFuture<ApiResult<Empty>> logout();
    // The user's signed-in devices, and ending one of them.
    QFuture<ApiResult<QList<Messenger::SessionInfo>>> sessions();
    QFuture<ApiResult<Empty>> revokeSession(const QString &sessionId);
    // Ends every session of the user but this one.
    QFuture<ApiResult<Empty>> revokeOtherSessions();

    // GET /health, unauthenticated: an error unless the server and its
    // database answer (LiveConnection uses it to notice a comeback).
    QFuture<ApiResult<Messenger::HealthStatus>> health();
    QFuture<ApiResult<Messenger::User>> me();
    // Changes the display name; the answer is the updated user.
    QFuture<ApiResult<Messenger::User>> updateName(const QString &name);
    // Makes the caller's finished upload `uploadId` (an image) their profile
    // photo, or removes it; the answer is the updated user.
    QFuture<ApiResult<Messenger::User>> setProfilePhoto(const QString &uploadId);
    QFuture<ApiResult<Messenger::User>> removeProfilePhoto();
    // A 403 `wrong_password` when `currentPassword` is wrong; on success every
    // other session of the user has ended and this one carries on.
    QFuture<ApiResult<Empty>> changePassword(
        const QString &currentPassword, const QString &newPassword);
    QFuture<ApiResult<QList<Messenger::User>>> searchUsers(const QString &query, int limit = 20);
    // Online / last seen of those of `userIds` who share a chat with you
    // (up to Limits::presenceIdsMax; the others are left out).
    QFuture<ApiResult<Messenger::PresenceList>> presence(const QStringList &userIds);
    QFuture<ApiResult<Messenger::PrivacySettings>> privacy();
    QFuture<ApiResult<Messenger::PrivacySettings>> setPrivacy(
        const Messenger::PrivacySettings &settings);

    QFuture<ApiResult<QList<Messenger::ChatSummary>>> chatsWithLastMessage();
    QFuture<ApiResult<Messenger::Chat>> chat(const QString &chatId);
    QFuture<ApiResult<Messenger::Chat>> createPersonalChat(const QString &userId);
    QFuture<ApiResult<Messenger::Chat>> createGroupChat(
        const QString &name, const QStringList &memberIds);
    QFuture<ApiResult<Messenger::Chat>> renameChat(const QString &chatId, const QString &name);
    // A group's photo (its owner may), as setProfilePhoto.
    QFuture<ApiResult<Messenger::Chat>> setGroupPhoto(
        const QString &chatId, const QString &uploadId);
    QFuture<ApiResult<Messenger::Chat>> removeGroupPhoto(const QString &chatId);
    QFuture<ApiResult<Messenger::Chat>> addMembers(
        const QString &chatId, const QStringList &userIds);
    // Removes someone (the owner may) or leaves (userId is the caller).
    QFuture<ApiResult<Empty>> removeMember(const QString &chatId, const QString &userId);

    QFuture<ApiResult<Messenger::HistoryPage>> history(
        const QString &chatId, const HistoryQuery &query);
    // GET /search/messages: the caller's messages with every word of the query.
    QFuture<ApiResult<Messenger::MessageSearchPage>> searchMessages(
        const Messenger::MessageSearchQuery &query);
    // With a replyToId, the message answers that one (of the same chat);
    // `mentions`: ids of the members the text mentions; `attachmentIds`: the
    // caller's complete uploads (FileUpload) it carries, the text their caption.
    QFuture<ApiResult<Messenger::Message>> sendMessage(const QString &chatId, const QString &text,
        const QString &clientId = {}, const QString &replyToId = {},
        const QStringList &mentions = {}, const QStringList &attachmentIds = {});
    QFuture<ApiResult<Messenger::Message>> editMessage(
        const QString &messageId, const QString &text);
    QFuture<ApiResult<Messenger::Message>> deleteMessage(const QString &messageId);
    // Copies the messages into the chats; answers the copies. A retry with
    // the same clientId stores nothing new.
    QFuture<ApiResult<Messenger::ForwardedMessages>> forwardMessages(const QStringList &messageIds,
        const QStringList &chatIds, const std::optional<QString> &clientId = std::nullopt);
    // Pins the message in the chat, or (without one) unpins; answers the chat.
    QFuture<ApiResult<Messenger::Chat>> pinMessage(
        const QString &chatId, const std::optional<QString> &messageId);
    // Changes your own settings of the chat (mute, pin, archive, unread);
    // answers them as they are now.
    QFuture<ApiResult<Messenger::ChatSettings>> updateChatSettings(
        const QString &chatId, const Messenger::UpdateChatSettingsRequest &request);
    // Your pinned chats in a new order (exactly the pinned ones).
    QFuture<ApiResult<QList<Messenger::ChatSettingsChanged>>> reorderPinnedChats(
        const QStringList &chatIds);
    // Adds (or, with add false, takes back) your reaction; answers the message.
    QFuture<ApiResult<Messenger::Message>> react(
        const QString &messageId, const QString &emoji, bool add);
    QFuture<ApiResult<Messenger::ReadState>> markRead(
        const QString &chatId, const QString &messageId);
    QFuture<ApiResult<UpdatesPage>> updates(qint64 sinceSeq, int limit = 500);

    // A request whose answer the caller reads itself (file transfers): the
    // `headers` added and `body` sent as is, with the access token, refreshed
    // and retried once on 401 as for every call. `started` sees each
    // attempt's reply as soon as it is sent (to follow its progress or read
    // its body as it comes; a 401's body is not the answer); `finished` the
    // last one, with its status and headers, deleted after it returns.
    // Neither is called once `context` is gone.
    using RawHeaders = QList<QPair<QByteArray, QByteArray>>;
    using ReplyHandler = std::function<void(QNetworkReply *reply)>;
    void sendRaw(QObject *context, const QByteArray &method, const QString &pathAndQuery,
        const RawHeaders &headers, const QByteArray &body, ReplyHandler started,
        ReplyHandler finished);

    // How many refreshes were sent; tests use it to check they are shared.
    int refreshCount() const { return m_refreshCount; }

Q_SIGNALS:
    void tokensChanged();
    void refreshTokenChanged(const QString &refreshToken);
    void sessionExpired();

private:
    using Completion
        = std::function<void(int status, const QJsonDocument &body, const ApiError *error)>;
    // Sends a request, refreshing and retrying once on 401 when authenticated.
    void send(const QByteArray &method, const QString &pathAndQuery, const QJsonDocument &body,
        bool authenticated, Completion done, bool retried = false);
    // The request to `pathAndQuery` with the common headers and, when
    // `authenticated`, the access token (returned in `tokenUsed`).
    QNetworkRequest newRequest(
        const QString &pathAndQuery, bool authenticated, QString *tokenUsed) const;
    // A 401 answered a request made with `tokenUsed`: `retry` once the token
    // is fresh (refreshed now, or by another call meanwhile), else `giveUp`.
    void afterUnauthorized(
        const QString &tokenUsed, std::function<void()> retry, std::function<void()> giveUp);
    struct RawRequest;
    void sendRawAttempt(const std::shared_ptr<const RawRequest> &raw, bool retried);
    template <typename T>
    QFuture<ApiResult<T>> call(const QByteArray &method, const QString &pathAndQuery,
        const QJsonDocument &body = {}, bool authenticated = true);
    void storeTokens(const Messenger::TokenResponse &tokens);

    QNetworkAccessManager *m_network;
    QUrl m_baseUrl;
    QString m_accessToken;
    QString m_refreshToken;
    QDeadlineTimer m_accessTokenDeadline { QDeadlineTimer::Forever };
    QString m_deviceName;
    QByteArray m_userAgent;
    std::chrono::milliseconds m_timeout { 15000 };
    // Callers waiting for the refresh in flight; empty when there is none.
    QList<std::function<void(const ApiResult<Messenger::TokenResponse> &)>> m_refreshWaiters;
    int m_refreshCount = 0;
};

} // namespace Messenger::Client
