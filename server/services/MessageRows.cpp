#include "MessageRows.h"

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

Message read(const Rows &rows)
{
    Message message;
    message.id = rows.string(0);
    message.chatId = rows.string(1);
    message.senderId = rows.string(2);
    message.sender = { message.senderId, rows.string(3), rows.string(4) };
    message.text = unguardedText(rows, textColumn);
    message.timestamp = rows.integer(6);
    message.seq = rows.integer(7);
    message.chatSeq = rows.integer(8);
    if (!rows.isNull(9))
        message.clientId = rows.string(9);
    if (!rows.isNull(10))
        message.editedAt = rows.integer(10);
    message.deleted = !rows.isNull(11);
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
