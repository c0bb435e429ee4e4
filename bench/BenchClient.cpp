#include "BenchClient.h"

#include "shared/ApiPaths.h"
#include "shared/AuthDtos.h"
#include "shared/Requests.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QNetworkReply>
#include <QPointer>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace Messenger::Bench {

HttpConnection::HttpConnection(const QUrl &base, QObject *parent)
    : QObject(parent)
    , m_base(base)
    , m_socket(this)
{
    connect(&m_socket, &QTcpSocket::connected, this, [this] {
        m_socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
        sendNext();
    });
    connect(&m_socket, &QTcpSocket::readyRead, this, &HttpConnection::readAnswer);
    connect(&m_socket, &QTcpSocket::errorOccurred, this, [this] {
        // The server closing an idle keep-alive socket is not a failure.
        if (!m_queue.isEmpty())
            fail();
    });
}

void HttpConnection::request(const QByteArray &method, const QString &path, const QJsonObject &body,
    const QString &token, Done done)
{
    if (body.isEmpty())
        request(method, path, {}, {}, token, std::move(done));
    else
        request(method, path, { { "Content-Type", "application/json" } },
            QJsonDocument(body).toJson(QJsonDocument::Compact), token, std::move(done));
}

void HttpConnection::request(const QByteArray &method, const QString &path,
    const QList<QPair<QByteArray, QByteArray>> &headers, const QByteArray &payload,
    const QString &token, Done done)
{
    QByteArray wire = method + ' ' + path.toUtf8()
        + " HTTP/1.1\r\nHost: " + m_base.authority().toUtf8() + "\r\n";
    if (!token.isEmpty())
        wire += "Authorization: Bearer " + token.toLatin1() + "\r\n";
    for (const auto &[name, value] : headers)
        wire += name + ": " + value + "\r\n";
    wire += "Content-Length: " + QByteArray::number(payload.size()) + "\r\n\r\n" + payload;
    QElapsedTimer timer;
    timer.start();
    m_queue.append({ std::move(wire), std::move(done), timer });
    sendNext();
}

void HttpConnection::sendNext()
{
    if (m_onWire || m_queue.isEmpty())
        return;
    if (m_socket.state() != QAbstractSocket::ConnectedState) {
        if (m_socket.state() == QAbstractSocket::UnconnectedState)
            m_socket.connectToHost(m_base.host(), quint16(m_base.port(80)));
        return; // connected() sends it
    }
    m_onWire = true;
    m_buffer.clear();
    m_socket.write(m_queue.first().wire);
}

void HttpConnection::readAnswer()
{
    m_buffer += m_socket.readAll();
    if (!m_onWire)
        return;
    const qsizetype headerEnd = m_buffer.indexOf("\r\n\r\n");
    if (headerEnd < 0)
        return;
    const QByteArray head = m_buffer.left(headerEnd);
    qsizetype length = 0;
    bool close = false;
    for (const QByteArray &line : head.split('\n')) {
        const QByteArray lower = line.trimmed().toLower();
        if (lower.startsWith("content-length:"))
            length = lower.mid(15).trimmed().toLongLong();
        else if (lower.startsWith("connection:") && lower.contains("close"))
            close = true;
    }
    if (m_buffer.size() < headerEnd + 4 + length)
        return;
    const int status = head.mid(9, 3).toInt(); // "HTTP/1.1 200 OK"
    const QByteArray body = m_buffer.mid(headerEnd + 4, length);
    Pending answered = m_queue.takeFirst();
    m_onWire = false;
    m_buffer.clear();
    if (close)
        m_socket.abort();
    const QPointer<HttpConnection> alive(this);
    answered.done(status, body, answered.timer.nsecsElapsed());
    if (alive)
        sendNext();
}

void HttpConnection::fail()
{
    m_onWire = false;
    m_buffer.clear();
    m_socket.abort();
    // Everything queued fails: a dead server stays dead for this run.
    const QList<Pending> failed = std::exchange(m_queue, {});
    for (const Pending &pending : failed)
        pending.done(0, {}, pending.timer.nsecsElapsed());
}

SetupClient::SetupClient(const QUrl &base)
    : m_base(base)
{ }

QJsonDocument SetupClient::call(const QByteArray &method, const QString &path,
    const QJsonObject &body, const QString &token, int *status,
    const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QNetworkRequest request(QUrl(m_base.toString() + path));
    request.setTransferTimeout(60000);
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token.toLatin1());
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    QByteArray payload;
    if (!body.isEmpty()) {
        request.setRawHeader("Content-Type", "application/json");
        payload = QJsonDocument(body).toJson(QJsonDocument::Compact);
    }
    QNetworkReply *reply = m_network.sendCustomRequest(request, method, payload);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    if (status)
        *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QJsonDocument answer = parseJson(reply->readAll());
    reply->deleteLater();
    return answer;
}

double SetupClient::metric(const QString &name)
{
    QNetworkReply *reply = m_network.get(QNetworkRequest(QUrl(m_base.toString() + u"/metrics"_s)));
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    const QByteArray prefix = name.toUtf8() + ' ';
    double value = -1;
    for (const QByteArray &line : reply->readAll().split('\n')) {
        if (line.startsWith(prefix))
            value = line.mid(prefix.size()).toDouble();
    }
    reply->deleteLater();
    return value;
}

QList<SetupClient::User> SetupClient::users(int count, const QString &prefix)
{
    // Registration and login hash passwords (argon2id, deliberately slow):
    // keep several in flight.
    const QString run = QUuid::createUuid().toString(QUuid::Id128).left(8);
    QList<User> result(count);
    int pending = 0;
    int next = 0;
    QEventLoop loop;
    HttpConnection connection(m_base);
    std::function<void()> startOne;
    startOne = [&] {
        if (next >= count)
            return;
        const int index = next++;
        ++pending;
        const QString email = u"%1-%2-%3@bench.example"_s.arg(prefix, run).arg(index);
        const QString password = u"bench-password"_s;
        connection.request("POST", ApiPaths::authRegister.toString(),
            RegisterRequest { email, u"%1 %2"_s.arg(prefix).arg(index), password }.toJson(), {},
            [&, index, email, password](int, const QByteArray &, qint64) {
                connection.request("POST", ApiPaths::authToken.toString(),
                    LoginRequest { email, password, std::nullopt }.toJson(), {},
                    [&, index, email](int status, const QByteArray &body, qint64) {
                        const auto tokens = TokenResponse::fromJson(parseJson(body).object());
                        if (status == 200 && tokens)
                            result[index] = { tokens->userId, tokens->accessToken, email };
                        --pending;
                        startOne();
                        if (pending == 0)
                            loop.quit();
                    });
            });
    };
    for (int i = 0; i < 8; ++i)
        startOne();
    if (pending > 0)
        loop.exec();
    result.removeIf([](const User &user) { return user.token.isEmpty(); });
    return result;
}

QString SetupClient::personalChat(const User &a, const User &b)
{
    const auto chat = Chat::fromJson(call("POST", ApiPaths::chatsPersonal.toString(),
        CreatePersonalChatRequest { b.id }.toJson(), a.token)
                                         .object());
    return chat ? chat->id : QString();
}

QString SetupClient::group(const User &owner, const QString &name, const QStringList &memberIds)
{
    const auto chat = Chat::fromJson(call("POST", ApiPaths::chatsGroup.toString(),
        CreateGroupChatRequest { name, memberIds }.toJson(), owner.token)
                                         .object());
    return chat ? chat->id : QString();
}

bool SetupClient::prefill(const User &sender, const QString &chatId, int count, int parallel)
{
    HttpConnection connection(m_base);
    int sent = 0;
    int pending = 0;
    bool ok = true;
    QEventLoop loop;
    std::function<void()> sendOne;
    sendOne = [&] {
        if (sent >= count)
            return;
        ++sent;
        ++pending;
        connection.request("POST", ApiPaths::chatsMessages.toString(),
            SendMessageRequest { chatId, u"prefill message %1"_s.arg(sent), std::nullopt }.toJson(),
            sender.token, [&](int status, const QByteArray &, qint64) {
                ok = ok && status == 200;
                --pending;
                sendOne();
                if (pending == 0)
                    loop.quit();
            });
    };
    for (int i = 0; i < parallel; ++i)
        sendOne();
    if (pending > 0)
        loop.exec();
    return ok;
}

} // namespace Messenger::Bench
