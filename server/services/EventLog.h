#pragma once

#include "db/Db.h"

#include <QJsonObject>

namespace Messenger::Server::EventLog {

// Appends an event to the outbox / catch-up log inside the caller's
// transaction and returns its seq (shared with messages). `chatId` makes it
// visible to the chat's members, `userId` to one user (e.g. "you were removed").
qint64 append(Db &db, const QString &chatId, const QString &userId, QStringView type,
    const QJsonObject &data);

} // namespace Messenger::Server::EventLog
