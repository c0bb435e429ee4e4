#include "TestServer.h"
#include "WsClient.h"
#include "shared/Admin.h"
#include "shared/AuthDtos.h"

#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

// `messenger-server admin` run as its own process on the database of a
// running server: what it changes takes effect there at once (sockets
// closed, tokens refused), and REGISTRATION closes or restricts sign-up.
class TestAdmin : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void disableEndsSocketsAndTokensUntilEnabled();
    void deletedAccountKeepsItsMessagesAndIsGone();
    void sessionsListAndRevoke();
    void closedRegistrationAndCreatedAccounts();
    void inviteCodesAreUsedOnceUnderARace();
    void statsAndUsage();
};

namespace {

HttpClient::Account signIn(HttpClient &http, HttpClient::Account account)
{
    const Reply reply = http.post(u"/api/v1/auth/token"_s,
        { { u"email"_s, account.email }, { u"password"_s, account.password } });
    account.token = reply.object().value(u"access_token").toString();
    account.refreshToken = reply.object().value(u"refresh_token").toString();
    return account;
}

Reply loginReply(HttpClient &http, const QString &email, const QString &password)
{
    return http.post(
        u"/api/v1/auth/token"_s, { { u"email"_s, email }, { u"password"_s, password } });
}

QJsonArray jsonArrayOf(const QByteArray &out)
{
    return QJsonDocument::fromJson(out).array();
}

#define VERIFY_ADMIN(run, expectedCode)                                                            \
    QVERIFY2((run).exitCode == (expectedCode),                                                     \
        qPrintable(u"exit %1, stdout %2, stderr %3"_s.arg((run).exitCode)                          \
                       .arg(QString::fromUtf8((run).out), QString::fromUtf8((run).err))))

} // namespace

void TestAdmin::disableEndsSocketsAndTokensUntilEnabled()
{
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    HttpClient http(server);
    const auto alice = http.newUser(u"Alice"_s);
    const auto bob = http.newUser(u"Bob"_s);
    // On PostgreSQL a second instance on the same database hears of it too.
    TestServer second;
    if (server.isPostgres())
        QVERIFY2(second.startSharing(server), qPrintable(second.error()));
    const TestServer &other = server.isPostgres() ? second : server;
    WsClient socket(server.webSocketUrl(u"/ws/user"_s, alice.token));
    WsClient otherSocket(other.webSocketUrl(u"/ws/user"_s, alice.token));
    WsClient bobSocket(server.webSocketUrl(u"/ws/user"_s, bob.token));
    QVERIFY(socket.greeted());
    QVERIFY(otherSocket.greeted());
    QVERIFY(bobSocket.greeted());
    COMPARE_STATUS(http.get(u"/api/v1/users/me"_s, alice.token), 200);

    const auto disabled = server.admin({ u"user"_s, u"disable"_s, alice.email });
    VERIFY_ADMIN(disabled, 0);
    QVERIFY(disabled.out.contains("sessions ended: 1"));
    // The running servers learn it from the database: the sockets are closed
    // as a revoked session's, the token refused.
    QTRY_COMPARE_WITH_TIMEOUT(socket.closeCode, 4003, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(otherSocket.closeCode, 4003, 5000);
    const Reply refused = http.get(u"/api/v1/users/me"_s, alice.token);
    COMPARE_STATUS(refused, 401);
    QCOMPARE(refused.object().value(u"code").toString(), u"session_revoked"_s);
    COMPARE_STATUS(
        http.post(u"/api/v1/auth/refresh"_s, { { u"refresh_token"_s, alice.refreshToken } }), 401);
    const Reply login = loginReply(http, alice.email, alice.password);
    COMPARE_STATUS(login, 403);
    QCOMPARE(login.object().value(u"code").toString(), u"account_disabled"_s);
    QVERIFY(!login.object().value(u"detail").toString().isEmpty());
    // A wrong password says nothing about the account.
    COMPARE_STATUS(loginReply(http, alice.email, u"wrong-password"_s), 401);
    // Bob was not touched.
    QVERIFY(bobSocket.answersPing());
    COMPARE_STATUS(http.get(u"/api/v1/users/me"_s, bob.token), 200);

    const auto listed = server.admin({ u"user"_s, u"list"_s, u"--json"_s });
    VERIFY_ADMIN(listed, 0);
    int seen = 0;
    for (const QJsonValue &value : jsonArrayOf(listed.out)) {
        const auto account = Messenger::AccountSummary::fromJson(value.toObject());
        QVERIFY(account);
        if (account.value().user.email == alice.email) {
            QVERIFY(account.value().disabled);
            QCOMPARE(account.value().sessions, 0);
            ++seen;
        } else if (account.value().user.email == bob.email) {
            QVERIFY(!account.value().disabled);
            ++seen;
        }
    }
    QCOMPARE(seen, 2);

    VERIFY_ADMIN(server.admin({ u"user"_s, u"enable"_s, alice.email }), 0);
    const auto again = signIn(http, alice);
    COMPARE_STATUS(http.get(u"/api/v1/users/me"_s, again.token), 200);
    WsClient back(server.webSocketUrl(u"/ws/user"_s, again.token));
    QVERIFY(back.greeted());
}

void TestAdmin::deletedAccountKeepsItsMessagesAndIsGone()
{
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    HttpClient http(server);
    const auto alice = http.newUser(u"Alice Zimmermann"_s);
    const auto bob = http.newUser(u"Bob"_s);
    const QString chatId = http.personalChat(bob.token, alice.id);
    const QString messageId = http.sendText(alice.token, chatId, u"hello from Alice"_s);
    WsClient aliceSocket(server.webSocketUrl(u"/ws/user"_s, alice.token));
    WsClient bobSocket(server.webSocketUrl(u"/ws/user"_s, bob.token));
    QVERIFY(aliceSocket.greeted());
    QVERIFY(bobSocket.greeted());
    const Reply found = http.get(u"/api/v1/users?query=zimmermann"_s, bob.token);
    COMPARE_STATUS(found, 200);
    QCOMPARE(found.json.array().size(), 1);

    VERIFY_ADMIN(server.admin({ u"user"_s, u"delete"_s, alice.email }), 0);
    QTRY_COMPARE_WITH_TIMEOUT(aliceSocket.closeCode, 4003, 5000);
    // Bob is told the profile changed.
    QTRY_VERIFY_WITH_TIMEOUT(!bobSocket.lastData(u"user_updated"_s).isEmpty(), 5000);
    const QJsonObject updated = bobSocket.lastData(u"user_updated"_s);
    QCOMPARE(updated.value(u"id").toString(), alice.id);
    QCOMPARE(updated.value(u"name").toString(), u"Deleted account"_s);
    QCOMPARE(updated.value(u"email").toString(), QString());

    const Reply history = http.get(u"/api/v1/chats/%1/history"_s.arg(chatId), bob.token);
    COMPARE_STATUS(history, 200);
    const QJsonArray messages = history.json.isArray()
        ? history.json.array()
        : history.object().value(u"messages").toArray();
    QJsonObject message;
    for (const QJsonValue &value : messages) {
        if (value.toObject().value(u"id").toString() == messageId)
            message = value.toObject();
    }
    QVERIFY2(!message.isEmpty(), history.body.constData());
    QCOMPARE(message.value(u"text").toString(), u"hello from Alice"_s);
    QCOMPARE(message.value(u"sender_id").toString(), alice.id);
    QCOMPARE(message.value(u"sender").toObject().value(u"name").toString(), u"Deleted account"_s);
    QCOMPARE(message.value(u"sender").toObject().value(u"email").toString(), QString());

    for (const QString &query : { u"zimmermann"_s, u"deleted"_s, alice.email }) {
        const Reply search = http.get(
            u"/api/v1/users?query=%1"_s.arg(QString::fromLatin1(QUrl::toPercentEncoding(query))),
            bob.token);
        COMPARE_STATUS(search, 200);
        QCOMPARE(search.json.array().size(), 0);
    }
    COMPARE_STATUS(loginReply(http, alice.email, alice.password), 401);
    COMPARE_STATUS(http.get(u"/api/v1/users/me"_s, alice.token), 401);
    // Gone for the admin commands too; the address is free again.
    VERIFY_ADMIN(server.admin({ u"user"_s, u"delete"_s, alice.email }), 1);
    VERIFY_ADMIN(server.admin({ u"user"_s, u"enable"_s, alice.email }), 1);
    COMPARE_STATUS(http.post(u"/api/v1/auth/register"_s,
                       { { u"email"_s, alice.email }, { u"name"_s, u"New Alice"_s },
                           { u"password"_s, u"another-password"_s } }),
        200);
}

void TestAdmin::sessionsListAndRevoke()
{
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    HttpClient http(server);
    const auto phone = http.newUser(u"Alice"_s);
    const auto laptop = signIn(http, phone);
    WsClient phoneSocket(server.webSocketUrl(u"/ws/user"_s, phone.token));
    WsClient laptopSocket(server.webSocketUrl(u"/ws/user"_s, laptop.token));
    QVERIFY(phoneSocket.greeted());
    QVERIFY(laptopSocket.greeted());

    const auto listed = server.admin({ u"sessions"_s, u"list"_s, phone.email, u"--json"_s });
    VERIFY_ADMIN(listed, 0);
    const QJsonArray sessions = jsonArrayOf(listed.out);
    QCOMPARE(sessions.size(), 2);
    // Which session is the phone's: the one the API calls current for its token.
    const Reply mine = http.get(u"/api/v1/sessions"_s, phone.token);
    QString phoneSession;
    for (const QJsonValue &value : mine.json.array()) {
        if (value.toObject().value(u"current").toBool())
            phoneSession = value.toObject().value(u"id").toString();
    }
    QVERIFY(!phoneSession.isEmpty());
    for (const QJsonValue &value : sessions) {
        const auto session = Messenger::SessionInfo::fromJson(value.toObject());
        QVERIFY(session);
    }

    VERIFY_ADMIN(server.admin({ u"sessions"_s, u"revoke"_s, phone.email, phoneSession }), 0);
    QTRY_COMPARE_WITH_TIMEOUT(phoneSocket.closeCode, 4003, 5000);
    COMPARE_STATUS(http.get(u"/api/v1/users/me"_s, phone.token), 401);
    QVERIFY(laptopSocket.answersPing());
    COMPARE_STATUS(http.get(u"/api/v1/users/me"_s, laptop.token), 200);
    // Ended already: not found.
    VERIFY_ADMIN(server.admin({ u"sessions"_s, u"revoke"_s, phone.email, phoneSession }), 1);
    // One of the two, not both, not neither.
    VERIFY_ADMIN(
        server.admin({ u"sessions"_s, u"revoke"_s, phone.email, phoneSession, u"--all"_s }), 2);
    VERIFY_ADMIN(server.admin({ u"sessions"_s, u"revoke"_s, phone.email }), 2);

    const auto all = server.admin({ u"sessions"_s, u"revoke"_s, phone.email, u"--all"_s });
    VERIFY_ADMIN(all, 0);
    QVERIFY(all.out.contains("sessions ended: 1"));
    QTRY_COMPARE_WITH_TIMEOUT(laptopSocket.closeCode, 4003, 5000);
    COMPARE_STATUS(http.get(u"/api/v1/users/me"_s, laptop.token), 401);
    const auto none = server.admin({ u"sessions"_s, u"list"_s, phone.email, u"--json"_s });
    VERIFY_ADMIN(none, 0);
    QCOMPARE(jsonArrayOf(none.out).size(), 0);
    VERIFY_ADMIN(server.admin({ u"sessions"_s, u"list"_s, u"nobody@example.com"_s }), 1);
}

void TestAdmin::closedRegistrationAndCreatedAccounts()
{
    TestServer server;
    QVERIFY2(server.start({ u"--registration"_s, u"closed"_s }), qPrintable(server.error()));
    HttpClient http(server);
    const Reply refused = http.post(u"/api/v1/auth/register"_s,
        { { u"email"_s, u"carol@example.com"_s }, { u"name"_s, u"Carol"_s },
            { u"password"_s, u"carol-password"_s } });
    COMPARE_STATUS(refused, 403);
    QCOMPARE(refused.object().value(u"code").toString(), u"registration_closed"_s);
    QVERIFY(!refused.object().value(u"detail").toString().isEmpty());

    // A password piped in...
    const auto carol = server.admin(
        { u"user"_s, u"create"_s, u"Carol@Example.com"_s, u"Carol"_s }, "carol-password\n");
    VERIFY_ADMIN(carol, 0);
    QVERIFY(!carol.out.contains("password:"));
    COMPARE_STATUS(loginReply(http, u"carol@example.com"_s, u"carol-password"_s), 200);
    VERIFY_ADMIN(server.admin({ u"user"_s, u"create"_s, u"carol@example.com"_s, u"Carol"_s },
                     "carol-password\n"),
        1);
    // ...or none, and one is made up and printed.
    const auto dave = server.admin({ u"user"_s, u"create"_s, u"dave@example.com"_s, u"Dave"_s });
    VERIFY_ADMIN(dave, 0);
    const int at = dave.out.indexOf("password: ");
    QVERIFY(at >= 0);
    const QString generated
        = QString::fromUtf8(dave.out.mid(at + 10).split('\n').first()).trimmed();
    QVERIFY(generated.size() >= 16);
    COMPARE_STATUS(loginReply(http, u"dave@example.com"_s, generated), 200);

    // A reset ends the sessions; the new password works, the old does not.
    HttpClient::Account carolAccount;
    carolAccount.email = u"carol@example.com"_s;
    carolAccount.password = u"carol-password"_s;
    carolAccount = signIn(http, carolAccount);
    VERIFY_ADMIN(
        server.admin({ u"user"_s, u"password"_s, u"carol@example.com"_s }, "new-carol-password\n"),
        0);
    QTRY_COMPARE_WITH_TIMEOUT(
        http.get(u"/api/v1/users/me"_s, carolAccount.token).status, 401, 5000);
    COMPARE_STATUS(loginReply(http, u"carol@example.com"_s, u"carol-password"_s), 401);
    COMPARE_STATUS(loginReply(http, u"carol@example.com"_s, u"new-carol-password"_s), 200);

    // Bad input to the commands: usage errors.
    VERIFY_ADMIN(
        server.admin({ u"user"_s, u"create"_s, u"not-an-email"_s, u"Eve"_s }, "password-eve\n"), 2);
    VERIFY_ADMIN(server.admin({ u"user"_s, u"password"_s, u"carol@example.com"_s }, "short\n"), 2);
}

void TestAdmin::inviteCodesAreUsedOnceUnderARace()
{
    TestServer server;
    QVERIFY2(server.start({ u"--registration"_s, u"invite"_s }), qPrintable(server.error()));
    HttpClient http(server);
    const auto registration = [](const QString &email, const QString &code) {
        QJsonObject body { { u"email"_s, email }, { u"name"_s, u"Invited"_s },
            { u"password"_s, u"invited-password"_s } };
        if (!code.isEmpty())
            body.insert(u"invite_code"_s, code);
        return body;
    };
    const Reply missing
        = http.post(u"/api/v1/auth/register"_s, registration(u"x@example.com"_s, {}));
    COMPARE_STATUS(missing, 403);
    QCOMPARE(missing.object().value(u"code").toString(), u"invite_required"_s);
    const Reply unknown
        = http.post(u"/api/v1/auth/register"_s, registration(u"x@example.com"_s, u"nope"_s));
    COMPARE_STATUS(unknown, 403);
    QCOMPARE(unknown.object().value(u"code").toString(), u"invalid_invite"_s);

    const auto created = server.admin({ u"invite"_s, u"create"_s });
    VERIFY_ADMIN(created, 0);
    const QString code = QString::fromUtf8(created.out).trimmed();
    QVERIFY(!code.isEmpty());

    // Two registrations with the one-use code at the same moment.
    QNetworkAccessManager network;
    QList<QNetworkReply *> replies;
    for (const QString &email : { u"first@example.com"_s, u"second@example.com"_s }) {
        QNetworkRequest request(server.url(u"/api/v1/auth/register"_s));
        request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
        replies.append(network.post(
            request, QJsonDocument(registration(email, code)).toJson(QJsonDocument::Compact)));
    }
    QList<int> statuses;
    for (QNetworkReply *reply : replies) {
        if (!reply->isFinished())
            QSignalSpy(reply, &QNetworkReply::finished).wait(30000);
        statuses.append(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt());
        reply->deleteLater();
    }
    std::sort(statuses.begin(), statuses.end());
    QCOMPARE(statuses, (QList<int> { 200, 403 }));

    const auto listed = server.admin({ u"invite"_s, u"list"_s, u"--json"_s });
    VERIFY_ADMIN(listed, 0);
    const QJsonArray invites = jsonArrayOf(listed.out);
    QCOMPARE(invites.size(), 1);
    const auto invite = Messenger::InviteInfo::fromJson(invites.first().toObject());
    QVERIFY(invite);
    QCOMPARE(invite.value().code, code);
    QCOMPARE(invite.value().uses, 1);

    // Two uses, an expiry; revoked, it works no more.
    const auto twice
        = server.admin({ u"invite"_s, u"create"_s, u"--uses"_s, u"2"_s, u"--expires"_s, u"1h"_s });
    VERIFY_ADMIN(twice, 0);
    const QString second = QString::fromUtf8(twice.out).trimmed();
    COMPARE_STATUS(
        http.post(u"/api/v1/auth/register"_s, registration(u"third@example.com"_s, second)), 200);
    VERIFY_ADMIN(server.admin({ u"invite"_s, u"revoke"_s, second }), 0);
    COMPARE_STATUS(
        http.post(u"/api/v1/auth/register"_s, registration(u"fourth@example.com"_s, second)), 403);
    VERIFY_ADMIN(server.admin({ u"invite"_s, u"revoke"_s, second }), 1);
    VERIFY_ADMIN(server.admin({ u"invite"_s, u"create"_s, u"--expires"_s, u"soon"_s }), 2);
    VERIFY_ADMIN(server.admin({ u"invite"_s, u"create"_s, u"--uses"_s, u"0"_s }), 2);
}

void TestAdmin::statsAndUsage()
{
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    HttpClient http(server);
    const auto alice = http.newUser(u"Alice"_s);
    const auto bob = http.newUser(u"Bob"_s);
    http.sendText(alice.token, http.personalChat(alice.token, bob.id), u"hi"_s);
    VERIFY_ADMIN(server.admin({ u"user"_s, u"disable"_s, bob.email }), 0);

    const auto stats = server.admin({ u"stats"_s, u"--json"_s });
    VERIFY_ADMIN(stats, 0);
    const auto parsed
        = Messenger::ServerStats::fromJson(QJsonDocument::fromJson(stats.out).object());
    QVERIFY2(parsed, stats.out.constData());
    QCOMPARE(parsed.value().users, 2);
    QCOMPARE(parsed.value().disabledUsers, 1);
    QCOMPARE(parsed.value().chats, 1);
    QCOMPARE(parsed.value().messages, 1);
    QCOMPARE(parsed.value().sessions, 1);
    QVERIFY(parsed.value().databaseBytes > 0);
    const auto text = server.admin({ u"stats"_s });
    VERIFY_ADMIN(text, 0);
    QVERIFY(text.out.contains("messages: 1"));

    VERIFY_ADMIN(server.admin({}), 2);
    VERIFY_ADMIN(server.admin({ u"user"_s, u"frobnicate"_s, alice.email }), 2);
    VERIFY_ADMIN(server.admin({ u"stats"_s, u"--no-such-option"_s }), 2);
    VERIFY_ADMIN(server.admin({ u"user"_s, u"disable"_s, u"nobody@example.com"_s }), 1);
    const auto help = server.admin({ u"--help"_s });
    VERIFY_ADMIN(help, 0);
    QVERIFY(help.out.contains("invite create"));
}

QTEST_MAIN(TestAdmin)
#include "tst_admin.moc"
