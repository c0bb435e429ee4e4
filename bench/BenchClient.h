#pragma once

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QObject>
#include <QTcpSocket>
#include <QUrl>

#include <functional>

namespace Messenger::Bench {

// One simulated client's HTTP connection: a keep-alive HTTP/1.1 socket of
// its own, living on the thread that created it, requests sent one at a time
// in order. Deliberately lean (no QNetworkAccessManager with its own thread
// and per-request objects): the tool shares the machine with the server and
// must cost it as little CPU as it can. Answers come back with the measured
// latency; status 0 means the connection failed.
class HttpConnection : public QObject
{
    Q_OBJECT
public:
    using Done = std::function<void(int status, const QByteArray &body, qint64 latencyNs)>;

    HttpConnection(const QUrl &base, QObject *parent = nullptr);
    void request(const QByteArray &method, const QString &path, const QJsonObject &body,
        const QString &token, Done done);
    // Any body, with further headers (a tus PATCH).
    void request(const QByteArray &method, const QString &path,
        const QList<QPair<QByteArray, QByteArray>> &headers, const QByteArray &payload,
        const QString &token, Done done);

private:
    struct Pending
    {
        QByteArray wire;
        Done done;
        QElapsedTimer timer;
    };
    void sendNext();
    void readAnswer();
    void fail();

    QUrl m_base;
    QTcpSocket m_socket;
    QList<Pending> m_queue; // the first one is on the wire
    bool m_onWire = false;
    QByteArray m_buffer;
};

// Blocking calls for setting a scenario up (users, chats, prefill): simple,
// and not what is measured.
class SetupClient
{
public:
    explicit SetupClient(const QUrl &base);

    struct User
    {
        QString id;
        QString token;
        QString email;
    };
    // Registers and signs in `count` new users, several at a time.
    QList<User> users(int count, const QString &prefix);
    QJsonDocument call(const QByteArray &method, const QString &path, const QJsonObject &body = {},
        const QString &token = {}, int *status = nullptr,
        const QList<QPair<QByteArray, QByteArray>> &headers = {});
    QString personalChat(const User &a, const User &b);
    QString group(const User &owner, const QString &name, const QStringList &memberIds);
    // One sample of /metrics without labels (e.g. process_cpu_seconds_total); -1 when absent.
    double metric(const QString &name);
    // Sends `count` messages into a chat as fast as `parallel` requests allow.
    bool prefill(const User &sender, const QString &chatId, int count, int parallel = 16);

private:
    QUrl m_base;
    QNetworkAccessManager m_network;
};

} // namespace Messenger::Bench
