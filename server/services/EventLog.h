#pragma once

#include "db/Db.h"

#include <QJsonObject>

namespace Messenger::Server::EventLog {

// Appends an event to the outbox / catch-up log inside the caller's
// transaction and returns its seq (shared with messages). `chatId` makes it
// visible to the chat's members, `userId` to one user (e.g. "you were removed").
// `messageId` names the message an event quotes (an edit), so that deleting
// the message can erase it (see eraseMessage).
qint64 append(Db &db, const QString &chatId, const QString &userId, QStringView type,
    const QJsonObject &data, const QString &messageId = {});

// Rewrites every stored event that quotes the message as its `tombstone`
// (a message_deleted event): catch-up then returns no text of it.
void eraseMessage(Db &db, const QString &messageId, const QJsonObject &tombstone);

} // namespace Messenger::Server::EventLog
