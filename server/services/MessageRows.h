#pragma once

#include "db/Db.h"
#include "shared/Message.h"

#include <limits>

namespace Messenger::Server::MessageRows {

// The select list every message query uses, with `m` = messages and `u` = the
// sender in users; readMessage() reads a row of it.
inline constexpr QStringView columns
    = u"m.id, m.chat_id, m.sender_id, u.email, u.name, m.text, m.created_at, m.seq, "
      u"m.chat_seq, m.client_id, m.edited_at, m.deleted_at";
inline constexpr int columnCount = 12;

Message read(const Rows &rows);

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
