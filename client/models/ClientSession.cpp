#include "ClientSession.h"

#include "ChatListModel.h"
#include "MessageModel.h"
#include "client/api/ApiClient.h"
#include "client/api/LiveConnection.h"
#include "client/api/SessionStore.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcSession, "messenger.client.session")

namespace Messenger::Client {

namespace {

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
        signOut();
    });
    connect(m_api, &ApiClient::refreshTokenChanged, this, [this](const QString &token) {
        if (m_store && m_state == State::SignedIn)
            m_store->saveRefreshToken(token);
    });
    connectLive();
}

ClientSession::~ClientSession() = default;

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
    m_store->loadRefreshToken().then(this, [this, url](const QString &refreshToken) {
        if (url.isEmpty() || refreshToken.isEmpty()) {
            Q_EMIT restoreFinished(false);
            return;
        }
        setState(State::SigningIn);
        m_api->setBaseUrl(QUrl(url));
        m_api->setTokens({}, refreshToken);
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

void ClientSession::signOut()
{
    if (m_state == State::SignedIn)
        m_api->logout(); // best effort: the server forgets the refresh token
    m_live->disconnectFromServer();
    if (m_store)
        m_store->clear();
    m_api->setTokens({}, {});
    qDeleteAll(m_timelines);
    m_timelines.clear();
    m_chats->resetChats({});
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
        if (chats)
            m_chats->resetChats(chats.value());
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
    m_timelines.insert(chatId, model);
    model->load(summary ? std::optional<qint64>(summary->lastReadSeq) : std::nullopt);
    return model;
}

void ClientSession::send(const QString &chatId, const QString &text)
{
    const QString clientId = m_live->send(chatId, text);
    messages(chatId)->addPending(clientId, text);
    m_chats->addPending(chatId, text);
}

void ClientSession::retryFailed(const QString &chatId, const QString &clientId)
{
    MessageModel *model = messages(chatId);
    const int row = model->rowOfClientId(clientId);
    if (row < 0
        || model->index(row).data(MessageModel::DeliveryRole).value<MessageModel::Delivery>()
            != MessageModel::Delivery::Failed)
        return; // still on its way: sending it again would send it twice
    const QString text = model->messageAt(row).text;
    model->discardFailed(clientId);
    send(chatId, text);
}

void ClientSession::discardFailed(const QString &chatId, const QString &clientId)
{
    messages(chatId)->discardFailed(clientId);
}

void ClientSession::edit(const QString &messageId, const QString &text)
{
    m_api->editMessage(messageId, text).then(this, [this](const ApiResult<Message> &result) {
        if (!result)
            reportFailure(result.error());
        // The message_edited event updates every view, this one included.
    });
}

void ClientSession::remove(const QString &messageId)
{
    m_api->deleteMessage(messageId).then(this, [this](const ApiResult<Message> &result) {
        if (!result)
            reportFailure(result.error());
    });
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
    m_chats->applyRead(chatId, m_user.id, seq, unreadLeft);
    m_live->markRead(chatId, messageId);
}

void ClientSession::notifyTyping(const QString &chatId)
{
    m_live->sendTyping(chatId);
}

void ClientSession::setDraft(const QString &chatId, const QString &text)
{
    m_chats->setDraft(chatId, text.trimmed().isEmpty() ? QString() : text);
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

QFuture<ApiResult<User>> ClientSession::changeName(const QString &name)
{
    return m_api->updateName(name).then(this, [this](const ApiResult<User> &user) {
        if (user && user.value().id == m_user.id) {
            m_user = user.value();
            Q_EMIT currentUserChanged(m_user);
        }
        return user;
    });
}

QFuture<ApiResult<Empty>> ClientSession::changePassword(
    const QString &currentPassword, const QString &newPassword)
{
    return m_api->changePassword(currentPassword, newPassword);
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
        if (message.senderId != m_user.id)
            Q_EMIT messageArrived(message, m_chats->title(message.chatId));
        Q_EMIT typingChanged(message.chatId);
    });
    connect(m_live, &LiveConnection::acknowledged, this,
        [this](const QString &clientId, const Message &message) {
            m_chats->settlePending(message.chatId);
            m_chats->applyMessage(message, false);
            if (MessageModel *model = m_timelines.value(message.chatId))
                model->acknowledge(clientId, message);
        });
    connect(m_live, &LiveConnection::sendFailed, this,
        [this](const QString &clientId, const QString &chatId, const QString &detail) {
            m_chats->settlePending(chatId);
            if (MessageModel *model = m_timelines.value(chatId))
                model->markFailed(clientId, detail);
            Q_EMIT operationFailed(tr("Message not sent: %1").arg(detail));
        });
    connect(m_live, &LiveConnection::messageEdited, this, [this](const Message &message) {
        m_chats->applyEdited(message);
        if (MessageModel *model = m_timelines.value(message.chatId))
            model->applyEdited(message);
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
                    m_chats->applyRead(
                        chatId, userId, seq, model ? model->countFromOthersAfter(seq) : 0);
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
            model->setGroup(chat.type == ChatType::Group);
    });
    connect(m_live, &LiveConnection::chatRenamed, this, [this](const ChatRenamed &renamed) {
        if (!m_chats->applyRenamed(renamed))
            fetchChat(renamed.chatId);
    });
    connect(m_live, &LiveConnection::membersAdded, this, [this](const MembersAdded &added) {
        // Being added, the user learns of the chat from this event: fetch it.
        if (!m_chats->applyMembersAdded(added))
            fetchChat(added.chatId);
    });
    connect(m_live, &LiveConnection::chatRemoved, this, [this](const QString &chatId) {
        m_chats->removeChat(chatId);
        delete m_timelines.take(chatId);
        Q_EMIT chatRemoved(chatId);
    });
    connect(m_live, &LiveConnection::memberLeft, this,
        [this](const QString &chatId, const QString &userId) {
            const auto summary = m_chats->summary(chatId);
            // When the owner leaves, the longest-standing member becomes the
            // owner: only the server knows who that is now.
            if (!summary || summary->chat.createdBy == userId)
                fetchChat(chatId);
            else
                m_chats->applyMemberLeft(chatId, userId);
        });
    connect(m_live, &LiveConnection::typingReceived, this,
        [this](const QString &chatId, const QString &userId, const QString &name) {
            m_chats->showTyping(chatId, userId, name);
            Q_EMIT typingChanged(chatId);
        });
}

void ClientSession::fetchChat(const QString &chatId)
{
    m_api->chat(chatId).then(this, [this](const ApiResult<Chat> &chat) {
        if (!chat)
            return; // e.g. removed again meanwhile; a later reload corrects the list
        m_chats->upsertChat(chat.value());
        if (MessageModel *model = m_timelines.value(chat.value().id))
            model->setGroup(chat.value().type == ChatType::Group);
    });
}

void ClientSession::reportFailure(const ApiError &error)
{
    Q_EMIT operationFailed(error.message());
}

} // namespace Messenger::Client
