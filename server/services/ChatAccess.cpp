#include "ChatAccess.h"

#include "MessageRows.h"
#include "shared/ApiPaths.h"
#include "shared/Limits.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Messenger::Server::ChatAccess {

std::optional<Chat> load(Db &db, const QString &chatId)
{
    Chat chat;
    {
        Rows rows = db.exec(u"SELECT c.id, c.type, c.name, c.created_by, c.created_at, "_s
                + pinnedColumns() + u", c.avatar_file_id FROM chats c"_s + pinnedJoins
                + u" WHERE c.id = ?"_s,
            { chatId });
        if (!rows.next())
            return std::nullopt;
        chat.id = rows.string(0);
        chat.type = chatTypeFromName(rows.string(1)).value_or(ChatType::Personal);
        if (!rows.isNull(2))
            chat.name = rows.string(2);
        if (!rows.isNull(3))
            chat.createdBy = rows.string(3);
        chat.createdAt = rows.integer(4);
        chat.pinnedMessage = readPinned(rows, 5);
        chat.avatarUrl = avatarUrl(rows, 5 + pinnedColumnCount);
    }
    Rows members = db.exec(u"SELECT "_s + userColumns
            + u" FROM chat_members cm "
              "JOIN users u ON u.id = cm.user_id WHERE cm.chat_id = ? "
              "ORDER BY cm.joined_at, u.id"_s,
        { chatId });
    while (members.next())
        chat.members.append(readUser(members));
    return chat;
}

const QString &pinnedColumns()
{
    // Only the start of the text is read, as for reply previews.
    static const QString list
        = u"p.id AS pinned_id, p.seq AS pinned_seq, p.sender_id AS pinned_sender_id, "
          "pu.name AS pinned_sender_name, '.' || substr(p.text, 1, %1) AS pinned_guarded_text"_s
              .arg(Limits::replyPreviewMax + 1);
    return list;
}

std::optional<PinnedMessage> readPinned(const Rows &rows, int first)
{
    if (rows.isNull(first))
        return std::nullopt;
    return PinnedMessage { rows.string(first), rows.integer(first + 1), rows.string(first + 2),
        rows.string(first + 3), ReplyPreview::cut(MessageRows::unguardedText(rows, first + 4)) };
}

Result<Membership> requireMember(Db &db, const QString &chatId, const QString &userId)
{
    Rows rows = db.exec(u"SELECT c.type, c.last_chat_seq, c.last_seq, cm.role, cm.last_read_seq, "
                        "cm.last_read_chat_seq FROM chats c LEFT JOIN chat_members cm "
                        "ON cm.chat_id = c.id AND cm.user_id = ? WHERE c.id = ?"_s,
        { userId, chatId });
    if (!rows.next())
        return ApiError::notFound(u"chat_not_found"_s, u"Chat not found"_s);
    if (rows.isNull(3))
        return ApiError::forbidden(u"not_a_member"_s, u"You are not a member of this chat"_s);
    Membership membership;
    membership.chatType = chatTypeFromName(rows.string(0)).value_or(ChatType::Personal);
    membership.lastChatSeq = rows.integer(1);
    membership.lastSeq = rows.integer(2);
    membership.role = rows.string(3);
    membership.lastReadSeq = rows.integer(4);
    membership.lastReadChatSeq = rows.integer(5);
    return membership;
}

Result<User> requireUser(Db &db, const QString &userId)
{
    Rows rows = db.exec(u"SELECT "_s + userColumns + u" FROM users u WHERE u.id = ?"_s, { userId });
    if (!rows.next())
        return ApiError::unauthorized(u"invalid_token"_s, u"Could not validate credentials"_s);
    return readUser(rows);
}

std::optional<QString> avatarUrl(const Rows &rows, int column)
{
    if (rows.isNull(column))
        return std::nullopt;
    return ApiPaths::file(rows.string(column));
}

User readUser(const Rows &rows, int first)
{
    return User { rows.string(first), rows.string(first + 1), rows.string(first + 2),
        avatarUrl(rows, first + 3) };
}

QString idArray(const QStringList &ids)
{
    return QString::fromUtf8(
        QJsonDocument(QJsonArray::fromStringList(ids)).toJson(QJsonDocument::Compact));
}

} // namespace Messenger::Server::ChatAccess
