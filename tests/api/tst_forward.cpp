#include "TestServer.h"
#include "WsClient.h"

#include <QJsonArray>
#include <QTest>
#include <QUuid>

#include <memory>

using namespace Qt::StringLiterals;

// Forwarding (issue 16): POST /chats/messages/forward copies messages of chats
// the caller is in into chats the caller is in. Each copy is a new message of
// the caller's with `forwarded_from` {sender_id, sender_name} of the original
// author (the first one, through forwards of forwards; the name as it is now);
// all or nothing; copies reach the target chats' members as `message` events.
class TestForward : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void oneToOne();
    void severalToSeveralInOrder();
    void firstAuthorKeptAndRenamesFollowed();
    void copiesReachTargetChatsOnly();
    void foreignSourceOrTargetStoresNothing();
    void deletedOriginalIsRefused();
    void badListsAreRefused_data();
    void badListsAreRefused();
    void retryWithClientIdDoesNotDuplicate();
    void rateLimitCountsCopies();
    void otherInstanceGetsTheCopy();

private:
    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

namespace {

Reply forward(HttpClient &http, const QString &token, const QStringList &messageIds,
    const QStringList &chatIds, const QString &clientId = {})
{
    QJsonObject body { { u"message_ids"_s, QJsonArray::fromStringList(messageIds) },
        { u"chat_ids"_s, QJsonArray::fromStringList(chatIds) } };
    if (!clientId.isEmpty())
        body.insert(u"client_id"_s, clientId);
    return http.post(u"/api/v1/chats/messages/forward"_s, body, token);
}

QJsonArray copiesOf(const Reply &reply)
{
    return reply.object().value(u"messages").toArray();
}

// Oldest first.
QList<QJsonObject> history(HttpClient &http, const QString &token, const QString &chatId)
{
    const Reply page = http.get(u"/api/v1/chats/%1/history"_s.arg(chatId), token);
    QList<QJsonObject> messages;
    for (const QJsonValue &message : page.object().value(u"messages").toArray())
        messages.prepend(message.toObject());
    return messages;
}

QJsonObject forwardedFrom(const HttpClient::Account &author)
{
    return { { u"sender_id"_s, author.id }, { u"sender_name"_s, author.name } };
}

QString groupWith(HttpClient &http, const QString &ownerToken, const QStringList &memberIds)
{
    return http
        .post(u"/api/v1/chats/group"_s,
            { { u"name"_s, u"Group"_s },
                { u"member_ids"_s, QJsonArray::fromStringList(memberIds) } },
            ownerToken)
        .object()
        .value(u"id")
        .toString();
}

const QString unknownId = u"00000000-0000-4000-8000-000000000000"_s;

} // namespace

void TestForward::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    m_http = std::make_unique<HttpClient>(m_server);
}

void TestForward::oneToOne()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto cat = m_http->newUser(u"Cat"_s);
    const QString source = m_http->personalChat(ann.token, bob.id);
    const QString target = m_http->personalChat(bob.token, cat.id);
    const QString originalId = m_http->sendText(ann.token, source, u"Meet at 5"_s);

    const Reply forwarded = forward(*m_http, bob.token, { originalId }, { target });
    COMPARE_STATUS(forwarded, 200);
    const QJsonArray copies = copiesOf(forwarded);
    QCOMPARE(copies.size(), 1);
    const QJsonObject copy = copies.at(0).toObject();
    QVERIFY(copy.value(u"id").toString() != originalId);
    QCOMPARE(copy.value(u"chat_id").toString(), target);
    QCOMPARE(copy.value(u"sender_id").toString(), bob.id);
    QCOMPARE(copy.value(u"text").toString(), u"Meet at 5"_s);
    QCOMPARE(copy.value(u"forwarded_from").toObject(), forwardedFrom(ann));
    QVERIFY(copy.value(u"reply_to").isNull());
    QCOMPARE(copy.value(u"reactions").toArray(), QJsonArray());
    QCOMPARE(copy.value(u"chat_seq").toInteger(), 1);
    // Nothing of the source chat, which Cat is not in.
    QVERIFY(!QJsonDocument(copy).toJson().contains(source.toUtf8()));

    const QList<QJsonObject> targetHistory = history(*m_http, cat.token, target);
    QCOMPARE(targetHistory.size(), 1);
    QCOMPARE(targetHistory.first().value(u"forwarded_from").toObject(), forwardedFrom(ann));
    QCOMPARE(targetHistory.first().value(u"id").toString(), copy.value(u"id").toString());
    // Ordinary messages say null, the original included.
    const QList<QJsonObject> sourceHistory = history(*m_http, ann.token, source);
    QCOMPARE(sourceHistory.size(), 1);
    QVERIFY(sourceHistory.first().contains(u"forwarded_from"));
    QVERIFY(sourceHistory.first().value(u"forwarded_from").isNull());
    const Reply sent = m_http->post(u"/api/v1/chats/messages"_s,
        { { u"chat_id"_s, target }, { u"text"_s, u"ok"_s } }, cat.token);
    QVERIFY(sent.object().contains(u"forwarded_from"));
    QVERIFY(sent.object().value(u"forwarded_from").isNull());
}

void TestForward::severalToSeveralInOrder()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto cat = m_http->newUser(u"Cat"_s);
    const QString source = m_http->personalChat(ann.token, bob.id);
    const QString first = m_http->personalChat(ann.token, cat.id);
    const QString second = groupWith(*m_http, ann.token, { bob.id, cat.id });
    const QString one = m_http->sendText(ann.token, source, u"one"_s);
    const QString two = m_http->sendText(bob.token, source, u"two"_s);
    const QString three = m_http->sendText(ann.token, source, u"three"_s);

    // Listed out of order: the copies keep the originals' order, chat by chat
    // in the order the request names the chats.
    const Reply forwarded = forward(*m_http, ann.token, { three, one, two }, { second, first });
    COMPARE_STATUS(forwarded, 200);
    const QJsonArray copies = copiesOf(forwarded);
    QCOMPARE(copies.size(), 6);
    const QStringList texts { u"one"_s, u"two"_s, u"three"_s };
    for (int i = 0; i < 6; ++i) {
        const QJsonObject copy = copies.at(i).toObject();
        QCOMPARE(copy.value(u"chat_id").toString(), i < 3 ? second : first);
        QCOMPARE(copy.value(u"text").toString(), texts.at(i % 3));
        QCOMPARE(copy.value(u"forwarded_from").toObject(), forwardedFrom(i % 3 == 1 ? bob : ann));
    }
    for (const QString &chatId : { first, second }) {
        const QList<QJsonObject> stored = history(*m_http, cat.token, chatId);
        QCOMPARE(stored.size(), 3);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(stored.at(i).value(u"text").toString(), texts.at(i));
            QCOMPARE(stored.at(i).value(u"chat_seq").toInteger(), i + 1);
        }
    }
}

void TestForward::firstAuthorKeptAndRenamesFollowed()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto cat = m_http->newUser(u"Cat"_s);
    const QString annBob = m_http->personalChat(ann.token, bob.id);
    const QString bobCat = m_http->personalChat(bob.token, cat.id);
    const QString catAnn = m_http->personalChat(cat.token, ann.id);
    const QString originalId = m_http->sendText(ann.token, annBob, u"Original"_s);
    const Reply once = forward(*m_http, bob.token, { originalId }, { bobCat });
    COMPARE_STATUS(once, 200);
    const Reply twice = forward(*m_http, cat.token,
        { copiesOf(once).at(0).toObject().value(u"id").toString() }, { catAnn });
    COMPARE_STATUS(twice, 200);
    QCOMPARE(
        copiesOf(twice).at(0).toObject().value(u"forwarded_from").toObject(), forwardedFrom(ann));
    QCOMPARE(copiesOf(twice).at(0).toObject().value(u"sender_id").toString(), cat.id);

    // Ann renames herself: every copy names her as she is now.
    const Reply renamed = m_http->request("PATCH", u"/api/v1/users/me"_s,
        QJsonDocument(QJsonObject { { u"name"_s, u"Anna"_s } }).toJson(), ann.token);
    COMPARE_STATUS(renamed, 200);
    const QJsonObject expected { { u"sender_id"_s, ann.id }, { u"sender_name"_s, u"Anna"_s } };
    QCOMPARE(
        history(*m_http, cat.token, bobCat).first().value(u"forwarded_from").toObject(), expected);
    QCOMPARE(
        history(*m_http, ann.token, catAnn).first().value(u"forwarded_from").toObject(), expected);
}

void TestForward::copiesReachTargetChatsOnly()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto cat = m_http->newUser(u"Cat"_s);
    const QString source = m_http->personalChat(ann.token, bob.id);
    const QString target = m_http->personalChat(ann.token, cat.id);
    const QString originalId = m_http->sendText(bob.token, source, u"Secret plan"_s);
    WsClient bobLive(m_server.webSocketUrl(u"/ws/user"_s, bob.token));
    WsClient catLive(m_server.webSocketUrl(u"/ws/user"_s, cat.token));
    QVERIFY(bobLive.greeted());
    QVERIFY(catLive.greeted());

    const Reply forwarded = forward(*m_http, ann.token, { originalId }, { target });
    COMPARE_STATUS(forwarded, 200);
    const QJsonObject copy = copiesOf(forwarded).at(0).toObject();
    // Cat gets an ordinary `message` event carrying forwarded_from.
    QTRY_COMPARE_WITH_TIMEOUT(catLive.ofType(u"message"_s).size(), 1, 10000);
    const QJsonObject event = catLive.lastData(u"message"_s);
    QCOMPARE(event.value(u"id").toString(), copy.value(u"id").toString());
    QCOMPARE(event.value(u"chat_id").toString(), target);
    QCOMPARE(event.value(u"forwarded_from").toObject(), forwardedFrom(bob));
    QCOMPARE(event.value(u"sender_name").toString(), ann.name);
    QTRY_COMPARE_WITH_TIMEOUT(m_http->updatesOfType(cat.token, u"message"_s).size(), 1, 10000);
    QCOMPARE(
        m_http->updatesOfType(cat.token, u"message"_s).first().value(u"forwarded_from").toObject(),
        forwardedFrom(bob));

    // Bob, not in the target chat, gets nothing of the copy: a message to
    // him sent after it arrives, the copy never did.
    m_http->sendText(ann.token, source, u"Bob only"_s);
    QTRY_COMPARE_WITH_TIMEOUT(bobLive.ofType(u"message"_s).size(), 1, 10000);
    QCOMPARE(bobLive.lastData(u"message"_s).value(u"text").toString(), u"Bob only"_s);
    for (const QJsonObject &message : m_http->updatesOfType(bob.token, u"message"_s))
        QVERIFY(message.value(u"forwarded_from").isNull());
    QCOMPARE(history(*m_http, ann.token, source).size(), 2);
}

void TestForward::foreignSourceOrTargetStoresNothing()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto eve = m_http->newUser(u"Eve"_s);
    const QString annBob = m_http->personalChat(ann.token, bob.id);
    const QString eveAnn = m_http->personalChat(eve.token, ann.id);
    const QString eveBob = m_http->personalChat(eve.token, bob.id);
    const QString annBobMessage = m_http->sendText(ann.token, annBob, u"Ann and Bob"_s);
    const QString eveMessage = m_http->sendText(eve.token, eveAnn, u"Eve's"_s);

    // Eve forwards a message of a chat she is not in, with one of her own:
    // refused as an unknown message would be, nothing stored.
    const Reply foreignSource
        = forward(*m_http, eve.token, { eveMessage, annBobMessage }, { eveAnn });
    COMPARE_STATUS(foreignSource, 404);
    QCOMPARE(foreignSource.object().value(u"code").toString(), u"message_not_found"_s);
    const Reply unknownSource = forward(*m_http, eve.token, { eveMessage, unknownId }, { eveAnn });
    COMPARE_STATUS(unknownSource, 404);
    QCOMPARE(unknownSource.object(), foreignSource.object());

    // Into a chat she is not in (with one she is in): refused like an
    // unknown chat, nothing stored in either.
    const Reply foreignTarget = forward(*m_http, eve.token, { eveMessage }, { eveBob, annBob });
    COMPARE_STATUS(foreignTarget, 404);
    QCOMPARE(foreignTarget.object().value(u"code").toString(), u"chat_not_found"_s);
    const Reply unknownTarget = forward(*m_http, eve.token, { eveMessage }, { eveBob, unknownId });
    COMPARE_STATUS(unknownTarget, 404);
    QCOMPARE(unknownTarget.object(), foreignTarget.object());

    QCOMPARE(history(*m_http, ann.token, annBob).size(), 1);
    QCOMPARE(history(*m_http, eve.token, eveAnn).size(), 1);
    QCOMPARE(history(*m_http, eve.token, eveBob).size(), 0);
    // The same forward by a member works: the refusals were about Eve.
    COMPARE_STATUS(forward(*m_http, ann.token, { annBobMessage, eveMessage }, { eveAnn }), 200);
    QCOMPARE(history(*m_http, eve.token, eveAnn).size(), 3);
}

void TestForward::deletedOriginalIsRefused()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString kept = m_http->sendText(ann.token, chatId, u"Kept"_s);
    const QString gone = m_http->sendText(ann.token, chatId, u"Gone"_s);
    COMPARE_STATUS(m_http->request("DELETE", u"/api/v1/messages/"_s + gone, {}, ann.token), 200);
    const Reply refused = forward(*m_http, bob.token, { kept, gone }, { chatId });
    COMPARE_STATUS(refused, 409);
    QCOMPARE(refused.object().value(u"code").toString(), u"message_deleted"_s);
    QVERIFY(!refused.object().value(u"detail").toString().isEmpty());
    QCOMPARE(history(*m_http, bob.token, chatId).size(), 2);
}

void TestForward::badListsAreRefused_data()
{
    QTest::addColumn<int>("messageCount");
    QTest::addColumn<int>("chatCount");
    QTest::addColumn<bool>("duplicateMessage");
    QTest::addColumn<bool>("duplicateChat");
    QTest::addRow("no messages") << 0 << 1 << false << false;
    QTest::addRow("no chats") << 1 << 0 << false << false;
    QTest::addRow("a message twice") << 2 << 1 << true << false;
    QTest::addRow("a chat twice") << 1 << 2 << false << true;
    QTest::addRow("101 messages") << 101 << 1 << false << false;
    QTest::addRow("11 chats") << 1 << 11 << false << false;
    QTest::addRow("101 copies") << 51 << 2 << false << false;
}

void TestForward::badListsAreRefused()
{
    QFETCH(int, messageCount);
    QFETCH(int, chatCount);
    QFETCH(bool, duplicateMessage);
    QFETCH(bool, duplicateChat);
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString messageId = m_http->sendText(ann.token, chatId, u"Hi"_s);
    QStringList messageIds;
    for (int i = 0; i < messageCount; ++i)
        messageIds.append(i == 0 || duplicateMessage
                ? messageId
                : QUuid::createUuid().toString(QUuid::WithoutBraces));
    QStringList chatIds;
    for (int i = 0; i < chatCount; ++i)
        chatIds.append(
            i == 0 || duplicateChat ? chatId : QUuid::createUuid().toString(QUuid::WithoutBraces));
    const Reply refused = forward(*m_http, ann.token, messageIds, chatIds);
    COMPARE_STATUS(refused, 422);
    QVERIFY(!refused.object().value(u"detail").toString().isEmpty()
        || refused.object().value(u"detail").isArray());
    QVERIFY(!refused.object().value(u"code").toString().isEmpty());
    QCOMPARE(history(*m_http, ann.token, chatId).size(), 1);
}

void TestForward::retryWithClientIdDoesNotDuplicate()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto cat = m_http->newUser(u"Cat"_s);
    const QString source = m_http->personalChat(ann.token, bob.id);
    const QString first = m_http->personalChat(ann.token, cat.id);
    const QString second = groupWith(*m_http, ann.token, { bob.id, cat.id });
    const QString one = m_http->sendText(bob.token, source, u"one"_s);
    const QString two = m_http->sendText(bob.token, source, u"two"_s);
    const QString clientId = QUuid::createUuid().toString(QUuid::WithoutBraces);

    const Reply stored = forward(*m_http, ann.token, { one, two }, { first, second }, clientId);
    COMPARE_STATUS(stored, 200);
    QCOMPARE(copiesOf(stored).size(), 4);
    const Reply retried = forward(*m_http, ann.token, { one, two }, { first, second }, clientId);
    COMPARE_STATUS(retried, 200);
    QCOMPARE(copiesOf(retried).size(), 4);
    for (int i = 0; i < 4; ++i)
        QCOMPARE(copiesOf(retried).at(i).toObject().value(u"id").toString(),
            copiesOf(stored).at(i).toObject().value(u"id").toString());
    QCOMPARE(history(*m_http, cat.token, first).size(), 2);
    QCOMPARE(history(*m_http, cat.token, second).size(), 2);
    // Part of the same forward again: those copies again, nothing new.
    const Reply part = forward(*m_http, ann.token, { one }, { first, second }, clientId);
    COMPARE_STATUS(part, 200);
    QCOMPARE(copiesOf(part).size(), 2);
    // The same client_id for a different forward is refused, nothing stored.
    const QString three = m_http->sendText(bob.token, source, u"three"_s);
    const Reply other = forward(*m_http, ann.token, { one, three }, { first }, clientId);
    COMPARE_STATUS(other, 409);
    QCOMPARE(other.object().value(u"code").toString(), u"client_id_reused"_s);
    QCOMPARE(history(*m_http, cat.token, first).size(), 2);
    // Without a client_id every request is a new forward.
    COMPARE_STATUS(forward(*m_http, ann.token, { one }, { first }), 200);
    COMPARE_STATUS(forward(*m_http, ann.token, { one }, { first }), 200);
    QCOMPARE(history(*m_http, cat.token, first).size(), 4);
}

void TestForward::rateLimitCountsCopies()
{
    TestServer limited;
    QVERIFY2(limited.start({ u"--message-rate"_s, u"0.01/5"_s }), qPrintable(limited.error()));
    HttpClient http(limited);
    const auto ann = http.newUser(u"Ann"_s);
    const auto bob = http.newUser(u"Bob"_s);
    const auto cat = http.newUser(u"Cat"_s);
    const QString source = http.personalChat(ann.token, bob.id);
    const QString target = http.personalChat(ann.token, cat.id);
    const QString one = http.sendText(ann.token, source, u"one"_s);
    const QString two = http.sendText(ann.token, source, u"two"_s);
    // Two sends and two copies spent 4 of 5; two more copies are too many.
    COMPARE_STATUS(forward(http, ann.token, { one, two }, { target }), 200);
    const Reply refused = forward(http, ann.token, { one, two }, { target });
    COMPARE_STATUS(refused, 429);
    QCOMPARE(refused.object().value(u"code").toString(), u"too_many_messages"_s);
    QVERIFY(refused.headers.value("retry-after").toInt() > 0);
    QCOMPARE(history(http, cat.token, target).size(), 2);
    // The one token left is still there for one copy.
    COMPARE_STATUS(forward(http, ann.token, { one }, { target }), 200);
}

void TestForward::otherInstanceGetsTheCopy()
{
    if (!m_server.isPostgres())
        QSKIP("several instances need PostgreSQL; the postgres run covers it");
    TestServer second;
    QVERIFY2(second.startSharing(m_server), qPrintable(second.error()));
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto cat = m_http->newUser(u"Cat"_s);
    const QString source = m_http->personalChat(ann.token, bob.id);
    const QString target = m_http->personalChat(ann.token, cat.id);
    const QString originalId = m_http->sendText(bob.token, source, u"Across"_s);
    WsClient elsewhere(second.webSocketUrl(u"/ws/user"_s, cat.token));
    QVERIFY(elsewhere.greeted());
    const Reply forwarded = forward(*m_http, ann.token, { originalId }, { target });
    COMPARE_STATUS(forwarded, 200);
    QTRY_COMPARE_WITH_TIMEOUT(elsewhere.ofType(u"message"_s).size(), 1, 10000);
    QCOMPARE(elsewhere.lastData(u"message"_s).value(u"id").toString(),
        copiesOf(forwarded).at(0).toObject().value(u"id").toString());
    QCOMPARE(
        elsewhere.lastData(u"message"_s).value(u"forwarded_from").toObject(), forwardedFrom(bob));
}

QTEST_GUILESS_MAIN(TestForward)
#include "tst_forward.moc"
