#include "TestServer.h"
#include "WsClient.h"

#include <QJsonArray>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

// Pinned message (issue 16): PUT /chats/{id}/pin {message_id} and DELETE
// /chats/{id}/pin (both idempotent). Any member of a personal chat, only the
// owner of a group. Chat.pinned_message is null or {id, seq, sender_id,
// sender_name, text} as the message is now; a change reaches the members as
// a `chat_pinned` event {chat_id, pinned_message, user_id}; deleting the
// message unpins it.
class TestPins : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void personalChatAnyMember();
    void groupOwnerOnly();
    void messageOfAnotherChatIsRefused();
    void pinnedInChatListAndChat();
    void eventToMembersAndUpdatesOnly();
    void deletingTheMessageUnpins();
    void editingUpdatesThePreview();
    void unpinIsIdempotent();
    void otherInstanceGetsTheEvent();

private:
    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

namespace {

Reply pin(HttpClient &http, const QString &token, const QString &chatId, const QString &messageId)
{
    return http.request("PUT", u"/api/v1/chats/%1/pin"_s.arg(chatId),
        QJsonDocument(QJsonObject { { u"message_id"_s, messageId } }).toJson(), token);
}

Reply unpin(HttpClient &http, const QString &token, const QString &chatId)
{
    return http.request("DELETE", u"/api/v1/chats/%1/pin"_s.arg(chatId), {}, token);
}

QJsonValue pinnedOf(HttpClient &http, const QString &token, const QString &chatId)
{
    return http.get(u"/api/v1/chats/"_s + chatId, token).object().value(u"pinned_message");
}

QJsonObject inList(
    HttpClient &http, const QString &token, const QString &path, const QString &chatId)
{
    for (const QJsonValue &chat : http.get(path, token).json.array()) {
        if (chat.toObject().value(u"id").toString() == chatId)
            return chat.toObject();
    }
    return {};
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

qint64 seqOf(HttpClient &http, const QString &token, const QString &chatId, const QString &id)
{
    const Reply page = http.get(u"/api/v1/chats/%1/history"_s.arg(chatId), token);
    for (const QJsonValue &message : page.object().value(u"messages").toArray()) {
        if (message.toObject().value(u"id").toString() == id)
            return message.toObject().value(u"seq").toInteger();
    }
    return -1;
}

QJsonObject preview(
    const QString &id, qint64 seq, const HttpClient::Account &sender, const QString &text)
{
    return { { u"id"_s, id }, { u"seq"_s, seq }, { u"sender_id"_s, sender.id },
        { u"sender_name"_s, sender.name }, { u"text"_s, text } };
}

} // namespace

void TestPins::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    m_http = std::make_unique<HttpClient>(m_server);
}

void TestPins::personalChatAnyMember()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString first = m_http->sendText(ann.token, chatId, u"First"_s);
    const QString second = m_http->sendText(ann.token, chatId, u"Second"_s);
    QVERIFY(pinnedOf(*m_http, ann.token, chatId).isNull());

    const Reply pinned = pin(*m_http, bob.token, chatId, first);
    COMPARE_STATUS(pinned, 200);
    const QJsonObject expected
        = preview(first, seqOf(*m_http, ann.token, chatId, first), ann, u"First"_s);
    QCOMPARE(pinned.object().value(u"pinned_message").toObject(), expected);
    QCOMPARE(pinnedOf(*m_http, ann.token, chatId).toObject(), expected);
    // Ann, the other member, replaces it.
    COMPARE_STATUS(pin(*m_http, ann.token, chatId, second), 200);
    QCOMPARE(pinnedOf(*m_http, bob.token, chatId).toObject().value(u"id").toString(), second);
    COMPARE_STATUS(unpin(*m_http, bob.token, chatId), 200);
    QVERIFY(pinnedOf(*m_http, ann.token, chatId).isNull());
}

void TestPins::groupOwnerOnly()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = groupWith(*m_http, ann.token, { bob.id });
    const QString first = m_http->sendText(bob.token, chatId, u"Bob's"_s);
    const QString second = m_http->sendText(ann.token, chatId, u"Ann's"_s);

    const Reply refused = pin(*m_http, bob.token, chatId, first);
    COMPARE_STATUS(refused, 403);
    QCOMPARE(refused.object().value(u"code").toString(), u"not_chat_owner"_s);
    QVERIFY(pinnedOf(*m_http, ann.token, chatId).isNull());
    COMPARE_STATUS(pin(*m_http, ann.token, chatId, first), 200);
    // Nor may a member change or take it away.
    COMPARE_STATUS(pin(*m_http, bob.token, chatId, second), 403);
    COMPARE_STATUS(unpin(*m_http, bob.token, chatId), 403);
    QCOMPARE(pinnedOf(*m_http, bob.token, chatId).toObject().value(u"id").toString(), first);
    // /updates shows an event once the feed delivered it.
    QTRY_COMPARE_WITH_TIMEOUT(m_http->updatesOfType(bob.token, u"chat_pinned"_s).size(), 1, 10000);
}

void TestPins::messageOfAnotherChatIsRefused()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto eve = m_http->newUser(u"Eve"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString otherChat = m_http->personalChat(ann.token, eve.id);
    const QString elsewhere = m_http->sendText(ann.token, otherChat, u"Elsewhere"_s);
    const Reply refused = pin(*m_http, ann.token, chatId, elsewhere);
    COMPARE_STATUS(refused, 404);
    QCOMPARE(refused.object().value(u"code").toString(), u"message_not_found"_s);
    const Reply unknown
        = pin(*m_http, ann.token, chatId, u"00000000-0000-4000-8000-000000000000"_s);
    QCOMPARE(unknown.object(), refused.object());
    QVERIFY(pinnedOf(*m_http, ann.token, chatId).isNull());
    // A non-member cannot pin in a chat that is not theirs.
    const QString own = m_http->sendText(ann.token, chatId, u"Ours"_s);
    const Reply outsider = pin(*m_http, eve.token, chatId, own);
    COMPARE_STATUS(outsider, 403);
    QCOMPARE(outsider.object().value(u"code").toString(), u"not_a_member"_s);
    QVERIFY(pinnedOf(*m_http, ann.token, chatId).isNull());
    // Bad bodies.
    const Reply noId = m_http->request("PUT", u"/api/v1/chats/%1/pin"_s.arg(chatId),
        QJsonDocument(QJsonObject {}).toJson(), ann.token);
    COMPARE_STATUS(noId, 422);
}

void TestPins::pinnedInChatListAndChat()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString messageId = m_http->sendText(bob.token, chatId, u"Address: 1 Main St"_s);
    // Not pinned: null, in every form of the chat.
    QVERIFY(inList(*m_http, ann.token, u"/api/v1/chats"_s, chatId).contains(u"pinned_message"));
    QVERIFY(
        inList(*m_http, ann.token, u"/api/v1/chats"_s, chatId).value(u"pinned_message").isNull());
    COMPARE_STATUS(pin(*m_http, ann.token, chatId, messageId), 200);
    const QJsonObject expected = preview(
        messageId, seqOf(*m_http, ann.token, chatId, messageId), bob, u"Address: 1 Main St"_s);
    QCOMPARE(
        inList(*m_http, ann.token, u"/api/v1/chats"_s, chatId).value(u"pinned_message").toObject(),
        expected);
    QCOMPARE(inList(*m_http, bob.token, u"/api/v1/chats/with-last-message"_s, chatId)
                 .value(u"pinned_message")
                 .toObject(),
        expected);
    QCOMPARE(pinnedOf(*m_http, bob.token, chatId).toObject(), expected);
    // The preview is cut like a reply's.
    const QString longText = QString(150, u'x');
    const QString longId = m_http->sendText(bob.token, chatId, longText);
    const Reply pinnedLong = pin(*m_http, ann.token, chatId, longId);
    COMPARE_STATUS(pinnedLong, 200);
    QCOMPARE(pinnedLong.object().value(u"pinned_message").toObject().value(u"text").toString(),
        QString(100, u'x'));
    // Asking for the same chat again (create personal) shows it too.
    const Reply again = m_http->post(u"/api/v1/chats/personal"_s,
        { { u"type"_s, u"personal"_s }, { u"member_ids"_s, QJsonArray { bob.id } } }, ann.token);
    QCOMPARE(again.object().value(u"pinned_message").toObject().value(u"id").toString(), longId);
}

void TestPins::eventToMembersAndUpdatesOnly()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto cat = m_http->newUser(u"Cat"_s);
    const auto eve = m_http->newUser(u"Eve"_s);
    const QString chatId = groupWith(*m_http, ann.token, { bob.id, cat.id });
    const QString eveChat = m_http->personalChat(ann.token, eve.id);
    const QString messageId = m_http->sendText(bob.token, chatId, u"Pin me"_s);
    // Cat leaves before the pin: she gets no event of it.
    COMPARE_STATUS(m_http->request("DELETE", u"/api/v1/chats/%1/members/%2"_s.arg(chatId, cat.id),
                       {}, ann.token),
        204);
    WsClient bobLive(m_server.webSocketUrl(u"/ws/user"_s, bob.token));
    WsClient catLive(m_server.webSocketUrl(u"/ws/user"_s, cat.token));
    WsClient eveLive(m_server.webSocketUrl(u"/ws/user"_s, eve.token));
    QVERIFY(bobLive.greeted());
    QVERIFY(catLive.greeted());
    QVERIFY(eveLive.greeted());

    COMPARE_STATUS(pin(*m_http, ann.token, chatId, messageId), 200);
    const QJsonObject expected { { u"chat_id"_s, chatId },
        { u"pinned_message"_s,
            preview(messageId, seqOf(*m_http, ann.token, chatId, messageId), bob, u"Pin me"_s) },
        { u"user_id"_s, ann.id } };
    QTRY_COMPARE_WITH_TIMEOUT(bobLive.ofType(u"chat_pinned"_s).size(), 1, 10000);
    QCOMPARE(bobLive.lastData(u"chat_pinned"_s), expected);
    QTRY_COMPARE_WITH_TIMEOUT(m_http->updatesOfType(bob.token, u"chat_pinned"_s).size(), 1, 10000);
    QCOMPARE(m_http->updatesOfType(bob.token, u"chat_pinned"_s).first(), expected);
    // Pinning it again changes nothing and sends nothing.
    COMPARE_STATUS(pin(*m_http, ann.token, chatId, messageId), 200);

    // Neither Eve (never a member) nor Cat (removed) gets it: a message
    // after it reaches Eve, the event never did.
    m_http->sendText(ann.token, eveChat, u"Hi Eve"_s);
    QTRY_COMPARE_WITH_TIMEOUT(eveLive.ofType(u"message"_s).size(), 1, 10000);
    QVERIFY(eveLive.ofType(u"chat_pinned"_s).isEmpty());
    QVERIFY(m_http->updatesOfType(eve.token, u"chat_pinned"_s).isEmpty());
    QVERIFY(m_http->updatesOfType(cat.token, u"chat_pinned"_s).isEmpty());
    // Unpinning is an event too; Bob saw exactly two.
    COMPARE_STATUS(unpin(*m_http, ann.token, chatId), 200);
    QTRY_COMPARE_WITH_TIMEOUT(bobLive.ofType(u"chat_pinned"_s).size(), 2, 10000);
    QVERIFY(bobLive.lastData(u"chat_pinned"_s).value(u"pinned_message").isNull());
    QVERIFY(catLive.ofType(u"chat_pinned"_s).isEmpty());
}

void TestPins::deletingTheMessageUnpins()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString messageId = m_http->sendText(ann.token, chatId, u"Temporary secret"_s);
    COMPARE_STATUS(pin(*m_http, bob.token, chatId, messageId), 200);
    WsClient bobLive(m_server.webSocketUrl(u"/ws/user"_s, bob.token));
    QVERIFY(bobLive.greeted());
    COMPARE_STATUS(
        m_http->request("DELETE", u"/api/v1/messages/"_s + messageId, {}, ann.token), 200);
    QVERIFY(pinnedOf(*m_http, bob.token, chatId).isNull());
    QTRY_COMPARE_WITH_TIMEOUT(bobLive.ofType(u"chat_pinned"_s).size(), 1, 10000);
    const QJsonObject unpinned { { u"chat_id"_s, chatId }, { u"pinned_message"_s, QJsonValue() },
        { u"user_id"_s, ann.id } };
    QCOMPARE(bobLive.lastData(u"chat_pinned"_s), unpinned);
    // The log keeps no text of it: the pin event became the deletion.
    QTRY_COMPARE_WITH_TIMEOUT(m_http->updatesOfType(bob.token, u"chat_pinned"_s).size(), 1, 10000);
    QCOMPARE(m_http->updatesOfType(bob.token, u"chat_pinned"_s).first(), unpinned);
    const Reply log = m_http->get(u"/api/v1/updates?since_seq=0&limit=1000"_s, bob.token);
    QVERIFY(!log.body.contains("Temporary secret"));
    // A deleted message cannot be pinned.
    const Reply refused = pin(*m_http, bob.token, chatId, messageId);
    COMPARE_STATUS(refused, 409);
    QCOMPARE(refused.object().value(u"code").toString(), u"message_deleted"_s);
}

void TestPins::editingUpdatesThePreview()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString messageId = m_http->sendText(ann.token, chatId, u"Meet at 5"_s);
    COMPARE_STATUS(pin(*m_http, ann.token, chatId, messageId), 200);
    COMPARE_STATUS(
        m_http->request("PATCH", u"/api/v1/messages/"_s + messageId,
            QJsonDocument(QJsonObject { { u"text"_s, u"Meet at 6"_s } }).toJson(), ann.token),
        200);
    QCOMPARE(
        pinnedOf(*m_http, bob.token, chatId).toObject().value(u"text").toString(), u"Meet at 6"_s);
    // And the sender's name as it is now.
    COMPARE_STATUS(m_http->request("PATCH", u"/api/v1/users/me"_s,
                       QJsonDocument(QJsonObject { { u"name"_s, u"Anna"_s } }).toJson(), ann.token),
        200);
    QCOMPARE(pinnedOf(*m_http, bob.token, chatId).toObject().value(u"sender_name").toString(),
        u"Anna"_s);
}

void TestPins::unpinIsIdempotent()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString messageId = m_http->sendText(ann.token, chatId, u"Once"_s);
    // Nothing pinned: unpinning answers the chat, stores nothing.
    const Reply nothing = unpin(*m_http, ann.token, chatId);
    COMPARE_STATUS(nothing, 200);
    QVERIFY(nothing.object().value(u"pinned_message").isNull());
    COMPARE_STATUS(pin(*m_http, ann.token, chatId, messageId), 200);
    COMPARE_STATUS(unpin(*m_http, ann.token, chatId), 200);
    COMPARE_STATUS(unpin(*m_http, bob.token, chatId), 200);
    QVERIFY(pinnedOf(*m_http, ann.token, chatId).isNull());
    QTRY_COMPARE_WITH_TIMEOUT(m_http->updatesOfType(bob.token, u"chat_pinned"_s).size(), 2, 10000);
    // An unknown chat: 404 like every chat route.
    const Reply unknown = unpin(*m_http, ann.token, u"00000000-0000-4000-8000-000000000000"_s);
    COMPARE_STATUS(unknown, 404);
    QCOMPARE(unknown.object().value(u"code").toString(), u"chat_not_found"_s);
}

void TestPins::otherInstanceGetsTheEvent()
{
    if (!m_server.isPostgres())
        QSKIP("several instances need PostgreSQL; the postgres run covers it");
    TestServer second;
    QVERIFY2(second.startSharing(m_server), qPrintable(second.error()));
    HttpClient secondHttp(second);
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString messageId = m_http->sendText(ann.token, chatId, u"Across"_s);
    WsClient elsewhere(second.webSocketUrl(u"/ws/user"_s, bob.token));
    QVERIFY(elsewhere.greeted());
    COMPARE_STATUS(pin(*m_http, ann.token, chatId, messageId), 200);
    QTRY_COMPARE_WITH_TIMEOUT(elsewhere.ofType(u"chat_pinned"_s).size(), 1, 10000);
    QCOMPARE(elsewhere.lastData(u"chat_pinned"_s).value(u"pinned_message").toObject().value(u"id"),
        messageId);
    // The other instance reads the same pin.
    QCOMPARE(pinnedOf(secondHttp, bob.token, chatId).toObject().value(u"id").toString(), messageId);
    COMPARE_STATUS(unpin(secondHttp, bob.token, chatId), 200);
    QTRY_COMPARE_WITH_TIMEOUT(elsewhere.ofType(u"chat_pinned"_s).size(), 2, 10000);
}

QTEST_GUILESS_MAIN(TestPins)
#include "tst_pins.moc"
