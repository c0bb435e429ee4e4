#pragma once

#include "db/Db.h"
#include "shared/Message.h"

#include <limits>

namespace Messenger::Server::MessageRows {

// Message texts come back byte for byte only through a guard character in
// front of them: SQLite treats a leading U+FEFF of the UTF-16 text Qt binds as
// a byte order mark and drops it (a leading U+FFFE even byte-swaps the rest),
// and Qt's PostgreSQL driver decodes with QString::fromUtf8, which drops a
// leading BOM too. So texts are bound as guardedText() into textParameter
// (which cuts the guard off again in SQL) and selected with the guard put back
// in front (see columns), which read() and unguardedText() remove.
inline constexpr QStringView textParameter = u"substr(CAST(? AS text), 2)";
QString guardedText(const QString &text);
QString unguardedText(const Rows &rows, int column);

// The message's own columns, with `m` = messages and `u` = the sender in
// users. Column 5 is the guarded text. A deleted sender's email reads as ""
// (as in ChatAccess::userColumns).
inline constexpr QStringView columns
    = u"m.id, m.chat_id, m.sender_id, CASE WHEN u.deleted_at IS NULL THEN u.email ELSE '' END, "
      u"u.name, '.' || m.text AS guarded_text, "
      u"m.created_at, m.seq, m.chat_seq, m.client_id, m.edited_at, m.deleted_at";
inline constexpr int columnCount = 12;
inline constexpr int textColumn = 5;

// The reply preview's columns, with `r` = the message replied to and `ru` its
// sender (see replyJoins): all NULL when there is none. Only the start of the
// text is read (SQL counts code points, each one or two UTF-16 code units, so
// one more than the preview holds is enough to tell where to cut).
const QString &replyColumns();
inline constexpr int replyColumnCount = 6;
// LEFT JOINs `r` and `ru` for the message whose id is in `replyToIdColumn`.
QString replyJoins(QStringView replyToIdColumn);
// The preview from replyColumns() starting at `first`.
std::optional<ReplyPreview> readReply(const Rows &rows, int first);

// Who wrote a forwarded copy first, with `fu` = that author in users (see
// fromMessages): NULL unless the message is a forwarded copy.
inline constexpr QStringView forwardedColumns = u"m.forwarded_from_id, fu.name AS forwarded_name";
inline constexpr int forwardedColumnCount = 2;

// The ids of the members a message mentions, comma-separated (NULL: none).
inline constexpr QStringView mentionColumns = u"m.mentions";
inline constexpr int mentionColumnCount = 1;
// The stored form of `mentions` (NULL when there are none).
QVariant storedMentions(const QStringList &mentions);

// The files the message carries, as stored (FileService::storedAttachments).
inline constexpr QStringView attachmentColumns = u"m.attachments";
inline constexpr int attachmentColumnCount = 1;

// The sender's profile photo (`u` = the sender).
inline constexpr QStringView senderAvatarColumns = u"u.avatar_file_id AS sender_avatar_file_id";
inline constexpr int senderAvatarColumnCount = 1;

// What message queries select and read() reads: columns, then
// replyColumns(), then forwardedColumns, then mentionColumns, then
// attachmentColumns, then senderAvatarColumns.
const QString &selectList();
inline constexpr int selectCount = columnCount + replyColumnCount + forwardedColumnCount
    + mentionColumnCount + attachmentColumnCount + senderAvatarColumnCount;
// FROM messages m with its sender `u`, reply preview `r`, `ru`, and the
// forwarded copy's first author `fu`.
const QString &fromMessages();

Message read(const Rows &rows);

// Fills in every message's `reactions` as `readerId` sees them (`me`), in the
// order each emoji was first used on it, with one query for the whole list.
void loadReactions(Db &db, QList<Message> &messages, const QString &readerId);
QList<Reaction> reactionsOf(Db &db, const QString &messageId, const QString &readerId);

// Who has read how far in one chat, enough to tell for any message whether
// every member other than its sender has read it: the two smallest cursors.
class ReadHorizon
{
public:
    static ReadHorizon load(Db &db, const QString &chatId);
    bool isRead(const QString &senderId, qint64 seq) const;

private:
    QString m_lowestUser;
    qint64 m_lowest = std::numeric_limits<qint64>::max();
    qint64 m_secondLowest = std::numeric_limits<qint64>::max();
};

} // namespace Messenger::Server::MessageRows
