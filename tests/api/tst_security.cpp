#include "TestServer.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;

// Abuse: rate limits on by default (Synapse's figures), and a client cannot
// escape its address's limits by claiming another one.
class TestSecurity : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void registrationsPerAddress();
    void failedLoginsPerAccountAndAddress();
    void messagesPerUser();
    void forwardedForOnlyFromTrustedProxies();
};

namespace {

const QStringList defaultLimits { u"--login-rate"_s, u"0.17/3"_s, u"--register-rate"_s,
    u"0.17/3"_s, u"--message-rate"_s, u"5/20"_s };

Reply registerUser(HttpClient &http, const QString &email)
{
    return http.post(u"/api/v1/auth/register"_s,
        { { u"email"_s, email }, { u"name"_s, u"Someone"_s },
            { u"password"_s, u"password1"_s } });
}

void verifyTooMany(const Reply &reply, const QString &code)
{
    QCOMPARE(reply.status, 429);
    QCOMPARE(reply.object().value(u"code").toString(), code);
    QVERIFY(reply.object().value(u"detail").toString().startsWith(u"Too many requests"_s));
    bool ok = false;
    const int retryAfter = reply.header("Retry-After").toInt(&ok);
    QVERIFY2(ok && retryAfter >= 1, reply.header("Retry-After").constData());
}

} // namespace

void TestSecurity::registrationsPerAddress()
{
    TestServer server;
    QVERIFY2(server.start(defaultLimits), qPrintable(server.error()));
    HttpClient http(server);
    for (int i = 0; i < 3; ++i)
        COMPARE_STATUS(registerUser(http, u"burst%1@example.com"_s.arg(i)), 200);
    verifyTooMany(registerUser(http, u"fourth@example.com"_s), u"too_many_registrations"_s);
    // Claiming to be someone else changes nothing without a trusted proxy.
    http.setHeader("X-Forwarded-For", "203.0.113.9");
    verifyTooMany(registerUser(http, u"fifth@example.com"_s), u"too_many_registrations"_s);
    // Nothing was stored for the refused ones: their emails are still free.
    const Reply login = http.post(u"/api/v1/auth/token"_s,
        { { u"email"_s, u"fourth@example.com"_s }, { u"password"_s, u"password1"_s } });
    COMPARE_STATUS(login, 401);
}

void TestSecurity::failedLoginsPerAccountAndAddress()
{
    TestServer server;
    QVERIFY2(server.start(defaultLimits), qPrintable(server.error()));
    HttpClient http(server);
    COMPARE_STATUS(registerUser(http, u"victim@example.com"_s), 200);
    COMPARE_STATUS(registerUser(http, u"other@example.com"_s), 200);
    const auto login = [&](const QString &email, const QString &password) {
        return http.post(
            u"/api/v1/auth/token"_s, { { u"email"_s, email }, { u"password"_s, password } });
    };
    // Successful logins cost nothing.
    for (int i = 0; i < 5; ++i)
        COMPARE_STATUS(login(u"other@example.com"_s, u"password1"_s), 200);
    for (int i = 0; i < 3; ++i)
        COMPARE_STATUS(login(u"victim@example.com"_s, u"guess%1"_s.arg(i)), 401);
    // The account is locked for now, even with the right password...
    verifyTooMany(login(u"VICTIM@example.com"_s, u"password1"_s), u"too_many_failed_logins"_s);
    // ...and so is this address, for every account.
    verifyTooMany(login(u"other@example.com"_s, u"password1"_s), u"too_many_failed_logins"_s);
}

void TestSecurity::messagesPerUser()
{
    TestServer server;
    QVERIFY2(server.start(defaultLimits), qPrintable(server.error()));
    HttpClient http(server);
    const auto alice = http.newUser(u"Alice"_s);
    const auto bob = http.newUser(u"Bob"_s);
    const QString chatId = http.personalChat(alice.token, bob.id);
    // The burst of 20 always goes through; sending on without a pause meets
    // the limit long before the bucket could refill 40 more.
    int accepted = 0;
    Reply refused;
    for (int i = 0; i < 60 && refused.status == 0; ++i) {
        const Reply sent = http.post(u"/api/v1/chats/messages"_s,
            { { u"chat_id"_s, chatId }, { u"text"_s, u"m%1"_s.arg(i) } }, alice.token);
        if (sent.status == 200)
            ++accepted;
        else
            refused = sent;
    }
    QVERIFY2(accepted >= 20, qPrintable(QString::number(accepted)));
    verifyTooMany(refused, u"too_many_messages"_s);
    // Bob's budget is his own.
    COMPARE_STATUS(http.post(u"/api/v1/chats/messages"_s,
                       { { u"chat_id"_s, chatId }, { u"text"_s, u"hi"_s } }, bob.token),
        200);
    const Reply history = http.get(u"/api/v1/chats/%1/history"_s.arg(chatId), bob.token);
    QCOMPARE(history.object().value(u"total").toInt(), accepted + 1);
}

void TestSecurity::forwardedForOnlyFromTrustedProxies()
{
    TestServer server;
    QVERIFY2(server.start(defaultLimits + QStringList { u"--trusted-proxies"_s, u"127.0.0.1"_s }),
        qPrintable(server.error()));
    HttpClient http(server);
    // As nginx would send it: whatever the client claimed, then the client's address.
    http.setHeader("X-Forwarded-For", "10.9.9.9, 203.0.113.5");
    for (int i = 0; i < 3; ++i)
        COMPARE_STATUS(registerUser(http, u"a%1@example.com"_s.arg(i)), 200);
    verifyTooMany(registerUser(http, u"a3@example.com"_s), u"too_many_registrations"_s);
    // A different client behind the same proxy has its own budget, whatever
    // it prepends.
    http.setHeader("X-Forwarded-For", "203.0.113.5, 203.0.113.6");
    COMPARE_STATUS(registerUser(http, u"b0@example.com"_s), 200);
}

QTEST_GUILESS_MAIN(TestSecurity)
#include "tst_security.moc"
