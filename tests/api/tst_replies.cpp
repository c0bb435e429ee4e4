#include "TestServer.h"
#include "WsClient.h"

#include <QJsonArray>
#include <QSet>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

// Replies (issue 16): a send may name a message of the same chat it answers;
// every Message then carries `reply_to`, a preview joined at read time that
// follows edits and deletion. And history's around_seq, the page a reply's
// original is on.
class TestReplies : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void replyOverRest();
    void replyOverWebSocket();
    void previewFollowsEdits();
    void previewIsCutOnCharacterBoundaries();
    void deletedOriginalShowsNoText();
    void replyToDeletedMessageIsRefused();
    void replyOutsideTheChatIsRefusedAlike();
    void idempotentResendOfAReply();
    void historyAroundSeq();
    void historyAroundSeqConflicts();
    void nonMemberGetsNothing();
    void otherInstanceSendsThePreview();

private:
    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

namespace {

Reply send(HttpClient &http, const QString &token, const QString &chatId, const QString &text,
    const QString &replyToId = {}, const QString &clientId = {})
{
    QJsonObject body { { u"chat_id"_s, chatId }, { u"text"_s, text } };
    if (!replyToId.isEmpty())
        body.insert(u"reply_to_id"_s, replyToId);
    if (!clientId.isEmpty())
        body.insert(u"client_id"_s, clientId);
    return http.post(u"/api/v1/chats/messages"_s, body, token);
}

QString sentId(const Reply &reply)
{
    return reply.object().value(u"id").toString();
}

Reply editMessage(HttpClient &http, const QString &token, const QString &id, const QString &text)
{
    return http.request("PATCH", u"/api/v1/messages/"_s + id,
        QJsonDocument(QJsonObject { { u"text"_s, text } }).toJson(), token);
}

Reply history(
    HttpClient &http, const QString &token, const QString &chatId, const QString &query = {})
{
    return http.get(u"/api/v1/chats/%1/history%2"_s.arg(chatId, query), token);
}

QJsonArray historyMessages(HttpClient &http, const QString &token, const QString &chatId)
{
    return history(http, token, chatId).object().value(u"messages").toArray();
}

// The message with `id` in the chat's newest page.
QJsonObject inHistory(
    HttpClient &http, const QString &token, const QString &chatId, const QString &id)
{
    for (const QJsonValue &message : historyMessages(http, token, chatId)) {
        if (message.toObject().value(u"id").toString() == id)
            return message.toObject();
    }
    return {};
}

qint64 total(HttpClient &http, const QString &token, const QString &chatId)
{
    return history(http, token, chatId).object().value(u"total").toInteger();
}

QString createGroup(
    HttpClient &http, const QString &token, const QString &name, const QStringList &memberIds)
{
    return http
        .post(u"/api/v1/chats/group"_s,
            { { u"name"_s, name }, { u"member_ids"_s, QJsonArray::fromStringList(memberIds) } },
            token)
        .object()
        .value(u"id")
        .toString();
}

// The reply_to a reply to `id` (in `chatId`, which `token` can read) must carry.
QJsonObject preview(HttpClient &http, const QString &token, const QString &chatId,
    const QString &id, const QString &senderId, const QString &senderName, const QString &text,
    bool deleted)
{
    const qint64 seq = inHistory(http, token, chatId, id).value(u"seq").toInteger();
    return { { u"id"_s, id }, { u"sender_id"_s, senderId }, { u"sender_name"_s, senderName },
        { u"text"_s, text }, { u"deleted"_s, deleted }, { u"seq"_s, seq } };
}

// The `data` of every event of `type` in /updates for the user.
QJsonObject withId(const QList<QJsonObject> &objects, const QString &id)
{
    for (const QJsonObject &object : objects) {
        if (object.value(u"id").toString() == id)
            return object;
    }
    return {};
}

QList<qint64> chatSeqs(const Reply &page)
{
    QList<qint64> seqs;
    for (const QJsonValue &message : page.object().value(u"messages").toArray())
        seqs.append(message.toObject().value(u"chat_seq").toInteger());
    return seqs;
}

} // namespace

void TestReplies::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    m_http = std::make_unique<HttpClient>(m_server);
}

void TestReplies::replyOverRest()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    WsClient live(m_server.webSocketUrl(u"/ws/user"_s, ann.token));
    QVERIFY(live.greeted());

    const Reply original = send(*m_http, ann.token, chatId, u"Lunch at noon?"_s);
    QCOMPARE(original.status, 200);
    // No reply: the key is there, null.
    QVERIFY(original.object().contains(u"reply_to"));
    QVERIFY(original.object().value(u"reply_to").isNull());

    const Reply reply = send(*m_http, bob.token, chatId, u"Yes!"_s, sentId(original));
    COMPARE_STATUS(reply, 200);
    const QJsonObject expected = preview(
        *m_http, ann.token, chatId, sentId(original), ann.id, u"Ann"_s, u"Lunch at noon?"_s, false);
    QCOMPARE(reply.object().value(u"reply_to").toObject(), expected);

    // History, the live event and /updates say the same.
    QCOMPARE(inHistory(*m_http, ann.token, chatId, sentId(reply)).value(u"reply_to").toObject(),
        expected);
    QVERIFY(inHistory(*m_http, ann.token, chatId, sentId(original)).value(u"reply_to").isNull());
    QTRY_COMPARE_WITH_TIMEOUT(live.ofType(u"message"_s).size(), 2, 10000);
    QCOMPARE(live.lastData(u"message"_s).value(u"reply_to").toObject(), expected);
    const auto updates = m_http->updatesOfType(bob.token, u"message"_s);
    QCOMPARE(withId(updates, sentId(reply)).value(u"reply_to").toObject(), expected);
    QVERIFY(withId(updates, sentId(original)).contains(u"reply_to"));
    QVERIFY(withId(updates, sentId(original)).value(u"reply_to").isNull());
}

void TestReplies::replyOverWebSocket()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString originalId = sentId(send(*m_http, ann.token, chatId, u"Which train?"_s));
    WsClient bobLive(m_server.webSocketUrl(u"/ws/user"_s, bob.token));
    WsClient annLive(m_server.webSocketUrl(u"/ws/user"_s, ann.token));
    QVERIFY(bobLive.greeted());
    QVERIFY(annLive.greeted());
    const QString clientId = u"5d9a8f7e-1c2b-4a3d-8e4f-0a1b2c3d4e01"_s;
    bobLive.sendJson(
        { { u"type"_s, u"send"_s }, { u"chat_id"_s, chatId }, { u"text"_s, u"The 8:15"_s },
            { u"client_id"_s, clientId }, { u"reply_to_id"_s, originalId } });
    QTRY_COMPARE_WITH_TIMEOUT(bobLive.ofType(u"ack"_s).size(), 1, 10000);
    const QJsonObject expected = preview(
        *m_http, ann.token, chatId, originalId, ann.id, u"Ann"_s, u"Which train?"_s, false);
    QCOMPARE(bobLive.lastData(u"ack"_s).value(u"reply_to").toObject(), expected);
    QTRY_COMPARE_WITH_TIMEOUT(annLive.ofType(u"message"_s).size(), 1, 10000);
    QCOMPARE(annLive.lastData(u"message"_s).value(u"reply_to").toObject(), expected);

    // A refused reply is an error frame naming the command; nothing is stored.
    const QString refusedClientId = u"5d9a8f7e-1c2b-4a3d-8e4f-0a1b2c3d4e02"_s;
    bobLive.sendJson({ { u"type"_s, u"send"_s }, { u"chat_id"_s, chatId },
        { u"text"_s, u"to nothing"_s }, { u"client_id"_s, refusedClientId },
        { u"reply_to_id"_s, u"00000000-0000-4000-8000-000000000000"_s } });
    QTRY_COMPARE_WITH_TIMEOUT(bobLive.ofType(u"error"_s).size(), 1, 10000);
    const QJsonObject error = bobLive.ofType(u"error"_s).first();
    QCOMPARE(error.value(u"code").toString(), u"reply_target_not_found"_s);
    QCOMPARE(error.value(u"client_id").toString(), refusedClientId);
    QCOMPARE(total(*m_http, ann.token, chatId), 2);
}

void TestReplies::previewFollowsEdits()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString originalId = sentId(send(*m_http, ann.token, chatId, u"Meet at 6"_s));
    const QString replyId = sentId(send(*m_http, bob.token, chatId, u"OK"_s, originalId));
    QVERIFY(!replyId.isEmpty());
    WsClient live(m_server.webSocketUrl(u"/ws/user"_s, ann.token));
    QVERIFY(live.greeted());

    COMPARE_STATUS(editMessage(*m_http, ann.token, originalId, u"Meet at 7"_s), 200);
    const QJsonObject edited
        = preview(*m_http, ann.token, chatId, originalId, ann.id, u"Ann"_s, u"Meet at 7"_s, false);
    QCOMPARE(inHistory(*m_http, bob.token, chatId, replyId).value(u"reply_to").toObject(), edited);
    QCOMPARE(withId(m_http->updatesOfType(bob.token, u"message"_s), replyId)
                 .value(u"reply_to")
                 .toObject(),
        edited);

    // The reply's own edit keeps (and shows the current) preview, live and in /updates.
    const Reply replyEdited = editMessage(*m_http, bob.token, replyId, u"OK, 7 then"_s);
    COMPARE_STATUS(replyEdited, 200);
    QCOMPARE(replyEdited.object().value(u"reply_to").toObject(), edited);
    QTRY_COMPARE_WITH_TIMEOUT(live.ofType(u"message_edited"_s).size(), 2, 10000);
    QCOMPARE(live.lastData(u"message_edited"_s).value(u"reply_to").toObject(), edited);
    // The original's own edit event has no reply: null, present.
    const QJsonObject originalEdit
        = live.ofType(u"message_edited"_s).first().value(u"data").toObject();
    QVERIFY(originalEdit.contains(u"reply_to"));
    QVERIFY(originalEdit.value(u"reply_to").isNull());
    COMPARE_STATUS(editMessage(*m_http, ann.token, originalId, u"Meet at 8"_s), 200);
    QCOMPARE(withId(m_http->updatesOfType(ann.token, u"message_edited"_s), replyId)
                 .value(u"reply_to")
                 .toObject(),
        preview(*m_http, ann.token, chatId, originalId, ann.id, u"Ann"_s, u"Meet at 8"_s, false));
}

void TestReplies::previewIsCutOnCharacterBoundaries()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const auto previewOf = [&](const QString &text) {
        const QString originalId = sentId(send(*m_http, ann.token, chatId, text));
        const Reply reply = send(*m_http, bob.token, chatId, u"re"_s, originalId);
        return reply.object().value(u"reply_to").toObject().value(u"text").toString();
    };
    const QString hundred(100, u'a');
    QCOMPARE(previewOf(hundred), hundred);
    QCOMPARE(previewOf(hundred + u"b"_s), hundred);
    // U+1F600 takes code units 100 and 101: it is left out whole, not split.
    const QString ninetyNine(99, u'a');
    const QString grinning = QString::fromUcs4(U"\U0001F600");
    QCOMPARE(previewOf(ninetyNine + grinning + u"tail"_s), ninetyNine);
    // So is an accent combined with the letter before the cut.
    QCOMPARE(previewOf(ninetyNine + u"e\u0301tail"_s), ninetyNine);
    // A long text in full stays in the message itself.
    const QString longText = QString(4000, u'x');
    const QString originalId = sentId(send(*m_http, ann.token, chatId, longText));
    QCOMPARE(inHistory(*m_http, bob.token, chatId, originalId).value(u"text").toString(), longText);
}

void TestReplies::deletedOriginalShowsNoText()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString secret = u"regrettable-words-7f3a"_s;
    const QString secretEdit = u"still-regrettable-0c4d"_s;
    const QString originalId = sentId(send(*m_http, ann.token, chatId, secret));
    const QString replyId = sentId(send(*m_http, bob.token, chatId, u"What?"_s, originalId));
    COMPARE_STATUS(editMessage(*m_http, ann.token, originalId, secretEdit), 200);
    // The reply's edit event quoted the original's text when it was stored.
    COMPARE_STATUS(editMessage(*m_http, bob.token, replyId, u"What??"_s), 200);
    WsClient live(m_server.webSocketUrl(u"/ws/user"_s, bob.token));
    QVERIFY(live.greeted());
    COMPARE_STATUS(
        m_http->request("DELETE", u"/api/v1/messages/"_s + originalId, {}, ann.token), 200);
    QTRY_COMPARE_WITH_TIMEOUT(live.ofType(u"message_deleted"_s).size(), 1, 10000);

    const QJsonObject gone
        = preview(*m_http, ann.token, chatId, originalId, ann.id, u"Ann"_s, QString(), true);
    const Reply page = history(*m_http, bob.token, chatId);
    QVERIFY(!page.body.contains(secret.toUtf8()) && !page.body.contains(secretEdit.toUtf8()));
    QCOMPARE(inHistory(*m_http, bob.token, chatId, replyId).value(u"reply_to").toObject(), gone);
    const Reply updates = m_http->get(u"/api/v1/updates?since_seq=0&limit=1000"_s, bob.token);
    QCOMPARE(updates.status, 200);
    QVERIFY2(!updates.body.contains(secret.toUtf8()) && !updates.body.contains(secretEdit.toUtf8()),
        updates.body.constData());
    QCOMPARE(withId(m_http->updatesOfType(bob.token, u"message"_s), replyId)
                 .value(u"reply_to")
                 .toObject(),
        gone);
    QCOMPARE(withId(m_http->updatesOfType(bob.token, u"message_edited"_s), replyId)
                 .value(u"reply_to")
                 .toObject(),
        gone);
    // A socket replaying from the start sees no text of it either.
    WsClient fromStart(m_server.webSocketUrl(u"/ws/user?since_seq=1&token="_s + bob.token));
    QTRY_VERIFY_WITH_TIMEOUT(fromStart.ofType(u"message_deleted"_s).size() >= 1, 10000);
    const QString frames = fromStart.raw.join(u'\n');
    QVERIFY2(!frames.contains(secret) && !frames.contains(secretEdit), qPrintable(frames));

    // A deleted reply keeps nothing of what it quoted either.
    const Reply deletedReply
        = m_http->request("DELETE", u"/api/v1/messages/"_s + replyId, {}, bob.token);
    COMPARE_STATUS(deletedReply, 200);
    QVERIFY(deletedReply.object().value(u"reply_to").isNull());
    QVERIFY(inHistory(*m_http, ann.token, chatId, replyId).value(u"reply_to").isNull());
}

void TestReplies::replyToDeletedMessageIsRefused()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString originalId = sentId(send(*m_http, ann.token, chatId, u"oops"_s));
    COMPARE_STATUS(
        m_http->request("DELETE", u"/api/v1/messages/"_s + originalId, {}, ann.token), 200);
    const Reply refused = send(*m_http, bob.token, chatId, u"what was it?"_s, originalId);
    QCOMPARE(refused.status, 409);
    QCOMPARE(refused.object().value(u"code").toString(), u"reply_target_deleted"_s);
    QVERIFY(!refused.object().value(u"detail").toString().isEmpty());
    QCOMPARE(total(*m_http, bob.token, chatId), 1);
}

void TestReplies::replyOutsideTheChatIsRefusedAlike()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto cat = m_http->newUser(u"Cat"_s);
    const QString annBob = m_http->personalChat(ann.token, bob.id);
    const QString annCat = m_http->personalChat(ann.token, cat.id);
    const QString bobCat = m_http->personalChat(bob.token, cat.id);
    send(*m_http, ann.token, annBob, u"first"_s);
    // A message of another chat Ann is in, of a chat she is not in, and none.
    const QString inOtherChat = sentId(send(*m_http, cat.token, annCat, u"elsewhere"_s));
    const QString inForeignChat = sentId(send(*m_http, cat.token, bobCat, u"private"_s));
    const QList<QString> targets { inOtherChat, inForeignChat,
        u"00000000-0000-4000-8000-000000000000"_s };
    QByteArray firstBody;
    for (const QString &target : targets) {
        const Reply refused = send(*m_http, ann.token, annBob, u"re"_s, target);
        QCOMPARE(refused.status, 404);
        QCOMPARE(refused.object().value(u"code").toString(), u"reply_target_not_found"_s);
        // Alike, so the answer tells nothing of whether that message exists.
        if (firstBody.isEmpty())
            firstBody = refused.body;
        QCOMPARE(refused.body, firstBody);
    }
    QCOMPARE(total(*m_http, ann.token, annBob), 1);
    QCOMPARE(total(*m_http, ann.token, annCat), 1);
    // A malformed id is a 422 of the field.
    const Reply malformed = send(*m_http, ann.token, annBob, u"re"_s, u"not-a-uuid"_s);
    QCOMPARE(malformed.status, 422);
    QCOMPARE(malformed.object().value(u"detail").toArray().first().toObject().value(u"loc"),
        (QJsonArray { u"body"_s, u"reply_to_id"_s }));
}

void TestReplies::idempotentResendOfAReply()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString originalId = sentId(send(*m_http, ann.token, chatId, u"ping"_s));
    const QString clientId = u"6e0b9a8f-2d3c-4b5e-9f60-1b2c3d4e5f01"_s;
    const Reply first = send(*m_http, bob.token, chatId, u"pong"_s, originalId, clientId);
    COMPARE_STATUS(first, 200);
    const Reply again = send(*m_http, bob.token, chatId, u"pong"_s, originalId, clientId);
    COMPARE_STATUS(again, 200);
    QCOMPARE(sentId(again), sentId(first));
    QCOMPARE(again.object().value(u"reply_to"), first.object().value(u"reply_to"));
    // The first send was stored: a retry answers with it even once its
    // original is gone (now with the tombstone's preview).
    COMPARE_STATUS(
        m_http->request("DELETE", u"/api/v1/messages/"_s + originalId, {}, ann.token), 200);
    const Reply afterDelete = send(*m_http, bob.token, chatId, u"pong"_s, originalId, clientId);
    COMPARE_STATUS(afterDelete, 200);
    QCOMPARE(sentId(afterDelete), sentId(first));
    QCOMPARE(afterDelete.object().value(u"reply_to").toObject().value(u"deleted").toBool(), true);
    QCOMPARE(total(*m_http, ann.token, chatId), 2);
}

void TestReplies::historyAroundSeq()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    QList<qint64> seqs; // seqs[i] is the seq of chat_seq i + 1
    for (int i = 1; i <= 10; ++i) {
        const Reply sent = send(*m_http, i % 2 ? ann.token : bob.token, chatId, u"m%1"_s.arg(i));
        QCOMPARE(sent.status, 200);
        seqs.append(sent.object().value(u"seq").toInteger());
    }
    const auto around = [&](qint64 seq, int limit) {
        return history(
            *m_http, ann.token, chatId, u"?around_seq=%1&limit=%2"_s.arg(seq).arg(limit));
    };
    // Centred: two older, the message, one newer; newest first as every page.
    const Reply middle = around(seqs[4], 4);
    COMPARE_STATUS(middle, 200);
    QCOMPARE(chatSeqs(middle), (QList<qint64> { 6, 5, 4, 3 }));
    QCOMPARE(middle.object().value(u"has_more").toBool(), true);
    QCOMPARE(middle.object().value(u"total").toInteger(), 10);
    // An odd limit: limit / 2 older, the rest the message and newer ones.
    QCOMPARE(chatSeqs(around(seqs[4], 5)), (QList<qint64> { 7, 6, 5, 4, 3 }));
    // At the first message the newer side fills the page; nothing older.
    const Reply first = around(seqs[0], 4);
    QCOMPARE(chatSeqs(first), (QList<qint64> { 4, 3, 2, 1 }));
    QCOMPARE(first.object().value(u"has_more").toBool(), false);
    // At the last message the older side fills it.
    const Reply last = around(seqs[9], 4);
    QCOMPARE(chatSeqs(last), (QList<qint64> { 10, 9, 8, 7 }));
    QCOMPARE(last.object().value(u"has_more").toBool(), true);
    // A page larger than the chat is the whole chat.
    const Reply all = around(seqs[4], 50);
    QCOMPARE(chatSeqs(all), (QList<qint64> { 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 }));
    QCOMPARE(all.object().value(u"has_more").toBool(), false);
    // Messages carry reply_to there too.
    for (const QJsonValue &message : middle.object().value(u"messages").toArray())
        QVERIFY(message.toObject().contains(u"reply_to"));
    COMPARE_STATUS(around(-1, 4), 422);
}

void TestReplies::historyAroundSeqConflicts()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    for (const QString &other : { u"offset=1"_s, u"before_seq=5"_s, u"after_seq=5"_s }) {
        const Reply refused = history(*m_http, ann.token, chatId, u"?around_seq=3&"_s + other);
        QCOMPARE(refused.status, 422);
        const QJsonArray detail = refused.object().value(u"detail").toArray();
        QSet<QString> named;
        for (const QJsonValue &error : detail) {
            named.insert(error.toObject().value(u"loc").toArray().at(1).toString());
            QCOMPARE(error.toObject().value(u"type").toString(), u"parameter_conflict"_s);
        }
        QCOMPARE(named, (QSet<QString> { u"around_seq"_s, other.section(u'=', 0, 0) }));
    }
}

void TestReplies::nonMemberGetsNothing()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto eve = m_http->newUser(u"Eve"_s);
    const QString groupId = createGroup(*m_http, ann.token, u"Plans"_s, { bob.id });
    const QString originalId = sentId(send(*m_http, ann.token, groupId, u"the plan"_s));
    const Reply sent = send(*m_http, bob.token, groupId, u"agreed"_s, originalId);
    COMPARE_STATUS(sent, 200);
    const qint64 seq = sent.object().value(u"seq").toInteger();

    // Eve may neither reply into the chat nor read around a seq in it.
    const Reply reply = send(*m_http, eve.token, groupId, u"me too"_s, originalId);
    QCOMPARE(reply.status, 403);
    QCOMPARE(reply.object().value(u"code").toString(), u"not_a_member"_s);
    const Reply around = history(*m_http, eve.token, groupId, u"?around_seq=%1"_s.arg(seq));
    QCOMPARE(around.status, 403);
    QVERIFY(!around.body.contains("the plan"));
    const Reply updates = m_http->get(u"/api/v1/updates?since_seq=0&limit=1000"_s, eve.token);
    QCOMPARE(updates.status, 200);
    QVERIFY(!updates.body.contains("the plan") && !updates.body.contains(originalId.toUtf8()));
    QCOMPARE(total(*m_http, ann.token, groupId), 2);
}

// Another instance learns of a reply (and of its edit) from the database: the
// preview is joined there too, as it is when read.
void TestReplies::otherInstanceSendsThePreview()
{
    if (!m_server.isPostgres())
        QSKIP("several instances need PostgreSQL; the postgres run covers it");
    TestServer second;
    QVERIFY2(second.startSharing(m_server), qPrintable(second.error()));
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    WsClient elsewhere(second.webSocketUrl(u"/ws/user"_s, ann.token));
    QVERIFY(elsewhere.greeted());
    const QString originalId = sentId(send(*m_http, ann.token, chatId, u"Dinner?"_s));
    const QString replyId = sentId(send(*m_http, bob.token, chatId, u"Pizza"_s, originalId));
    QVERIFY(!replyId.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(elsewhere.ofType(u"message"_s).size(), 2, 10000);
    QCOMPARE(elsewhere.lastData(u"message"_s).value(u"reply_to").toObject(),
        preview(*m_http, ann.token, chatId, originalId, ann.id, u"Ann"_s, u"Dinner?"_s, false));
    COMPARE_STATUS(editMessage(*m_http, ann.token, originalId, u"Dinner at 8?"_s), 200);
    COMPARE_STATUS(editMessage(*m_http, bob.token, replyId, u"Pizza!"_s), 200);
    QTRY_COMPARE_WITH_TIMEOUT(elsewhere.ofType(u"message_edited"_s).size(), 2, 10000);
    QCOMPARE(elsewhere.lastData(u"message_edited"_s).value(u"reply_to").toObject(),
        preview(
            *m_http, ann.token, chatId, originalId, ann.id, u"Ann"_s, u"Dinner at 8?"_s, false));
}

QTEST_GUILESS_MAIN(TestReplies)
#include "tst_replies.moc"
