#include "TestServer.h"

#include <QJsonArray>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

class TestApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void registerAndLogin();
    void registerValidation_data();
    void registerValidation();
    void pyjwtInterop();
    void authErrors();
    void personalAndGroupChats();
    void authorization();
    void messagesHistoryAndKeyset();
    void readCursorAndUnread();
    void idempotentSendAndUnicode();
    void concurrentSends();
    void editDeleteAndGroupManagement();
    void refreshRotationAndLogout();
    void badInput();
    void openApiServed();
    void historyAfterSeqIsOldestFirst();
    void historyRefusesContradictoryPaging_data();
    void historyRefusesContradictoryPaging();
    void validationErrorsCarryCode();
    void updatesSinceBeyondNewest();
    void markReadAnswersForTheCaller();

private:
    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

void TestApi::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    m_http = std::make_unique<HttpClient>(m_server);
    COMPARE_STATUS(m_http->get(u"/health"_s), 200);
}

void TestApi::registerAndLogin()
{
    const QJsonObject body { { u"email"_s, u"Mixed.Case@Example.com"_s }, { u"name"_s, u"Иван"_s },
        { u"password"_s, u"password1"_s } };
    const Reply created = m_http->post(u"/api/v1/auth/register"_s, body);
    COMPARE_STATUS(created, 200);
    QCOMPARE(created.object().value(u"email").toString(), u"mixed.case@example.com"_s);
    QCOMPARE(created.object().value(u"name").toString(), u"Иван"_s);
    const Reply duplicate = m_http->post(u"/api/v1/auth/register"_s, body);
    COMPARE_STATUS(duplicate, 400);
    QCOMPARE(duplicate.object().value(u"code").toString(), u"email_taken"_s);

    const Reply login = m_http->post(u"/api/v1/auth/token"_s,
        { { u"email"_s, u"MIXED.case@example.com"_s }, { u"password"_s, u"password1"_s } });
    COMPARE_STATUS(login, 200);
    QCOMPARE(login.object().value(u"token_type").toString(), u"bearer"_s);
    QCOMPARE(login.object().value(u"user_id").toString(), created.object().value(u"id").toString());
    QVERIFY(!login.object().value(u"refresh_token").toString().isEmpty());
    QCOMPARE(login.object().value(u"expires_in").toInt(), 1800);

    const Reply wrong = m_http->post(u"/api/v1/auth/token"_s,
        { { u"email"_s, u"mixed.case@example.com"_s }, { u"password"_s, u"nope-nope"_s } });
    COMPARE_STATUS(wrong, 401);
    QCOMPARE(wrong.header("WWW-Authenticate"), "Bearer"_ba);
    COMPARE_STATUS(
        m_http->post(u"/api/v1/auth/token"_s,
            { { u"email"_s, u"nobody@example.com"_s }, { u"password"_s, u"password1"_s } }),
        401);
}

void TestApi::registerValidation_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<QString>("field");
    QTest::addRow("bad email") << QJsonObject { { u"email"_s, u"not-an-email"_s },
        { u"name"_s, u"A"_s }, { u"password"_s, u"password1"_s } }
                               << u"email"_s;
    QTest::addRow("short password") << QJsonObject { { u"email"_s, u"a1@example.com"_s },
        { u"name"_s, u"A"_s }, { u"password"_s, u"short"_s } }
                                    << u"password"_s;
    QTest::addRow("long name") << QJsonObject { { u"email"_s, u"a2@example.com"_s },
        { u"name"_s, QString(65, u'n') }, { u"password"_s, u"password1"_s } }
                               << u"name"_s;
    QTest::addRow("missing name") << QJsonObject { { u"email"_s, u"a3@example.com"_s },
        { u"password"_s, u"password1"_s } }
                                  << u"name"_s;
    QTest::addRow("wrong type") << QJsonObject { { u"email"_s, 42 }, { u"name"_s, u"A"_s },
        { u"password"_s, u"password1"_s } }
                                << u"email"_s;
}

void TestApi::registerValidation()
{
    QFETCH(QJsonObject, body);
    QFETCH(QString, field);
    const Reply reply = m_http->post(u"/api/v1/auth/register"_s, body);
    COMPARE_STATUS(reply, 422);
    const QJsonObject first = reply.object().value(u"detail").toArray().first().toObject();
    QCOMPARE(first.value(u"loc").toArray(), (QJsonArray { u"body"_s, field }));
    QVERIFY(!first.value(u"msg").toString().isEmpty());
}

void TestApi::pyjwtInterop()
{
    const auto alice = m_http->newUser(u"Alice"_s);
    // Debian's python3 with python3-jwt (not whatever python3 is first on PATH).
    const auto python = [](const QString &script, const QStringList &args) {
        QProcess process;
        process.start(u"/usr/bin/python3"_s, QStringList { u"-c"_s, script } + args);
        process.waitForFinished(20000);
        const QString output = QString::fromUtf8(process.readAllStandardOutput()).trimmed()
            + QString::fromUtf8(process.readAllStandardError());
        return qMakePair(process.exitCode(), output);
    };
    const QString key = QString::fromLatin1(TestServer::secretKey());
    const auto decoded = python(
        u"import jwt,sys; print(jwt.decode(sys.argv[1], sys.argv[2], algorithms=['HS256'])['sub'])"_s,
        { alice.token, key });
    QCOMPARE(decoded.first, 0);
    QCOMPARE(decoded.second, alice.id);

    // Our tokens name their session (`sid`); one PyJWT signs must too.
    const auto sid = python(
        u"import jwt,sys; print(jwt.decode(sys.argv[1], sys.argv[2], algorithms=['HS256'])['sid'])"_s,
        { alice.token, key });
    QCOMPARE(sid.first, 0);
    const QString encode
        = u"import jwt,sys,time; print(jwt.encode({'sub': sys.argv[1], 'sid': sys.argv[4], 'exp': int(time.time()) + int(sys.argv[3])}, sys.argv[2], algorithm='HS256'))"_s;
    const auto theirs = python(encode, { alice.id, key, u"600"_s, sid.second });
    QCOMPARE(theirs.first, 0);
    const Reply me = m_http->get(u"/api/v1/users/me"_s, theirs.second);
    COMPARE_STATUS(me, 200);
    QCOMPARE(me.object().value(u"id").toString(), alice.id);
    COMPARE_STATUS(m_http->get(u"/api/v1/users/me"_s,
                       python(encode, { alice.id, key, u"-10"_s, sid.second }).second),
        401);
    COMPARE_STATUS(m_http->get(u"/api/v1/users/me"_s,
                       python(encode, { alice.id, u"other-key"_s, u"600"_s, sid.second }).second),
        401);
    const auto none = python(
        u"import jwt,sys; print(jwt.encode({'sub': sys.argv[1], 'exp': 9999999999}, None, algorithm='none'))"_s,
        { alice.id });
    COMPARE_STATUS(m_http->get(u"/api/v1/users/me"_s, none.second), 401);
}

void TestApi::authErrors()
{
    const Reply none = m_http->get(u"/api/v1/chats"_s);
    COMPARE_STATUS(none, 401);
    QCOMPARE(none.header("WWW-Authenticate"), "Bearer"_ba);
    QVERIFY(!none.object().value(u"detail").toString().isEmpty());
    COMPARE_STATUS(m_http->get(u"/api/v1/chats"_s, u"garbage"_s), 401);
    const auto alice = m_http->newUser(u"Alice"_s);
    QStringList parts = alice.token.split(u'.');
    parts[1] = parts[1].left(parts[1].size() - 2) + u"AA"_s;
    COMPARE_STATUS(m_http->get(u"/api/v1/chats"_s, parts.join(u'.')), 401);
}

void TestApi::personalAndGroupChats()
{
    const auto alice = m_http->newUser(u"Alice"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const Reply personal = m_http->post(u"/api/v1/chats/personal"_s,
        { { u"type"_s, u"personal"_s }, { u"member_ids"_s, QJsonArray { bob.id } } }, alice.token);
    COMPARE_STATUS(personal, 200);
    QVERIFY(personal.object().value(u"name").isNull());
    QCOMPARE(personal.object().value(u"members").toArray().size(), 2);
    const Reply again = m_http->post(u"/api/v1/chats/personal"_s,
        { { u"type"_s, u"personal"_s }, { u"member_ids"_s, QJsonArray { alice.id } } }, bob.token);
    QCOMPARE(again.object().value(u"id"), personal.object().value(u"id"));
    COMPARE_STATUS(m_http->post(u"/api/v1/chats/personal"_s,
                       { { u"member_ids"_s, QJsonArray { alice.id } } }, alice.token),
        422);
    COMPARE_STATUS(
        m_http->post(u"/api/v1/chats/personal"_s,
            { { u"member_ids"_s, QJsonArray { u"00000000-0000-4000-8000-000000000000"_s } } },
            alice.token),
        404);

    const Reply group = m_http->post(u"/api/v1/chats/group"_s,
        { { u"name"_s, u"Team"_s }, { u"type"_s, u"group"_s },
            { u"member_ids"_s, QJsonArray { bob.id } } },
        alice.token);
    COMPARE_STATUS(group, 200);
    QCOMPARE(group.object().value(u"members").toArray().size(), 2);
    QCOMPARE(group.object().value(u"members").toArray().first().toObject().value(u"id").toString(),
        alice.id);
    COMPARE_STATUS(m_http->post(u"/api/v1/chats/group"_s,
                       { { u"name"_s, u""_s }, { u"member_ids"_s, QJsonArray {} } }, alice.token),
        422);

    const Reply found = m_http->get(u"/api/v1/users?query=bob&limit=50"_s, alice.token);
    COMPARE_STATUS(found, 200);
    bool sawBob = false;
    for (const QJsonValue &user : found.json.array()) {
        QVERIFY(user.toObject().value(u"id").toString() != alice.id);
        sawBob = sawBob || user.toObject().value(u"id").toString() == bob.id;
    }
    QVERIFY(sawBob);
    COMPARE_STATUS(m_http->get(u"/api/v1/users?query="_s, alice.token), 422);
}

void TestApi::authorization()
{
    const auto alice = m_http->newUser(u"Alice"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto carol = m_http->newUser(u"Carol"_s);
    const QString chatId = m_http
                               ->post(u"/api/v1/chats/personal"_s,
                                   { { u"member_ids"_s, QJsonArray { bob.id } } }, alice.token)
                               .object()
                               .value(u"id")
                               .toString();
    const QString messageId
        = m_http
              ->post(u"/api/v1/chats/messages"_s,
                  { { u"chat_id"_s, chatId }, { u"text"_s, u"secret"_s } }, alice.token)
              .object()
              .value(u"id")
              .toString();
    COMPARE_STATUS(m_http->get(u"/api/v1/chats/"_s + chatId, carol.token), 403);
    COMPARE_STATUS(m_http->get(u"/api/v1/chats/%1/history"_s.arg(chatId), carol.token), 403);
    COMPARE_STATUS(m_http->post(u"/api/v1/chats/messages"_s,
                       { { u"chat_id"_s, chatId }, { u"text"_s, u"hi"_s } }, carol.token),
        403);
    COMPARE_STATUS(m_http->post(u"/api/v1/chats/%1/read"_s.arg(chatId),
                       { { u"message_id"_s, messageId } }, carol.token),
        403);
    COMPARE_STATUS(
        m_http->get(u"/api/v1/chats/00000000-0000-4000-8000-000000000000"_s, carol.token), 404);
    COMPARE_STATUS(m_http->get(u"/api/v1/chats/not-a-uuid"_s, carol.token), 404);
    const Reply carolChats = m_http->get(u"/api/v1/chats/with-last-message"_s, carol.token);
    COMPARE_STATUS(carolChats, 200);
    QVERIFY(!carolChats.body.contains("secret"));
    QCOMPARE(carolChats.json.array().size(), 0);
}

void TestApi::messagesHistoryAndKeyset()
{
    const auto alice = m_http->newUser(u"Alice"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http
                               ->post(u"/api/v1/chats/personal"_s,
                                   { { u"member_ids"_s, QJsonArray { bob.id } } }, alice.token)
                               .object()
                               .value(u"id")
                               .toString();
    const int count = 25;
    for (int i = 1; i <= count; ++i)
        COMPARE_STATUS(m_http->post(u"/api/v1/chats/messages"_s,
                           { { u"chat_id"_s, chatId }, { u"text"_s, u"m%1"_s.arg(i) } },
                           i % 2 ? alice.token : bob.token),
            200);
    const Reply first
        = m_http->get(u"/api/v1/chats/%1/history?limit=10&offset=0"_s.arg(chatId), bob.token);
    COMPARE_STATUS(first, 200);
    QCOMPARE(first.object().value(u"total").toInt(), count);
    const QJsonArray page = first.object().value(u"messages").toArray();
    QCOMPARE(page.size(), 10);
    QCOMPARE(page.first().toObject().value(u"text").toString(), u"m25"_s);
    QCOMPARE(page.first().toObject().value(u"chat_seq").toInt(), 25);
    QVERIFY(page.first().toObject().value(u"timestamp").toString().endsWith(u'Z'));
    const Reply offset
        = m_http->get(u"/api/v1/chats/%1/history?limit=5&offset=20"_s.arg(chatId), bob.token);
    QCOMPARE(
        offset.object().value(u"messages").toArray().first().toObject().value(u"text").toString(),
        u"m5"_s);

    // Walk the whole chat backwards with before_seq, then forwards with after_seq.
    QStringList backwards;
    qint64 cursor = std::numeric_limits<qint64>::max();
    for (bool more = true; more;) {
        const Reply reply = m_http->get(
            u"/api/v1/chats/%1/history?limit=7&before_seq=%2"_s.arg(chatId).arg(cursor), bob.token);
        COMPARE_STATUS(reply, 200);
        for (const QJsonValue &message : reply.object().value(u"messages").toArray()) {
            backwards.append(message.toObject().value(u"text").toString());
            cursor = message.toObject().value(u"seq").toInteger();
        }
        more = reply.object().value(u"has_more").toBool();
    }
    QCOMPARE(backwards.size(), count);
    QCOMPARE(backwards.first(), u"m25"_s);
    QCOMPARE(backwards.last(), u"m1"_s);
    QStringList forwards;
    cursor = 0;
    for (bool more = true; more;) {
        const Reply reply = m_http->get(
            u"/api/v1/chats/%1/history?limit=7&after_seq=%2"_s.arg(chatId).arg(cursor), bob.token);
        const QJsonArray messages = reply.object().value(u"messages").toArray();
        for (const QJsonValue &message : messages)
            forwards.append(message.toObject().value(u"text").toString());
        if (!messages.isEmpty())
            cursor = messages.last().toObject().value(u"seq").toInteger();
        more = reply.object().value(u"has_more").toBool();
    }
    std::reverse(forwards.begin(), forwards.end());
    QCOMPARE(forwards, backwards);
    COMPARE_STATUS(
        m_http->get(u"/api/v1/chats/%1/history?limit=201"_s.arg(chatId), bob.token), 422);
    COMPARE_STATUS(m_http->get(u"/api/v1/chats/%1/history?limit=0"_s.arg(chatId), bob.token), 422);
}

void TestApi::readCursorAndUnread()
{
    const auto alice = m_http->newUser(u"Alice"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto carol = m_http->newUser(u"Carol"_s);
    const QString chatId
        = m_http
              ->post(u"/api/v1/chats/group"_s,
                  { { u"name"_s, u"G"_s }, { u"member_ids"_s, QJsonArray { bob.id, carol.id } } },
                  alice.token)
              .object()
              .value(u"id")
              .toString();
    QStringList ids;
    for (int i = 0; i < 3; ++i)
        ids.append(
            m_http
                ->post(u"/api/v1/chats/messages"_s,
                    { { u"chat_id"_s, chatId }, { u"text"_s, u"x%1"_s.arg(i) } }, alice.token)
                .object()
                .value(u"id")
                .toString());
    const auto summary = [&](const HttpClient::Account &who) {
        for (const QJsonValue &chat :
            m_http->get(u"/api/v1/chats/with-last-message"_s, who.token).json.array()) {
            if (chat.toObject().value(u"id").toString() == chatId)
                return chat.toObject();
        }
        return QJsonObject();
    };
    QCOMPARE(summary(bob).value(u"unread_count").toInt(), 3);
    QCOMPARE(summary(alice).value(u"unread_count").toInt(), 0);
    QCOMPARE(summary(bob).value(u"last_message").toObject().value(u"text").toString(), u"x2"_s);
    QCOMPARE(summary(bob).value(u"last_message").toObject().value(u"sender_name").toString(),
        u"Alice"_s);

    const Reply read = m_http->post(u"/api/v1/chats/messages/%1/read"_s.arg(ids[1]), {}, bob.token);
    COMPARE_STATUS(read, 200);
    QCOMPARE(read.object().value(u"is_read").toBool(), true);
    QCOMPARE(summary(bob).value(u"unread_count").toInt(), 1);
    // One of two readers is not enough for is_read.
    auto history = m_http->get(u"/api/v1/chats/%1/history"_s.arg(chatId), alice.token)
                       .object()
                       .value(u"messages")
                       .toArray();
    QCOMPARE(history.at(1).toObject().value(u"is_read").toBool(), false);
    const Reply carolRead = m_http->post(
        u"/api/v1/chats/%1/read"_s.arg(chatId), { { u"message_id"_s, ids[2] } }, carol.token);
    COMPARE_STATUS(carolRead, 200);
    QCOMPARE(carolRead.object().value(u"unread_count").toInt(), 0);
    history = m_http->get(u"/api/v1/chats/%1/history"_s.arg(chatId), alice.token)
                  .object()
                  .value(u"messages")
                  .toArray();
    QCOMPARE(history.at(0).toObject().value(u"is_read").toBool(), false); // bob has not read x2
    QCOMPARE(history.at(1).toObject().value(u"is_read").toBool(), true);
    // The cursor never moves back.
    const Reply back = m_http->post(
        u"/api/v1/chats/%1/read"_s.arg(chatId), { { u"message_id"_s, ids[0] } }, carol.token);
    QCOMPARE(back.object().value(u"last_read_seq"), carolRead.object().value(u"last_read_seq"));
}

void TestApi::idempotentSendAndUnicode()
{
    const auto alice = m_http->newUser(u"Alice"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http
                               ->post(u"/api/v1/chats/personal"_s,
                                   { { u"member_ids"_s, QJsonArray { bob.id } } }, alice.token)
                               .object()
                               .value(u"id")
                               .toString();
    const QString text = u"Привет 👋 𝄞 مرحبا"_s;
    const QJsonObject body { { u"chat_id"_s, chatId },
        { u"text"_s, QString(u"  "_s + text + u"\n"_s) },
        { u"client_id"_s, u"6f1c1a52-5f7e-4d36-9c39-3f8d6c1f2a10"_s } };
    const Reply first = m_http->post(u"/api/v1/chats/messages"_s, body, alice.token);
    const Reply second = m_http->post(u"/api/v1/chats/messages"_s, body, alice.token);
    COMPARE_STATUS(first, 200);
    COMPARE_STATUS(second, 200);
    QCOMPARE(second.object().value(u"id"), first.object().value(u"id"));
    QCOMPARE(first.object().value(u"text").toString(), text);
    const Reply history = m_http->get(u"/api/v1/chats/%1/history"_s.arg(chatId), bob.token);
    QCOMPARE(history.object().value(u"total").toInt(), 1);
    QCOMPARE(
        history.object().value(u"messages").toArray().first().toObject().value(u"text").toString(),
        text);
    COMPARE_STATUS(
        m_http->post(u"/api/v1/chats/messages"_s,
            { { u"chat_id"_s, chatId }, { u"text"_s, QString(4096, u'x') } }, alice.token),
        200);
    COMPARE_STATUS(
        m_http->post(u"/api/v1/chats/messages"_s,
            { { u"chat_id"_s, chatId }, { u"text"_s, QString(4097, u'x') } }, alice.token),
        422);
    COMPARE_STATUS(m_http->post(u"/api/v1/chats/messages"_s,
                       { { u"chat_id"_s, chatId }, { u"text"_s, u"   "_s } }, alice.token),
        422);
}

// Sends that arrive together are committed together (group commit); each
// must still be answered as if alone: its own status, its own message, reply and mentions, an
// unbroken chat_seq per chat, a retried client_id stored once.
void TestApi::concurrentSends()
{
    const auto alice = m_http->newUser(u"Alice"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto carol = m_http->newUser(u"Carol"_s);
    const QString personal = m_http->personalChat(alice.token, bob.id);
    const Reply group = m_http->post(u"/api/v1/chats/group"_s,
        { { u"name"_s, u"Team"_s }, { u"member_ids"_s, QJsonArray { bob.id, carol.id } } },
        alice.token);
    COMPARE_STATUS(group, 200);
    const QString groupId = group.object().value(u"id").toString();
    const QString retriedClientId = u"0b6f3c7e-0a51-4c1e-9a57-6f0d2f3b9d11"_s;

    struct Send
    {
        QString token;
        QJsonObject body;
        int expectedStatus;
    };
    QList<Send> sends;
    for (int i = 0; i < 40; ++i) {
        const QString &token = i % 3 == 0 ? alice.token : i % 3 == 1 ? bob.token : carol.token;
        const QString chat = i % 3 == 2 || i % 2 ? groupId : personal;
        sends.append({ token, { { u"chat_id"_s, chat }, { u"text"_s, u"m%1"_s.arg(i) } }, 200 });
    }
    for (int i = 0; i < 5; ++i)
        sends.insert(i * 8,
            { alice.token,
                { { u"chat_id"_s, groupId }, { u"text"_s, u"retried"_s },
                    { u"client_id"_s, retriedClientId } },
                200 });
    sends.insert(10, { carol.token, { { u"chat_id"_s, personal }, { u"text"_s, u"no"_s } }, 403 });
    sends.insert(20,
        { bob.token,
            { { u"chat_id"_s, u"7d1e5d3a-1111-4222-8333-944455556666"_s }, { u"text"_s, u"no"_s } },
            404 });
    // Replies and mentions among the others: the message replied to, one of
    // another chat, a deleted one; members mentioned, and the sender, a
    // stranger and a member twice, who are not.
    const QString original = m_http->sendText(alice.token, groupId, u"original"_s);
    const QString elsewhere = m_http->sendText(alice.token, personal, u"elsewhere"_s);
    const QString deleted = m_http->sendText(alice.token, groupId, u"deleted"_s);
    COMPARE_STATUS(
        m_http->request("DELETE", u"/api/v1/messages/"_s + deleted, {}, alice.token), 200);
    const QString stranger = m_http->newUser(u"Stranger"_s).id;
    sends.insert(5,
        { bob.token,
            { { u"chat_id"_s, groupId }, { u"text"_s, u"a reply"_s },
                { u"reply_to_id"_s, original } },
            200 });
    sends.insert(15,
        { carol.token,
            { { u"chat_id"_s, groupId }, { u"text"_s, u"no"_s }, { u"reply_to_id"_s, elsewhere } },
            404 });
    sends.insert(25,
        { bob.token,
            { { u"chat_id"_s, groupId }, { u"text"_s, u"no"_s }, { u"reply_to_id"_s, deleted } },
            409 });
    sends.insert(30,
        { alice.token,
            { { u"chat_id"_s, groupId }, { u"text"_s, u"@all"_s },
                { u"mentions"_s, QJsonArray { carol.id, stranger, alice.id, bob.id, carol.id } } },
            200 });

    // Several managers, so more than six requests are in flight at once.
    std::array<QNetworkAccessManager, 4> networks;
    QList<QNetworkReply *> replies;
    for (qsizetype i = 0; i < sends.size(); ++i) {
        QNetworkRequest request(m_server.url(u"/api/v1/chats/messages"_s));
        request.setRawHeader("Content-Type", "application/json");
        request.setRawHeader("Authorization", "Bearer " + sends[i].token.toLatin1());
        replies.append(networks[size_t(i) % networks.size()].post(
            request, QJsonDocument(sends[i].body).toJson(QJsonDocument::Compact)));
    }
    QSet<QString> acknowledged;
    QString retriedId;
    for (qsizetype i = 0; i < replies.size(); ++i) {
        QNetworkReply *reply = replies[i];
        if (!reply->isFinished())
            QVERIFY(QSignalSpy(reply, &QNetworkReply::finished).wait(30000));
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QJsonObject answer = QJsonDocument::fromJson(reply->readAll()).object();
        QVERIFY2(status == sends[i].expectedStatus,
            qPrintable(u"send %1: %2 %3"_s.arg(i).arg(status).arg(
                QString::fromUtf8(QJsonDocument(answer).toJson(QJsonDocument::Compact)))));
        if (status != 200) {
            QVERIFY(!answer.value(u"detail").toString().isEmpty());
            continue;
        }
        QCOMPARE(answer.value(u"text").toString(), sends[i].body.value(u"text").toString());
        QCOMPARE(answer.value(u"chat_id").toString(), sends[i].body.value(u"chat_id").toString());
        QCOMPARE(answer.value(u"reply_to").toObject().value(u"id").toString(),
            sends[i].body.value(u"reply_to_id").toString());
        const QJsonArray mentioned
            = sends[i].body.contains(u"mentions") ? QJsonArray { carol.id, bob.id } : QJsonArray();
        QCOMPARE(answer.value(u"mentions").toArray(), mentioned);
        const QString id = answer.value(u"id").toString();
        if (sends[i].body.contains(u"client_id")) {
            if (retriedId.isEmpty())
                retriedId = id;
            QCOMPARE(id, retriedId);
        }
        acknowledged.insert(id);
        reply->deleteLater();
    }
    // 40 distinct messages, the reply, the mention and the retried one, stored once.
    QCOMPARE(acknowledged.size(), 43);
    acknowledged += { original, elsewhere, deleted };

    QSet<QString> stored;
    for (const QString &chat : { personal, groupId }) {
        const Reply history
            = m_http->get(u"/api/v1/chats/%1/history?limit=100"_s.arg(chat), alice.token);
        COMPARE_STATUS(history, 200);
        const QJsonArray messages = history.object().value(u"messages").toArray();
        QCOMPARE(history.object().value(u"total").toInt(), messages.size());
        qint64 previousSeq = std::numeric_limits<qint64>::max();
        for (qsizetype i = 0; i < messages.size(); ++i) {
            const QJsonObject message = messages[i].toObject();
            // Newest first: chat_seq counts down to 1 without a gap, in seq order.
            QCOMPARE(message.value(u"chat_seq").toInteger(), messages.size() - i);
            QVERIFY(message.value(u"seq").toInteger() < previousSeq);
            previousSeq = message.value(u"seq").toInteger();
            stored.insert(message.value(u"id").toString());
        }
    }
    QCOMPARE(stored, acknowledged);
}

void TestApi::editDeleteAndGroupManagement()
{
    const auto alice = m_http->newUser(u"Alice"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto carol = m_http->newUser(u"Carol"_s);
    const QString chatId
        = m_http
              ->post(u"/api/v1/chats/group"_s,
                  { { u"name"_s, u"G"_s }, { u"member_ids"_s, QJsonArray { bob.id } } },
                  alice.token)
              .object()
              .value(u"id")
              .toString();
    const QString messageId
        = m_http
              ->post(u"/api/v1/chats/messages"_s,
                  { { u"chat_id"_s, chatId }, { u"text"_s, u"typo"_s } }, alice.token)
              .object()
              .value(u"id")
              .toString();
    COMPARE_STATUS(m_http->request("PATCH", u"/api/v1/messages/"_s + messageId,
                       R"({"text":"fixed"})"_ba, bob.token),
        403);
    const Reply edited = m_http->request(
        "PATCH", u"/api/v1/messages/"_s + messageId, R"({"text":"fixed"})"_ba, alice.token);
    COMPARE_STATUS(edited, 200);
    QVERIFY(edited.object().value(u"edited_at").isString());
    const Reply deleted
        = m_http->request("DELETE", u"/api/v1/messages/"_s + messageId, {}, alice.token);
    COMPARE_STATUS(deleted, 200);
    QCOMPARE(deleted.object().value(u"deleted").toBool(), true);
    QCOMPARE(deleted.object().value(u"text").toString(), QString());
    COMPARE_STATUS(m_http->request("PATCH", u"/api/v1/messages/"_s + messageId,
                       R"({"text":"again"})"_ba, alice.token),
        409);
    QCOMPARE(m_http->get(u"/api/v1/chats/%1/history"_s.arg(chatId), bob.token)
                 .object()
                 .value(u"total")
                 .toInt(),
        1);

    COMPARE_STATUS(m_http->post(u"/api/v1/chats/%1/members"_s.arg(chatId),
                       { { u"user_ids"_s, QJsonArray { carol.id } } }, bob.token),
        403);
    const Reply added = m_http->post(u"/api/v1/chats/%1/members"_s.arg(chatId),
        { { u"user_ids"_s, QJsonArray { carol.id } } }, alice.token);
    COMPARE_STATUS(added, 200);
    QCOMPARE(added.object().value(u"members").toArray().size(), 3);
    COMPARE_STATUS(
        m_http->request("PATCH", u"/api/v1/chats/"_s + chatId, R"({"name":"Nope"})"_ba, bob.token),
        403);
    const Reply renamed = m_http->request(
        "PATCH", u"/api/v1/chats/"_s + chatId, R"({"name":"Renamed"})"_ba, alice.token);
    QCOMPARE(renamed.object().value(u"name").toString(), u"Renamed"_s);
    COMPARE_STATUS(m_http->request("DELETE", u"/api/v1/chats/%1/members/%2"_s.arg(chatId, carol.id),
                       {}, bob.token),
        403);
    COMPARE_STATUS(m_http->request("DELETE", u"/api/v1/chats/%1/members/%2"_s.arg(chatId, carol.id),
                       {}, alice.token),
        204);
    COMPARE_STATUS(m_http->get(u"/api/v1/chats/"_s + chatId, carol.token), 403);
    COMPARE_STATUS(m_http->request("DELETE", u"/api/v1/chats/%1/members/%2"_s.arg(chatId, bob.id),
                       {}, bob.token),
        204);
    COMPARE_STATUS(m_http->get(u"/api/v1/chats/"_s + chatId, bob.token), 403);
    const QString personal = m_http
                                 ->post(u"/api/v1/chats/personal"_s,
                                     { { u"member_ids"_s, QJsonArray { bob.id } } }, alice.token)
                                 .object()
                                 .value(u"id")
                                 .toString();
    COMPARE_STATUS(m_http->post(u"/api/v1/chats/%1/members"_s.arg(personal),
                       { { u"user_ids"_s, QJsonArray { carol.id } } }, alice.token),
        400);
}

void TestApi::refreshRotationAndLogout()
{
    const auto alice = m_http->newUser(u"Alice"_s);
    const Reply first
        = m_http->post(u"/api/v1/auth/refresh"_s, { { u"refresh_token"_s, alice.refreshToken } });
    COMPARE_STATUS(first, 200);
    const QString successor = first.object().value(u"refresh_token").toString();
    QVERIFY(successor != alice.refreshToken);
    const Reply retry
        = m_http->post(u"/api/v1/auth/refresh"_s, { { u"refresh_token"_s, alice.refreshToken } });
    COMPARE_STATUS(retry, 200);
    QCOMPARE(retry.object().value(u"refresh_token").toString(), successor);
    COMPARE_STATUS(
        m_http->get(u"/api/v1/users/me"_s, first.object().value(u"access_token").toString()), 200);
    COMPARE_STATUS(
        m_http->post(u"/api/v1/auth/refresh"_s, { { u"refresh_token"_s, u"garbage"_s } }), 401);
    COMPARE_STATUS(
        m_http->post(u"/api/v1/auth/logout"_s, { { u"refresh_token"_s, successor } }, alice.token),
        204);
    COMPARE_STATUS(
        m_http->post(u"/api/v1/auth/refresh"_s, { { u"refresh_token"_s, successor } }), 401);
}

void TestApi::badInput()
{
    const auto alice = m_http->newUser(u"Alice"_s);
    const Reply malformed
        = m_http->request("POST", u"/api/v1/chats/messages"_s, "{\"chat_id\":", alice.token);
    COMPARE_STATUS(malformed, 400);
    QVERIFY(malformed.object().contains(u"detail"));
    COMPARE_STATUS(
        m_http->request("POST", u"/api/v1/chats/messages"_s, "hello", alice.token, "text/plain"),
        415);
    COMPARE_STATUS(m_http->request("POST", u"/api/v1/chats/messages"_s,
                       QByteArray(1024 * 1024 + 10, ' '), alice.token),
        413);
    COMPARE_STATUS(m_http->request("POST", u"/api/v1/chats/messages"_s, "[1,2]", alice.token), 422);
    const Reply unknown = m_http->get(u"/api/v1/nothing-here"_s, alice.token);
    COMPARE_STATUS(unknown, 404);
    QVERIFY(unknown.object().contains(u"detail"));
    const Reply health = m_http->get(u"/health"_s);
    QCOMPARE(health.object().value(u"status").toString(), u"ok"_s);
}

void TestApi::openApiServed()
{
    const Reply document = m_http->get(u"/openapi.json"_s);
    COMPARE_STATUS(document, 200);
    QVERIFY(document.header("Content-Type").startsWith("application/json"));
    QVERIFY(document.object().value(u"paths").toObject().contains(u"/api/v1/chats/messages"));
}

void TestApi::historyAfterSeqIsOldestFirst()
{
    // The documentation says after_seq pages are oldest first, so that the
    // next page continues after the last message of this one.
    const auto alice = m_http->newUser(u"Alice"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(alice.token, bob.id);
    QList<qint64> sent;
    for (int i = 1; i <= 5; ++i) {
        const Reply reply = m_http->post(u"/api/v1/chats/messages"_s,
            { { u"chat_id"_s, chatId }, { u"text"_s, u"m%1"_s.arg(i) } }, alice.token);
        COMPARE_STATUS(reply, 200);
        sent.append(reply.object().value(u"seq").toInteger());
    }
    const Reply page = m_http->get(
        u"/api/v1/chats/%1/history?after_seq=%2&limit=3"_s.arg(chatId).arg(sent.first()),
        bob.token);
    COMPARE_STATUS(page, 200);
    QList<qint64> seqs;
    for (const QJsonValue &message : page.object().value(u"messages").toArray())
        seqs.append(message.toObject().value(u"seq").toInteger());
    QCOMPARE(seqs, sent.mid(1, 3));
    QVERIFY(page.object().value(u"has_more").toBool());
    const Reply next = m_http->get(
        u"/api/v1/chats/%1/history?after_seq=%2&limit=3"_s.arg(chatId).arg(seqs.last()), bob.token);
    const QJsonArray rest = next.object().value(u"messages").toArray();
    QCOMPARE(rest.size(), 1);
    QCOMPARE(rest.first().toObject().value(u"seq").toInteger(), sent.last());
    QVERIFY(!next.object().value(u"has_more").toBool());
}

void TestApi::historyRefusesContradictoryPaging_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QStringList>("fields");
    QTest::addRow("before_seq with after_seq")
        << u"before_seq=10&after_seq=2"_s << QStringList { u"before_seq"_s, u"after_seq"_s };
    QTest::addRow("offset with before_seq")
        << u"offset=0&before_seq=10"_s << QStringList { u"offset"_s, u"before_seq"_s };
    QTest::addRow("offset with after_seq")
        << u"offset=5&after_seq=2"_s << QStringList { u"offset"_s, u"after_seq"_s };
    QTest::addRow("all three") << u"offset=1&before_seq=10&after_seq=2"_s
                               << QStringList { u"offset"_s, u"before_seq"_s, u"after_seq"_s };
}

void TestApi::historyRefusesContradictoryPaging()
{
    QFETCH(QString, query);
    QFETCH(QStringList, fields);
    const auto alice = m_http->newUser(u"Alice"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(alice.token, bob.id);
    const Reply reply
        = m_http->get(u"/api/v1/chats/%1/history?%2"_s.arg(chatId, query), alice.token);
    COMPARE_STATUS(reply, 422);
    QCOMPARE(reply.object().value(u"code").toString(), u"validation_error"_s);
    QStringList named;
    for (const QJsonValue &error : reply.object().value(u"detail").toArray()) {
        const QJsonArray loc = error.toObject().value(u"loc").toArray();
        QCOMPARE(loc.first().toString(), u"query"_s);
        named.append(loc.last().toString());
    }
    QCOMPARE(named, fields);
}

void TestApi::validationErrorsCarryCode()
{
    // FastAPI's detail list, and beside it the code every other error carries.
    const Reply body = m_http->post(u"/api/v1/auth/register"_s, { { u"email"_s, u"x"_s } });
    COMPARE_STATUS(body, 422);
    QVERIFY(body.object().value(u"detail").isArray());
    QCOMPARE(body.object().value(u"code").toString(), u"validation_error"_s);
    const auto alice = m_http->newUser(u"Alice"_s);
    const Reply query = m_http->get(u"/api/v1/updates?since_seq=-1"_s, alice.token);
    COMPARE_STATUS(query, 422);
    QCOMPARE(query.object().value(u"code").toString(), u"validation_error"_s);
}

void TestApi::updatesSinceBeyondNewest()
{
    // A since_seq past everything the server has (a client of a restored or
    // reset database): no events, and last_seq tells where the server is.
    const auto alice = m_http->newUser(u"Alice"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(alice.token, bob.id);
    const Reply sent = m_http->post(u"/api/v1/chats/messages"_s,
        { { u"chat_id"_s, chatId }, { u"text"_s, u"hi"_s } }, bob.token);
    COMPARE_STATUS(sent, 200);
    const qint64 seq = sent.object().value(u"seq").toInteger();
    // The send is in /updates once its answer arrived (see the documentation).
    QTRY_VERIFY(m_http->get(u"/api/v1/updates?since_seq=%1"_s.arg(seq - 1), alice.token)
                    .object()
                    .value(u"events")
                    .toArray()
                    .size()
        == 1);
    const qint64 beyond = seq + 1000000;
    const Reply page = m_http->get(u"/api/v1/updates?since_seq=%1"_s.arg(beyond), alice.token);
    COMPARE_STATUS(page, 200);
    QVERIFY(page.object().value(u"events").toArray().isEmpty());
    QVERIFY(!page.object().value(u"has_more").toBool());
    const qint64 lastSeq = page.object().value(u"last_seq").toInteger();
    QVERIFY2(lastSeq >= seq && lastSeq < beyond, qPrintable(QString::number(lastSeq)));
}

void TestApi::markReadAnswersForTheCaller()
{
    // is_read in the answer of POST /chats/messages/{id}/read is the caller's
    // read state (always true: the cursor now covers the message), not the
    // message's is_read (read by every other member).
    const auto alice = m_http->newUser(u"Alice"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto carol = m_http->newUser(u"Carol"_s);
    const QString chatId
        = m_http
              ->post(u"/api/v1/chats/group"_s,
                  { { u"name"_s, u"G"_s }, { u"member_ids"_s, QJsonArray { bob.id, carol.id } } },
                  alice.token)
              .object()
              .value(u"id")
              .toString();
    const QString messageId
        = m_http
              ->post(u"/api/v1/chats/messages"_s,
                  { { u"chat_id"_s, chatId }, { u"text"_s, u"hello"_s } }, alice.token)
              .object()
              .value(u"id")
              .toString();
    const Reply read = m_http->request(
        "POST", u"/api/v1/chats/messages/%1/read"_s.arg(messageId), {}, bob.token);
    COMPARE_STATUS(read, 200);
    QCOMPARE(read.object().value(u"message_id").toString(), messageId);
    QCOMPARE(read.object().value(u"is_read").toBool(), true);
    const auto messageIsRead = [&] {
        return m_http->get(u"/api/v1/chats/%1/history?limit=1"_s.arg(chatId), alice.token)
            .object()
            .value(u"messages")
            .toArray()
            .first()
            .toObject()
            .value(u"is_read")
            .toBool();
    };
    QVERIFY(!messageIsRead()); // Carol has not read it
    COMPARE_STATUS(m_http->request(
                       "POST", u"/api/v1/chats/messages/%1/read"_s.arg(messageId), {}, carol.token),
        200);
    QVERIFY(messageIsRead());
}

QTEST_GUILESS_MAIN(TestApi)
#include "tst_api.moc"
