#include "TestServer.h"
#include "WsClient.h"

#include <QDateTime>
#include <QJsonArray>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

// Per-user chat settings (issue 16): PATCH /chats/{id}/settings {muted_until,
// pinned, archived, marked_unread} and PUT /chats/pinned {chat_ids}. Every
// chat in the lists and GET /chats/{id} carries the caller's `settings`; a
// change is a `chat_settings` event to the user's own devices only. A new
// message unarchives a chat that is not muted; reading or sending clears
// marked_unread.
class TestChatSettings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void eachSettingRoundTripsAndShowsInTheLists();
    void othersSeeNothingAndOwnDevicesGetTheEvent();
    void sixthPinIsRefusedAndPinsReorder();
    void newMessageUnarchivesUnlessMuted();
    void muteExpiryAndValidation();
    void markedUnreadClearedByReadAndOwnSend();
    void nonMemberIsRefusedAndNothingStored();
    void otherInstanceGetsTheEvent();
    void changesCountAgainstTheChangeRate();

private:
    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

namespace {

constexpr qint64 forever = 253402300799;

Reply patchSettings(
    HttpClient &http, const QString &token, const QString &chatId, const QJsonObject &body)
{
    return http.request(
        "PATCH", u"/api/v1/chats/%1/settings"_s.arg(chatId), QJsonDocument(body).toJson(), token);
}

Reply reorder(HttpClient &http, const QString &token, const QStringList &chatIds)
{
    return http.request("PUT", u"/api/v1/chats/pinned"_s,
        QJsonDocument(QJsonObject { { u"chat_ids"_s, QJsonArray::fromStringList(chatIds) } })
            .toJson(),
        token);
}

QJsonObject settings(const QJsonValue &mutedUntil = {}, const QJsonValue &pinnedPosition = {},
    bool archived = false, bool markedUnread = false)
{
    return { { u"muted_until"_s, mutedUntil }, { u"pinned_position"_s, pinnedPosition },
        { u"archived"_s, archived }, { u"marked_unread"_s, markedUnread } };
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

QJsonObject settingsOf(HttpClient &http, const QString &token, const QString &chatId)
{
    return http.get(u"/api/v1/chats/"_s + chatId, token).object().value(u"settings").toObject();
}

qint64 now()
{
    return QDateTime::currentSecsSinceEpoch();
}

} // namespace

void TestChatSettings::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    m_http = std::make_unique<HttpClient>(m_server);
}

void TestChatSettings::eachSettingRoundTripsAndShowsInTheLists()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    // Nothing set: every form of the chat says so.
    QCOMPARE(settingsOf(*m_http, ann.token, chatId), settings());
    QCOMPARE(inList(*m_http, ann.token, u"/api/v1/chats"_s, chatId).value(u"settings").toObject(),
        settings());

    const qint64 until = now() + 3600;
    Reply answer = patchSettings(*m_http, ann.token, chatId, { { u"muted_until"_s, until } });
    COMPARE_STATUS(answer, 200);
    QCOMPARE(answer.object(), settings(until));
    answer = patchSettings(*m_http, ann.token, chatId, { { u"pinned"_s, true } });
    COMPARE_STATUS(answer, 200);
    QCOMPARE(answer.object().value(u"pinned_position").toInteger(), 1);
    answer = patchSettings(*m_http, ann.token, chatId, { { u"archived"_s, true } });
    QCOMPARE(answer.object().value(u"archived"), true);
    answer = patchSettings(*m_http, ann.token, chatId, { { u"marked_unread"_s, true } });
    const QJsonObject all = settings(until, 1, true, true);
    QCOMPARE(answer.object(), all);
    QCOMPARE(settingsOf(*m_http, ann.token, chatId), all);
    QCOMPARE(
        inList(*m_http, ann.token, u"/api/v1/chats"_s, chatId).value(u"settings").toObject(), all);
    QCOMPARE(inList(*m_http, ann.token, u"/api/v1/chats/with-last-message"_s, chatId)
                 .value(u"settings")
                 .toObject(),
        all);
    // Forever, and back, several fields at once.
    answer = patchSettings(*m_http, ann.token, chatId,
        { { u"muted_until"_s, forever }, { u"pinned"_s, false }, { u"archived"_s, false } });
    QCOMPARE(answer.object(), settings(forever, {}, false, true));
    answer = patchSettings(*m_http, ann.token, chatId,
        { { u"muted_until"_s, QJsonValue() }, { u"marked_unread"_s, false } });
    QCOMPARE(answer.object(), settings());
    QCOMPARE(settingsOf(*m_http, ann.token, chatId), settings());
}

void TestChatSettings::othersSeeNothingAndOwnDevicesGetTheEvent()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    WsClient annPhone(m_server.webSocketUrl(u"/ws/user"_s, ann.token));
    // A second device: a session of its own.
    const QString laptopToken
        = m_http
              ->post(u"/api/v1/auth/token"_s,
                  { { u"email"_s, ann.email }, { u"password"_s, ann.password } })
              .object()
              .value(u"access_token")
              .toString();
    WsClient annDesktop(m_server.webSocketUrl(u"/ws/user"_s, laptopToken));
    WsClient bobLive(m_server.webSocketUrl(u"/ws/user"_s, bob.token));
    QVERIFY(annPhone.greeted());
    QVERIFY(annDesktop.greeted());
    QVERIFY(bobLive.greeted());

    COMPARE_STATUS(patchSettings(*m_http, ann.token, chatId,
                       { { u"pinned"_s, true }, { u"muted_until"_s, forever } }),
        200);
    const QJsonObject expected { { u"chat_id"_s, chatId },
        { u"settings"_s, settings(forever, 1) } };
    QTRY_COMPARE_WITH_TIMEOUT(annDesktop.ofType(u"chat_settings"_s).size(), 1, 10000);
    QCOMPARE(annDesktop.lastData(u"chat_settings"_s), expected);
    QTRY_COMPARE_WITH_TIMEOUT(annPhone.ofType(u"chat_settings"_s).size(), 1, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(
        m_http->updatesOfType(ann.token, u"chat_settings"_s).size(), 1, 10000);
    QCOMPARE(m_http->updatesOfType(ann.token, u"chat_settings"_s).first(), expected);
    // The same again changes nothing and sends nothing.
    COMPARE_STATUS(patchSettings(*m_http, ann.token, chatId, { { u"pinned"_s, true } }), 200);

    // Bob's chat is as it was; a message after the change reaches him, the
    // change never did.
    QCOMPARE(settingsOf(*m_http, bob.token, chatId), settings());
    m_http->sendText(ann.token, chatId, u"After"_s);
    QTRY_COMPARE_WITH_TIMEOUT(bobLive.ofType(u"message"_s).size(), 1, 10000);
    QVERIFY(bobLive.ofType(u"chat_settings"_s).isEmpty());
    QVERIFY(m_http->updatesOfType(bob.token, u"chat_settings"_s).isEmpty());
    // Ann's devices got one event each (the repeat sent none).
    QTRY_COMPARE_WITH_TIMEOUT(annDesktop.ofType(u"message"_s).size(), 1, 10000);
    QCOMPARE(annDesktop.ofType(u"chat_settings"_s).size(), 1);
}

void TestChatSettings::sixthPinIsRefusedAndPinsReorder()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    QStringList chats;
    for (int i = 0; i < 6; ++i) {
        const auto other = m_http->newUser(u"Friend %1"_s.arg(i));
        chats.append(m_http->personalChat(ann.token, other.id));
    }
    for (int i = 0; i < 5; ++i) {
        const Reply pinned = patchSettings(*m_http, ann.token, chats[i], { { u"pinned"_s, true } });
        COMPARE_STATUS(pinned, 200);
        QCOMPARE(pinned.object().value(u"pinned_position").toInteger(), i + 1);
    }
    const Reply refused = patchSettings(*m_http, ann.token, chats[5], { { u"pinned"_s, true } });
    COMPARE_STATUS(refused, 409);
    QCOMPARE(refused.object().value(u"code").toString(), u"pinned_chats_limit"_s);
    QVERIFY(settingsOf(*m_http, ann.token, chats[5]).value(u"pinned_position").isNull());

    // Unpinning one makes room; the new pin goes last.
    COMPARE_STATUS(patchSettings(*m_http, ann.token, chats[1], { { u"pinned"_s, false } }), 200);
    const Reply sixth = patchSettings(*m_http, ann.token, chats[5], { { u"pinned"_s, true } });
    COMPARE_STATUS(sixth, 200);
    QCOMPARE(sixth.object().value(u"pinned_position").toInteger(), 6);

    // Reordering names exactly the pinned set.
    const QStringList pinned { chats[0], chats[2], chats[3], chats[4], chats[5] };
    const QStringList wanted { chats[5], chats[0], chats[4], chats[3], chats[2] };
    for (const QStringList &wrong : { QStringList { chats[5], chats[0] },
             QStringList { chats[5], chats[0], chats[4], chats[3], chats[1] } }) {
        const Reply mismatch = reorder(*m_http, ann.token, wrong);
        COMPARE_STATUS(mismatch, 422);
        QCOMPARE(mismatch.object().value(u"code").toString(), u"pinned_chats_mismatch"_s);
    }
    const Reply twice = reorder(*m_http, ann.token, { chats[0], chats[0] });
    COMPARE_STATUS(twice, 422);
    QCOMPARE(twice.object().value(u"code").toString(), u"validation_error"_s);
    QCOMPARE(settingsOf(*m_http, ann.token, chats[5]).value(u"pinned_position").toInteger(), 6);

    const Reply reordered = reorder(*m_http, ann.token, wanted);
    COMPARE_STATUS(reordered, 200);
    const QJsonArray answer = reordered.json.array();
    QCOMPARE(answer.size(), 5);
    for (qsizetype i = 0; i < wanted.size(); ++i) {
        QCOMPARE(answer.at(i).toObject().value(u"chat_id").toString(), wanted[i]);
        QCOMPARE(
            answer.at(i).toObject().value(u"settings").toObject().value(u"pinned_position"), i + 1);
        QCOMPARE(settingsOf(*m_http, ann.token, wanted[i]).value(u"pinned_position"), i + 1);
    }
    QVERIFY(settingsOf(*m_http, ann.token, chats[1]).value(u"pinned_position").isNull());
    // The list itself stays in activity order: clients put the pinned first.
    const QJsonArray list
        = m_http->get(u"/api/v1/chats/with-last-message"_s, ann.token).json.array();
    QCOMPARE(list.size(), 6);
    QCOMPARE(list.first().toObject().value(u"id").toString(), chats[5]);
    QCOMPARE(list.last().toObject().value(u"id").toString(), chats[0]);
}

void TestChatSettings::newMessageUnarchivesUnlessMuted()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto cat = m_http->newUser(u"Cat"_s);
    const auto dan = m_http->newUser(u"Dan"_s);
    const QString plain = m_http->personalChat(ann.token, bob.id);
    const QString muted = m_http->personalChat(ann.token, cat.id);
    const QString expired = m_http->personalChat(ann.token, dan.id);
    COMPARE_STATUS(patchSettings(*m_http, ann.token, plain, { { u"archived"_s, true } }), 200);
    COMPARE_STATUS(patchSettings(*m_http, ann.token, muted,
                       { { u"archived"_s, true }, { u"muted_until"_s, forever } }),
        200);
    COMPARE_STATUS(patchSettings(*m_http, ann.token, expired,
                       { { u"archived"_s, true }, { u"muted_until"_s, now() - 60 } }),
        200);
    // Ann's own message leaves her archive as it is.
    m_http->sendText(ann.token, plain, u"Archived, still"_s);
    QCOMPARE(settingsOf(*m_http, ann.token, plain).value(u"archived"), true);

    WsClient annLive(m_server.webSocketUrl(u"/ws/user"_s, ann.token));
    QVERIFY(annLive.greeted());
    m_http->sendText(cat.token, muted, u"Muted: stays archived"_s);
    m_http->sendText(bob.token, plain, u"Back to the list"_s);
    m_http->sendText(dan.token, expired, u"The mute is over"_s);
    QCOMPARE(settingsOf(*m_http, ann.token, plain).value(u"archived"), false);
    QCOMPARE(settingsOf(*m_http, ann.token, expired).value(u"archived"), false);
    QCOMPARE(settingsOf(*m_http, ann.token, muted), settings(forever, {}, true));
    // Her devices are told of both, each after its message; the muted
    // chat's message brought no settings event.
    QTRY_COMPARE_WITH_TIMEOUT(annLive.ofType(u"chat_settings"_s).size(), 2, 10000);
    QCOMPARE(annLive.ofType(u"chat_settings"_s).first().value(u"data").toObject(),
        (QJsonObject { { u"chat_id"_s, plain }, { u"settings"_s, settings() } }));
    QCOMPARE(annLive.ofType(u"message"_s).size(), 3);
    QTRY_COMPARE_WITH_TIMEOUT(
        m_http->updatesOfType(ann.token, u"chat_settings"_s).size(), 5, 10000);
    // The senders' own settings are untouched.
    QCOMPARE(settingsOf(*m_http, bob.token, plain), settings());
    // A forwarded copy is a new message too.
    COMPARE_STATUS(patchSettings(*m_http, ann.token, plain, { { u"archived"_s, true } }), 200);
    const QString original = m_http->sendText(bob.token, plain, u"Forward me"_s);
    QCOMPARE(settingsOf(*m_http, ann.token, plain).value(u"archived"), false);
    COMPARE_STATUS(patchSettings(*m_http, ann.token, plain, { { u"archived"_s, true } }), 200);
    const QString bobAndDan = m_http->personalChat(bob.token, dan.id);
    COMPARE_STATUS(m_http->post(u"/api/v1/chats/messages/forward"_s,
                       { { u"message_ids"_s, QJsonArray { original } },
                           { u"chat_ids"_s, QJsonArray { bobAndDan } } },
                       bob.token),
        200);
    QCOMPARE(settingsOf(*m_http, ann.token, plain).value(u"archived"), true);
    COMPARE_STATUS(m_http->post(u"/api/v1/chats/messages/forward"_s,
                       { { u"message_ids"_s, QJsonArray { original } },
                           { u"chat_ids"_s, QJsonArray { plain } } },
                       bob.token),
        200);
    QCOMPARE(settingsOf(*m_http, ann.token, plain).value(u"archived"), false);
}

void TestChatSettings::muteExpiryAndValidation()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    // A mute that is over reads as none.
    const Reply past
        = patchSettings(*m_http, ann.token, chatId, { { u"muted_until"_s, now() - 1 } });
    COMPARE_STATUS(past, 200);
    QVERIFY(past.object().value(u"muted_until").isNull());
    QVERIFY(settingsOf(*m_http, ann.token, chatId).value(u"muted_until").isNull());

    const QList<QJsonObject> bad { {}, { { u"muted_until"_s, -1 } },
        { { u"muted_until"_s, forever + 1 } }, { { u"muted_until"_s, u"forever"_s } },
        { { u"muted_until"_s, 1.5 } }, { { u"pinned"_s, u"yes"_s } }, { { u"archived"_s, 1 } },
        { { u"marked_unread"_s, QJsonValue() } } };
    for (const QJsonObject &body : bad) {
        const Reply refused = patchSettings(*m_http, ann.token, chatId, body);
        COMPARE_STATUS(refused, 422);
        QCOMPARE(refused.object().value(u"code").toString(), u"validation_error"_s);
    }
    QCOMPARE(settingsOf(*m_http, ann.token, chatId), settings());
    const Reply notJson
        = m_http->request("PATCH", u"/api/v1/chats/%1/settings"_s.arg(chatId), "{nope", ann.token);
    COMPARE_STATUS(notJson, 400);
    const Reply notList
        = m_http->request("PUT", u"/api/v1/chats/pinned"_s, R"({"chat_ids": "x"})", ann.token);
    COMPARE_STATUS(notList, 422);
}

void TestChatSettings::markedUnreadClearedByReadAndOwnSend()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString messageId = m_http->sendText(bob.token, chatId, u"Read me later"_s);
    COMPARE_STATUS(
        patchSettings(*m_http, ann.token, chatId, { { u"marked_unread"_s, true } }), 200);
    WsClient annLive(m_server.webSocketUrl(u"/ws/user"_s, ann.token));
    QVERIFY(annLive.greeted());
    // Reading clears it, even with the cursor already there.
    COMPARE_STATUS(m_http->post(u"/api/v1/chats/%1/read"_s.arg(chatId),
                       { { u"message_id"_s, messageId } }, ann.token),
        200);
    QCOMPARE(settingsOf(*m_http, ann.token, chatId).value(u"marked_unread"), false);
    QTRY_COMPARE_WITH_TIMEOUT(annLive.ofType(u"chat_settings"_s).size(), 1, 10000);
    COMPARE_STATUS(
        patchSettings(*m_http, ann.token, chatId, { { u"marked_unread"_s, true } }), 200);
    COMPARE_STATUS(
        m_http->post(u"/api/v1/chats/messages/%1/read"_s.arg(messageId), {}, ann.token), 200);
    QCOMPARE(settingsOf(*m_http, ann.token, chatId).value(u"marked_unread"), false);
    // So does sending in it; Bob's send does not.
    COMPARE_STATUS(
        patchSettings(*m_http, ann.token, chatId, { { u"marked_unread"_s, true } }), 200);
    m_http->sendText(bob.token, chatId, u"Another"_s);
    QCOMPARE(settingsOf(*m_http, ann.token, chatId).value(u"marked_unread"), true);
    m_http->sendText(ann.token, chatId, u"Answered"_s);
    QCOMPARE(settingsOf(*m_http, ann.token, chatId).value(u"marked_unread"), false);
    QTRY_COMPARE_WITH_TIMEOUT(annLive.ofType(u"chat_settings"_s).size(), 5, 10000);
    QCOMPARE(annLive.lastData(u"chat_settings"_s),
        (QJsonObject { { u"chat_id"_s, chatId }, { u"settings"_s, settings() } }));
    // And the WebSocket read.
    COMPARE_STATUS(
        patchSettings(*m_http, ann.token, chatId, { { u"marked_unread"_s, true } }), 200);
    annLive.sendJson(
        { { u"type"_s, u"read"_s }, { u"chat_id"_s, chatId }, { u"message_id"_s, messageId } });
    QTRY_COMPARE_WITH_TIMEOUT(annLive.ofType(u"chat_settings"_s).size(), 7, 10000);
    QCOMPARE(settingsOf(*m_http, ann.token, chatId).value(u"marked_unread"), false);
}

void TestChatSettings::nonMemberIsRefusedAndNothingStored()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto eve = m_http->newUser(u"Eve"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const Reply outsider = patchSettings(*m_http, eve.token, chatId, { { u"pinned"_s, true } });
    COMPARE_STATUS(outsider, 403);
    QCOMPARE(outsider.object().value(u"code").toString(), u"not_a_member"_s);
    const Reply unknown = patchSettings(
        *m_http, eve.token, u"00000000-0000-4000-8000-000000000000"_s, { { u"pinned"_s, true } });
    COMPARE_STATUS(unknown, 404);
    QCOMPARE(unknown.object().value(u"code").toString(), u"chat_not_found"_s);
    // Nor can she reorder with it: her pinned set is empty.
    COMPARE_STATUS(reorder(*m_http, eve.token, { chatId }), 422);
    COMPARE_STATUS(reorder(*m_http, eve.token, {}), 200);
    // Eve can still pin five chats of her own: nothing was stored.
    for (int i = 0; i < 5; ++i) {
        const auto other = m_http->newUser(u"Friend %1"_s.arg(i));
        const QString own = m_http->personalChat(eve.token, other.id);
        COMPARE_STATUS(patchSettings(*m_http, eve.token, own, { { u"pinned"_s, true } }), 200);
    }
    QCOMPARE(settingsOf(*m_http, ann.token, chatId), settings());
    QCOMPARE(settingsOf(*m_http, bob.token, chatId), settings());
    QVERIFY(m_http->updatesOfType(ann.token, u"chat_settings"_s).isEmpty());
    // No token: 401.
    COMPARE_STATUS(patchSettings(*m_http, {}, chatId, { { u"pinned"_s, true } }), 401);
}

void TestChatSettings::otherInstanceGetsTheEvent()
{
    if (!m_server.isPostgres())
        QSKIP("several instances need PostgreSQL; the postgres run covers it");
    TestServer second;
    QVERIFY2(second.startSharing(m_server), qPrintable(second.error()));
    HttpClient secondHttp(second);
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    WsClient elsewhere(second.webSocketUrl(u"/ws/user"_s, ann.token));
    QVERIFY(elsewhere.greeted());
    COMPARE_STATUS(patchSettings(*m_http, ann.token, chatId, { { u"archived"_s, true } }), 200);
    QTRY_COMPARE_WITH_TIMEOUT(elsewhere.ofType(u"chat_settings"_s).size(), 1, 10000);
    QCOMPARE(elsewhere.lastData(u"chat_settings"_s).value(u"settings").toObject(),
        settings({}, {}, true));
    QCOMPARE(settingsOf(secondHttp, ann.token, chatId), settings({}, {}, true));
    // A message through the second instance unarchives it, told to the first.
    WsClient here(m_server.webSocketUrl(u"/ws/user"_s, ann.token));
    QVERIFY(here.greeted());
    secondHttp.sendText(bob.token, chatId, u"Hello across"_s);
    QTRY_COMPARE_WITH_TIMEOUT(here.ofType(u"chat_settings"_s).size(), 1, 10000);
    QCOMPARE(here.lastData(u"chat_settings"_s).value(u"settings").toObject(), settings());
    QTRY_COMPARE_WITH_TIMEOUT(elsewhere.ofType(u"chat_settings"_s).size(), 2, 10000);
}

// Every settings change is stored and sent to all the user's devices (a
// privacy change to everyone who shares a chat): they had no limit. Over
// CHAT_CHANGE_RATE a 429 that changes nothing.
void TestChatSettings::changesCountAgainstTheChangeRate()
{
    TestServer server;
    QVERIFY2(server.start({ u"--chat-change-rate"_s, u"1/5"_s }), qPrintable(server.error()));
    HttpClient http(server);
    const auto ann = http.newUser(u"Ann"_s);
    const auto bob = http.newUser(u"Bob"_s);
    const QString chatId = http.personalChat(ann.token, bob.id);
    int accepted = 0;
    Reply refused;
    for (int i = 0; i < 100 && refused.status == 0; ++i) {
        const Reply reply
            = patchSettings(http, ann.token, chatId, { { u"archived"_s, i % 2 == 0 } });
        if (reply.status == 200)
            ++accepted;
        else
            refused = reply;
    }
    QVERIFY2(accepted >= 5 && accepted < 50, qPrintable(QString::number(accepted)));
    QCOMPARE(refused.status, 429);
    QCOMPARE(refused.object().value(u"code").toString(), u"too_many_chat_changes"_s);
    QVERIFY(refused.header("Retry-After").toInt() >= 1);
    // Refused: the last accepted value stays.
    QCOMPARE(settingsOf(http, ann.token, chatId).value(u"archived").toBool(), accepted % 2 == 1);
    // Reordering pins and the privacy setting spend the same budget.
    QCOMPARE(reorder(http, ann.token, {}).status, 429);
    const Reply privacy = http.request("PUT", u"/api/v1/users/me/privacy"_s,
        QJsonDocument(QJsonObject { { u"presence_visible"_s, u"nobody"_s } }).toJson(), ann.token);
    QCOMPARE(privacy.status, 429);
    QCOMPARE(http.get(u"/api/v1/users/me/privacy"_s, ann.token).object().value(u"presence_visible"),
        u"everyone"_s);
    // Bob's budget is his own.
    COMPARE_STATUS(patchSettings(http, bob.token, chatId, { { u"archived"_s, true } }), 200);
}

QTEST_GUILESS_MAIN(TestChatSettings)
#include "tst_chat_settings.moc"
