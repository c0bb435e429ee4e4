#pragma once

#include "core/ApiError.h"
#include "db/Db.h"

namespace Messenger::Server::TypingAudience {

// Who sees that someone types in a chat. Typing is not stored, so it does not
// travel through the event log and its audience is looked up per notice.
struct Audience
{
    QString typerName;
    QStringList memberIds; // the typer included; the hub skips them
};

// The typer's name and the chat's members: 404 for an unknown chat, 403 when
// the typer is not a member (as for every chat command).
Result<Audience> forTyper(Db &db, const QString &chatId, const QString &typerId);

// The chat's members, for a typing notice another instance passed on; none
// for an unknown chat.
Result<QStringList> members(Db &db, const QString &chatId);

} // namespace Messenger::Server::TypingAudience
