#include "ChatService.h"

#include "ChatAccess.h"
#include "ChatSettingsService.h"
#include "EventLog.h"
#include "MessageRows.h"
#include "files/FileService.h"
#include "shared/Events.h"
#include "shared/Limits.h"
#include "shared/WsEvents.h"

#include <QDateTime>
#include <QHash>
#include <QSet>

using namespace Qt::StringLiterals;

namespace Messenger::Server::ChatService {

namespace {

ApiError personalChatError()
{
    return ApiError::badRequest(
        u"personal_chat"_s, u"Personal chats have fixed members and no name"_s);
}

ApiError notOwnerError()
{
    return ApiError::forbidden(u"not_chat_owner"_s, u"Only the group's creator can do this"_s);
}

// The caller's membership of a group they own: what a rename, adding members
// or a group photo needs (a personal chat has none of these).
Result<ChatAccess::Membership> requireGroupOwner(
    Db &db, const QString &chatId, const QString &callerId)
{
    Result<ChatAccess::Membership> membership = ChatAccess::requireMember(db, chatId, callerId);
    if (!membership)
        return membership;
    if (membership.value().chatType == ChatType::Personal)
        return personalChatError();
    if (!membership.value().isOwner())
        return notOwnerError();
    return membership;
}

// Ids among `ids` that are registered users.
QStringList existingUsers(Db &db, const QStringList &ids)
{
    QStringList found;
    Rows rows = db.exec(
        u"SELECT id FROM users WHERE id IN "_s + db.idSetSql(), { ChatAccess::idArray(ids) });
    while (rows.next())
        found.append(rows.string(0));
    return found;
}

ApiError unknownUsersError(const QStringList &requested, const QStringList &found)
{
    for (const QString &id : requested) {
        if (!found.contains(id))
            return ApiError::notFound(u"user_not_found"_s, u"User %1 not found"_s.arg(id));
    }
    return ApiError::internal();
}

// Records a chat change for its members and moves the chat up the list.
void announce(Db &db, const QString &chatId, QStringView type, const QJsonObject &data)
{
    const qint64 seq = EventLog::append(db, chatId, {}, type, data);
    db.exec(u"UPDATE chats SET last_seq = ? WHERE id = ?"_s, { seq, chatId });
}

// A new chat, whole, to its first members.
void announceChat(Db &db, const Chat &chat)
{
    announce(db, chat.id, WsEvents::chat, chat.toJson());
}

// Takes the group's row lock until the transaction ends, so that changes to
// its membership take turns: on PostgreSQL two concurrent adds would each
// count the members without the other's and together pass the cap. (SQLite's
// write transactions start IMMEDIATE and take turns already.)
void lockChat(Db &db, const QString &chatId)
{
    if (db.isPostgres())
        db.exec(u"SELECT id FROM chats WHERE id = ? FOR UPDATE"_s, { chatId });
}

Result<Chat> loadOrInternal(Db &db, const QString &chatId)
{
    auto chat = ChatAccess::load(db, chatId);
    if (!chat)
        return ApiError::internal();
    return *chat;
}

} // namespace

Result<Chat> createPersonal(
    Db &db, const QString &callerId, const CreatePersonalChatRequest &request)
{
    const QString &otherId = request.otherUserId;
    if (otherId == callerId)
        return ApiError::validation({ { bodyLocation(CreatePersonalChatRequest::memberIdsKey),
            u"A personal chat needs another user"_s, u"value_error"_s } });
    const QString key = qMin(callerId, otherId) + u':' + qMax(callerId, otherId);
    Transaction transaction(db);
    const QStringList found = existingUsers(db, { callerId, otherId });
    if (!found.contains(callerId))
        return ApiError::unauthorized(u"invalid_token"_s, u"Could not validate credentials"_s);
    if (!found.contains(otherId))
        return unknownUsersError({ otherId }, found);

    const QString chatId = newUuid();
    const qint64 now = currentTimestamp();
    bool created = false;
    {
        Rows rows
            = db.exec(u"INSERT INTO chats (id, type, name, personal_key, created_by, created_at) "
                      "VALUES (?, 'personal', NULL, ?, NULL, ?) "
                      "ON CONFLICT (personal_key) DO NOTHING RETURNING id"_s,
                { chatId, key, now });
        created = rows.next();
    }
    if (!created) {
        Rows rows = db.exec(u"SELECT id FROM chats WHERE personal_key = ?"_s, { key });
        if (!rows.next())
            return ApiError::internal();
        const QString existingId = rows.string(0);
        return loadOrInternal(db, existingId);
    }
    for (const QString &member : { callerId, otherId }) {
        db.exec(u"INSERT INTO chat_members (chat_id, user_id, role, joined_at, last_read_seq) "
                "VALUES (?, ?, 'member', ?, 0)"_s,
            { chatId, member, now });
    }
    Result<Chat> chat = loadOrInternal(db, chatId);
    if (chat)
        announceChat(db, chat.value());
    transaction.commit();
    return chat;
}

Result<Chat> createGroup(Db &db, const QString &callerId, const CreateGroupChatRequest &request)
{
    QStringList memberIds = request.memberIds;
    memberIds.removeAll(callerId);
    if (memberIds.size() + 1 > Limits::groupMembersMax)
        return ApiError::validation({ { bodyLocation(CreateGroupChatRequest::memberIdsKey),
            u"A group has at most %1 members"_s.arg(Limits::groupMembersMax), u"too_long"_s } });
    Transaction transaction(db);
    QStringList wanted = memberIds;
    wanted.prepend(callerId);
    const QStringList found = existingUsers(db, wanted);
    if (!found.contains(callerId))
        return ApiError::unauthorized(u"invalid_token"_s, u"Could not validate credentials"_s);
    if (found.size() != wanted.size())
        return unknownUsersError(wanted, found);

    const QString chatId = newUuid();
    const qint64 now = currentTimestamp();
    db.exec(u"INSERT INTO chats (id, type, name, personal_key, created_by, created_at) "
            "VALUES (?, 'group', ?, NULL, ?, ?)"_s,
        { chatId, request.name, callerId, now });
    db.exec(u"INSERT INTO chat_members (chat_id, user_id, role, joined_at, last_read_seq) "
            "VALUES (?, ?, 'owner', ?, 0)"_s,
        { chatId, callerId, now });
    if (!memberIds.isEmpty()) {
        // Joined one microsecond after the owner, so the owner lists first.
        db.exec(u"INSERT INTO chat_members (chat_id, user_id, role, joined_at, last_read_seq) "
                "SELECT ?, id, 'member', ?, 0 FROM users WHERE id IN "_s
                + db.idSetSql(),
            { chatId, now + 1, ChatAccess::idArray(memberIds) });
    }
    Result<Chat> chat = loadOrInternal(db, chatId);
    if (chat)
        announceChat(db, chat.value());
    transaction.commit();
    return chat;
}

Result<Chat> chat(Db &db, const QString &callerId, const QString &chatId)
{
    const auto membership = ChatAccess::requireMember(db, chatId, callerId);
    if (!membership)
        return membership.error();
    Result<Chat> chat = loadOrInternal(db, chatId);
    if (chat)
        chat.value().settings = ChatSettingsService::load(db, chatId, callerId);
    return chat;
}

Result<QList<Chat>> list(Db &db, const QString &callerId)
{
    QList<Chat> chats;
    QHash<QString, qsizetype> indexById;
    {
        // The caller's settings ride along; the order stays by activity
        // (clients put pinned chats first, by their position).
        Rows rows = db.fetchAll(u"SELECT c.id, c.type, c.name, c.created_by, c.created_at, "_s
                + ChatAccess::pinnedColumns() + u", "_s + ChatSettingsService::columns
                + u", c.avatar_file_id FROM chat_members me JOIN chats c ON c.id = me.chat_id"_s
                + ChatAccess::pinnedJoins
                + u" WHERE me.user_id = ? ORDER BY c.last_seq DESC, c.id"_s,
            { callerId });
        while (rows.next()) {
            Chat chat;
            chat.id = rows.string(0);
            chat.type = chatTypeFromName(rows.string(1)).value_or(ChatType::Personal);
            if (!rows.isNull(2))
                chat.name = rows.string(2);
            if (!rows.isNull(3))
                chat.createdBy = rows.string(3);
            chat.createdAt = rows.integer(4);
            chat.pinnedMessage = ChatAccess::readPinned(rows, 5);
            constexpr int settingsColumn = 5 + ChatAccess::pinnedColumnCount;
            chat.settings = ChatSettingsService::read(
                rows, settingsColumn, QDateTime::currentSecsSinceEpoch());
            chat.avatarUrl
                = ChatAccess::avatarUrl(rows, settingsColumn + ChatSettingsService::columnCount);
            indexById.insert(chat.id, chats.size());
            chats.append(std::move(chat));
        }
    }
    Rows members = db.fetchAll(u"SELECT cm.chat_id, "_s + ChatAccess::userColumns
            + u" FROM chat_members me "
              "JOIN chat_members cm ON cm.chat_id = me.chat_id "
              "JOIN users u ON u.id = cm.user_id "
              "WHERE me.user_id = ? ORDER BY cm.joined_at, u.id"_s,
        { callerId });
    while (members.next()) {
        const auto it = indexById.constFind(members.string(0));
        if (it != indexById.constEnd())
            chats[*it].members.append(ChatAccess::readUser(members, 1));
    }
    return chats;
}

Result<QList<ChatSummary>> listWithLastMessage(Db &db, const QString &callerId)
{
    Result<QList<Chat>> chats = list(db, callerId);
    if (!chats)
        return chats.error();
    // One query for every chat's newest message, unread count and read state.
    // Every read of messages is a probe or a range closed at both ends on the
    // (chat_id, chat_seq) key, so statistics older than a burst of messages
    // (or none yet) cannot make the plan read more: the unread messages are
    // chat_seq in (last_read_chat_seq, last_chat_seq] (chat_seq has no gaps),
    // where counting by seq walked the seq index; and on PostgreSQL the
    // newest message is a LATERAL probe per chat, where a join let the
    // planner hash all of messages. SQLite joins in nested loops anyway
    // (and has no LATERAL).
    const QString newestMessage = db.isPostgres()
        ? u"LEFT JOIN LATERAL (SELECT * FROM messages lm WHERE lm.chat_id = c.id "
          "AND lm.chat_seq = c.last_chat_seq LIMIT 1) m ON true "_s
        : u"LEFT JOIN messages m ON m.chat_id = c.id AND m.chat_seq = c.last_chat_seq "_s;
    // The unread messages, and those of them mentioning the caller (an id is
    // 36 fixed characters, so a substring match is exact): on PostgreSQL one
    // scan of the unread range counts both (a LATERAL; two subqueries scanned
    // it twice, and the counts were a third of the list's database time).
    const QString unreadRange = u"WHERE um.chat_id = me.chat_id "
                                "AND um.chat_seq > me.last_read_chat_seq "
                                "AND um.chat_seq <= c.last_chat_seq AND um.deleted_at IS NULL"_s;
    const QString unreadCounts = db.isPostgres() ? u"unread.total, "_s
                                                 : u"(SELECT COUNT(*) FROM messages um "_s
            + unreadRange + u" AND um.sender_id <> me.user_id), "_s;
    const QString unreadMentions = db.isPostgres()
        ? u"unread.mentioning, "_s
        : u"(SELECT COUNT(*) FROM messages um "_s + unreadRange + u" AND um.mentions LIKE ?), "_s;
    const QString unreadJoin = db.isPostgres()
        ? u"LEFT JOIN LATERAL (SELECT COUNT(*) FILTER (WHERE um.sender_id <> me.user_id) AS total, "
          "COUNT(*) FILTER (WHERE um.mentions LIKE ?) AS mentioning FROM messages um "_s
            + unreadRange + u") unread ON true "_s
        : QString();
    QHash<QString, ChatSummary> summaries;
    Rows rows
        = db.fetchAll(u"SELECT me.last_read_seq, "_s + MessageRows::columns + u", "_s + unreadCounts
                + u"(SELECT MIN(o.last_read_seq) FROM chat_members o "
                  "WHERE o.chat_id = me.chat_id AND o.user_id <> m.sender_id), "
                  "me.chat_id, "_s
                + unreadMentions
                + u"m.attachments "
                  "FROM chat_members me JOIN chats c ON c.id = me.chat_id "_s
                + newestMessage + unreadJoin
                + u"LEFT JOIN users u ON u.id = m.sender_id WHERE me.user_id = ?"_s,
            { QString(u'%' + callerId + u'%'), callerId });
    while (rows.next()) {
        ChatSummary summary;
        summary.lastReadSeq = rows.integer(0);
        // Columns 1..12 are MessageRows::columns (all NULL when the chat is empty).
        summary.unreadCount = rows.integer(1 + MessageRows::columnCount);
        const QString chatId = rows.string(3 + MessageRows::columnCount);
        summary.unreadMentions = rows.integer(4 + MessageRows::columnCount);
        if (!rows.isNull(1)) {
            LastMessage last;
            last.id = rows.string(1);
            last.senderId = rows.string(3);
            last.senderName = rows.string(5);
            last.text = MessageRows::unguardedText(rows, 1 + MessageRows::textColumn);
            last.timestamp = rows.integer(7);
            last.seq = rows.integer(8);
            last.chatSeq = rows.integer(9);
            last.deleted = !rows.isNull(12);
            if (!rows.isNull(5 + MessageRows::columnCount))
                last.attachments
                    = FileService::attachmentsFromStored(rows.string(5 + MessageRows::columnCount));
            const QVariant othersLowest = rows.value(2 + MessageRows::columnCount);
            last.isRead = othersLowest.isNull() || last.seq <= othersLowest.toLongLong();
            summary.lastMessage = last;
        }
        summaries.insert(chatId, summary);
    }
    QList<ChatSummary> result;
    result.reserve(chats.value().size());
    for (Chat &chat : chats.value()) {
        ChatSummary summary = summaries.value(chat.id);
        summary.chat = std::move(chat);
        result.append(std::move(summary));
    }
    return result;
}

Result<Chat> addMembers(
    Db &db, const QString &callerId, const QString &chatId, const AddMembersRequest &request)
{
    Transaction transaction(db);
    lockChat(db, chatId);
    const auto membership = requireGroupOwner(db, chatId, callerId);
    if (!membership)
        return membership.error();
    const QStringList found = existingUsers(db, request.userIds);
    if (found.size() != request.userIds.size())
        return unknownUsersError(request.userIds, found);
    qint64 memberCount = 0;
    {
        Rows rows = db.exec(u"SELECT COUNT(*) FROM chat_members WHERE chat_id = ?"_s, { chatId });
        rows.next();
        memberCount = rows.integer(0);
    }
    // New members start with everything so far read: they see history, not a backlog.
    QStringList addedIds;
    {
        Rows rows = db.exec(
            u"INSERT INTO chat_members (chat_id, user_id, role, joined_at, last_read_seq, "
            "last_read_chat_seq) SELECT ?, id, 'member', ?, ?, ? FROM users WHERE id IN "_s
                + db.idSetSql() + u" ON CONFLICT (chat_id, user_id) DO NOTHING RETURNING user_id"_s,
            { chatId, currentTimestamp(), membership.value().lastSeq,
                membership.value().lastChatSeq, ChatAccess::idArray(request.userIds) });
        while (rows.next())
            addedIds.append(rows.string(0));
    }
    if (memberCount + addedIds.size() > Limits::groupMembersMax)
        return ApiError::conflict(
            u"group_full"_s, u"A group has at most %1 members"_s.arg(Limits::groupMembersMax));
    Result<Chat> chat = loadOrInternal(db, chatId);
    if (chat && !addedIds.isEmpty()) {
        // The members see who joined, not the whole chat again.
        const QSet<QString> newIds(addedIds.cbegin(), addedIds.cend());
        MembersAdded added { chatId, {} };
        for (const User &member : chat.value().members) {
            if (newIds.contains(member.id))
                added.members.append(member);
        }
        announce(db, chatId, WsEvents::membersAdded, added.toJson());
    }
    transaction.commit();
    return chat;
}

Result<Empty> removeMember(
    Db &db, const QString &callerId, const QString &chatId, const QString &userId)
{
    Transaction transaction(db);
    const auto membership = ChatAccess::requireMember(db, chatId, callerId);
    if (!membership)
        return membership.error();
    if (membership.value().chatType == ChatType::Personal)
        return personalChatError();
    const bool leaving = userId == callerId;
    if (!leaving && !membership.value().isOwner())
        return notOwnerError();
    QString removedRole;
    {
        Rows rows = db.exec(
            u"DELETE FROM chat_members WHERE chat_id = ? AND user_id = ? RETURNING role"_s,
            { chatId, userId });
        if (!rows.next())
            return ApiError::notFound(
                u"member_not_found"_s, u"User is not a member of this chat"_s);
        removedRole = rows.string(0);
    }
    if (removedRole == u"owner"_s) {
        // The group lives on: the longest-standing member becomes its owner.
        db.exec(
            u"UPDATE chat_members SET role = 'owner' WHERE chat_id = ? AND user_id = "
            "(SELECT user_id FROM chat_members WHERE chat_id = ? ORDER BY joined_at, user_id LIMIT 1)"_s,
            { chatId, chatId });
        db.exec(u"UPDATE chats SET created_by = (SELECT user_id FROM chat_members "
                "WHERE chat_id = ? AND role = 'owner') WHERE id = ?"_s,
            { chatId, chatId });
    }
    const QJsonObject data = MemberLeft { chatId, userId }.toJson();
    EventLog::append(db, chatId, {}, WsEvents::memberLeft, data);
    EventLog::append(db, {}, userId, WsEvents::chatRemoved, data);
    transaction.commit();
    return Empty {};
}

Result<Chat> rename(
    Db &db, const QString &callerId, const QString &chatId, const RenameChatRequest &request)
{
    Transaction transaction(db);
    const auto membership = requireGroupOwner(db, chatId, callerId);
    if (!membership)
        return membership.error();
    db.exec(u"UPDATE chats SET name = ? WHERE id = ?"_s, { request.name, chatId });
    Result<Chat> chat = loadOrInternal(db, chatId);
    if (chat)
        announce(db, chatId, WsEvents::chatRenamed, ChatRenamed { chatId, request.name }.toJson());
    transaction.commit();
    return chat;
}

Result<Chat> setAvatar(Db &db, FileStore &store, const QString &callerId, const QString &chatId,
    const std::optional<QString> &uploadId)
{
    // Checked before the photo is made (the slow part), and again in the
    // transaction that sets it (the owner may have left meanwhile).
    const auto refused = [&db, &callerId, &chatId]() -> std::optional<ApiError> {
        const auto membership = requireGroupOwner(db, chatId, callerId);
        if (!membership)
            return membership.error();
        return std::nullopt;
    };
    if (auto error = refused())
        return *error;
    std::optional<Chat> updated;
    const Result<Empty> replaced = FileService::replaceAvatar(db, store, callerId, uploadId,
        [&db, &chatId, &refused, &updated](const QString &fileId) -> Result<QString> {
            lockChat(db, chatId);
            if (auto error = refused())
                return *error;
            QString former;
            {
                Rows rows = db.exec(u"SELECT avatar_file_id FROM chats WHERE id = ?"_s, { chatId });
                if (!rows.next())
                    return ApiError::internal();
                former = rows.isNull(0) ? QString() : rows.string(0);
            }
            const bool changed = !fileId.isEmpty() || !former.isEmpty();
            if (changed) {
                db.exec(u"UPDATE chats SET avatar_file_id = ? WHERE id = ?"_s,
                    { fileId.isEmpty() ? QVariant() : QVariant(fileId), chatId });
            }
            Result<Chat> chat = loadOrInternal(db, chatId);
            if (!chat)
                return chat.error();
            // Removing no photo changes nothing: nobody is told.
            if (changed)
                announce(db, chatId, WsEvents::chatUpdated,
                    ChatUpdated { chatId, chat.value().avatarUrl }.toJson());
            updated = std::move(chat).value();
            return former;
        });
    if (!replaced)
        return replaced.error();
    return *updated;
}

Result<Chat> pin(
    Db &db, const QString &callerId, const QString &chatId, const std::optional<QString> &messageId)
{
    Transaction transaction(db);
    lockChat(db, chatId);
    const auto membership = ChatAccess::requireMember(db, chatId, callerId);
    if (!membership)
        return membership.error();
    if (membership.value().chatType == ChatType::Group && !membership.value().isOwner())
        return notOwnerError();
    QVariant current;
    {
        Rows rows = db.exec(u"SELECT pinned_message_id FROM chats WHERE id = ?"_s, { chatId });
        if (!rows.next())
            return ApiError::internal();
        current = rows.value(0);
    }
    if (messageId) {
        // A message of another chat answers as a missing one: whether it
        // exists is none of this chat's business.
        Rows rows = db.exec(u"SELECT deleted_at FROM messages WHERE id = ? AND chat_id = ?"_s,
            { *messageId, chatId });
        if (!rows.next())
            return ApiError::notFound(u"message_not_found"_s, u"Message not found"_s);
        if (!rows.isNull(0))
            return ApiError::conflict(
                u"message_deleted"_s, u"A deleted message cannot be pinned"_s);
    }
    const bool unchanged
        = messageId ? (!current.isNull() && current.toString() == *messageId) : current.isNull();
    if (!unchanged) {
        db.exec(u"UPDATE chats SET pinned_message_id = ? WHERE id = ?"_s,
            { messageId ? QVariant(*messageId) : QVariant(), chatId });
    }
    Result<Chat> chat = loadOrInternal(db, chatId);
    if (chat && !unchanged) {
        // Stored naming the message, so that deleting it erases the preview
        // from the log (EventLog::eraseMessage) as it does an edit's text.
        EventLog::append(db, chatId, {}, WsEvents::chatPinned,
            ChatPinned { chatId, chat.value().pinnedMessage, callerId }.toJson(),
            messageId.value_or(QString()));
    }
    transaction.commit();
    return chat;
}

} // namespace Messenger::Server::ChatService
