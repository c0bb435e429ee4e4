#include "TestServer.h"
#include "WsClient.h"

#include <QJsonArray>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

// Mentions (issue 16): a send names the members its text mentions; every
// Message carries `mentions`, and each chat-list row the caller's
// `unread_mentions`.
class TestMentions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void mentionsAreStoredAndShownEverywhere();
    void onlyMembersOtherThanTheSenderCount();
    void unreadMentionsInTheChatList();
    void badMentionsAnswer422();
    void mentionOverWebSocketAndOnAnotherInstance();

private:
    Reply send(const QString &token, const QString &chatId, const QString &text,
        const QJsonArray &mentions);
    QString group(const QString &token, const QStringList &memberIds);
    // The caller's chat-list row of `chatId`.
    QJsonObject row(const QString &token, const QString &chatId);

    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

void TestMentions::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    m_http = std::make_unique<HttpClient>(m_server);
}

Reply TestMentions::send(
    const QString &token, const QString &chatId, const QString &text, const QJsonArray &mentions)
{
    QJsonObject body { { u"chat_id"_s, chatId }, { u"text"_s, text } };
    if (!mentions.isEmpty())
        body.insert(u"mentions"_s, mentions);
    return m_http->post(u"/api/v1/chats/messages"_s, body, token);
}

QString TestMentions::group(const QString &token, const QStringList &memberIds)
{
    return m_http
        ->post(u"/api/v1/chats/group"_s,
            { { u"name"_s, u"Team"_s },
                { u"member_ids"_s, QJsonArray::fromStringList(memberIds) } },
            token)
        .object()
        .value(u"id")
        .toString();
}

QJsonObject TestMentions::row(const QString &token, const QString &chatId)
{
    const Reply list = m_http->get(u"/api/v1/chats/with-last-message"_s, token);
    for (const QJsonValue &chat : list.json.array()) {
        if (chat.toObject().value(u"id").toString() == chatId)
            return chat.toObject();
    }
    return {};
}

void TestMentions::mentionsAreStoredAndShownEverywhere()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto cid = m_http->newUser(u"Cid"_s);
    const QString chat = group(ann.token, { bob.id, cid.id });
    const Reply sent = send(ann.token, chat, u"@Cid and @Bob, look"_s, { cid.id, bob.id });
    COMPARE_STATUS(sent, 200);
    const QJsonArray expected { cid.id, bob.id }; // in the order sent
    QCOMPARE(sent.object().value(u"mentions").toArray(), expected);
    const Reply plain = send(ann.token, chat, u"no one"_s, {});
    QCOMPARE(plain.object().value(u"mentions").toArray(), QJsonArray());

    const QJsonArray history = m_http->get(u"/api/v1/chats/%1/history"_s.arg(chat), bob.token)
                                   .object()
                                   .value(u"messages")
                                   .toArray();
    QCOMPARE(history.size(), 2);
    QCOMPARE(history.at(1).toObject().value(u"mentions").toArray(), expected);
    QCOMPARE(history.at(0).toObject().value(u"mentions").toArray(), QJsonArray());

    const Reply found = m_http->get(u"/api/v1/search/messages?q=look"_s, cid.token);
    QCOMPARE(found.object()
                 .value(u"results")
                 .toArray()
                 .first()
                 .toObject()
                 .value(u"message")
                 .toObject()
                 .value(u"mentions")
                 .toArray(),
        expected);

    // /updates on PostgreSQL shows a message once every seq before it is
    // settled: soon, not necessarily at once.
    const auto mentionsInUpdates = [&]() -> QJsonValue {
        for (const QJsonObject &data : m_http->updatesOfType(cid.token, u"message"_s)) {
            if (data.value(u"id") == sent.object().value(u"id"))
                return data.value(u"mentions");
        }
        return {};
    };
    QTRY_COMPARE_WITH_TIMEOUT(mentionsInUpdates(), QJsonValue(expected), 10000);

    // A deleted message mentions nobody.
    const QString id = sent.object().value(u"id").toString();
    COMPARE_STATUS(m_http->request("DELETE", u"/api/v1/messages/"_s + id, {}, ann.token), 200);
    const QJsonArray after = m_http->get(u"/api/v1/chats/%1/history"_s.arg(chat), bob.token)
                                 .object()
                                 .value(u"messages")
                                 .toArray();
    QCOMPARE(after.at(1).toObject().value(u"mentions").toArray(), QJsonArray());
}

void TestMentions::onlyMembersOtherThanTheSenderCount()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto outsider = m_http->newUser(u"Out"_s);
    const QString chat = m_http->personalChat(ann.token, bob.id);
    const Reply sent = send(ann.token, chat, u"hi all"_s,
        { outsider.id, ann.id, bob.id, bob.id, u"00000000-0000-4000-8000-000000000000"_s });
    COMPARE_STATUS(sent, 200);
    QCOMPARE(sent.object().value(u"mentions").toArray(), QJsonArray { bob.id });
    QCOMPARE(row(outsider.token, chat), QJsonObject()); // and the outsider sees nothing
}

void TestMentions::unreadMentionsInTheChatList()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto cid = m_http->newUser(u"Cid"_s);
    const QString chat = group(ann.token, { bob.id, cid.id });
    send(ann.token, chat, u"@Bob one"_s, { bob.id });
    const Reply second = send(cid.token, chat, u"@Bob two"_s, { bob.id });
    send(ann.token, chat, u"@Cid three"_s, { cid.id });
    const Reply deleted = send(ann.token, chat, u"@Bob gone"_s, { bob.id });
    COMPARE_STATUS(
        m_http->request("DELETE", u"/api/v1/messages/"_s + deleted.object().value(u"id").toString(),
            {}, ann.token),
        200);
    QCOMPARE(row(bob.token, chat).value(u"unread_mentions").toInteger(), 2);
    QCOMPARE(row(cid.token, chat).value(u"unread_mentions").toInteger(), 1);
    QCOMPARE(row(ann.token, chat).value(u"unread_mentions").toInteger(), 0);

    // Reading up to the second mention leaves none unread.
    COMPARE_STATUS(
        m_http->request("POST",
            u"/api/v1/chats/messages/%1/read"_s.arg(second.object().value(u"id").toString()), {},
            bob.token),
        200);
    QCOMPARE(row(bob.token, chat).value(u"unread_mentions").toInteger(), 0);
    QCOMPARE(row(cid.token, chat).value(u"unread_mentions").toInteger(), 1);
}

void TestMentions::badMentionsAnswer422()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chat = m_http->personalChat(ann.token, bob.id);
    QJsonArray tooMany;
    for (int i = 0; i < 51; ++i)
        tooMany.append(u"00000000-0000-4000-8000-%1"_s.arg(i, 12, 10, QChar(u'0')));
    for (const QJsonValue &bad :
        { QJsonValue(u"not-a-list"_s), QJsonValue(QJsonArray { u"nope"_s }),
            QJsonValue(QJsonArray { 5 }), QJsonValue(tooMany) }) {
        const Reply refused = m_http->post(u"/api/v1/chats/messages"_s,
            { { u"chat_id"_s, chat }, { u"text"_s, u"x"_s }, { u"mentions"_s, bad } }, ann.token);
        COMPARE_STATUS(refused, 422);
        QCOMPARE(refused.object().value(u"code").toString(), u"validation_error"_s);
    }
    const Reply history = m_http->get(u"/api/v1/chats/%1/history"_s.arg(chat), ann.token);
    QCOMPARE(history.object().value(u"messages").toArray().size(), 0); // nothing stored
}

void TestMentions::mentionOverWebSocketAndOnAnotherInstance()
{
    std::unique_ptr<TestServer> second;
    if (m_server.isPostgres()) {
        second = std::make_unique<TestServer>();
        QVERIFY2(second->startSharing(m_server), qPrintable(second->error()));
    }
    const TestServer &bobsServer = second ? *second : m_server;
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chat = m_http->personalChat(ann.token, bob.id);
    WsClient annLive(m_server.webSocketUrl(u"/ws/user"_s, ann.token));
    WsClient bobLive(bobsServer.webSocketUrl(u"/ws/user"_s, bob.token));
    QVERIFY(annLive.greeted());
    QVERIFY(bobLive.greeted());
    annLive.sendJson(
        { { u"type"_s, u"send"_s }, { u"chat_id"_s, chat }, { u"text"_s, u"@Bob ping"_s },
            { u"client_id"_s, u"6d9a8f7e-1c2b-4a3d-8e4f-0a1b2c3d4e01"_s },
            { u"mentions"_s, QJsonArray { bob.id } } });
    QTRY_COMPARE_WITH_TIMEOUT(annLive.ofType(u"ack"_s).size(), 1, 10000);
    QCOMPARE(annLive.lastData(u"ack"_s).value(u"mentions").toArray(), QJsonArray { bob.id });
    QTRY_COMPARE_WITH_TIMEOUT(bobLive.ofType(u"message"_s).size(), 1, 10000);
    QCOMPARE(bobLive.lastData(u"message"_s).value(u"mentions").toArray(), QJsonArray { bob.id });
}

QTEST_GUILESS_MAIN(TestMentions)
#include "tst_mentions.moc"
