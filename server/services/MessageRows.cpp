#include "MessageRows.h"

#include "ChatAccess.h"
#include "files/FileService.h"
#include "shared/Limits.h"

using namespace Qt::StringLiterals;

namespace Messenger::Server::MessageRows {

QString guardedText(const QString &text)
{
    return u'.' + text;
}

QString unguardedText(const Rows &rows, int column)
{
    return rows.string(column).mid(1);
}

const QString &replyColumns()
{
    static const QString list
        = u"r.id AS reply_id, r.sender_id AS reply_sender_id, ru.name AS reply_sender_name, "
          "'.' || substr(r.text, 1, %1) AS reply_guarded_text, r.deleted_at AS reply_deleted_at, r.seq AS reply_seq"_s
              .arg(Limits::replyPreviewMax + 1);
    return list;
}

QString replyJoins(QStringView replyToIdColumn)
{
    return u" LEFT JOIN messages r ON r.id = "_s + replyToIdColumn
        + u" LEFT JOIN users ru ON ru.id = r.sender_id"_s;
}

std::optional<ReplyPreview> readReply(const Rows &rows, int first)
{
    if (rows.isNull(first))
        return std::nullopt;
    ReplyPreview preview;
    preview.id = rows.string(first);
    preview.senderId = rows.string(first + 1);
    preview.senderName = rows.string(first + 2);
    preview.deleted = !rows.isNull(first + 4);
    preview.seq = rows.integer(first + 5);
    // A deleted message's text is gone already; never show any of it.
    if (!preview.deleted)
        preview.text = ReplyPreview::cut(unguardedText(rows, first + 3));
    return preview;
}

QVariant storedMentions(const QStringList &mentions)
{
    return mentions.isEmpty() ? QVariant() : QVariant(mentions.join(u','));
}

const QString &selectList()
{
    static const QString list = columns.toString() + u", "_s + replyColumns() + u", "_s
        + forwardedColumns + u", "_s + mentionColumns + u", "_s + attachmentColumns + u", "_s
        + senderAvatarColumns;
    return list;
}

const QString &fromMessages()
{
    static const QString from = u"messages m JOIN users u ON u.id = m.sender_id"_s
        + replyJoins(u"m.reply_to_id") + u" LEFT JOIN users fu ON fu.id = m.forwarded_from_id"_s;
    return from;
}

void loadReactions(Db &db, QList<Message> &messages, const QString &readerId)
{
    if (messages.isEmpty())
        return;
    QStringList ids;
    ids.reserve(messages.size());
    for (const Message &message : messages)
        ids.append(message.id);
    // PostgreSQL: one statement text for any page size (an array parameter);
    // SQLite prepares in-process, a list of placeholders costs nothing.
    const QString matching = db.isPostgres()
        ? u"message_id = ANY (CAST(? AS uuid[]))"_s
        : u"message_id IN ("_s + QStringList(ids.size(), u"?"_s).join(u", ") + u")"_s;
    QVariantList values { readerId };
    if (db.isPostgres())
        values.append(QString(u"{"_s + ids.join(u',') + u"}"_s));
    else
        for (const QString &id : std::as_const(ids))
            values.append(id);
    Rows rows = db.exec(u"SELECT message_id, emoji, COUNT(*), "
                        "MAX(CASE WHEN user_id = ? THEN 1 ELSE 0 END), MIN(created_at) AS first_at "
                        "FROM message_reactions WHERE "_s
            + matching + u" GROUP BY message_id, emoji ORDER BY first_at, emoji"_s,
        values);
    QHash<QString, QList<Reaction>> byMessage;
    while (rows.next())
        byMessage[rows.string(0)].append(
            Reaction { rows.string(1), rows.integer(2), rows.integer(3) != 0 });
    for (Message &message : messages)
        message.reactions = byMessage.value(message.id);
}

QList<Reaction> reactionsOf(Db &db, const QString &messageId, const QString &readerId)
{
    QList<Message> one(1);
    one.first().id = messageId;
    loadReactions(db, one, readerId);
    return one.first().reactions;
}

Message read(const Rows &rows)
{
    Message message;
    message.id = rows.string(0);
    message.chatId = rows.string(1);
    message.senderId = rows.string(2);
    constexpr int senderAvatar = columnCount + replyColumnCount + forwardedColumnCount
        + mentionColumnCount + attachmentColumnCount;
    message.sender = { message.senderId, rows.string(3), rows.string(4),
        ChatAccess::avatarUrl(rows, senderAvatar) };
    message.text = unguardedText(rows, textColumn);
    message.timestamp = rows.integer(6);
    message.seq = rows.integer(7);
    message.chatSeq = rows.integer(8);
    if (!rows.isNull(9))
        message.clientId = rows.string(9);
    if (!rows.isNull(10))
        message.editedAt = rows.integer(10);
    message.deleted = !rows.isNull(11);
    message.replyTo = readReply(rows, columnCount);
    constexpr int forwarded = columnCount + replyColumnCount;
    if (!rows.isNull(forwarded))
        message.forwardedFrom
            = ForwardedFrom { rows.string(forwarded), rows.string(forwarded + 1) };
    constexpr int mentions = forwarded + forwardedColumnCount;
    if (!rows.isNull(mentions))
        message.mentions = rows.string(mentions).split(u',', Qt::SkipEmptyParts);
    constexpr int attachments = mentions + mentionColumnCount;
    if (!rows.isNull(attachments))
        message.attachments = FileService::attachmentsFromStored(rows.string(attachments));
    return message;
}

ReadHorizon ReadHorizon::load(Db &db, const QString &chatId)
{
    ReadHorizon horizon;
    Rows rows = db.exec(u"SELECT user_id, last_read_seq FROM chat_members WHERE chat_id = ? "
                        "ORDER BY last_read_seq LIMIT 2"_s,
        { chatId });
    if (rows.next()) {
        horizon.m_lowestUser = rows.string(0);
        horizon.m_lowest = rows.integer(1);
    }
    if (rows.next())
        horizon.m_secondLowest = rows.integer(1);
    return horizon;
}

bool ReadHorizon::isRead(const QString &senderId, qint64 seq) const
{
    // The least-read member other than the sender decides.
    const qint64 othersLowest = senderId == m_lowestUser ? m_secondLowest : m_lowest;
    return seq <= othersLowest;
}

} // namespace Messenger::Server::MessageRows
