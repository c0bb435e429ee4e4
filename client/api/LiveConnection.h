#pragma once

#include "shared/Chat.h"
#include "shared/Presence.h"
#include "shared/WsFrames.h"

#include <QDeadlineTimer>

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QWebSocket>
#include <chrono>

namespace Messenger::Client {

class ApiClient;

// The `/ws/user` socket: every event of the user's chats, live. It
// reconnects by itself with backoff and resumes with `since_seq` (the largest
// seq it has seen), so nothing is lost across a drop; sends carry a client_id
// and stay in an outbox until acknowledged, resent after each reconnect (the
// server de-duplicates by client_id), so nothing is sent twice either. The
// socket outlives its access token: before it expires the token is refreshed
// and sent over the socket; a socket closed for an expired (4001) or revoked
// (4003) session refreshes first, and a refused refresh ends the session.
class LiveConnection : public QObject
{
    Q_OBJECT
public:
    enum class State { Disconnected, Connecting, Connected, WaitingToReconnect };
    Q_ENUM(State)

    explicit LiveConnection(ApiClient *api, QObject *parent = nullptr);
    ~LiveConnection() override;

    State state() const { return m_state; }
    int secondsUntilReconnect() const;
    // Waits between reconnect attempts: `first`, doubling up to `max` (1 s to
    // 30 s by default), each ±20%.
    void setReconnectBackoff(std::chrono::milliseconds first, std::chrono::milliseconds max)
    {
        m_firstBackoff = first;
        m_maxBackoff = max;
    }
    // Where the next connection resumes from; only ever moves forward.
    void setResumeSeq(qint64 seq);
    qint64 resumeSeq() const { return m_resumeSeq; }
    // Whether an event of this seq is part of the catch-up after a resume
    // (what happened while the socket was away), not news as it happens.
    bool isCatchUp(qint64 seq) const { return seq > 0 && seq <= m_catchUpTo; }

    void connectToServer();
    void disconnectFromServer();
    // Skips the wait before the next attempt ("Try now").
    void reconnectNow();
    // Drops the socket as a network failure would (tests, and "the laptop slept").
    void abortConnection();

    // Queues a message and returns its client_id; it is sent now or after the
    // next connect. A message queued before the app last quit keeps the
    // `clientId` it was given then, so the server never takes it twice.
    // `replyToId`: the message it answers, if any; `mentions`: the members
    // the text mentions; `attachmentIds`: the complete uploads it carries.
    QString send(const QString &chatId, const QString &text, const QString &clientId = {},
        const std::optional<QString> &replyToId = std::nullopt, const QStringList &mentions = {},
        const QStringList &attachmentIds = {});
    int unacknowledgedCount() const { return int(m_outbox.size()); }
    // At most one typing notice per chat every few seconds.
    void sendTyping(const QString &chatId);
    void markRead(const QString &chatId, const QString &messageId);

Q_SIGNALS:
    void stateChanged(Messenger::Client::LiveConnection::State state);
    // Every event of the stream as the server sent it (seq, type, data), before
    // the typed signal below that it also raises; for consumers that pass
    // events on whole, such as `messenger-cli listen`.
    void eventReceived(const Messenger::Event &event);
    void messageReceived(const Messenger::Message &message);
    void acknowledged(const QString &clientId, const Messenger::Message &message);
    // The server refused a send (not member, too long...): final, not retried.
    void sendFailed(const QString &clientId, const QString &chatId, const QString &detail);
    void messageEdited(const Messenger::Message &message);
    void messageDeleted(const QString &chatId, const QString &messageId);
    // Someone (the user too, on any device) reacted to a message or took a
    // reaction back: the message's reactions now (`me` not set).
    void reactionsChanged(const Messenger::MessageReactions &changed);
    void readReceived(
        const QString &chatId, const QString &userId, const QString &messageId, qint64 seq);
    // A new chat, whole (the `chat` event).
    void chatUpdated(const Messenger::Chat &chat);
    // Later group changes carry only what changed.
    void chatRenamed(const Messenger::ChatRenamed &renamed);
    // A chat's pinned message changed (none: unpinned, or the message was deleted).
    void chatPinned(const Messenger::ChatPinned &pinned);
    // A group's photo was set or removed (the `chat_updated` event).
    void chatPhotoChanged(const Messenger::ChatUpdated &changed);
    // The user's own settings of a chat changed (here or on another device).
    void chatSettingsChanged(const Messenger::ChatSettingsChanged &changed);
    void membersAdded(const Messenger::MembersAdded &added);
    void chatRemoved(const QString &chatId);
    void memberLeft(const QString &chatId, const QString &userId);
    // Someone who shares a chat with the user (or the user, on another device) changed their
    // profile.
    void userUpdated(const Messenger::User &user);
    void typingReceived(const QString &chatId, const QString &userId, const QString &name);
    // People who share a chat with the user came online or went offline (not
    // stored: after a reconnect, read GET /presence again).
    void presenceReceived(const Messenger::PresenceList &presence);
    // One of the user's sessions ended (this one's socket closes, too).
    void sessionRevoked(const QString &sessionId);
    // The server took a fresh token over the socket: it lasts `expiresIn` s more.
    void reauthenticated(qint64 expiresIn);
    void serverError(const QString &detail);

private:
    void open();
    void setState(State state);
    void scheduleReconnect();
    // While waiting to reconnect, asks /health now and then and reconnects
    // as soon as the server answers.
    void scheduleComebackProbe();
    void probeForComeback();
    void handleFrame(const QString &text);
    void handleError(const Messenger::ErrorFrame &error);
    void handleEvent(const Messenger::Event &event);
    struct Outgoing
    {
        QString clientId;
        QString chatId;
        QString text;
        std::optional<QString> replyToId;
        QStringList mentions;
        QStringList attachmentIds;
    };
    void transmit(const QJsonObject &frame);
    void transmitSend(const Outgoing &outgoing);
    // Sends an outbox entry again (after a rate limit's retry_after).
    void resend(const QString &clientId);
    void checkAlive();
    // The server closes a socket when its token expires: shortly before,
    // refresh and hand the new token over the socket (`auth`).
    void scheduleRenewal();
    void sendFreshToken();

    QPointer<ApiClient> m_api;
    QWebSocket *m_socket = nullptr;
    State m_state = State::Disconnected;
    bool m_wanted = false;
    bool m_greeted = false;
    bool m_credentialsRefused = false;
    qint64 m_resumeSeq = 0;
    qint64 m_catchUpTo = 0; // the greeting's seq after a resume
    int m_attempt = 0;
    QTimer m_reconnectTimer;
    QTimer m_comebackProbe;
    std::chrono::milliseconds m_firstBackoff { 1000 };
    std::chrono::milliseconds m_maxBackoff { 30000 };
    QDeadlineTimer m_reconnectAt;
    QTimer m_keepAlive;
    QTimer m_renewal;
    QElapsedTimer m_lastHeard;
    QList<Outgoing> m_outbox;
    QHash<QString, QDeadlineTimer> m_typingSentUntil;
};

} // namespace Messenger::Client
