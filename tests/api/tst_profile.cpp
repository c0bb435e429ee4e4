#include "TestServer.h"
#include "WsClient.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;

// Settings → Profile: the display name (PATCH /users/me), the password
// (POST /users/me/password, which ends the user's other sessions) and
// signing out every other device (POST /sessions/revoke-others).
class TestProfile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void renameIsSeenByOthers();
    void renameValidates();
    void passwordChangeEndsOtherSessions();
    void wrongCurrentPasswordChangesNothing();
    void wrongCurrentPasswordsAreRateLimited();
    void revokeOthersKeepsTheCaller();
};

namespace {

QByteArray jsonBody(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

Reply rename(HttpClient &http, const QString &token, const QJsonValue &name)
{
    return http.request("PATCH", u"/api/v1/users/me"_s, jsonBody({ { u"name"_s, name } }), token);
}

Reply changePassword(
    HttpClient &http, const QString &token, const QString &current, const QString &next)
{
    return http.post(u"/api/v1/users/me/password"_s,
        { { u"current_password"_s, current }, { u"new_password"_s, next } }, token);
}

Reply login(HttpClient &http, const QString &email, const QString &password)
{
    return http.post(
        u"/api/v1/auth/token"_s, { { u"email"_s, email }, { u"password"_s, password } });
}

// A second device of `account`: a new session with its own tokens.
HttpClient::Account secondDevice(HttpClient &http, const HttpClient::Account &account)
{
    const Reply reply = login(http, account.email, account.password);
    HttpClient::Account device = account;
    device.token = reply.object().value(u"access_token").toString();
    device.refreshToken = reply.object().value(u"refresh_token").toString();
    return device;
}

Reply refresh(HttpClient &http, const QString &refreshToken)
{
    return http.post(u"/api/v1/auth/refresh"_s, { { u"refresh_token"_s, refreshToken } });
}

QString memberName(const QJsonObject &chat, const QString &userId)
{
    for (const QJsonValue &member : chat.value(u"members"_s).toArray()) {
        if (member.toObject().value(u"id"_s).toString() == userId)
            return member.toObject().value(u"name"_s).toString();
    }
    return {};
}

} // namespace

// Names are read from the users table: chats, member lists and new messages
// show the new one at once, and whoever shares a chat is told (user_updated).
void TestProfile::renameIsSeenByOthers()
{
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    HttpClient http(server);
    const auto alice = http.newUser(u"Alice"_s);
    const auto bob = http.newUser(u"Bob"_s);
    const auto carol = http.newUser(u"Carol"_s);
    const QString chatId = http.personalChat(bob.token, alice.id);
    const auto aliceLaptop = secondDevice(http, alice);
    WsClient bobSocket(server.webSocketUrl(u"/ws/user"_s, bob.token));
    WsClient laptopSocket(server.webSocketUrl(u"/ws/user"_s, aliceLaptop.token));
    WsClient carolSocket(server.webSocketUrl(u"/ws/user"_s, carol.token));
    QVERIFY(bobSocket.greeted());
    QVERIFY(laptopSocket.greeted());
    QVERIFY(carolSocket.greeted());

    const Reply renamed = rename(http, alice.token, u"  Alice Liddell  "_s);
    COMPARE_STATUS(renamed, 200);
    QCOMPARE(renamed.object().value(u"name"_s).toString(), u"Alice Liddell"_s);
    QCOMPARE(renamed.object().value(u"id"_s).toString(), alice.id);
    QCOMPARE(http.get(u"/api/v1/users/me"_s, alice.token).object().value(u"name"_s).toString(),
        u"Alice Liddell"_s);

    // Bob, who shares a chat, and Alice's other device are told.
    QTRY_COMPARE_WITH_TIMEOUT(bobSocket.lastData(u"user_updated"_s).value(u"name"_s).toString(),
        u"Alice Liddell"_s, 5000);
    QCOMPARE(bobSocket.lastData(u"user_updated"_s).value(u"id"_s).toString(), alice.id);
    QTRY_COMPARE_WITH_TIMEOUT(laptopSocket.lastData(u"user_updated"_s).value(u"name"_s).toString(),
        u"Alice Liddell"_s, 5000);

    // The chat and its members as Bob reads them, and a new message's sender.
    const Reply chat = http.get(u"/api/v1/chats/"_s + chatId, bob.token);
    COMPARE_STATUS(chat, 200);
    QCOMPARE(memberName(chat.object(), alice.id), u"Alice Liddell"_s);
    COMPARE_STATUS(http.post(u"/api/v1/chats/messages"_s,
                       { { u"chat_id"_s, chatId }, { u"text"_s, u"hello"_s } }, alice.token),
        200);
    QTRY_VERIFY_WITH_TIMEOUT(!bobSocket.ofType(u"message"_s).isEmpty(), 5000);
    QCOMPARE(
        bobSocket.lastData(u"message"_s).value(u"sender_name"_s).toString(), u"Alice Liddell"_s);
    // The chat list's last message names its sender as they are called now.
    const Reply chats = http.get(u"/api/v1/chats/with-last-message"_s, bob.token);
    COMPARE_STATUS(chats, 200);
    QCOMPARE(chats.json.array()
                 .first()
                 .toObject()
                 .value(u"last_message"_s)
                 .toObject()
                 .value(u"sender_name"_s)
                 .toString(),
        u"Alice Liddell"_s);
    // Found by the new name.
    const Reply found = http.get(u"/api/v1/users?query=liddell"_s, bob.token);
    COMPARE_STATUS(found, 200);
    QCOMPARE(found.json.array().size(), 1);

    // Carol shares no chat with Alice: a message sent to Carol after the
    // rename arrives, and no user_updated came before it.
    const QString carolChat = http.personalChat(bob.token, carol.id);
    COMPARE_STATUS(http.post(u"/api/v1/chats/messages"_s,
                       { { u"chat_id"_s, carolChat }, { u"text"_s, u"after"_s } }, bob.token),
        200);
    QTRY_VERIFY_WITH_TIMEOUT(!carolSocket.ofType(u"message"_s).isEmpty(), 5000);
    QVERIFY(carolSocket.ofType(u"user_updated"_s).isEmpty());
}

void TestProfile::renameValidates()
{
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    HttpClient http(server);
    const auto alice = http.newUser(u"Alice"_s);
    for (const QJsonValue &bad : { QJsonValue(u"   "_s), QJsonValue(QString(65, u'x')),
             QJsonValue(42), QJsonValue(QJsonValue::Null) }) {
        const Reply refused = rename(http, alice.token, bad);
        COMPARE_STATUS(refused, 422);
        QCOMPARE(refused.object().value(u"code"_s).toString(), u"validation_error"_s);
        QCOMPARE(refused.object()
                     .value(u"detail"_s)
                     .toArray()
                     .first()
                     .toObject()
                     .value(u"loc"_s)
                     .toArray(),
            QJsonArray({ u"body"_s, u"name"_s }));
    }
    COMPARE_STATUS(rename(http, {}, u"Nobody"_s), 401);
    QCOMPARE(http.get(u"/api/v1/users/me"_s, alice.token).object().value(u"name"_s).toString(),
        u"Alice"_s);
    // 64 characters is the limit, and allowed.
    COMPARE_STATUS(rename(http, alice.token, QString(64, u'y')), 200);
}

// The old password stops working and the new one works; every other session
// ends (refresh refused, socket closed with 4003); the caller's carries on.
void TestProfile::passwordChangeEndsOtherSessions()
{
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    HttpClient http(server);
    const auto alice = http.newUser(u"Alice"_s);
    const auto phone = secondDevice(http, alice);
    WsClient phoneSocket(server.webSocketUrl(u"/ws/user"_s, phone.token));
    WsClient ownSocket(server.webSocketUrl(u"/ws/user"_s, alice.token));
    QVERIFY(phoneSocket.greeted());
    QVERIFY(ownSocket.greeted());

    const QString newPassword = u"a brand new password"_s;
    COMPARE_STATUS(changePassword(http, alice.token, alice.password, newPassword), 204);

    QTRY_COMPARE_WITH_TIMEOUT(phoneSocket.closeCode, 4003, 5000);
    const Reply phoneRefused = http.get(u"/api/v1/users/me"_s, phone.token);
    COMPARE_STATUS(phoneRefused, 401);
    QCOMPARE(phoneRefused.object().value(u"code"_s).toString(), u"session_revoked"_s);
    COMPARE_STATUS(refresh(http, phone.refreshToken), 401);

    // The caller's session: its socket still answers, its tokens work.
    QVERIFY(ownSocket.answersPing());
    QVERIFY(!ownSocket.closed());
    COMPARE_STATUS(http.get(u"/api/v1/users/me"_s, alice.token), 200);
    COMPARE_STATUS(refresh(http, alice.refreshToken), 200);

    const Reply oldRefused = login(http, alice.email, alice.password);
    COMPARE_STATUS(oldRefused, 401);
    QCOMPARE(oldRefused.object().value(u"code"_s).toString(), u"invalid_credentials"_s);
    COMPARE_STATUS(login(http, alice.email, newPassword), 200);

    // The new password is checked as at registration.
    const Reply tooShort = changePassword(http, alice.token, newPassword, u"short"_s);
    COMPARE_STATUS(tooShort, 422);
    QCOMPARE(tooShort.object().value(u"code"_s).toString(), u"validation_error"_s);
    COMPARE_STATUS(login(http, alice.email, newPassword), 200);
}

void TestProfile::wrongCurrentPasswordChangesNothing()
{
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    HttpClient http(server);
    const auto alice = http.newUser(u"Alice"_s);
    const auto phone = secondDevice(http, alice);
    WsClient phoneSocket(server.webSocketUrl(u"/ws/user"_s, phone.token));
    QVERIFY(phoneSocket.greeted());

    const Reply refused
        = changePassword(http, alice.token, u"not the password"_s, u"a brand new password"_s);
    COMPARE_STATUS(refused, 403);
    QCOMPARE(refused.object().value(u"code"_s).toString(), u"wrong_password"_s);
    QVERIFY(!refused.object().value(u"detail"_s).toString().isEmpty());

    COMPARE_STATUS(login(http, alice.email, alice.password), 200);
    COMPARE_STATUS(login(http, alice.email, u"a brand new password"_s), 401);
    // The other session lives: its socket answers and its tokens work.
    QVERIFY(phoneSocket.answersPing());
    QVERIFY(!phoneSocket.closed());
    COMPARE_STATUS(http.get(u"/api/v1/users/me"_s, phone.token), 200);
    COMPARE_STATUS(refresh(http, phone.refreshToken), 200);
}

// Guessing the current password with a stolen access token costs the same
// budget as guessing at login: after the burst, 429 without a hash.
void TestProfile::wrongCurrentPasswordsAreRateLimited()
{
    TestServer server;
    QVERIFY2(server.start({ u"--login-rate"_s, u"0.17/3"_s }), qPrintable(server.error()));
    HttpClient http(server);
    const auto alice = http.newUser(u"Alice"_s);
    QList<int> statuses;
    for (int i = 0; i < 5; ++i)
        statuses.append(
            changePassword(http, alice.token, u"guess %1"_s.arg(i), u"a brand new password"_s)
                .status);
    QCOMPARE(statuses, QList<int>({ 403, 403, 403, 429, 429 }));
    const Reply limited
        = changePassword(http, alice.token, alice.password, u"a brand new password"_s);
    COMPARE_STATUS(limited, 429);
    QCOMPARE(limited.object().value(u"code"_s).toString(), u"too_many_failed_logins"_s);
    QVERIFY(!limited.header("Retry-After").isEmpty());
    // The budget is the account's: logins with a wrong password are refused too.
    COMPARE_STATUS(login(http, alice.email, u"another guess"_s), 429);
}

void TestProfile::revokeOthersKeepsTheCaller()
{
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    HttpClient http(server);
    const auto alice = http.newUser(u"Alice"_s);
    const auto bob = http.newUser(u"Bob"_s);
    const auto phone = secondDevice(http, alice);
    const auto tablet = secondDevice(http, alice);
    WsClient phoneSocket(server.webSocketUrl(u"/ws/user"_s, phone.token));
    WsClient bobSocket(server.webSocketUrl(u"/ws/user"_s, bob.token));
    QVERIFY(phoneSocket.greeted());
    QVERIFY(bobSocket.greeted());

    COMPARE_STATUS(http.post(u"/api/v1/sessions/revoke-others"_s, {}, alice.token), 204);
    QTRY_COMPARE_WITH_TIMEOUT(phoneSocket.closeCode, 4003, 5000);
    COMPARE_STATUS(http.get(u"/api/v1/users/me"_s, tablet.token), 401);
    COMPARE_STATUS(refresh(http, tablet.refreshToken), 401);
    COMPARE_STATUS(refresh(http, phone.refreshToken), 401);
    COMPARE_STATUS(http.get(u"/api/v1/users/me"_s, alice.token), 200);
    const Reply sessions = http.get(u"/api/v1/sessions"_s, alice.token);
    COMPARE_STATUS(sessions, 200);
    const QJsonArray list = sessions.json.array();
    QCOMPARE(list.size(), 1);
    QVERIFY(list.first().toObject().value(u"current"_s).toBool());
    // Someone else's sessions are not touched.
    QVERIFY(bobSocket.answersPing());
    COMPARE_STATUS(http.get(u"/api/v1/users/me"_s, bob.token), 200);
    // Nothing left to end: still 204.
    COMPARE_STATUS(http.post(u"/api/v1/sessions/revoke-others"_s, {}, alice.token), 204);
}

QTEST_MAIN(TestProfile)
#include "tst_profile.moc"
