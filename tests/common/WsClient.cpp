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
    QElapsedTimer timer;
    timer.start();
    while (frames.size() < count && timer.elapsed() < timeoutMs)
        QTest::qWait(10);
    return frames.size() >= count;
}

bool WsClient::greeted()
{
    QElapsedTimer waited;
    waited.start();
    while (frames.isEmpty() && !closed() && waited.elapsed() < 10000)
        QTest::qWait(10);
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
    QElapsedTimer waited;
    waited.start();
    while (waited.elapsed() < 10000) {
        for (qsizetype i = before; i < frames.size(); ++i) {
            if (frames[i].value(u"type").toString() == u"pong"_s)
                return true;
        }
        QTest::qWait(10);
    }
    return false;
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
