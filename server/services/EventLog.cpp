#include "EventLog.h"

#include "shared/Json.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Messenger::Server::EventLog {

qint64 append(
    Db &db, const QString &chatId, const QString &userId, QStringView type, const QJsonObject &data)
{
    const qint64 seq = db.nextSeq();
    db.exec(u"INSERT INTO events (seq, chat_id, user_id, type, payload, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)"_s,
        { seq, chatId.isEmpty() ? QVariant() : QVariant(chatId),
            userId.isEmpty() ? QVariant() : QVariant(userId), type.toString(),
            QString::fromUtf8(QJsonDocument(data).toJson(QJsonDocument::Compact)),
            currentTimestamp() });
    return seq;
}

} // namespace Messenger::Server::EventLog
