#include "BenchClient.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QNetworkReply>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace Messenger::Bench {

HttpConnection::HttpConnection(const QUrl &base, QObject *parent)
    : QObject(parent)
    , m_base(base)
    , m_network(this)
{ }

void HttpConnection::request(const QByteArray &method, const QString &path, const QJsonObject &body,
    const QString &token, Done done)
{
    QNetworkRequest request(QUrl(m_base.toString() + path));
    request.setTransferTimeout(30000);
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token.toLatin1());
    QByteArray payload;
    if (!body.isEmpty()) {
        request.setRawHeader("Content-Type", "application/json");
        payload = QJsonDocument(body).toJson(QJsonDocument::Compact);
    }
    QElapsedTimer timer;
    timer.start();
    QNetworkReply *reply = m_network.sendCustomRequest(request, method, payload);
    connect(reply, &QNetworkReply::finished, this, [reply, timer, done = std::move(done)] {
        reply->deleteLater();
        done(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll(),
            timer.nsecsElapsed());
    });
}

SetupClient::SetupClient(const QUrl &base)
    : m_base(base)
{ }

QJsonDocument SetupClient::call(const QByteArray &method, const QString &path,
    const QJsonObject &body, const QString &token, int *status)
{
    QNetworkRequest request(QUrl(m_base.toString() + path));
    request.setTransferTimeout(60000);
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token.toLatin1());
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
    const QJsonDocument answer = QJsonDocument::fromJson(reply->readAll());
    reply->deleteLater();
    return answer;
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
        connection.request("POST", u"/api/v1/auth/register"_s,
            { { u"email"_s, email }, { u"name"_s, u"%1 %2"_s.arg(prefix).arg(index) },
                { u"password"_s, password } },
            {}, [&, index, email, password](int, const QByteArray &, qint64) {
                connection.request("POST", u"/api/v1/auth/token"_s,
                    { { u"email"_s, email }, { u"password"_s, password } }, {},
                    [&, index, email](int status, const QByteArray &body, qint64) {
                        const QJsonObject tokens = QJsonDocument::fromJson(body).object();
                        if (status == 200)
                            result[index] = { tokens.value(u"user_id").toString(),
                                tokens.value(u"access_token").toString(), email };
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
    return call(
        "POST", u"/api/v1/chats/personal"_s, { { u"member_ids"_s, QJsonArray { b.id } } }, a.token)
        .object()
        .value(u"id")
        .toString();
}

QString SetupClient::group(const User &owner, const QString &name, const QStringList &memberIds)
{
    return call("POST", u"/api/v1/chats/group"_s,
        { { u"name"_s, name }, { u"type"_s, u"group"_s },
            { u"member_ids"_s, QJsonArray::fromStringList(memberIds) } },
        owner.token)
        .object()
        .value(u"id")
        .toString();
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
        connection.request("POST", u"/api/v1/chats/messages"_s,
            { { u"chat_id"_s, chatId }, { u"text"_s, u"prefill message %1"_s.arg(sent) } },
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
