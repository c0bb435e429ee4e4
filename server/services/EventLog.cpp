#include "EventLog.h"

#include "shared/Json.h"
#include "shared/WsEvents.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Messenger::Server::EventLog {

namespace {

QVariant nullIfEmpty(const QString &id)
{
    return id.isEmpty() ? QVariant() : QVariant(id);
}

QString compact(const QJsonObject &data)
{
    return QString::fromUtf8(QJsonDocument(data).toJson(QJsonDocument::Compact));
}

} // namespace

qint64 append(Db &db, const QString &chatId, const QString &userId, QStringView type,
    const QJsonObject &data, const QString &messageId)
{
    const qint64 seq = db.nextSeq();
    db.exec(u"INSERT INTO events (seq, chat_id, user_id, type, payload, created_at, message_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)"_s,
        { seq, nullIfEmpty(chatId), nullIfEmpty(userId), type.toString(), compact(data),
            currentTimestamp(), nullIfEmpty(messageId) });
    return seq;
}

void eraseMessage(Db &db, const QString &messageId, const QJsonObject &tombstone)
{
    db.exec(u"UPDATE events SET type = ?, payload = ? WHERE message_id = ?"_s,
        { WsEvents::messageDeleted.toString(), compact(tombstone), messageId });
}

} // namespace Messenger::Server::EventLog
