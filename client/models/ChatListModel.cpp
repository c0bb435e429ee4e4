#include "ChatListModel.h"

#include <QDateTime>

#include "Presentation.h"

using namespace Qt::StringLiterals;

namespace Messenger::Client {

ChatListModel::ChatListModel(QObject *parent)
    : QAbstractListModel(parent)
{
    m_typingExpiry.setInterval(500);
    connect(&m_typingExpiry, &QTimer::timeout, this, &ChatListModel::expireTyping);
}

int ChatListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant ChatListModel::data(const QModelIndex &index, int role) const
{
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));
    const Row &row = m_rows.at(index.row());
    const ChatSummary &summary = row.summary;
    const bool group = summary.chat.type == ChatType::Group;
    switch (role) {
    case Qt::DisplayRole:
    case TitleRole:
        return titleOf(row);
    case ChatIdRole:
        return summary.chat.id;
    case IsGroupRole:
        return group;
    case AvatarIdRole:
        if (const QString other = otherPersonOf(row); !other.isEmpty())
            return other;
        return summary.chat.id;
    case AvatarUrlRole:
        return avatarUrlOf(row);
    case OnlineRole:
        return !group && m_online.contains(otherPersonOf(row));
    case PreviewRole:
        if (row.pendingCount > 0)
            return QString(row.pendingText).replace(u'\n', u' ');
        if (!summary.lastMessage)
            return group ? tr("Group created") : QString();
        if (summary.lastMessage->deleted)
            return tr("Message deleted");
        // One line in the list: newlines would only be cut off.
        return Presentation::messageSummary(
            summary.lastMessage->text, summary.lastMessage->attachments);
    case PreviewSenderRole:
        if (group && row.pendingCount > 0)
            return tr("You");
        if (!summary.lastMessage || !group)
            return QString();
        if (summary.lastMessage->senderId == m_userId)
            return tr("You");
        return summary.lastMessage->senderName.section(u' ', 0, 0, QString::SectionSkipEmpty);
    case ActivityTimeRole:
        return Presentation::toLocalTime(activityOf(row));
    case UnreadCountRole:
        return summary.unreadCount;
    case DraftRole:
        return row.draft;
    case TypingRole: {
        if (row.typists.isEmpty())
            return QString();
        if (row.typists.size() == 1)
            return group ? tr("%1 is typing...").arg(row.typists.first().name) : tr("typing...");
        if (row.typists.size() == 2)
            return tr("%1 and %2 are typing...")
                .arg(row.typists.at(0).name, row.typists.at(1).name);
        return tr("%n people are typing...", nullptr, int(row.typists.size()));
    }
    case LastMessageIsMineRole:
        return row.pendingCount > 0
            || (summary.lastMessage && summary.lastMessage->senderId == m_userId);
    case LastMessagePendingRole:
        return row.pendingCount > 0;
    case LastMessageReadRole:
        return summary.lastMessage && summary.lastMessage->isRead;
    case MemberCountRole:
        return int(summary.chat.members.size());
    case MutedRole:
        return settingsOf(row).isMutedNow();
    case PinnedRole:
        return settingsOf(row).isPinned();
    case ArchivedRole:
        return settingsOf(row).archived;
    case UnreadMentionsRole:
        return summary.unreadMentions;
    case MarkedUnreadRole:
        return settingsOf(row).markedUnread;
    default:
        return {};
    }
}

QHash<int, QByteArray> ChatListModel::roleNames() const
{
    auto names = QAbstractListModel::roleNames();
    names.insert({ { ChatIdRole, "chatId" }, { TitleRole, "title" }, { IsGroupRole, "isGroup" },
        { AvatarIdRole, "avatarId" }, { AvatarUrlRole, "avatarUrl" }, { PreviewRole, "preview" },
        { PreviewSenderRole, "previewSender" }, { ActivityTimeRole, "activityTime" },
        { UnreadCountRole, "unreadCount" }, { DraftRole, "draft" }, { TypingRole, "typing" },
        { LastMessageIsMineRole, "lastMessageIsMine" }, { LastMessageReadRole, "lastMessageRead" },
        { LastMessagePendingRole, "lastMessagePending" }, { MemberCountRole, "memberCount" },
        { OnlineRole, "online" }, { MutedRole, "muted" }, { PinnedRole, "pinned" },
        { ArchivedRole, "archived" }, { MarkedUnreadRole, "markedUnread" },
        { UnreadMentionsRole, "unreadMentions" } });
    return names;
}

void ChatListModel::setCurrentUserId(const QString &userId)
{
    if (m_userId == userId)
        return;
    beginResetModel();
    m_userId = userId;
    endResetModel();
}

void ChatListModel::resetChats(const QList<ChatSummary> &chats)
{
    // What only this client knows survives the reload: drafts, and messages
    // still on their way (settlePending() counts them down later).
    QHash<QString, Row> local;
    for (const Row &row : std::as_const(m_rows)) {
        if (!row.draft.isEmpty() || row.pendingCount > 0)
            local.insert(row.summary.chat.id, row);
    }
    beginResetModel();
    m_rows.clear();
    m_rows.reserve(chats.size());
    for (const ChatSummary &summary : chats) {
        Row row;
        if (const auto kept = local.constFind(summary.chat.id); kept != local.cend()) {
            row.draft = kept->draft;
            row.pendingCount = kept->pendingCount;
            row.pendingText = kept->pendingText;
            row.pendingAt = kept->pendingAt;
        }
        row.summary = summary;
        m_rows.append(row);
    }
    std::stable_sort(m_rows.begin(), m_rows.end(),
        [this](const Row &a, const Row &b) { return ranksBefore(a, b); });
    endResetModel();
    updateUnreadTotal();
}

void ChatListModel::upsertChat(const Chat &chat)
{
    const int row = rowOf(chat.id);
    if (row >= 0) {
        // A chat from an event every member gets alike has no settings:
        // the user's stay as they were.
        const std::optional<ChatSettings> settings = m_rows[row].summary.chat.settings;
        m_rows[row].summary.chat = chat;
        if (!chat.settings)
            m_rows[row].summary.chat.settings = settings;
        changed(row);
        reposition(row);
        updateUnreadTotal();
        return;
    }
    // A new chat is the most recent activity: it goes on top.
    beginInsertRows({}, 0, 0);
    Row entry;
    entry.summary = ChatSummary { chat, std::nullopt, 0, 0 };
    m_rows.prepend(entry);
    endInsertRows();
    reposition(0);
}

bool ChatListModel::applyRenamed(const ChatRenamed &renamed)
{
    const int row = rowOf(renamed.chatId);
    if (row < 0)
        return false;
    m_rows[row].summary.chat.name = renamed.name;
    changed(row);
    return true;
}

bool ChatListModel::applyPinned(const ChatPinned &pinned)
{
    const int row = rowOf(pinned.chatId);
    if (row < 0)
        return false;
    m_rows[row].summary.chat.pinnedMessage = pinned.pinnedMessage;
    changed(row);
    return true;
}

bool ChatListModel::applyPhotoChanged(const ChatUpdated &photo)
{
    const int row = rowOf(photo.chatId);
    if (row < 0)
        return false;
    m_rows[row].summary.chat.avatarUrl = photo.avatarUrl;
    changed(row, { AvatarUrlRole });
    return true;
}

bool ChatListModel::applyMembersAdded(const MembersAdded &added)
{
    const int row = rowOf(added.chatId);
    if (row < 0)
        return false;
    QList<User> &members = m_rows[row].summary.chat.members;
    for (const User &member : added.members) {
        const bool known = std::any_of(members.cbegin(), members.cend(),
            [&member](const User &existing) { return existing.id == member.id; });
        if (!known)
            members.append(member);
    }
    changed(row);
    return true;
}

void ChatListModel::applyMemberLeft(const QString &chatId, const QString &userId)
{
    const int row = rowOf(chatId);
    if (row < 0)
        return;
    m_rows[row].summary.chat.members.removeIf(
        [&userId](const User &member) { return member.id == userId; });
    changed(row);
}

QString ChatListModel::otherPersonOf(const Row &row) const
{
    if (row.summary.chat.type == ChatType::Group)
        return {};
    for (const User &member : row.summary.chat.members) {
        if (member.id != m_userId)
            return member.id;
    }
    return {};
}

QString ChatListModel::avatarUrlOf(const Row &row) const
{
    if (row.summary.chat.type == ChatType::Group)
        return row.summary.chat.avatarUrl.value_or(QString());
    const QString other = otherPersonOf(row);
    for (const User &member : row.summary.chat.members) {
        if (member.id == other)
            return member.avatarUrl.value_or(QString());
    }
    return {};
}

void ChatListModel::setOnline(const QString &userId, bool online)
{
    if (online == m_online.contains(userId))
        return;
    if (online)
        m_online.insert(userId);
    else
        m_online.remove(userId);
    for (int row = 0; row < m_rows.size(); ++row) {
        if (otherPersonOf(m_rows.at(row)) == userId)
            changed(row, { OnlineRole });
    }
}

void ChatListModel::applyUserUpdated(const User &user)
{
    for (int row = 0; row < m_rows.size(); ++row) {
        ChatSummary &summary = m_rows[row].summary;
        bool touched = false;
        for (User &member : summary.chat.members) {
            if (member.id == user.id && member != user) {
                member = user;
                touched = true;
            }
        }
        if (summary.lastMessage && summary.lastMessage->senderId == user.id
            && summary.lastMessage->senderName != user.name) {
            summary.lastMessage->senderName = user.name;
            touched = true;
        }
        if (touched)
            changed(row);
    }
}

void ChatListModel::applySettings(const QString &chatId, const ChatSettings &settings)
{
    const int row = rowOf(chatId);
    if (row < 0)
        return;
    m_rows[row].summary.chat.settings = settings;
    changed(row);
    reposition(row);
    updateUnreadTotal();
}

QStringList ChatListModel::pinnedChatIds() const
{
    // Rows are kept in order, pinned ones first by position.
    QStringList ids;
    for (const Row &row : m_rows) {
        if (settingsOf(row).isPinned())
            ids.append(row.summary.chat.id);
    }
    return ids;
}

int ChatListModel::archivedCount() const
{
    return int(std::count_if(
        m_rows.cbegin(), m_rows.cend(), [](const Row &row) { return settingsOf(row).archived; }));
}

int ChatListModel::archivedUnreadCount() const
{
    return int(std::count_if(m_rows.cbegin(), m_rows.cend(), [](const Row &row) {
        return settingsOf(row).archived
            && (row.summary.unreadCount > 0 || settingsOf(row).markedUnread);
    }));
}

void ChatListModel::removeChat(const QString &chatId)
{
    const int row = rowOf(chatId);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    endRemoveRows();
    updateUnreadTotal();
}

void ChatListModel::applyMessage(const Message &message, bool countAsUnread)
{
    const int row = rowOf(message.chatId);
    if (row < 0)
        return; // a chat we do not know yet; its `chat` event or a reload brings it
    Row &entry = m_rows[row];
    if (entry.summary.lastMessage && entry.summary.lastMessage->seq >= message.seq)
        return; // an older or repeated message does not change the preview
    entry.summary.lastMessage = LastMessage::fromMessage(message);
    if (countAsUnread && message.senderId != m_userId && message.seq > entry.summary.lastReadSeq) {
        ++entry.summary.unreadCount;
        if (message.mentions.contains(m_userId))
            ++entry.summary.unreadMentions;
    }
    // Whoever just sent stopped typing.
    entry.typists.removeIf(
        [&message](const Row::Typist &typist) { return typist.userId == message.senderId; });
    changed(row);
    reposition(row);
    updateUnreadTotal();
}

void ChatListModel::applyEdited(const Message &message)
{
    const int row = rowOf(message.chatId);
    if (row < 0 || !m_rows[row].summary.lastMessage
        || m_rows[row].summary.lastMessage->id != message.id)
        return;
    m_rows[row].summary.lastMessage->text = message.text;
    changed(row, { PreviewRole });
}

void ChatListModel::applyDeleted(const QString &chatId, const QString &messageId)
{
    const int row = rowOf(chatId);
    if (row < 0 || !m_rows[row].summary.lastMessage
        || m_rows[row].summary.lastMessage->id != messageId)
        return;
    m_rows[row].summary.lastMessage->deleted = true;
    m_rows[row].summary.lastMessage->text.clear();
    changed(row, { PreviewRole });
}

void ChatListModel::applyRead(const QString &chatId, const QString &userId, qint64 seq,
    qint64 unreadLeft, std::optional<qint64> mentionsLeft)
{
    const int row = rowOf(chatId);
    if (row < 0)
        return;
    ChatSummary &summary = m_rows[row].summary;
    if (userId == m_userId) {
        summary.lastReadSeq = std::max(summary.lastReadSeq, seq);
        summary.unreadCount = std::max<qint64>(0, unreadLeft);
        summary.unreadMentions = std::clamp<qint64>(
            mentionsLeft.value_or(summary.unreadMentions), 0, summary.unreadCount);
        changed(row, { UnreadCountRole, UnreadMentionsRole });
        updateUnreadTotal();
        return;
    }
    // In a personal chat the other person is everyone else; in a group the
    // tick waits for the last member, which the server's is_read reports.
    if (summary.chat.type == ChatType::Personal && summary.lastMessage
        && summary.lastMessage->senderId == m_userId && summary.lastMessage->seq <= seq) {
        summary.lastMessage->isRead = true;
        changed(row, { LastMessageReadRole });
    }
}

void ChatListModel::setDraft(const QString &chatId, const QString &draft)
{
    const int row = rowOf(chatId);
    if (row < 0 || m_rows[row].draft == draft)
        return;
    m_rows[row].draft = draft;
    changed(row, { DraftRole });
}

void ChatListModel::addPending(const QString &chatId, const QString &text)
{
    const int row = rowOf(chatId);
    if (row < 0)
        return;
    Row &entry = m_rows[row];
    ++entry.pendingCount;
    entry.pendingText = text;
    entry.pendingAt = QDateTime::currentMSecsSinceEpoch() * 1000;
    changed(row);
    reposition(row);
}

void ChatListModel::settlePending(const QString &chatId)
{
    const int row = rowOf(chatId);
    if (row < 0 || m_rows[row].pendingCount == 0)
        return;
    if (--m_rows[row].pendingCount == 0)
        m_rows[row].pendingText.clear();
    changed(row);
    reposition(row);
}

void ChatListModel::showTyping(const QString &chatId, const QString &userId, const QString &name)
{
    const int row = rowOf(chatId);
    if (row < 0 || userId == m_userId)
        return;
    auto &typists = m_rows[row].typists;
    const QDeadlineTimer until(m_typingLifetime);
    auto it = std::find_if(typists.begin(), typists.end(),
        [&userId](const Row::Typist &typist) { return typist.userId == userId; });
    if (it != typists.end())
        it->until = until;
    else
        typists.append({ userId, name, until });
    changed(row, { TypingRole });
    m_typingExpiry.start();
}

int ChatListModel::rowOf(const QString &chatId) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).summary.chat.id == chatId)
            return i;
    }
    return -1;
}

QString ChatListModel::personalChatWith(const QString &userId) const
{
    for (const Row &row : m_rows) {
        const Chat &chat = row.summary.chat;
        if (chat.type == ChatType::Personal
            && std::any_of(chat.members.cbegin(), chat.members.cend(),
                [&userId](const User &member) { return member.id == userId; }))
            return chat.id;
    }
    return {};
}

std::optional<ChatSummary> ChatListModel::summary(const QString &chatId) const
{
    const int row = rowOf(chatId);
    if (row < 0)
        return std::nullopt;
    return m_rows.at(row).summary;
}

QString ChatListModel::title(const QString &chatId) const
{
    const int row = rowOf(chatId);
    return row < 0 ? QString() : titleOf(m_rows.at(row));
}

qint64 ChatListModel::unreadTotal() const
{
    return m_unreadTotal;
}

qint64 ChatListModel::newestSeq() const
{
    qint64 newest = 0;
    for (const Row &row : m_rows) {
        if (row.summary.lastMessage)
            newest = std::max(newest, row.summary.lastMessage->seq);
    }
    return newest;
}

QString ChatListModel::titleOf(const Row &row) const
{
    const Chat &chat = row.summary.chat;
    if (chat.type == ChatType::Group)
        return chat.name.value_or(QString());
    for (const User &member : chat.members) {
        if (member.id != m_userId)
            return member.name;
    }
    return tr("Saved messages");
}

qint64 ChatListModel::activityOf(const Row &row) const
{
    const qint64 last
        = row.summary.lastMessage ? row.summary.lastMessage->timestamp : row.summary.chat.createdAt;
    return row.pendingCount > 0 ? std::max(last, row.pendingAt) : last;
}

ChatSettings ChatListModel::settingsOf(const Row &row)
{
    return row.summary.chat.settings.value_or(ChatSettings {});
}

bool ChatListModel::ranksBefore(const Row &a, const Row &b) const
{
    const auto pinA = settingsOf(a).pinnedPosition;
    const auto pinB = settingsOf(b).pinnedPosition;
    if (pinA || pinB)
        return pinA && (!pinB || *pinA < *pinB);
    return activityOf(a) > activityOf(b);
}

void ChatListModel::reposition(int row)
{
    const Row &moving = m_rows.at(row);
    int target = row;
    while (target > 0 && ranksBefore(moving, m_rows.at(target - 1)))
        --target;
    while (target + 1 < m_rows.size() && ranksBefore(m_rows.at(target + 1), moving))
        ++target;
    if (target == row)
        return;
    // beginMoveRows counts the destination before the move.
    beginMoveRows({}, row, row, {}, target > row ? target + 1 : target);
    m_rows.move(row, target);
    endMoveRows();
}

void ChatListModel::changed(int row, const QList<int> &roles)
{
    const QModelIndex at = index(row);
    Q_EMIT dataChanged(at, at, roles);
}

void ChatListModel::expireTyping()
{
    bool anyLeft = false;
    for (int i = 0; i < m_rows.size(); ++i) {
        auto &typists = m_rows[i].typists;
        const auto removed
            = typists.removeIf([](const Row::Typist &typist) { return typist.until.hasExpired(); });
        if (removed > 0)
            changed(i, { TypingRole });
        anyLeft = anyLeft || !typists.isEmpty();
    }
    if (!anyLeft)
        m_typingExpiry.stop();
}

void ChatListModel::updateUnreadTotal()
{
    // Muted chats count for nothing: they are not to call for attention.
    qint64 total = 0;
    for (const Row &row : std::as_const(m_rows)) {
        if (!settingsOf(row).isMutedNow())
            total += row.summary.unreadCount;
    }
    if (total == m_unreadTotal)
        return;
    m_unreadTotal = total;
    Q_EMIT unreadTotalChanged(total);
}

} // namespace Messenger::Client
