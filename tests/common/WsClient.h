#pragma once

#include <QElapsedTimer>
#include <QJsonObject>
#include <QStringList>
#include <QUrl>
#include <QWebSocket>

// A real QWebSocket client that records every frame it receives (parsed, and
// as received) and how it ended; tests only.
class WsClient : public QObject
{
public:
    explicit WsClient(const QUrl &url);

    // Waits (up to timeoutMs) until `count` frames arrived.
    bool waitFrames(qsizetype count, int timeoutMs = 10000);
    // Waits for the first frame, and whether it is the greeting.
    bool greeted();
    bool closed() const { return closeCode >= 0; }
    void sendJson(const QJsonObject &object);
    // Whether the socket still answers: a ping gets its pong.
    bool answersPing();
    QList<QJsonObject> ofType(const QString &type) const;
    // The `data` of the last frame of `type`, or an empty object.
    QJsonObject lastData(const QString &type) const;

    QWebSocket socket;
    QList<QJsonObject> frames;
    QStringList raw;
    int closeCode = -1;
    qint64 closedAfterMs = -1; // since clock started (at construction)
    QElapsedTimer clock;
};
