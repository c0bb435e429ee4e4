#pragma once

#include "core/ApiError.h"
#include "db/Db.h"
#include "shared/Chat.h"

namespace Messenger::Server::ChatAccess {

// Loads a chat with its members (in join order) and its pinned message, or
// nothing when unknown.
std::optional<Chat> load(Db &db, const QString &chatId);

// The pinned message's preview columns, with `c` = chats, `p` = the pinned
// message and `pu` its sender (see pinnedJoins): all NULL when none is pinned.
const QString &pinnedColumns();
inline constexpr int pinnedColumnCount = 5;
// LEFT JOINs `p` and `pu` for chats `c`.
inline constexpr QStringView pinnedJoins = u" LEFT JOIN messages p ON p.id = c.pinned_message_id "
                                           u"LEFT JOIN users pu ON pu.id = p.sender_id";
// The preview from pinnedColumns() starting at `first`.
std::optional<PinnedMessage> readPinned(const Rows &rows, int first);

struct Membership
{
    QString role; // "owner" or "member"
    qint64 lastReadSeq = 0;
    qint64 lastReadChatSeq = 0; // the chat_seq of the message at lastReadSeq (0: none)
    ChatType chatType = ChatType::Personal;
    qint64 lastChatSeq = 0;
    qint64 lastSeq = 0;
    bool isOwner() const { return role == QStringLiteral("owner"); }
};

// The caller's membership of a chat: 404 when the chat does not exist, 403
// when the caller is not a member.
Result<Membership> requireMember(Db &db, const QString &chatId, const QString &userId);

// `avatar_url` from an avatar_file_id column: null stays null.
std::optional<QString> avatarUrl(const Rows &rows, int column);
// A user from the columns userColumns (with `u` = users) starting at `first`.
// A deleted account keeps its row as "Deleted account" with its id in place
// of its email, which the API shows as "".
inline constexpr QStringView userColumns
    = u"u.id, CASE WHEN u.deleted_at IS NULL THEN u.email ELSE '' END, u.name, u.avatar_file_id";
inline constexpr int userColumnCount = 4;
User readUser(const Rows &rows, int first = 0);

// 401 when the token's user no longer exists (e.g. a token for a deleted user).
Result<User> requireUser(Db &db, const QString &userId);

// A JSON array literal of ids, bound to Db::idSetSql() to pass a set in one parameter.
QString idArray(const QStringList &ids);

} // namespace Messenger::Server::ChatAccess
