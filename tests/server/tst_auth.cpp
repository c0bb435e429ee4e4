#include "auth/Jwt.h"
#include "auth/PasswordHasher.h"
#include "services/TokenService.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <sodium.h>

using namespace Qt::StringLiterals;
using namespace Messenger::Server;

namespace {

const QByteArray key = "test-secret-key";
const QString userId = u"8e48adf2-db6c-4164-9c1a-d640ef9d0972"_s;
const QString sessionId = u"3b0c7a52-5f0e-4c39-9d0a-1f6f2f3c9e11"_s;

// The same bytes spelled another way: the last character of an unpadded
// base64url string carries unused low bits (2 for a 32-byte signature, 4 for
// 1 byte more than a multiple of 3); setting one leaves the decoded bytes as
// they were.
QString withUnusedBitSet(const QString &part)
{
    static const QString alphabet
        = u"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"_s;
    QString changed = part;
    const qsizetype index = alphabet.indexOf(part.back());
    changed.back() = alphabet.at(index ^ 1);
    return changed;
}

QByteArray part(const QJsonObject &object)
{
    return base64UrlEncode(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

// A token built by hand, to forge what our issuer never would.
QString craft(const QJsonObject &header, const QJsonObject &payload, const QByteArray &signingKey)
{
    const QByteArray input = part(header) + '.' + part(payload);
    return QString::fromLatin1(input + '.' + base64UrlEncode(Jwt(signingKey).hmac(input)));
}

} // namespace

class TestAuth : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(sodium_init() >= 0); }
    void issuedTokenVerifies();
    void rejects_data();
    void rejects();
    void tokenServiceAuthenticates();
    void passwordHashAndVerify();
};

void TestAuth::issuedTokenVerifies()
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const Jwt jwt(key);
    const QString token = jwt.issue(userId, sessionId, now + 60, now);
    const auto claims = jwt.verify(token, now);
    QVERIFY(claims);
    QCOMPARE(claims->subject, userId);
    QCOMPARE(claims->sessionId, sessionId);
    QCOMPARE(claims->expiresAt, now + 60);
}

void TestAuth::rejects_data()
{
    QTest::addColumn<QString>("token");
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const QJsonObject header { { u"alg"_s, u"HS256"_s }, { u"typ"_s, u"JWT"_s } };
    const QJsonObject payload { { u"sub"_s, userId }, { u"exp"_s, now + 600 } };
    const QString valid = craft(header, payload, key);
    const QStringList parts = valid.split(u'.');

    QTest::addRow("expired") << craft(header, { { u"sub"_s, userId }, { u"exp"_s, now - 1 } }, key);
    QTest::addRow("no exp") << craft(header, { { u"sub"_s, userId } }, key);
    QTest::addRow("not yet valid") << craft(
        header, { { u"sub"_s, userId }, { u"exp"_s, now + 600 }, { u"nbf"_s, now + 300 } }, key);
    QTest::addRow("wrong key") << craft(header, payload, "another-key");
    QTest::addRow("alg none") << QString::fromLatin1(
        part({ { u"alg"_s, u"none"_s } }) + '.' + part(payload) + '.');
    QTest::addRow("alg HS512 header") << craft({ { u"alg"_s, u"HS512"_s } }, payload, key);
    QTest::addRow("tampered payload") << (parts[0] + u'.'
        + QString::fromLatin1(part(
            { { u"sub"_s, u"00000000-0000-0000-0000-000000000001"_s }, { u"exp"_s, now + 600 } }))
        + u'.' + parts[2]);
    QString flipped = parts[2];
    flipped[3] = flipped[3] == u'A' ? u'B' : u'A';
    QTest::addRow("tampered signature") << (parts[0] + u'.' + parts[1] + u'.' + flipped);
    // Found by an attacker: Qt's decoder ignores the unused bits, so these
    // decoded to the valid signature (and payload) and were accepted.
    QVERIFY(parts[2].size() % 4 == 3); // 32 bytes: 43 characters, 2 unused bits
    QTest::addRow("signature with an unused bit set")
        << (parts[0] + u'.' + parts[1] + u'.' + withUnusedBitSet(parts[2]));
    QTest::addRow("signature with padding") << (valid + u"="_s);
    QTest::addRow("truncated signature") << (parts[0] + u'.' + parts[1] + u'.' + parts[2].left(10));
    QTest::addRow("two parts") << (parts[0] + u'.' + parts[1]);
    QTest::addRow("four parts") << (valid + u".x"_s);
    QTest::addRow("garbage") << u"not a token"_s;
    QTest::addRow("empty") << QString();
    QTest::addRow("bad base64") << (u"!!!."_s + parts[1] + u'.' + parts[2]);
    // Found by fuzzing the JSON readers: converting these to an integer was
    // undefined behaviour (UBSan stopped the process).
    QTest::addRow("exp beyond 64 bits")
        << craft(header, { { u"sub"_s, userId }, { u"exp"_s, 6.8e68 } }, key);
    QTest::addRow("exp a fraction")
        << craft(header, { { u"sub"_s, userId }, { u"exp"_s, now + 600.5 } }, key);
    QTest::addRow("nbf beyond 64 bits") << craft(
        header, { { u"sub"_s, userId }, { u"exp"_s, now + 600 }, { u"nbf"_s, -1e300 } }, key);
}

void TestAuth::rejects()
{
    QFETCH(QString, token);
    QVERIFY(!Jwt(key).verify(token, QDateTime::currentSecsSinceEpoch()));
}

void TestAuth::tokenServiceAuthenticates()
{
    const TokenService tokens(key, 30);
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const auto identity = tokens.authenticate(tokens.jwt().issue(userId, sessionId, now + 60, now));
    QVERIFY(identity);
    QCOMPARE(identity->userId, userId);
    QCOMPARE(identity->sessionId, sessionId);
    QCOMPARE(identity->expiresAt, now + 60);
    // A valid signature over a subject that is not a user id is still refused.
    QVERIFY(!tokens.authenticate(tokens.jwt().issue(u"admin"_s, sessionId, now + 60, now)));
    // So is a token that names no session: no logout could end it.
    QVERIFY(!tokens.authenticate(tokens.jwt().issue(userId, QString(), now + 60, now)));
    QVERIFY(!tokens.authenticate(tokens.jwt().issue(userId, u"not-a-session"_s, now + 60, now)));
}

void TestAuth::passwordHashAndVerify()
{
    PasswordHasher hasher(2);
    // The hasher's work starts from the event loop, like every pool's.
    const auto await = [](auto future) {
        // (A future that never finishes blocks in result(); the test's timeout ends it.)
        [[maybe_unused]] const bool finished
            = QTest::qWaitFor([&future] { return future.isFinished(); }, 30000);
        return future.result();
    };
    const QString hash = await(hasher.hash(u"correct horse battery staple"_s));
    QVERIFY(hash.startsWith(u"$argon2id$"_s));
    // OWASP's minimum: 19 MiB of memory, 2 iterations.
    QVERIFY2(hash.contains(u"m=19456,t=2"_s), qPrintable(hash));
    QVERIFY(await(hasher.verify(hash, u"correct horse battery staple"_s)));
    QVERIFY(!await(hasher.verify(hash, u"Correct horse battery staple"_s)));
    QVERIFY(!await(hasher.verify(QString(), u"anything"_s)));
    QVERIFY(!await(hasher.verify(u"not a hash"_s, u"anything"_s)));
    QVERIFY(hash != await(hasher.hash(u"correct horse battery staple"_s))); // salted
}

QTEST_GUILESS_MAIN(TestAuth)
#include "tst_auth.moc"
