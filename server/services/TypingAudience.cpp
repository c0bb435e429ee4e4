#include "TypingAudience.h"

#include "ChatAccess.h"

using namespace Qt::StringLiterals;

namespace Messenger::Server::TypingAudience {

Result<Audience> forTyper(Db &db, const QString &chatId, const QString &typerId)
{
    const auto membership = ChatAccess::requireMember(db, chatId, typerId);
    if (!membership)
        return membership.error();
    Audience audience;
    Rows rows
        = db.exec(u"SELECT u.id, u.name FROM chat_members cm JOIN users u ON u.id = cm.user_id "
                  "WHERE cm.chat_id = ?"_s,
            { chatId });
    while (rows.next()) {
        audience.memberIds.append(rows.string(0));
        if (rows.string(0) == typerId)
            audience.typerName = rows.string(1);
    }
    return audience;
}

Result<QStringList> members(Db &db, const QString &chatId)
{
    QStringList ids;
    Rows rows = db.exec(u"SELECT user_id FROM chat_members WHERE chat_id = ?"_s, { chatId });
    while (rows.next())
        ids.append(rows.string(0));
    return ids;
}

} // namespace Messenger::Server::TypingAudience
