#include "WsClient.h"

#include "shared/Json.h"

#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;

WsClient::WsClient(const QUrl &url)
{
    clock.start();
    connect(&socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        raw.append(text);
        frames.append(Messenger::parseJson(text.toUtf8()).object());
    });
    connect(&socket, &QWebSocket::disconnected, this, [this] {
        closeCode = socket.closeCode();
        closedAfterMs = clock.elapsed();
    });
    socket.open(url);
}

bool WsClient::waitFrames(qsizetype count, int timeoutMs)
{
    return QTest::qWaitFor([this, count] { return frames.size() >= count; }, timeoutMs);
}

bool WsClient::greeted()
{
    [[maybe_unused]] const bool ended
        = QTest::qWaitFor([this] { return !frames.isEmpty() || closed(); }, 10000);
    return !frames.isEmpty() && frames.first().value(u"status").toString() == u"connected"_s;
}

void WsClient::sendJson(const QJsonObject &object)
{
    socket.sendTextMessage(QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)));
}

bool WsClient::answersPing()
{
    const qsizetype before = frames.size();
    sendJson({ { u"type"_s, u"ping"_s } });
    return QTest::qWaitFor(
        [this, before] {
            for (qsizetype i = before; i < frames.size(); ++i) {
                if (frames[i].value(u"type").toString() == u"pong"_s)
                    return true;
            }
            return false;
        },
        10000);
}

QList<QJsonObject> WsClient::ofType(const QString &type) const
{
    QList<QJsonObject> found;
    for (const QJsonObject &frame : frames) {
        if (frame.value(u"type").toString() == type)
            found.append(frame);
    }
    return found;
}

QJsonObject WsClient::lastData(const QString &type) const
{
    const auto matching = ofType(type);
    return matching.isEmpty() ? QJsonObject() : matching.last().value(u"data").toObject();
}
