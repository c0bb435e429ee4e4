#include "ClientSession.h"

#include "ChatListModel.h"
#include "FileCache.h"
#include "MessageModel.h"
#include "Presentation.h"
#include "client/api/ApiClient.h"
#include "client/api/FileTransfer.h"
#include "client/api/LiveConnection.h"
#include "client/api/SessionStore.h"

#include "shared/Json.h"
#include "shared/Limits.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImageReader>
#include <QLoggingCategory>
#include <QMimeDatabase>
#include <QPromise>
#include <algorithm>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcSession, "messenger.client.session")

namespace Messenger::Client {

namespace {

// The error of a failed call, none for a successful one.
template <typename T> QFuture<std::optional<ApiError>> errorOf(QFuture<ApiResult<T>> call)
{
    return call.then([](const ApiResult<T> &result) {
        return result ? std::nullopt : std::optional<ApiError>(result.error());
    });
}

// What a file on this machine will be as an attachment, for the pending
// bubble: its name, size and type, and an image's size as shown (EXIF
// orientation applied, as the server will report it), so the bubble has its
// final size before the server has seen the file.
Attachment attachmentOfLocalFile(const QString &path)
{
    const QFileInfo info(path);
    Attachment file;
    file.name = info.fileName();
    file.size = info.size();
    file.mimeType = QMimeDatabase().mimeTypeForFile(info).name();
    QImageReader reader(path);
    if (reader.canRead()) {
        QSize size = reader.size();
        if (reader.transformation() & QImageIOHandler::TransformationRotate90)
            size.transpose();
        if (size.isValid()) {
            file.width = size.width();
            file.height = size.height();
            file.hasThumbnail = true;
        }
    }
    return file;
}

// Changes reach the cache this long after they settle (a burst is one write).
constexpr int cacheDelayMs = 300;
// A catch-up is over when no missed message came for this long.
constexpr int caughtUpQuietMs = 500;

// A registration's 422 names the field at fault in its first error's `loc`
// (["body", "password"]); the e-mail when it names none of the form's.
ClientSession::Field registrationField(const QList<FieldError> &errors)
{
    const QString name
        = errors.isEmpty() || errors.first().loc.isEmpty() ? QString() : errors.first().loc.last();
    if (name == RegisterRequest::passwordKey)
        return ClientSession::Field::Password;
    if (name == RegisterRequest::nameKey)
        return ClientSession::Field::Name;
    return ClientSession::Field::Email;
}

} // namespace

ClientSession::ClientSession(SessionStore *store, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_api(new ApiClient(this))
    , m_live(new LiveConnection(m_api, this))
    , m_chats(new ChatListModel(this))
{
    connect(m_api, &ApiClient::sessionExpired, this, [this] {
        qCInfo(lcSession) << "the session expired; signing out";
        endSession(false);
    });
    connect(m_api, &ApiClient::refreshTokenChanged, this, [this](const QString &token) {
        if (m_store && m_state == State::SignedIn)
            m_store->saveRefreshToken(token);
    });
    connectLive();
    m_caughtUpNotice.setSingleShot(true);
    m_caughtUpNotice.setInterval(caughtUpQuietMs);
    connect(&m_caughtUpNotice, &QTimer::timeout, this, [this] {
        for (const Message &newest : std::exchange(m_caughtUp, {}))
            Q_EMIT messageArrived(newest, m_chats->title(newest.chatId));
    });
    m_cacheTimer.setSingleShot(true);
    m_cacheTimer.setInterval(cacheDelayMs);
    connect(&m_cacheTimer, &QTimer::timeout, this, &ClientSession::saveToCache);
    const auto chatsChanged = [this] {
        if (!m_cache)
            return;
        m_chatsChanged = true;
        if (!m_cacheTimer.isActive()) // written within a moment, even while changes keep coming
            m_cacheTimer.start();
    };
    connect(m_chats, &QAbstractItemModel::dataChanged, this,
        [chatsChanged](const QModelIndex &, const QModelIndex &, const QList<int> &roles) {
            // Typing notices come and go every few seconds, and drafts are
            // saved on their own: neither is worth rewriting the chat list.
            const bool transient
                = !roles.isEmpty() && std::all_of(roles.cbegin(), roles.cend(), [](int role) {
                      return role == ChatListModel::TypingRole || role == ChatListModel::DraftRole
                          || role == ChatListModel::OnlineRole;
                  });
            if (!transient)
                chatsChanged();
        });
    connect(m_chats, &QAbstractItemModel::rowsInserted, this, chatsChanged);
    connect(m_chats, &QAbstractItemModel::rowsRemoved, this, chatsChanged);
    connect(m_chats, &QAbstractItemModel::rowsMoved, this, chatsChanged);
    connect(m_chats, &QAbstractItemModel::modelReset, this, chatsChanged);
    connect(m_live, &LiveConnection::stateChanged, this, [this](LiveConnection::State state) {
        if (state == LiveConnection::State::Connected) {
            reconcile();
            fetchPresence();
            // The server is back: uploads waiting to retry go now.
            for (const Uploading &uploading : std::as_const(m_uploading)) {
                if (uploading.current)
                    uploading.current->retryNow();
            }
        }
    });
}

ClientSession::~ClientSession()
{
    // Quitting: whatever changed goes to disk now (the cache commits it as it closes).
    saveToCache();
}

QString ClientSession::serverUrl() const
{
    return m_api->baseUrl().toString();
}

void ClientSession::restore()
{
    if (!m_store) {
        Q_EMIT restoreFinished(false);
        return;
    }
    const QString url = m_store->serverUrl();
    const QString userId = m_store->userId();
    m_store->loadRefreshToken().then(this, [this, url, userId](const QString &refreshToken) {
        if (url.isEmpty() || refreshToken.isEmpty()) {
            Q_EMIT restoreFinished(false);
            return;
        }
        m_api->setBaseUrl(QUrl(url));
        m_api->setTokens({}, refreshToken);
        if (startFromCache(url, userId)) {
            Q_EMIT restoreFinished(true);
            return;
        }
        setState(State::SigningIn);
        m_api->refresh().then(this, [this](const ApiResult<TokenResponse> &tokens) {
            if (!tokens) {
                // A server that is down keeps the session for the next try;
                // a refused token does not.
                if (tokens.error().kind == ApiError::Kind::Http && m_store)
                    m_store->clear();
                setState(State::SignedOut);
                Q_EMIT restoreFinished(false);
                return;
            }
            startSession(tokens.value().accessToken, tokens.value().refreshToken);
            connect(
                this, &ClientSession::stateChanged, this,
                [this](State state) { Q_EMIT restoreFinished(state == State::SignedIn); },
                Qt::SingleShotConnection);
        });
    });
}

void ClientSession::signIn(const QString &serverUrl, const QString &email, const QString &password)
{
    setState(State::SigningIn);
    const quint64 attempt = ++m_signInAttempt;
    m_api->setBaseUrl(QUrl(serverUrl));
    m_api->login(email, password)
        .then(this, [this, attempt](const ApiResult<TokenResponse> &tokens) {
            if (attempt != m_signInAttempt)
                return; // cancelled
            if (!tokens) {
                setState(State::SignedOut);
                const ApiError &error = tokens.error();
                const Field field = error.kind == ApiError::Kind::Network ? Field::Server
                    : error.status == 401                                 ? Field::Password
                                                                          : Field::None;
                Q_EMIT signInFailed(
                    field, error.status == 401 ? tr("Wrong email or password") : error.message());
                return;
            }
            startSession(tokens.value().accessToken, tokens.value().refreshToken);
        });
}

void ClientSession::cancelSignIn()
{
    if (m_state != State::SigningIn)
        return;
    ++m_signInAttempt; // every answer still on its way is dropped
    // Tokens already issued belong to no one now: the server forgets them.
    if (!m_api->refreshToken().isEmpty())
        m_api->logout();
    if (m_store)
        m_store->clear();
    m_api->setTokens({}, {});
    setState(State::SignedOut);
}

void ClientSession::registerAccount(
    const QString &serverUrl, const QString &name, const QString &email, const QString &password)
{
    setState(State::SigningIn);
    const quint64 attempt = ++m_signInAttempt;
    m_api->setBaseUrl(QUrl(serverUrl));
    m_api->registerUser(name, email, password)
        .then(this, [this, attempt, serverUrl, email, password](const ApiResult<User> &user) {
            if (attempt != m_signInAttempt)
                return; // cancelled
            if (!user) {
                setState(State::SignedOut);
                const ApiError &error = user.error();
                Field field = Field::None;
                QString message = error.message();
                if (error.kind == ApiError::Kind::Network) {
                    field = Field::Server;
                } else if (error.status == 400) { // the seed's answer for a taken email
                    field = Field::Email;
                    message = tr("This email is already registered");
                } else if (error.status == 422) {
                    field = registrationField(error.fieldErrors);
                }
                Q_EMIT signInFailed(field, message);
                return;
            }
            signIn(serverUrl, email, password);
        });
}

bool ClientSession::startFromCache(const QString &serverUrl, const QString &userId)
{
    if (userId.isEmpty() || !QFile::exists(LocalCache::pathFor(serverUrl, userId)))
        return false;
    openCache(serverUrl, userId);
    const LocalCache::Account account = m_cache->loadAccount();
    if (!account.user || account.user->id != userId) {
        delete std::exchange(m_cache, nullptr);
        return false;
    }
    qCInfo(lcSession) << "starting from the local cache;" << account.chats.size() << "chats";
    m_user = *account.user;
    m_chats->setCurrentUserId(m_user.id);
    m_chats->resetChats(account.chats);
    m_offlineStart = true;
    resumeCachedWork(account);
    // The replay from the newest cached event brings what happened meanwhile.
    m_live->setResumeSeq(m_chats->newestSeq());
    // Without an access token the connection refreshes first, and keeps
    // trying while the server is down; a refused refresh ends the session.
    m_live->connectToServer();
    setState(State::SignedIn);
    return true;
}

void ClientSession::openCache(const QString &serverUrl, const QString &userId)
{
    if (m_cache && m_cache->path() == LocalCache::pathFor(serverUrl, userId))
        return;
    delete m_cache;
    m_cache = new LocalCache(LocalCache::pathFor(serverUrl, userId), this);
    m_cache->setMessagesPerChat(m_cachedMessagesPerChat);
}

void ClientSession::resumeCachedWork(const LocalCache::Account &account)
{
    if (!account.pending.isEmpty())
        qCInfo(lcSession) << account.pending.size() << "operations from before wait for the server";
    for (auto draft = account.drafts.cbegin(); draft != account.drafts.cend(); ++draft)
        m_chats->setDraft(draft.key(), draft.value());
    using Kind = LocalCache::PendingOperation::Kind;
    for (const LocalCache::PendingOperation &operation : account.pending) {
        if (operation.kind != Kind::Send && operation.kind != Kind::Failed)
            m_queued.append(operation); // shown as each timeline opens
    }
    for (const LocalCache::PendingOperation &operation : account.pending) {
        if (operation.kind == Kind::Failed) {
            // Refused before quitting: shown again as it was, not sent.
            MessageModel *model = messages(operation.chatId);
            QList<Attachment> attachments;
            QStringList localFiles;
            for (const auto &file : operation.files) {
                attachments.append(attachmentOfLocalFile(file.localPath));
                localFiles.append(file.localPath);
            }
            if (!operation.files.isEmpty())
                m_failedUploads.insert(operation.key, operation);
            model->addPending(operation.key, operation.text,
                localReplyPreview(operation.chatId, operation.messageId), operation.mentions,
                attachments, localFiles);
            model->markFailed(operation.key, tr("The server refused it"));
            continue;
        }
        if (operation.kind != Kind::Send)
            continue;
        if (!operation.files.isEmpty()) {
            // Its uploads carry on where the server is (or send, when all are up).
            startUploads(operation);
            continue;
        }
        // The same client_id as before quitting: if the server got it then,
        // it answers with that message instead of storing a second one.
        const QString &replyToId = operation.messageId;
        m_live->send(operation.chatId, operation.text, operation.key,
            replyToId.isEmpty() ? std::nullopt : std::optional(replyToId), operation.mentions);
        messages(operation.chatId)
            ->addPending(operation.key, operation.text,
                localReplyPreview(operation.chatId, replyToId), operation.mentions);
        m_chats->addPending(operation.chatId, operation.text);
    }
}

void ClientSession::reconcile()
{
    if (m_offlineStart) {
        m_offlineStart = false;
        m_reloadChatsWhenSent = true;
        catchUp();
    }
    sendNextQueuedOperation();
}

void ClientSession::catchUp()
{
    m_api->me().then(this, [this](const ApiResult<User> &user) {
        if (!user || user.value().id != m_user.id)
            return;
        m_user = user.value();
        if (m_cache)
            m_cache->saveUser(m_user);
    });
    for (const QString &chatId : std::exchange(m_timelinesToLoad, {})) {
        if (MessageModel *model = m_timelines.value(chatId))
            model->load(); // the newest page; a hole before it is filled by the model
    }
}

void ClientSession::queueOperation(const LocalCache::PendingOperation &operation)
{
    // A read cursor replaces the chat's earlier one (the same key).
    m_queued.removeIf([&operation](const auto &queued) { return queued.key == operation.key; });
    m_queued.append(operation);
    if (m_cache)
        m_cache->addPending(operation);
    applyLocally(operation);
}

void ClientSession::applyLocally(const LocalCache::PendingOperation &operation)
{
    MessageModel *model = m_timelines.value(operation.chatId);
    const int row = model ? model->rowOfId(operation.messageId) : -1;
    if (operation.kind == LocalCache::PendingOperation::Kind::Delete) {
        if (model)
            model->applyDeleted(operation.messageId);
        m_chats->applyDeleted(operation.chatId, operation.messageId);
    } else if ((operation.kind == LocalCache::PendingOperation::Kind::React
                   || operation.kind == LocalCache::PendingOperation::Kind::Unreact)
        && row >= 0) {
        model->applyOwnReaction(operation.messageId, operation.text,
            operation.kind == LocalCache::PendingOperation::Kind::React);
    } else if (operation.kind == LocalCache::PendingOperation::Kind::Edit && row >= 0) {
        Message edited = model->messageAt(row);
        edited.text = operation.text;
        edited.editedAt = QDateTime::currentMSecsSinceEpoch() * 1000;
        model->applyEdited(edited);
        m_chats->applyEdited(edited);
    }
}

void ClientSession::sendNextQueuedOperation()
{
    if (m_sendingQueued)
        return;
    if (m_queued.isEmpty()) {
        if (std::exchange(m_reloadChatsWhenSent, false))
            reloadChats();
        return;
    }
    m_sendingQueued = true;
    const LocalCache::PendingOperation operation = m_queued.first();
    QFuture<std::optional<ApiError>> sent;
    switch (operation.kind) {
    case LocalCache::PendingOperation::Kind::Edit:
        sent = errorOf(m_api->editMessage(operation.messageId, operation.text));
        break;
    case LocalCache::PendingOperation::Kind::Delete:
        sent = errorOf(m_api->deleteMessage(operation.messageId));
        break;
    case LocalCache::PendingOperation::Kind::React:
    case LocalCache::PendingOperation::Kind::Unreact:
        sent = errorOf(m_api->react(operation.messageId, operation.text,
            operation.kind == LocalCache::PendingOperation::Kind::React));
        break;
    case LocalCache::PendingOperation::Kind::Read:
    case LocalCache::PendingOperation::Kind::Failed: // never queued: shown for the user to retry
    case LocalCache::PendingOperation::Kind::Send: // never queued here: the socket's outbox has
                                                   // them
        sent = errorOf(m_api->markRead(operation.chatId, operation.messageId));
        break;
    }
    sent.then(this, [this, operation](const std::optional<ApiError> &error) {
        m_sendingQueued = false;
        if (error && error->kind == ApiError::Kind::Network)
            return; // still offline: the next connection tries again
        // Sent, or refused for good: done either way. A newer read cursor
        // queued meanwhile has the same key and stays.
        const qsizetype done = m_queued.indexOf(operation);
        if (done >= 0) {
            m_queued.removeAt(done);
            if (m_cache)
                m_cache->removePending(operation.key);
        }
        if (error && operation.kind != LocalCache::PendingOperation::Kind::Read)
            reportFailure(*error);
        sendNextQueuedOperation();
    });
}

QString ClientSession::chatOfMessage(const QString &messageId) const
{
    for (auto timeline = m_timelines.cbegin(); timeline != m_timelines.cend(); ++timeline) {
        if (timeline.value()->rowOfId(messageId) >= 0)
            return timeline.key();
    }
    return {};
}

void ClientSession::watchForCache(MessageModel *model)
{
    const auto changed = [this, chatId = model->chatId()] {
        m_changedTimelines.insert(chatId);
        if (!m_cacheTimer.isActive()) // written within a moment, even while changes keep coming
            m_cacheTimer.start();
    };
    connect(model, &QAbstractItemModel::rowsInserted, this, changed);
    connect(model, &QAbstractItemModel::rowsRemoved, this, changed);
    connect(model, &QAbstractItemModel::dataChanged, this, changed);
    connect(model, &QAbstractItemModel::modelReset, this, changed);
}

void ClientSession::saveToCache()
{
    m_cacheTimer.stop();
    if (!m_cache)
        return;
    if (m_chatsChanged) {
        m_chatsChanged = false;
        QList<ChatSummary> chats;
        for (int row = 0; row < m_chats->rowCount(); ++row) {
            const auto summary
                = m_chats->summary(m_chats->index(row).data(ChatListModel::ChatIdRole).toString());
            if (summary)
                chats.append(*summary);
        }
        m_cache->saveChats(chats);
    }
    for (const QString &chatId : std::exchange(m_changedTimelines, {})) {
        if (MessageModel *model = m_timelines.value(chatId))
            m_cache->saveMessages(chatId, model->settledMessages());
    }
    m_cache->flush();
}

void ClientSession::signOut()
{
    endSession(true);
}

void ClientSession::endSession(bool forgetLocalData)
{
    if (m_state == State::SignedIn)
        m_api->logout(); // best effort: the server forgets the refresh token
    m_live->disconnectFromServer();
    if (m_store)
        m_store->clear();
    m_api->setTokens({}, {});
    if (m_cache) {
        saveToCache();
        if (forgetLocalData)
            m_cache->erase();
        delete std::exchange(m_cache, nullptr); // waits for the file to close (or go)
    }
    m_queued.clear();
    // Stopped, not canceled: the cache (kept unless signing out) carries on with them.
    for (const Uploading &uploading : std::as_const(m_uploading))
        delete uploading.current.data();
    m_uploading.clear();
    m_failedUploads.clear();
    delete std::exchange(m_files, nullptr);
    if (forgetLocalData && !m_user.id.isEmpty())
        FileCache::eraseFor(m_user.id); // downloads and photos too
    m_sendingQueued = false;
    m_reloadChatsWhenSent = false;
    m_offlineStart = false;
    m_timelinesToLoad.clear();
    m_changedTimelines.clear();
    m_chatsChanged = false;
    qDeleteAll(m_timelines);
    m_timelines.clear();
    m_chats->resetChats({});
    for (const PresenceEntry &entry : std::as_const(m_presence))
        m_chats->setOnline(entry.userId, false); // the next account knows nothing of them
    m_presence.clear();
    m_user = {};
    setState(State::SignedOut);
    Q_EMIT signedOut();
}

void ClientSession::startSession(const QString &accessToken, const QString &refreshToken)
{
    m_api->setTokens(accessToken, refreshToken);
    if (m_store) {
        m_store->saveServerUrl(m_api->baseUrl().toString());
        m_store->saveRefreshToken(refreshToken);
    }
    const quint64 attempt = m_signInAttempt;
    m_api->me().then(this, [this, attempt](const ApiResult<User> &user) {
        if (attempt != m_signInAttempt)
            return; // cancelled
        if (!user) {
            setState(State::SignedOut);
            Q_EMIT signInFailed(Field::None, user.error().message());
            return;
        }
        m_user = user.value();
        m_chats->setCurrentUserId(m_user.id);
        if (m_store) {
            m_store->saveUserId(m_user.id);
            openCache(m_api->baseUrl().toString(), m_user.id);
            m_cache->saveUser(m_user);
        }
        m_api->chatsWithLastMessage().then(
            this, [this, attempt](const ApiResult<QList<ChatSummary>> &chats) {
                if (attempt != m_signInAttempt)
                    return; // cancelled
                if (!chats) {
                    setState(State::SignedOut);
                    Q_EMIT signInFailed(Field::None, chats.error().message());
                    return;
                }
                m_chats->resetChats(chats.value());
                // Drafts and unsent work left in this account's cache (from
                // an earlier session that expired) are picked up again.
                if (m_cache && m_queued.isEmpty() && m_live->unacknowledgedCount() == 0)
                    resumeCachedWork(m_cache->loadAccount());
                // Live from the newest event the list reflects; the replay
                // fills in anything newer that happened meanwhile.
                m_live->setResumeSeq(m_chats->newestSeq());
                m_live->connectToServer();
                setState(State::SignedIn);
            });
    });
}

void ClientSession::reloadChats()
{
    m_api->chatsWithLastMessage().then(this, [this](const ApiResult<QList<ChatSummary>> &chats) {
        if (!chats)
            return;
        m_chats->resetChats(chats.value());
        for (const ChatSummary &summary : chats.value()) {
            if (MessageModel *model = m_timelines.value(summary.chat.id))
                describeChatTo(model, summary.chat);
        }
        fetchPresence();
    });
}

void ClientSession::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

MessageModel *ClientSession::messages(const QString &chatId)
{
    if (MessageModel *model = m_timelines.value(chatId))
        return model;
    const auto summary = m_chats->summary(chatId);
    const bool group = summary && summary->chat.type == ChatType::Group;
    auto *model = new MessageModel(m_api, chatId, m_user.id, group, this);
    if (summary) {
        model->setCreatedAt(summary->chat.createdAt);
        describeChatTo(model, summary->chat);
    }
    m_timelines.insert(chatId, model);
    if (m_cache) {
        // Shown at once from disk; the server's pages merge in when they come.
        model->showCached(m_cache->messages(chatId));
        for (const LocalCache::PendingOperation &operation : std::as_const(m_queued)) {
            if (operation.chatId == chatId)
                applyLocally(operation);
        }
        watchForCache(model);
    }
    if (m_offlineStart && m_live->state() != LiveConnection::State::Connected)
        m_timelinesToLoad.insert(chatId); // reconcile() loads it
    else if (model->isLoaded())
        model->load(); // the newest page; a hole before it is filled by the model
    else
        model->load(summary ? std::optional<qint64>(summary->lastReadSeq) : std::nullopt);
    return model;
}

void ClientSession::send(const QString &chatId, const QString &text, const QString &replyToId,
    const QStringList &mentions)
{
    const QString clientId = m_live->send(
        chatId, text, {}, replyToId.isEmpty() ? std::nullopt : std::optional(replyToId), mentions);
    // On disk before anything else: quitting now must not lose it.
    if (m_cache)
        m_cache->addPending({ LocalCache::PendingOperation::Kind::Send, clientId, chatId, replyToId,
            text, mentions });
    messages(chatId)->addPending(clientId, text, localReplyPreview(chatId, replyToId), mentions);
    m_chats->addPending(chatId, text);
}

void ClientSession::sendFiles(const QString &chatId, const QString &text, const QStringList &files,
    const QString &replyToId, const QStringList &mentions)
{
    LocalCache::PendingOperation operation { LocalCache::PendingOperation::Kind::Send, newUuid(),
        chatId, replyToId, text, mentions };
    for (const QString &path : files.first(qMin(files.size(), Limits::attachmentsPerMessageMax)))
        operation.files.append({ QFileInfo(path).absoluteFilePath(), {}, {} });
    if (m_cache)
        m_cache->addPending(operation);
    startUploads(operation);
}

void ClientSession::startUploads(const LocalCache::PendingOperation &operation)
{
    QList<Attachment> attachments;
    QStringList localFiles;
    qint64 total = 0;
    for (const auto &file : operation.files) {
        attachments.append(attachmentOfLocalFile(file.localPath));
        localFiles.append(file.localPath);
        total += attachments.constLast().size;
    }
    m_uploading.insert(operation.key, { operation, nullptr, total });
    messages(operation.chatId)
        ->addPending(operation.key, operation.text,
            localReplyPreview(operation.chatId, operation.messageId), operation.mentions,
            attachments, localFiles);
    m_chats->addPending(
        operation.chatId, Presentation::messageSummary(operation.text, attachments));
    uploadNextFile(operation.key);
}

void ClientSession::uploadNextFile(const QString &clientId)
{
    auto found = m_uploading.find(clientId);
    if (found == m_uploading.end())
        return;
    LocalCache::PendingOperation &pending = found->operation;
    const auto next = std::find_if(pending.files.begin(), pending.files.end(),
        [](const LocalCache::PendingOperation::File &file) { return file.fileId.isEmpty(); });
    if (next == pending.files.end()) {
        // Every file is up: the message goes like any other send.
        QStringList fileIds;
        for (const auto &file : std::as_const(pending.files))
            fileIds.append(file.fileId);
        const LocalCache::PendingOperation sent = pending;
        m_uploading.erase(found);
        if (MessageModel *model = m_timelines.value(sent.chatId))
            model->setUploadProgress(clientId, -1);
        m_live->send(sent.chatId, sent.text, sent.key,
            sent.messageId.isEmpty() ? std::nullopt : std::optional(sent.messageId), sent.mentions,
            fileIds);
        return;
    }
    const qsizetype fileIndex = next - pending.files.begin();
    FileUpload *upload = next->uploadPath.isEmpty()
        ? new FileUpload(m_api, next->localPath, this)
        : FileUpload::resumeFrom(m_api, next->localPath, next->uploadPath, this);
    found->current = upload;
    connect(upload, &FileUpload::created, this, [this, clientId, fileIndex](const QString &path) {
        auto uploading = m_uploading.find(clientId);
        if (uploading == m_uploading.end())
            return;
        // Kept at once: a restart from here carries on with this upload.
        uploading->operation.files[fileIndex].uploadPath = path;
        if (m_cache)
            m_cache->addPending(uploading->operation);
    });
    connect(upload, &FileTransfer::progress, this,
        [this, clientId] { updateUploadProgress(clientId); });
    connect(upload, &FileTransfer::finished, this, [this, clientId, fileIndex, upload] {
        upload->deleteLater();
        auto uploading = m_uploading.find(clientId);
        if (uploading == m_uploading.end() || uploading->current != upload)
            return; // canceled
        uploading->current = nullptr;
        LocalCache::PendingOperation &operation = uploading->operation;
        if (upload->state() == FileTransfer::State::Finished) {
            operation.files[fileIndex].fileId = upload->attachment()->id;
            if (m_cache)
                m_cache->addPending(operation);
            uploadNextFile(clientId);
            return;
        }
        // Refused for good (too large, over the quota, the file is gone):
        // marked, for Retry or Delete, like a send the server refused.
        const QString reason = upload->error().message();
        LocalCache::PendingOperation failed = operation;
        m_uploading.erase(uploading);
        m_failedUploads.insert(clientId, failed);
        m_chats->settlePending(failed.chatId);
        if (MessageModel *model = m_timelines.value(failed.chatId)) {
            model->setUploadProgress(clientId, -1);
            model->markFailed(clientId, reason);
        }
        if (m_cache) {
            failed.kind = LocalCache::PendingOperation::Kind::Failed;
            m_cache->addPending(failed);
        }
        Q_EMIT operationFailed(tr("File not sent: %1").arg(reason));
    });
    upload->start();
    updateUploadProgress(clientId);
}

void ClientSession::updateUploadProgress(const QString &clientId)
{
    const auto uploading = m_uploading.constFind(clientId);
    if (uploading == m_uploading.cend())
        return;
    qint64 done = 0;
    for (const auto &file : uploading->operation.files) {
        if (!file.fileId.isEmpty())
            done += QFileInfo(file.localPath).size();
    }
    if (uploading->current)
        done += uploading->current->bytesDone();
    const double progress
        = uploading->totalBytes > 0 ? double(done) / double(uploading->totalBytes) : 0.0;
    if (MessageModel *model = m_timelines.value(uploading->operation.chatId))
        model->setUploadProgress(clientId, std::clamp(progress, 0.0, 1.0));
}

FileCache *ClientSession::files()
{
    if (!m_files && !m_user.id.isEmpty()) {
        m_files = new FileCache(m_api, FileCache::folderFor(m_user.id), this);
        connect(m_files, &FileCache::avatarReady, this, &ClientSession::avatarReady);
    }
    return m_files;
}

QImage ClientSession::avatar(const QString &avatarUrl)
{
    FileCache *cache = avatarUrl.isEmpty() ? nullptr : files();
    return cache ? cache->avatar(avatarUrl) : QImage();
}

FileUpload *ClientSession::currentUpload(const QString &clientId) const
{
    const auto uploading = m_uploading.constFind(clientId);
    return uploading == m_uploading.cend() ? nullptr : uploading->current.data();
}

void ClientSession::cancelUpload(const QString &chatId, const QString &clientId)
{
    const auto uploading = m_uploading.find(clientId);
    if (uploading == m_uploading.end())
        return;
    const QPointer<FileUpload> current = uploading->current;
    m_uploading.erase(uploading);
    if (current)
        current->cancel(); // the server lets go of it
    if (m_cache)
        m_cache->removePending(clientId);
    m_chats->settlePending(chatId);
    if (MessageModel *model = m_timelines.value(chatId))
        model->discardPending(clientId);
}

std::optional<ReplyPreview> ClientSession::localReplyPreview(
    const QString &chatId, const QString &messageId)
{
    if (messageId.isEmpty())
        return std::nullopt;
    MessageModel *model = messages(chatId);
    const int row = model->rowOfId(messageId);
    if (row < 0)
        return std::nullopt;
    const Message original = model->messageAt(row);
    return ReplyPreview { original.id, original.senderId, original.sender.name,
        ReplyPreview::cut(original.text), original.deleted };
}

void ClientSession::retryFailed(const QString &chatId, const QString &clientId)
{
    MessageModel *model = messages(chatId);
    const int row = model->rowOfClientId(clientId);
    if (row < 0
        || model->index(row).data(MessageModel::DeliveryRole).value<MessageModel::Delivery>()
            != MessageModel::Delivery::Failed)
        return; // still on its way: sending it again would send it twice
    if (const auto uploads = m_failedUploads.constFind(clientId);
        uploads != m_failedUploads.cend()) {
        // Its files again: those already up are not sent twice.
        LocalCache::PendingOperation operation = *uploads;
        discardFailed(chatId, clientId);
        operation.kind = LocalCache::PendingOperation::Kind::Send;
        operation.key = newUuid();
        if (m_cache)
            m_cache->addPending(operation);
        startUploads(operation);
        return;
    }
    const Message failed = model->messageAt(row);
    discardFailed(chatId, clientId);
    send(chatId, failed.text, failed.replyTo ? failed.replyTo->id : QString(), failed.mentions);
}

void ClientSession::discardFailed(const QString &chatId, const QString &clientId)
{
    m_failedUploads.remove(clientId);
    messages(chatId)->discardFailed(clientId);
    if (m_cache)
        m_cache->removePending(clientId);
}

void ClientSession::edit(const QString &messageId, const QString &text)
{
    const LocalCache::PendingOperation operation { LocalCache::PendingOperation::Kind::Edit,
        newUuid(), chatOfMessage(messageId), messageId, text };
    // Offline, or behind earlier offline work: queued, to keep the order.
    if (m_cache && (m_live->state() != LiveConnection::State::Connected || !m_queued.isEmpty())) {
        queueOperation(operation);
        return;
    }
    m_api->editMessage(messageId, text)
        .then(this, [this, operation](const ApiResult<Message> &result) {
            if (result)
                return; // the message_edited event updates every view, this one included
            if (m_cache && result.error().kind == ApiError::Kind::Network)
                queueOperation(operation); // the connection dropped meanwhile
            else
                reportFailure(result.error());
        });
}

void ClientSession::toggleReaction(const QString &messageId, const QString &emoji)
{
    MessageModel *model = m_timelines.value(chatOfMessage(messageId));
    const int row = model ? model->rowOfId(messageId) : -1;
    if (row < 0)
        return;
    const QList<Reaction> reactions = model->messageAt(row).reactions;
    const bool add = std::none_of(reactions.cbegin(), reactions.cend(),
        [&emoji](const Reaction &reaction) { return reaction.emoji == emoji && reaction.me; });
    const LocalCache::PendingOperation operation { add
            ? LocalCache::PendingOperation::Kind::React
            : LocalCache::PendingOperation::Kind::Unreact,
        LocalCache::reactionKey(messageId, emoji), model->chatId(), messageId, emoji };
    // Offline, or behind earlier offline work: shown now, sent when back
    // (and kept across quitting), like edits and deletions.
    if (m_cache && (m_live->state() != LiveConnection::State::Connected || !m_queued.isEmpty())) {
        queueOperation(operation);
        return;
    }
    model->applyOwnReaction(messageId, emoji, add);
    m_api->react(messageId, emoji, add)
        .then(this, [this, model = QPointer(model), operation](const ApiResult<Message> &result) {
            if (!model)
                return;
            if (result) {
                model->setReactions(operation.messageId, result.value().reactions);
                return;
            }
            if (m_cache && result.error().kind == ApiError::Kind::Network) {
                // The connection dropped meanwhile: shown still, sent when back.
                queueOperation(operation);
                return;
            }
            model->applyOwnReaction(operation.messageId, operation.text,
                operation.kind != LocalCache::PendingOperation::Kind::React);
            Q_EMIT operationFailed(tr("Reaction not saved: %1").arg(result.error().message()));
        });
}

void ClientSession::remove(const QString &messageId)
{
    const LocalCache::PendingOperation operation { LocalCache::PendingOperation::Kind::Delete,
        newUuid(), chatOfMessage(messageId), messageId, {} };
    if (m_cache && (m_live->state() != LiveConnection::State::Connected || !m_queued.isEmpty())) {
        queueOperation(operation);
        return;
    }
    m_api->deleteMessage(messageId).then(this, [this, operation](const ApiResult<Message> &result) {
        if (result)
            return;
        if (m_cache && result.error().kind == ApiError::Kind::Network)
            queueOperation(operation);
        else
            reportFailure(result.error());
    });
}

void ClientSession::forward(const QStringList &messageIds, const QStringList &chatIds)
{
    if (messageIds.isEmpty() || chatIds.isEmpty())
        return;
    // One request, not several: the server stores all the copies or none, and
    // each copy counts against the sender's message rate (a second request
    // right after a big one would be refused for that).
    m_api->forwardMessages(messageIds, chatIds, newUuid())
        .then(this, [this, chatIds](const ApiResult<ForwardedMessages> &result) {
            if (result)
                Q_EMIT forwarded(chatIds);
            else
                Q_EMIT operationFailed(tr("Not forwarded: %1").arg(result.error().message()));
        });
}

void ClientSession::setPinnedMessage(const QString &chatId, const QString &messageId)
{
    m_api->pinMessage(chatId, messageId.isEmpty() ? std::nullopt : std::optional(messageId))
        .then(this, [this](const ApiResult<Chat> &chat) {
            if (!chat) {
                reportFailure(chat.error());
                return;
            }
            m_chats->applyPinned({ chat.value().id, chat.value().pinnedMessage, m_user.id });
        });
}

bool ClientSession::canPin(const QString &chatId) const
{
    const auto summary = m_chats->summary(chatId);
    if (!summary)
        return false;
    return summary->chat.type == ChatType::Personal || summary->chat.createdBy == m_user.id;
}

void ClientSession::markRead(const QString &chatId, qint64 seq)
{
    MessageModel *model = m_timelines.value(chatId);
    if (!model)
        return;
    // The newest message up to `seq`: that is what the read cursor points at.
    QString messageId;
    for (int row = model->rowCount() - 1; row >= 0; --row) {
        const Message message = model->messageAt(row);
        if (message.seq > 0 && message.seq <= seq) {
            messageId = message.id;
            seq = message.seq;
            break;
        }
    }
    if (messageId.isEmpty())
        return;
    // Shown at once; the server's `read` event confirms it. Of a chat opened
    // at its first unread, only part of the unread is loaded: what is left is
    // the count so far less what was read now.
    const auto summary = m_chats->summary(chatId);
    const qint64 unreadLeft = model->isAtEnd() || !summary ? model->countFromOthersAfter(seq)
                                                           : summary->unreadCount
            - (model->countFromOthersAfter(summary->lastReadSeq)
                - model->countFromOthersAfter(seq));
    const qint64 mentionsLeft = model->isAtEnd() || !summary ? model->countMentionsAfter(seq)
                                                             : summary->unreadMentions
            - (model->countMentionsAfter(summary->lastReadSeq) - model->countMentionsAfter(seq));
    m_chats->applyRead(chatId, m_user.id, seq, unreadLeft, mentionsLeft);
    if (m_cache && m_live->state() != LiveConnection::State::Connected) {
        // Offline: kept, and sent with the rest when the connection comes.
        queueOperation({ LocalCache::PendingOperation::Kind::Read, LocalCache::readKey(chatId),
            chatId, messageId, {} });
        return;
    }
    m_live->markRead(chatId, messageId);
}

void ClientSession::notifyTyping(const QString &chatId)
{
    m_live->sendTyping(chatId);
}

void ClientSession::setDraft(const QString &chatId, const QString &text)
{
    const QString draft = text.trimmed().isEmpty() ? QString() : text;
    m_chats->setDraft(chatId, draft);
    if (m_cache)
        m_cache->saveDraft(chatId, draft);
}

QString ClientSession::draft(const QString &chatId) const
{
    // The chat list keeps drafts (it shows them); there is no second copy.
    const int row = m_chats->rowOf(chatId);
    return row < 0 ? QString() : m_chats->index(row).data(ChatListModel::DraftRole).toString();
}

QString ClientSession::typingText(const QString &chatId) const
{
    const int row = m_chats->rowOf(chatId);
    return row < 0 ? QString() : m_chats->index(row).data(ChatListModel::TypingRole).toString();
}

void ClientSession::startPersonalChat(const QString &userId)
{
    m_api->createPersonalChat(userId).then(this, [this](const ApiResult<Chat> &chat) {
        if (!chat) {
            reportFailure(chat.error());
            return;
        }
        m_chats->upsertChat(chat.value());
        Q_EMIT chatReady(chat.value().id);
    });
}

void ClientSession::createGroup(const QString &name, const QStringList &memberIds)
{
    m_api->createGroupChat(name, memberIds).then(this, [this](const ApiResult<Chat> &chat) {
        if (!chat) {
            reportFailure(chat.error());
            return;
        }
        m_chats->upsertChat(chat.value());
        Q_EMIT chatReady(chat.value().id);
    });
}

void ClientSession::setCurrentUser(const User &user)
{
    // The answer to a rename and its user_updated event both come, in either order.
    if (user.id != m_user.id || user == m_user)
        return;
    m_user = user;
    Q_EMIT currentUserChanged(m_user);
}

QFuture<ApiResult<User>> ClientSession::changeName(const QString &name)
{
    return m_api->updateName(name).then(this, [this](const ApiResult<User> &user) {
        if (user)
            setCurrentUser(user.value());
        return user;
    });
}

QFuture<ApiResult<Empty>> ClientSession::changePassword(
    const QString &currentPassword, const QString &newPassword)
{
    return m_api->changePassword(currentPassword, newPassword);
}

QFuture<ApiResult<Empty>> ClientSession::setPhoto(const QString &chatId, const QString &localPath)
{
    auto promise = std::make_shared<QPromise<ApiResult<Empty>>>();
    promise->start();
    auto *upload = new FileUpload(m_api, localPath, this);
    // Someone is waiting with the dialog open: a few retries, not forever.
    upload->setMaxRetries(3);
    connect(upload, &FileTransfer::finished, this, [this, upload, chatId, promise] {
        upload->deleteLater();
        if (upload->state() != FileTransfer::State::Finished || !upload->attachment()) {
            promise->addResult(upload->error());
            promise->finish();
            return;
        }
        applyPhoto(chatId, upload->attachment()->id, promise);
    });
    upload->start();
    return promise->future();
}

QFuture<ApiResult<Empty>> ClientSession::removePhoto(const QString &chatId)
{
    auto promise = std::make_shared<QPromise<ApiResult<Empty>>>();
    promise->start();
    applyPhoto(chatId, std::nullopt, promise);
    return promise->future();
}

void ClientSession::applyPhoto(const QString &chatId, const std::optional<QString> &uploadId,
    const std::shared_ptr<QPromise<ApiResult<Empty>>> &promise)
{
    const auto settle = [promise](const std::optional<ApiError> &error) {
        promise->addResult(error ? ApiResult<Empty>(*error) : ApiResult<Empty>(Empty {}));
        promise->finish();
    };
    if (chatId.isEmpty()) {
        (uploadId ? m_api->setProfilePhoto(*uploadId) : m_api->removeProfilePhoto())
            .then(this, [this, settle](const ApiResult<User> &user) {
                if (user)
                    setCurrentUser(user.value());
                settle(user ? std::nullopt : std::optional(user.error()));
            });
        return;
    }
    (uploadId ? m_api->setGroupPhoto(chatId, *uploadId) : m_api->removeGroupPhoto(chatId))
        .then(this, [this, settle](const ApiResult<Chat> &chat) {
            if (chat)
                m_chats->upsertChat(chat.value());
            settle(chat ? std::nullopt : std::optional(chat.error()));
        });
}

void ClientSession::renameGroup(const QString &chatId, const QString &name)
{
    m_api->renameChat(chatId, name).then(this, [this](const ApiResult<Chat> &chat) {
        if (!chat)
            reportFailure(chat.error());
        else
            m_chats->upsertChat(chat.value());
    });
}

void ClientSession::updateChatSettings(
    const QString &chatId, const UpdateChatSettingsRequest &request)
{
    m_api->updateChatSettings(chatId, request)
        .then(this, [this, chatId](const ApiResult<ChatSettings> &settings) {
            if (!settings)
                reportFailure(settings.error());
            else
                m_chats->applySettings(chatId, settings.value());
        });
}

void ClientSession::movePinnedChat(const QString &chatId, int by)
{
    QStringList order = m_chats->pinnedChatIds();
    const qsizetype from = order.indexOf(chatId);
    const qsizetype to = from + by;
    if (from < 0 || to < 0 || to >= order.size())
        return;
    order.move(from, to);
    m_api->reorderPinnedChats(order).then(
        this, [this](const ApiResult<QList<ChatSettingsChanged>> &changed) {
            if (!changed)
                return reportFailure(changed.error());
            for (const ChatSettingsChanged &chat : changed.value())
                m_chats->applySettings(chat.chatId, chat.settings);
        });
}

void ClientSession::markChatRead(const QString &chatId)
{
    const auto summary = m_chats->summary(chatId);
    if (!summary)
        return;
    if (!summary->lastMessage || summary->unreadCount == 0) {
        // Nothing to read: only the mark goes.
        UpdateChatSettingsRequest request;
        request.markedUnread = false;
        updateChatSettings(chatId, request);
        return;
    }
    // Reading clears the mark on the server too (its chat_settings event says so).
    m_api->markRead(chatId, summary->lastMessage->id)
        .then(this, [this, chatId](const ApiResult<ReadState> &state) {
            if (!state)
                return reportFailure(state.error());
            m_chats->applyRead(
                chatId, m_user.id, state.value().lastReadSeq, state.value().unreadCount);
        });
}

void ClientSession::addMembers(const QString &chatId, const QStringList &userIds)
{
    m_api->addMembers(chatId, userIds).then(this, [this](const ApiResult<Chat> &chat) {
        if (!chat)
            reportFailure(chat.error());
        else
            m_chats->upsertChat(chat.value());
    });
}

void ClientSession::removeMember(const QString &chatId, const QString &userId)
{
    m_api->removeMember(chatId, userId).then(this, [this, chatId](const ApiResult<Empty> &result) {
        if (!result)
            reportFailure(result.error());
    });
}

void ClientSession::leaveChat(const QString &chatId)
{
    m_api->removeMember(chatId, m_user.id)
        .then(this, [this, chatId](const ApiResult<Empty> &result) {
            if (!result) {
                reportFailure(result.error());
                return;
            }
            m_chats->removeChat(chatId);
            delete m_timelines.take(chatId);
            Q_EMIT chatRemoved(chatId);
        });
}

void ClientSession::connectLive()
{
    connect(m_live, &LiveConnection::messageReceived, this, [this](const Message &message) {
        m_chats->applyMessage(message, true);
        MessageModel *model = m_timelines.value(message.chatId);
        if (model)
            model->applyMessage(message);
        // Sending moves the sender's read cursor: in a personal chat, an
        // answer means everything before it was read.
        const auto summary = m_chats->summary(message.chatId);
        if (message.senderId != m_user.id && summary && summary->chat.type == ChatType::Personal) {
            m_chats->applyRead(message.chatId, message.senderId, message.seq, 0);
            if (model)
                model->applyReadByAll(message.seq);
        }
        if (message.senderId != m_user.id && m_live->isCatchUp(message.seq)) {
            // Back after a while offline: one notice per chat, for its newest.
            const auto seen = m_caughtUp.constFind(message.chatId);
            if (seen == m_caughtUp.cend() || seen->seq < message.seq)
                m_caughtUp.insert(message.chatId, message);
            m_caughtUpNotice.start();
        } else if (message.senderId != m_user.id) {
            Q_EMIT messageArrived(message, m_chats->title(message.chatId));
        }
        Q_EMIT typingChanged(message.chatId);
    });
    connect(m_live, &LiveConnection::acknowledged, this,
        [this](const QString &clientId, const Message &message) {
            if (m_cache)
                m_cache->removePending(clientId);
            m_chats->settlePending(message.chatId);
            m_chats->applyMessage(message, false);
            if (MessageModel *model = m_timelines.value(message.chatId))
                model->acknowledge(clientId, message);
        });
    connect(m_live, &LiveConnection::sendFailed, this,
        [this](const QString &clientId, const QString &chatId, const QString &detail) {
            m_chats->settlePending(chatId);
            MessageModel *model = m_timelines.value(chatId);
            const int row = model ? model->rowOfClientId(clientId) : -1;
            if (m_cache && row >= 0) {
                // Kept, marked, across quitting: the user retries or deletes it.
                const Message refused = model->messageAt(row);
                m_cache->addPending({ LocalCache::PendingOperation::Kind::Failed, clientId, chatId,
                    refused.replyTo ? refused.replyTo->id : QString(), refused.text,
                    refused.mentions });
            } else if (m_cache) {
                m_cache->removePending(clientId);
            }
            if (model)
                model->markFailed(clientId, detail);
            Q_EMIT operationFailed(tr("Message not sent: %1").arg(detail));
        });
    connect(m_live, &LiveConnection::messageEdited, this, [this](const Message &message) {
        m_chats->applyEdited(message);
        if (MessageModel *model = m_timelines.value(message.chatId))
            model->applyEdited(message);
    });
    connect(
        m_live, &LiveConnection::reactionsChanged, this, [this](const MessageReactions &changed) {
            if (MessageModel *model = m_timelines.value(changed.chatId))
                model->applyReactions(changed);
        });
    connect(m_live, &LiveConnection::messageDeleted, this,
        [this](const QString &chatId, const QString &messageId) {
            m_chats->applyDeleted(chatId, messageId);
            if (MessageModel *model = m_timelines.value(chatId))
                model->applyDeleted(messageId);
        });
    connect(m_live, &LiveConnection::readReceived, this,
        [this](const QString &chatId, const QString &userId, const QString &, qint64 seq) {
            MessageModel *model = m_timelines.value(chatId);
            if (userId == m_user.id) {
                // Read on another device, or the echo of our own cursor.
                const auto summary = m_chats->summary(chatId);
                if (summary && seq > summary->lastReadSeq)
                    m_chats->applyRead(chatId, userId, seq,
                        model ? model->countFromOthersAfter(seq) : 0,
                        model ? std::optional(model->countMentionsAfter(seq)) : std::nullopt);
                return;
            }
            m_chats->applyRead(chatId, userId, seq, 0);
            const auto summary = m_chats->summary(chatId);
            if (!model || !summary)
                return;
            if (summary->chat.type == ChatType::Personal)
                model->applyReadByAll(seq);
            else // read by all needs every member: the server knows
                model->refreshReadState();
        });
    connect(m_live, &LiveConnection::chatUpdated, this, [this](const Chat &chat) {
        m_chats->upsertChat(chat);
        if (MessageModel *model = m_timelines.value(chat.id))
            describeChatTo(model, chat);
    });
    // Group changes also show in the open timeline as service lines (the
    // client's own: the server keeps no service messages).
    connect(m_live, &LiveConnection::chatRenamed, this, [this](const ChatRenamed &renamed) {
        if (!m_chats->applyRenamed(renamed))
            fetchChat(renamed.chatId);
        if (MessageModel *model = m_timelines.value(renamed.chatId))
            model->applyRenamed(renamed.name);
    });
    connect(m_live, &LiveConnection::chatPhotoChanged, this, [this](const ChatUpdated &photo) {
        if (!m_chats->applyPhotoChanged(photo))
            fetchChat(photo.chatId);
    });
    connect(m_live, &LiveConnection::chatPinned, this, [this](const ChatPinned &pinned) {
        if (!m_chats->applyPinned(pinned))
            fetchChat(pinned.chatId);
    });
    connect(m_live, &LiveConnection::chatSettingsChanged, this,
        [this](const ChatSettingsChanged &changed) {
            m_chats->applySettings(changed.chatId, changed.settings);
        });
    connect(m_live, &LiveConnection::membersAdded, this, [this](const MembersAdded &added) {
        // Being added, the user learns of the chat from this event: fetch it.
        if (!m_chats->applyMembersAdded(added))
            fetchChat(added.chatId);
        if (MessageModel *model = m_timelines.value(added.chatId)) {
            model->setMembers(added.members);
            QStringList names;
            for (const User &member : added.members)
                names.append(member.name);
            model->applyMembersAdded(names);
        }
    });
    connect(m_live, &LiveConnection::chatRemoved, this, [this](const QString &chatId) {
        m_chats->removeChat(chatId);
        delete m_timelines.take(chatId);
        Q_EMIT chatRemoved(chatId);
    });
    connect(m_live, &LiveConnection::memberLeft, this,
        [this](const QString &chatId, const QString &userId) {
            const auto summary = m_chats->summary(chatId);
            if (MessageModel *model = m_timelines.value(chatId); model && summary) {
                for (const User &member : summary->chat.members) {
                    if (member.id == userId)
                        model->applyMemberLeft(member.name);
                }
            }
            // When the owner leaves, the longest-standing member becomes the
            // owner: only the server knows who that is now.
            if (!summary || summary->chat.createdBy == userId)
                fetchChat(chatId);
            else
                m_chats->applyMemberLeft(chatId, userId);
        });
    connect(m_live, &LiveConnection::userUpdated, this, [this](const User &user) {
        m_chats->applyUserUpdated(user);
        for (MessageModel *timeline : std::as_const(m_timelines))
            timeline->applyUserUpdated(user);
        setCurrentUser(user);
    });
    connect(m_live, &LiveConnection::typingReceived, this,
        [this](const QString &chatId, const QString &userId, const QString &name) {
            m_chats->showTyping(chatId, userId, name);
            Q_EMIT typingChanged(chatId);
        });
    connect(m_live, &LiveConnection::presenceReceived, this,
        [this](const PresenceList &presence) { applyPresence(presence.users); });
    // New people in the user's chats: their presence is read, not replayed.
    connect(m_live, &LiveConnection::chatUpdated, this, &ClientSession::fetchPresence);
    connect(m_live, &LiveConnection::membersAdded, this, &ClientSession::fetchPresence);
}

void ClientSession::fetchPresence()
{
    if (m_presenceFetchQueued)
        return;
    m_presenceFetchQueued = true;
    QTimer::singleShot(0, this, [this] {
        m_presenceFetchQueued = false;
        if (m_state != State::SignedIn)
            return;
        QStringList people;
        for (int row = 0; row < m_chats->rowCount(); ++row) {
            const auto summary
                = m_chats->summary(m_chats->index(row).data(ChatListModel::ChatIdRole).toString());
            if (!summary)
                continue;
            for (const User &member : summary->chat.members) {
                if (member.id != m_user.id && !people.contains(member.id))
                    people.append(member.id);
            }
        }
        for (qsizetype from = 0; from < people.size(); from += Limits::presenceIdsMax) {
            m_api->presence(people.mid(from, Limits::presenceIdsMax))
                .then(this, [this](const ApiResult<PresenceList> &presence) {
                    if (presence)
                        applyPresence(presence.value().users);
                });
        }
    });
}

void ClientSession::applyPresence(const QList<PresenceEntry> &entries)
{
    QStringList changed;
    for (const PresenceEntry &entry : entries) {
        const auto known = m_presence.constFind(entry.userId);
        if (known != m_presence.constEnd() && *known == entry)
            continue;
        m_presence.insert(entry.userId, entry);
        changed.append(entry.userId);
        m_chats->setOnline(entry.userId, entry.online);
    }
    if (!changed.isEmpty())
        Q_EMIT presenceChanged(changed);
}

std::optional<PresenceEntry> ClientSession::presenceOf(const QString &userId) const
{
    const auto known = m_presence.constFind(userId);
    if (known == m_presence.constEnd())
        return std::nullopt;
    return *known;
}

QString ClientSession::presenceText(const QString &chatId) const
{
    const int row = m_chats->rowOf(chatId);
    if (row < 0 || m_chats->index(row).data(ChatListModel::IsGroupRole).toBool())
        return {};
    const auto presence
        = presenceOf(m_chats->index(row).data(ChatListModel::AvatarIdRole).toString());
    if (!presence)
        return {};
    std::optional<QDateTime> lastSeen;
    if (presence->lastSeenAt)
        lastSeen = QDateTime::fromSecsSinceEpoch(*presence->lastSeenAt);
    return Presentation::presence(presence->online, lastSeen, QDateTime::currentDateTime());
}

QFuture<ApiResult<PrivacySettings>> ClientSession::privacy()
{
    return m_api->privacy();
}

QFuture<ApiResult<PrivacySettings>> ClientSession::setPrivacy(const PrivacySettings &settings)
{
    return m_api->setPrivacy(settings).then(this, [this](const ApiResult<PrivacySettings> &saved) {
        // Hiding your presence hides everyone's from you: read it again.
        if (saved) {
            m_presence.clear();
            fetchPresence();
        }
        return saved;
    });
}

void ClientSession::fetchChat(const QString &chatId)
{
    m_api->chat(chatId).then(this, [this](const ApiResult<Chat> &chat) {
        if (!chat)
            return; // e.g. removed again meanwhile; a later reload corrects the list
        m_chats->upsertChat(chat.value());
        if (MessageModel *model = m_timelines.value(chat.value().id))
            describeChatTo(model, chat.value());
    });
}

void ClientSession::describeChatTo(MessageModel *model, const Chat &chat) const
{
    model->setGroup(chat.type == ChatType::Group);
    model->setMembers(chat.members);
    if (chat.type != ChatType::Personal)
        return;
    for (const User &member : chat.members) {
        if (member.id != m_user.id)
            model->setPeer(member);
    }
}

void ClientSession::reportFailure(const ApiError &error)
{
    Q_EMIT operationFailed(error.message());
}

} // namespace Messenger::Client
