#include "TestServer.h"
#include "WsClient.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QMessageAuthenticationCode>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>

using namespace Qt::StringLiterals;

// Sessions: access tokens name their session (`sid`); ending a session
// (logout, DELETE /sessions/{id}, a reused refresh token) refuses its tokens
// and closes its sockets on every instance; a socket lives no longer than
// its token unless the client sends a fresh one over it.
class TestSessions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void logoutEndsSocketsAndTokensEverywhere();
    void socketClosesWhenItsTokenExpires();
    void refreshGraceEndsOnceTheSuccessorIsUsed();
    void listAndRevokeSessions();
};

namespace {

QByteArray base64Url(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QJsonObject claimsOf(const QString &token)
{
    return QJsonDocument::fromJson(
        QByteArray::fromBase64(token.section(u'.', 1, 1).toLatin1(), QByteArray::Base64UrlEncoding))
        .object();
}

// An access token signed with the test server's key, for lifetimes the
// server would not issue (a few seconds).
QString signedToken(const QJsonObject &claims)
{
    const QByteArray input = base64Url(R"({"alg":"HS256","typ":"JWT"})") + '.'
        + base64Url(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    const QByteArray signature = QMessageAuthenticationCode::hash(
        input, TestServer::secretKey(), QCryptographicHash::Sha256);
    return QString::fromLatin1(input + '.' + base64Url(signature));
}

using Socket = WsClient;

HttpClient::Account login(
    HttpClient &http, const HttpClient::Account &account, const QString &deviceName = {})
{
    QJsonObject body { { u"email"_s, account.email }, { u"password"_s, account.password } };
    if (!deviceName.isEmpty())
        body.insert(u"device_name"_s, deviceName);
    const Reply reply = http.post(u"/api/v1/auth/token"_s, body);
    HttpClient::Account signedIn = account;
    signedIn.token = reply.object().value(u"access_token").toString();
    signedIn.refreshToken = reply.object().value(u"refresh_token").toString();
    return signedIn;
}

} // namespace

// The attack: a socket kept working after logout. Now logout ends the
// session's sockets on every instance, its access tokens are refused, and
// the user's other sessions carry on.
void TestSessions::logoutEndsSocketsAndTokensEverywhere()
{
    TestServer first;
    QVERIFY2(first.start(), qPrintable(first.error()));
    TestServer second;
    const bool twoInstances = first.isPostgres();
    if (twoInstances)
        QVERIFY2(second.startSharing(first), qPrintable(second.error()));
    TestServer &other = twoInstances ? second : first;
    HttpClient http(first);
    HttpClient otherHttp(other);
    const auto alice = http.newUser(u"Alice"_s);
    const auto bob = http.newUser(u"Bob"_s);
    const QString chatId = http.personalChat(alice.token, bob.id);
    const auto laptop = login(http, alice, u"Laptop"_s);

    Socket userHere(first.webSocketUrl(u"/ws/user"_s, alice.token));
    Socket chatHere(first.webSocketUrl(u"/ws/"_s + chatId, alice.token));
    Socket userThere(other.webSocketUrl(u"/ws/user"_s, alice.token));
    Socket laptopThere(other.webSocketUrl(u"/ws/user"_s, laptop.token));
    for (Socket *socket : { &userHere, &chatHere, &userThere, &laptopThere })
        QVERIFY(socket->greeted());
    COMPARE_STATUS(otherHttp.get(u"/api/v1/users/me"_s, alice.token), 200);

    for (Socket *socket : { &userHere, &chatHere, &userThere, &laptopThere })
        socket->clock.start();
    COMPARE_STATUS(http.post(u"/api/v1/auth/logout"_s,
                       { { u"refresh_token"_s, alice.refreshToken } }, alice.token),
        204);
    // Refused at once where the logout ran.
    COMPARE_STATUS(http.get(u"/api/v1/users/me"_s, alice.token), 401);
    for (Socket *socket : { &userHere, &chatHere, &userThere })
        QTRY_COMPARE_WITH_TIMEOUT(socket->closeCode, 4003, 5000);
    qInfo("logout to close: %lld ms here (user socket), %lld ms (chat socket), %lld ms on the "
          "%s instance",
        userHere.closedAfterMs, chatHere.closedAfterMs, userThere.closedAfterMs,
        twoInstances ? "other" : "same");
    // Its sockets closed there, so the other instance knows: refused there too.
    const Reply refused = otherHttp.get(u"/api/v1/users/me"_s, alice.token);
    COMPARE_STATUS(refused, 401);
    QCOMPARE(refused.object().value(u"code").toString(), u"session_revoked"_s);
    // A new socket with the old token is refused as any bad token is.
    Socket late(other.webSocketUrl(u"/ws/user"_s, alice.token));
    QTRY_COMPARE_WITH_TIMEOUT(late.closeCode, 1008, 10000);
    COMPARE_STATUS(
        http.post(u"/api/v1/auth/refresh"_s, { { u"refresh_token"_s, alice.refreshToken } }), 401);

    // The laptop's session was not touched: told, and still working.
    QVERIFY(!laptopThere.closed());
    QVERIFY(laptopThere.answersPing());
    QTRY_COMPARE_WITH_TIMEOUT(laptopThere.ofType(u"session_revoked"_s).size(), 1, 5000);
    QCOMPARE(laptopThere.ofType(u"session_revoked"_s)
                 .first()
                 .value(u"data")
                 .toObject()
                 .value(u"session_id")
                 .toString(),
        claimsOf(alice.token).value(u"sid").toString());
    COMPARE_STATUS(otherHttp.get(u"/api/v1/users/me"_s, laptop.token), 200);
    COMPARE_STATUS(
        http.post(u"/api/v1/auth/refresh"_s, { { u"refresh_token"_s, laptop.refreshToken } }), 200);
}

// The attack: a socket whose token had expired 75 s earlier still worked.
// Now it is closed with 4001 when its token expires, unless the client sent
// a fresh token of the same session over it first.
void TestSessions::socketClosesWhenItsTokenExpires()
{
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    HttpClient http(server);
    const auto alice = http.newUser(u"Alice"_s);
    const auto phone = login(http, alice);
    const QJsonObject claims = claimsOf(alice.token);
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QJsonObject shortLived = claims;
    shortLived.insert(u"exp"_s, now + 3);
    QJsonObject fresh = claims;
    fresh.insert(u"exp"_s, now + 600);

    Socket renewed(server.webSocketUrl(u"/ws/user"_s, signedToken(shortLived)));
    Socket expiring(server.webSocketUrl(u"/ws/user"_s, signedToken(shortLived)));
    QVERIFY(renewed.greeted());
    QVERIFY(expiring.greeted());

    // Tokens of another session, or no token at all, renew nothing; a fresh
    // token of the socket's own session does.
    renewed.sendJson({ { u"type"_s, u"auth"_s }, { u"token"_s, phone.token } });
    renewed.sendJson({ { u"type"_s, u"auth"_s }, { u"token"_s, u"garbage"_s } });
    renewed.sendJson({ { u"type"_s, u"auth"_s }, { u"token"_s, signedToken(fresh) } });

    QTRY_COMPARE_WITH_TIMEOUT(expiring.closeCode, 4001, 15000);
    QCOMPARE(expiring.socket.closeReason(), u"token expired"_s);
    // Both tokens had the same expiry; the renewed socket is still open.
    QVERIFY(!renewed.closed());
    QVERIFY(renewed.answersPing());
    QCOMPARE(renewed.ofType(u"error"_s).size(), 2);
    QCOMPARE(renewed.ofType(u"authenticated"_s).size(), 1);
    const qint64 expiresIn
        = renewed.ofType(u"authenticated"_s).first().value(u"expires_in").toInteger();
    QVERIFY2(expiresIn > 500 && expiresIn <= 600, qPrintable(QString::number(expiresIn)));
}

// The attack: rt0 -> rt1, rt1 -> rt2, then rt0 again within the grace window
// was answered 200 with rt1. The grace covers only a retry whose successor
// nobody used; otherwise the session ends.
void TestSessions::refreshGraceEndsOnceTheSuccessorIsUsed()
{
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    HttpClient http(server);
    const auto alice = http.newUser(u"Alice"_s);
    const auto refresh = [&](const QString &token) {
        return http.post(u"/api/v1/auth/refresh"_s, { { u"refresh_token"_s, token } });
    };
    const QString rt0 = alice.refreshToken;
    const Reply first = refresh(rt0);
    COMPARE_STATUS(first, 200);
    const QString rt1 = first.object().value(u"refresh_token").toString();
    // A retry whose answer was lost still gets the same successor.
    const Reply retried = refresh(rt0);
    COMPARE_STATUS(retried, 200);
    QCOMPARE(retried.object().value(u"refresh_token").toString(), rt1);

    const Reply second = refresh(rt1);
    COMPARE_STATUS(second, 200);
    const QString rt2 = second.object().value(u"refresh_token").toString();
    const QString access2 = second.object().value(u"access_token").toString();
    Socket socket(server.webSocketUrl(u"/ws/user"_s, access2));
    QVERIFY(socket.greeted());

    const Reply reused = refresh(rt0);
    COMPARE_STATUS(reused, 401);
    QCOMPARE(reused.object().value(u"code").toString(), u"refresh_token_reused"_s);
    // The whole session ended: its newest tokens and its socket too.
    COMPARE_STATUS(refresh(rt2), 401);
    COMPARE_STATUS(http.get(u"/api/v1/users/me"_s, access2), 401);
    QTRY_COMPARE_WITH_TIMEOUT(socket.closeCode, 4003, 5000);
}

// GET /sessions lists the caller's devices; DELETE ends one of them (and
// only the caller's own).
void TestSessions::listAndRevokeSessions()
{
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    HttpClient http(server);
    const auto alice = http.newUser(u"Alice"_s);
    const auto bob = http.newUser(u"Bob"_s);
    http.setHeader("User-Agent", "Messenger-Test/1.0");
    const auto phone = login(http, alice, u"  Phone  "_s);
    http.setHeader("User-Agent", {});
    const QString phoneSession = claimsOf(phone.token).value(u"sid").toString();

    const Reply listed = http.get(u"/api/v1/sessions"_s, alice.token);
    COMPARE_STATUS(listed, 200);
    const QJsonArray sessions = listed.json.array();
    QCOMPARE(sessions.size(), 2);
    // The most recently used first: the phone logged in last.
    const QJsonObject newest = sessions.at(0).toObject();
    QCOMPARE(newest.value(u"id").toString(), phoneSession);
    QCOMPARE(newest.value(u"device_name").toString(), u"Phone"_s);
    QCOMPARE(newest.value(u"client").toString(), u"Messenger-Test/1.0"_s);
    QCOMPARE(newest.value(u"address").toString(), u"127.0.0.1"_s);
    QCOMPARE(newest.value(u"current").toBool(), false);
    QVERIFY(newest.value(u"last_used_at").toString().endsWith(u'Z'));
    QCOMPARE(sessions.at(1).toObject().value(u"current").toBool(), true);

    Socket phoneSocket(server.webSocketUrl(u"/ws/user"_s, phone.token));
    QVERIFY(phoneSocket.greeted());
    // Someone else's session, an unknown one and a malformed id: 404 alike.
    for (const QString &path : { QString(u"/api/v1/sessions/"_s + phoneSession),
             u"/api/v1/sessions/00000000-0000-4000-8000-000000000000"_s,
             u"/api/v1/sessions/not-a-session"_s }) {
        const Reply refused = http.request("DELETE", path, {}, bob.token);
        COMPARE_STATUS(refused, 404);
        QCOMPARE(refused.object().value(u"code").toString(), u"session_not_found"_s);
    }
    COMPARE_STATUS(http.get(u"/api/v1/users/me"_s, phone.token), 200);

    COMPARE_STATUS(
        http.request("DELETE", u"/api/v1/sessions/"_s + phoneSession, {}, alice.token), 204);
    COMPARE_STATUS(http.get(u"/api/v1/users/me"_s, phone.token), 401);
    QTRY_COMPARE_WITH_TIMEOUT(phoneSocket.closeCode, 4003, 5000);
    COMPARE_STATUS(
        http.post(u"/api/v1/auth/refresh"_s, { { u"refresh_token"_s, phone.refreshToken } }), 401);
    // Ended once: again is a 404.
    COMPARE_STATUS(
        http.request("DELETE", u"/api/v1/sessions/"_s + phoneSession, {}, alice.token), 404);
    const Reply after = http.get(u"/api/v1/sessions"_s, alice.token);
    QCOMPARE(after.json.array().size(), 1);
    QCOMPARE(after.json.array().first().toObject().value(u"current").toBool(), true);
    COMPARE_STATUS(http.get(u"/api/v1/sessions"_s, phone.token), 401);
}

QTEST_GUILESS_MAIN(TestSessions)
#include "tst_sessions.moc"
