#pragma once

#include "LocalCache.h"
#include "client/api/ApiResult.h"
#include "shared/Chat.h"
#include "shared/Presence.h"
#include "shared/Requests.h"
#include "shared/User.h"

#include <QFuture>
#include <QHash>
#include <QImage>
#include <QObject>
#include <QPointer>
#include <QPromise>
#include <QSet>
#include <QTimer>

namespace Messenger::Client {

class ApiClient;
class ChatListModel;
class FileCache;
class FileUpload;
class LiveConnection;
class MessageModel;
class SessionStore;

// Everything a signed-in user has: the api client, the live socket, the chat
// list and each open chat's timeline, kept consistent with each other. The
// widgets talk to this; it has no widgets itself, so it is tested headless.
//
// With a SessionStore, the account's LocalCache keeps all of it on disk: a
// remembered session starts signed in from the cache at once, whether or not
// the server answers, and catches up (since_seq, then the chat list and the
// open chats' newest pages) when the connection comes. Sends, edits and
// deletions made while the server cannot be reached wait in the cache and go
// when it can, after a restart too.
class ClientSession : public QObject
{
    Q_OBJECT
public:
    enum class State { SignedOut, SigningIn, SignedIn };
    Q_ENUM(State)
    // The input a failed sign-in or registration blames.
    enum class Field { None, Server, Name, Email, Password };
    Q_ENUM(Field)

    // `store` may be null (tests that do not persist anything).
    explicit ClientSession(SessionStore *store, QObject *parent = nullptr);
    ~ClientSession() override;

    // The signed-in account's local cache; null when signed out or without a store.
    LocalCache *cache() const { return m_cache; }
    // How many messages per chat caches opened from now on keep (tests).
    void setCachedMessagesPerChat(int count) { m_cachedMessagesPerChat = count; }

    ApiClient *api() const { return m_api; }
    // The signed-in account's thumbnails and downloaded files; null when signed out.
    FileCache *files();
    // A profile or group photo (avatarUrl; empty: none), null until it has
    // come from the server or the disk (then avatarReady).
    QImage avatar(const QString &avatarUrl);
    LiveConnection *live() const { return m_live; }
    ChatListModel *chats() const { return m_chats; }
    State state() const { return m_state; }
    Messenger::User currentUser() const { return m_user; }
    QString serverUrl() const;

    // Signs in with a remembered session, if there is one; restoreFinished(false) otherwise.
    // With the account's cache on disk it is signed in at once (restoreFinished(true))
    // and connects in the background; if the server then refuses the session,
    // signedOut() follows.
    void restore();
    void signIn(const QString &serverUrl, const QString &email, const QString &password);
    void registerAccount(const QString &serverUrl, const QString &name, const QString &email,
        const QString &password);
    // Ends the session and deletes this account's local cache.
    void signOut();
    // Stops a sign-in or registration in progress: its answers are ignored
    // when they come, tokens already issued are logged out, state SignedOut.
    void cancelSignIn();

    // The timeline of one chat, created and loaded on first use.
    MessageModel *messages(const QString &chatId);
    // Sends through the live socket (kept and retried until acknowledged);
    // `replyToId`, when not empty, is the message of that chat it answers;
    // `mentions`: the members the text mentions (kept with an offline send).
    void send(const QString &chatId, const QString &text, const QString &replyToId = {},
        const QStringList &mentions = {});
    // Sends files (paths on this machine, up to Limits::attachmentsPerMessageMax)
    // with `text` as their caption. The message shows at once, pending, with
    // how much has gone up; the files go up one after another (carrying on
    // after a dropped connection, and after a restart: the cache keeps each
    // upload's place), then the message goes like any send.
    void sendFiles(const QString &chatId, const QString &text, const QStringList &files,
        const QString &replyToId = {}, const QStringList &mentions = {});
    // Stops a send's uploads (the server lets go of them) and takes it away.
    void cancelUpload(const QString &chatId, const QString &clientId);
    // The file going up for a pending send now; null when none (tests).
    FileUpload *currentUpload(const QString &clientId) const;
    // A message the server refused: send it again (a new send, with a new
    // client_id, at the bottom), or forget it.
    void retryFailed(const QString &chatId, const QString &clientId);
    void discardFailed(const QString &chatId, const QString &clientId);
    void edit(const QString &messageId, const QString &text);
    // Adds the user's `emoji` reaction to a message, or takes it back when it
    // is there: shown at once, settled by the server's answer, undone (with
    // operationFailed) when the server refuses it.
    void toggleReaction(const QString &messageId, const QString &emoji);
    void remove(const QString &messageId);
    // Copies the messages into each of the chats in one request (all or
    // nothing, at most 100 copies: the picker keeps within that);
    // forwarded() follows, or operationFailed() with the server's reason.
    void forward(const QStringList &messageIds, const QStringList &chatIds);
    // Pins `messageId` in its chat, or unpins with an empty id; the chat list
    // keeps the answer (the `chat_pinned` event brings it to other clients).
    void setPinnedMessage(const QString &chatId, const QString &messageId);
    // Whether the user may pin or unpin in `chatId`: anyone in a personal
    // chat, only the owner in a group.
    bool canPin(const QString &chatId) const;
    // The user has seen everything in `chatId` up to `seq`.
    void markRead(const QString &chatId, qint64 seq);
    void notifyTyping(const QString &chatId);
    void setDraft(const QString &chatId, const QString &text);
    QString draft(const QString &chatId) const;
    // Who is typing in `chatId`, as the timeline header shows it.
    QString typingText(const QString &chatId) const;
    // What is known of someone's presence (they share a chat with the user).
    std::optional<Messenger::PresenceEntry> presenceOf(const QString &userId) const;
    // The header's presence line of a personal chat ("online", "last seen
    // 5 minutes ago"); empty for groups and while nothing is known.
    QString presenceText(const QString &chatId) const;
    // Who sees the user's own presence (Settings → Privacy).
    QFuture<ApiResult<Messenger::PrivacySettings>> privacy();
    QFuture<ApiResult<Messenger::PrivacySettings>> setPrivacy(
        const Messenger::PrivacySettings &settings);

    // The user's display name: the answer also updates currentUser() (and
    // emits currentUserChanged) when it succeeds.
    QFuture<ApiResult<Messenger::User>> changeName(const QString &name);
    // Needs the current password; the server ends every other session.
    QFuture<ApiResult<Empty>> changePassword(
        const QString &currentPassword, const QString &newPassword);

    void startPersonalChat(const QString &userId);
    void createGroup(const QString &name, const QStringList &memberIds);
    void renameGroup(const QString &chatId, const QString &name);
    // Uploads the image at `localPath` and makes it the user's profile photo
    // (`chatId` empty) or a group's photo (its owner may); the server crops
    // it to a square. The future is the outcome; the new photo shows at once.
    QFuture<ApiResult<Empty>> setPhoto(const QString &chatId, const QString &localPath);
    QFuture<ApiResult<Empty>> removePhoto(const QString &chatId);
    void addMembers(const QString &chatId, const QStringList &userIds);
    void removeMember(const QString &chatId, const QString &userId);
    void leaveChat(const QString &chatId);
    // The user's own settings of a chat (mute, pin, archive, unread): shown
    // as the server answers, and on the user's other devices by its event.
    void updateChatSettings(const QString &chatId, const UpdateChatSettingsRequest &request);
    // A pinned chat one place up (-1) or down (+1) among the pinned ones.
    void movePinnedChat(const QString &chatId, int by);
    // "Mark as read" from the chat list: everything in the chat read (up to
    // its newest message), and no longer marked unread.
    void markChatRead(const QString &chatId);

Q_SIGNALS:
    void stateChanged(Messenger::Client::ClientSession::State state);
    void restoreFinished(bool signedIn);
    // A sign-in or registration failed; `field` is the input at fault.
    void signInFailed(Messenger::Client::ClientSession::Field field, const QString &message);
    void signedOut();
    void currentUserChanged(const Messenger::User &user);
    // A new message from someone else (for notifications).
    void messageArrived(const Messenger::Message &message, const QString &chatTitle);
    // A chat was created by this user and should be opened.
    void chatReady(const QString &chatId);
    void chatRemoved(const QString &chatId);
    void typingChanged(const QString &chatId);
    // What is known of these people's presence changed.
    void presenceChanged(const QStringList &userIds);
    // forward() has put every copy in `chatIds`.
    void forwarded(const QStringList &chatIds);
    // Something the user asked for failed; shown briefly, never modal.
    void operationFailed(const QString &message);
    // A photo asked for by avatar() has come: views showing it repaint.
    void avatarReady(const QString &avatarUrl);

private:
    // Signs out; `forgetLocalData` deletes the account's cache (Sign Out),
    // otherwise it stays for the next sign-in (an expired session).
    void endSession(bool forgetLocalData);
    // Signed in from the cache, before the server answers; false without one.
    bool startFromCache(const QString &serverUrl, const QString &userId);
    void openCache(const QString &serverUrl, const QString &userId);
    // Drafts and what was left to send, from the cache.
    void resumeCachedWork(const LocalCache::Account &account);
    // The connection is up: what was done offline goes, and after an offline
    // start the chat list and the open chats catch up.
    void reconcile();
    // After an offline start: the user and the open chats' newest pages.
    void catchUp();
    void queueOperation(const LocalCache::PendingOperation &operation);
    // PUT (an upload's id) or DELETE the photo of setPhoto/removePhoto.
    void applyPhoto(const QString &chatId, const std::optional<QString> &uploadId,
        const std::shared_ptr<QPromise<ApiResult<Empty>>> &promise);
    // Shows a queued edit or deletion in the timeline and the chat list (a
    // queued read is shown already).
    void applyLocally(const LocalCache::PendingOperation &operation);
    void sendNextQueuedOperation();
    QString chatOfMessage(const QString &messageId) const;
    // What a pending reply shows of `messageId` until the server's answer
    // brings the real preview: nothing when that message is not loaded.
    std::optional<Messenger::ReplyPreview> localReplyPreview(
        const QString &chatId, const QString &messageId);
    void watchForCache(MessageModel *model);
    // Shows a send with files, pending, and starts (or carries on with) its uploads.
    void startUploads(const LocalCache::PendingOperation &operation);
    // The next file of the send `clientId` that is not up yet; when all
    // are, the message goes.
    void uploadNextFile(const QString &clientId);
    void updateUploadProgress(const QString &clientId);
    void saveToCache();
    void startSession(const QString &accessToken, const QString &refreshToken);
    void reloadChats();
    void setState(State state);
    // The signed-in user's profile changed (here or on another device).
    void setCurrentUser(const Messenger::User &user);
    void connectLive();
    // Fetches one chat and lists it (a chat this client learns of from a change).
    void fetchChat(const QString &chatId);
    // What a timeline needs to know of its chat (group or not, who the other is).
    void describeChatTo(MessageModel *model, const Messenger::Chat &chat) const;
    void reportFailure(const ApiError &error);
    // Reads the presence of everyone in the user's chats (on connecting: the
    // frames are not replayed), soon: calls in a row make one read.
    void fetchPresence();
    void applyPresence(const QList<Messenger::PresenceEntry> &entries);

    // Sends whose files are going up, by client_id: what the cache keeps of
    // each, the file going up now and how many bytes the send has in all.
    struct Uploading
    {
        LocalCache::PendingOperation operation;
        QPointer<FileUpload> current;
        qint64 totalBytes = 0;
    };
    QHash<QString, Uploading> m_uploading;
    // Sends whose uploads failed, by client_id: Retry carries on with them.
    QHash<QString, LocalCache::PendingOperation> m_failedUploads;
    FileCache *m_files = nullptr;
    SessionStore *m_store;
    ApiClient *m_api;
    LiveConnection *m_live;
    ChatListModel *m_chats;
    QHash<QString, MessageModel *> m_timelines;
    Messenger::User m_user;
    LocalCache *m_cache = nullptr;
    int m_cachedMessagesPerChat = LocalCache::defaultMessagesPerChat;
    // Edits and deletions the server has yet to take, oldest first.
    QList<LocalCache::PendingOperation> m_queued;
    bool m_sendingQueued = false;
    // After an offline start the chat list is reloaded once the queue is
    // sent, so that it shows the server's state with the user's offline work in.
    bool m_reloadChatsWhenSent = false;
    // Started from the cache and not yet caught up with the server.
    bool m_offlineStart = false;
    // Timelines shown from the cache only, loaded when the connection comes.
    QSet<QString> m_timelinesToLoad;
    // What changed since the last write to the cache (written shortly, together).
    QSet<QString> m_changedTimelines;
    bool m_chatsChanged = false;
    QTimer m_cacheTimer;
    // Messages from others in a catch-up after being offline: the newest of
    // each chat, announced once the burst is over (not one notice each).
    QHash<QString, Messenger::Message> m_caughtUp;
    QTimer m_caughtUpNotice;
    State m_state = State::SignedOut;
    QHash<QString, Messenger::PresenceEntry> m_presence;
    bool m_presenceFetchQueued = false;
    // Which sign-in the answers on their way belong to; cancelSignIn() moves
    // it on so they are dropped.
    quint64 m_signInAttempt = 0;
};

} // namespace Messenger::Client
