#include "TestServer.h"
#include "WsClient.h"

#include <QJsonArray>
#include <QTest>
#include <QUrl>

#include <memory>

using namespace Qt::StringLiterals;

// Reactions (issue 16): PUT / DELETE /chats/messages/{id}/reactions/{emoji}
// add or take back the caller's own reaction (idempotent); every Message has
// `reactions` [{emoji, count, me}] in the order each emoji was first used; a
// change reaches the chat's members as a `message_reactions` event.
class TestReactions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void addAndRemoveAreIdempotent();
    void countsAndMePerReader();
    void orderIsStable();
    void eventReachesMembersOnly();
    void nonMemberStoresNothing();
    void invalidEmojiIsRefused_data();
    void invalidEmojiIsRefused();
    void sequencesAreOneEmoji_data();
    void sequencesAreOneEmoji();
    void twentyFirstDistinctEmojiIsRefused();
    void deletedMessageHasNoReactions();
    void rateLimited();
    void otherInstanceSendsTheEvent();

private:
    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

namespace {

QString reactionPath(const QString &messageId, const QString &encodedEmoji)
{
    return u"/api/v1/chats/messages/%1/reactions/%2"_s.arg(messageId, encodedEmoji);
}

QString encoded(const QString &emoji)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(emoji));
}

Reply react(HttpClient &http, const QString &token, const QString &messageId, const QString &emoji,
    bool add = true)
{
    return http.request(add ? "PUT" : "DELETE", reactionPath(messageId, encoded(emoji)), {}, token);
}

QJsonObject inHistory(
    HttpClient &http, const QString &token, const QString &chatId, const QString &id)
{
    const Reply page = http.get(u"/api/v1/chats/%1/history"_s.arg(chatId), token);
    for (const QJsonValue &message : page.object().value(u"messages").toArray()) {
        if (message.toObject().value(u"id").toString() == id)
            return message.toObject();
    }
    return {};
}

QJsonArray reactionsInHistory(
    HttpClient &http, const QString &token, const QString &chatId, const QString &id)
{
    return inHistory(http, token, chatId, id).value(u"reactions").toArray();
}

QJsonObject reaction(const QString &emoji, int count, bool me)
{
    return { { u"emoji"_s, emoji }, { u"count"_s, count }, { u"me"_s, me } };
}

const QString thumbsUp = u"\U0001F44D"_s;
const QString heart = u"\u2764\uFE0F"_s;
const QString party = u"\U0001F389"_s;

} // namespace

void TestReactions::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    m_http = std::make_unique<HttpClient>(m_server);
}

void TestReactions::addAndRemoveAreIdempotent()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString messageId = m_http->sendText(ann.token, chatId, u"Hello"_s);
    // A new message has none: the key is there, empty.
    QCOMPARE(inHistory(*m_http, ann.token, chatId, messageId).value(u"reactions").toArray(),
        QJsonArray());

    for (int i = 0; i < 2; ++i) {
        const Reply added = react(*m_http, bob.token, messageId, thumbsUp);
        COMPARE_STATUS(added, 200);
        QCOMPARE(added.object().value(u"id").toString(), messageId);
        QCOMPARE(added.object().value(u"reactions").toArray(),
            QJsonArray { reaction(thumbsUp, 1, true) });
    }
    QCOMPARE(reactionsInHistory(*m_http, ann.token, chatId, messageId),
        QJsonArray { reaction(thumbsUp, 1, false) });
    for (int i = 0; i < 2; ++i) {
        const Reply removed = react(*m_http, bob.token, messageId, thumbsUp, false);
        COMPARE_STATUS(removed, 200);
        QCOMPARE(removed.object().value(u"reactions").toArray(), QJsonArray());
    }
    QCOMPARE(reactionsInHistory(*m_http, bob.token, chatId, messageId), QJsonArray());
    // One event per change, none for the repeats (/updates on PostgreSQL
    // shows an event once no earlier transaction can still commit before it).
    QTRY_COMPARE_WITH_TIMEOUT(
        m_http->updatesOfType(ann.token, u"message_reactions"_s).size(), 2, 10000);
}

void TestReactions::countsAndMePerReader()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto cat = m_http->newUser(u"Cat"_s);
    const QString chatId
        = m_http
              ->post(u"/api/v1/chats/group"_s,
                  { { u"name"_s, u"Trio"_s }, { u"member_ids"_s, QJsonArray { bob.id, cat.id } } },
                  ann.token)
              .object()
              .value(u"id")
              .toString();
    const QString messageId = m_http->sendText(ann.token, chatId, u"Party tonight"_s);
    COMPARE_STATUS(react(*m_http, bob.token, messageId, thumbsUp), 200);
    COMPARE_STATUS(react(*m_http, cat.token, messageId, thumbsUp), 200);
    COMPARE_STATUS(react(*m_http, cat.token, messageId, party), 200);

    QCOMPARE(reactionsInHistory(*m_http, ann.token, chatId, messageId),
        (QJsonArray { reaction(thumbsUp, 2, false), reaction(party, 1, false) }));
    QCOMPARE(reactionsInHistory(*m_http, bob.token, chatId, messageId),
        (QJsonArray { reaction(thumbsUp, 2, true), reaction(party, 1, false) }));
    QCOMPARE(reactionsInHistory(*m_http, cat.token, chatId, messageId),
        (QJsonArray { reaction(thumbsUp, 2, true), reaction(party, 1, true) }));
    // The answer to an edit has them too, for the editor.
    const Reply edited = m_http->request("PATCH", u"/api/v1/messages/"_s + messageId,
        QJsonDocument(QJsonObject { { u"text"_s, u"Party at 9"_s } }).toJson(), ann.token);
    COMPARE_STATUS(edited, 200);
    QCOMPARE(edited.object().value(u"reactions").toArray(),
        (QJsonArray { reaction(thumbsUp, 2, false), reaction(party, 1, false) }));
}

void TestReactions::orderIsStable()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString messageId = m_http->sendText(ann.token, chatId, u"Order"_s);
    COMPARE_STATUS(react(*m_http, ann.token, messageId, party), 200);
    COMPARE_STATUS(react(*m_http, bob.token, messageId, heart), 200);
    COMPARE_STATUS(react(*m_http, bob.token, messageId, thumbsUp), 200);
    // More people on a later emoji do not move it forward.
    COMPARE_STATUS(react(*m_http, ann.token, messageId, thumbsUp), 200);
    const QJsonArray expected { reaction(party, 1, false), reaction(heart, 1, true),
        reaction(thumbsUp, 2, true) };
    QCOMPARE(reactionsInHistory(*m_http, bob.token, chatId, messageId), expected);
    QCOMPARE(reactionsInHistory(*m_http, bob.token, chatId, messageId), expected);
    // An emoji taken back by everyone and used again goes last.
    COMPARE_STATUS(react(*m_http, ann.token, messageId, party, false), 200);
    COMPARE_STATUS(react(*m_http, ann.token, messageId, party), 200);
    QCOMPARE(reactionsInHistory(*m_http, ann.token, chatId, messageId),
        (QJsonArray {
            reaction(heart, 1, false), reaction(thumbsUp, 2, true), reaction(party, 1, true) }));
}

void TestReactions::eventReachesMembersOnly()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto eve = m_http->newUser(u"Eve"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString eveChatId = m_http->personalChat(eve.token, ann.id);
    const QString messageId = m_http->sendText(ann.token, chatId, u"News"_s);
    WsClient annLive(m_server.webSocketUrl(u"/ws/user"_s, ann.token));
    WsClient eveLive(m_server.webSocketUrl(u"/ws/user"_s, eve.token));
    QVERIFY(annLive.greeted());
    QVERIFY(eveLive.greeted());

    COMPARE_STATUS(react(*m_http, bob.token, messageId, heart), 200);
    QTRY_COMPARE_WITH_TIMEOUT(annLive.ofType(u"message_reactions"_s).size(), 1, 10000);
    const QJsonObject expected { { u"message_id"_s, messageId }, { u"chat_id"_s, chatId },
        { u"user_id"_s, bob.id }, { u"emoji"_s, heart }, { u"added"_s, true },
        { u"reactions"_s,
            QJsonArray { QJsonObject { { u"emoji"_s, heart }, { u"count"_s, 1 } } } } };
    QCOMPARE(annLive.lastData(u"message_reactions"_s), expected);
    const auto stored = m_http->updatesOfType(ann.token, u"message_reactions"_s);
    QCOMPARE(stored.size(), 1);
    QCOMPARE(stored.first(), expected);

    // Eve, not a member, gets nothing: a message to her arrives, the
    // reaction before it never did.
    m_http->sendText(ann.token, eveChatId, u"Hi Eve"_s);
    QTRY_COMPARE_WITH_TIMEOUT(eveLive.ofType(u"message"_s).size(), 1, 10000);
    QVERIFY(eveLive.ofType(u"message_reactions"_s).isEmpty());
    QVERIFY(m_http->updatesOfType(eve.token, u"message_reactions"_s).isEmpty());
}

void TestReactions::nonMemberStoresNothing()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto eve = m_http->newUser(u"Eve"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString messageId = m_http->sendText(ann.token, chatId, u"Private"_s);
    const Reply refused = react(*m_http, eve.token, messageId, thumbsUp);
    COMPARE_STATUS(refused, 404);
    QCOMPARE(refused.object().value(u"code").toString(), u"message_not_found"_s);
    // Answered exactly as for a message that does not exist.
    const Reply missing
        = react(*m_http, eve.token, u"00000000-0000-4000-8000-000000000000"_s, thumbsUp);
    COMPARE_STATUS(missing, 404);
    QCOMPARE(missing.object(), refused.object());
    COMPARE_STATUS(react(*m_http, eve.token, messageId, thumbsUp, false), 404);
    QCOMPARE(reactionsInHistory(*m_http, ann.token, chatId, messageId), QJsonArray());
    QVERIFY(m_http->updatesOfType(ann.token, u"message_reactions"_s).isEmpty());
}

void TestReactions::invalidEmojiIsRefused_data()
{
    QTest::addColumn<QString>("encodedEmoji");
    QTest::addRow("a letter") << u"a"_s;
    QTest::addRow("a digit") << u"1"_s;
    QTest::addRow("two emoji") << encoded(thumbsUp + thumbsUp);
    QTest::addRow("emoji and a letter") << encoded(thumbsUp + u"a"_s);
    QTest::addRow("a space") << u"%20"_s;
    QTest::addRow("200 bytes of junk") << QString::fromLatin1(
        QUrl::toPercentEncoding(QString::fromLatin1(QByteArray(200, 'x').replace(7, 1, "\x7f"))));
    QTest::addRow("invalid UTF-8") << u"%FF%FE"_s;
    QTest::addRow("a lone surrogate as UTF-8") << u"%ED%A0%BD"_s;
    QTest::addRow("a skin tone alone") << encoded(u"\U0001F3FB"_s);
    QTest::addRow("one regional indicator") << encoded(u"\U0001F1FA"_s);
    QTest::addRow("a keycap without its mark") << encoded(u"1\uFE0F"_s);
}

void TestReactions::invalidEmojiIsRefused()
{
    QFETCH(QString, encodedEmoji);
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString messageId = m_http->sendText(ann.token, chatId, u"Hi"_s);
    for (const QByteArray &method : { "PUT"_ba, "DELETE"_ba }) {
        const Reply refused
            = m_http->request(method, reactionPath(messageId, encodedEmoji), {}, bob.token);
        COMPARE_STATUS(refused, 422);
        QCOMPARE(refused.object().value(u"code").toString(), u"invalid_emoji"_s);
        QVERIFY(!refused.object().value(u"detail").toString().isEmpty());
    }
    QCOMPARE(reactionsInHistory(*m_http, ann.token, chatId, messageId), QJsonArray());
}

void TestReactions::sequencesAreOneEmoji_data()
{
    QTest::addColumn<QString>("emoji");
    QTest::addRow("family (ZWJ)")
        << u"\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466"_s;
    QTest::addRow("flag") << u"\U0001F1FA\U0001F1E6"_s;
    QTest::addRow("skin tone") << u"\U0001F44D\U0001F3FD"_s;
    QTest::addRow("keycap") << u"1\uFE0F\u20E3"_s;
    QTest::addRow("keycap #") << u"#\u20E3"_s;
    QTest::addRow("heart with VS16") << heart;
    QTest::addRow("rainbow flag") << u"\U0001F3F3\uFE0F\u200D\U0001F308"_s;
    QTest::addRow("subdivision flag")
        << u"\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F"_s;
    QTest::addRow("kiss, two skin tones")
        << u"\U0001F469\U0001F3FB\u200D\u2764\uFE0F\u200D\U0001F48B\u200D\U0001F468\U0001F3FC"_s;
}

void TestReactions::sequencesAreOneEmoji()
{
    QFETCH(QString, emoji);
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString messageId = m_http->sendText(ann.token, chatId, u"Hi"_s);
    const Reply added = react(*m_http, bob.token, messageId, emoji);
    COMPARE_STATUS(added, 200);
    // Stored and given back byte for byte.
    QCOMPARE(reactionsInHistory(*m_http, ann.token, chatId, messageId),
        QJsonArray { reaction(emoji, 1, false) });
    COMPARE_STATUS(react(*m_http, bob.token, messageId, emoji, false), 200);
    QCOMPARE(reactionsInHistory(*m_http, ann.token, chatId, messageId), QJsonArray());
}

void TestReactions::twentyFirstDistinctEmojiIsRefused()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString messageId = m_http->sendText(ann.token, chatId, u"Many"_s);
    QStringList emoji;
    for (char32_t c = 0x1F600; emoji.size() < 21; ++c)
        emoji.append(QString::fromUcs4(&c, 1));
    for (int i = 0; i < 20; ++i)
        COMPARE_STATUS(react(*m_http, i % 2 ? ann.token : bob.token, messageId, emoji[i]), 200);
    const Reply refused = react(*m_http, bob.token, messageId, emoji[20]);
    COMPARE_STATUS(refused, 409);
    QCOMPARE(refused.object().value(u"code").toString(), u"reaction_limit_reached"_s);
    QCOMPARE(reactionsInHistory(*m_http, ann.token, chatId, messageId).size(), 20);
    // One of the twenty by someone else still counts; taking one back makes room.
    COMPARE_STATUS(react(*m_http, bob.token, messageId, emoji[1]), 200);
    COMPARE_STATUS(react(*m_http, ann.token, messageId, emoji[1], false), 200);
    COMPARE_STATUS(react(*m_http, bob.token, messageId, emoji[1], false), 200);
    COMPARE_STATUS(react(*m_http, bob.token, messageId, emoji[20]), 200);
    QCOMPARE(reactionsInHistory(*m_http, ann.token, chatId, messageId).size(), 20);
}

void TestReactions::deletedMessageHasNoReactions()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString messageId = m_http->sendText(ann.token, chatId, u"Oops"_s);
    COMPARE_STATUS(react(*m_http, bob.token, messageId, thumbsUp), 200);
    const Reply deleted
        = m_http->request("DELETE", u"/api/v1/messages/"_s + messageId, {}, ann.token);
    COMPARE_STATUS(deleted, 200);
    QCOMPARE(deleted.object().value(u"reactions").toArray(), QJsonArray());
    QCOMPARE(reactionsInHistory(*m_http, bob.token, chatId, messageId), QJsonArray());
    const Reply refused = react(*m_http, bob.token, messageId, heart);
    COMPARE_STATUS(refused, 409);
    QCOMPARE(refused.object().value(u"code").toString(), u"message_deleted"_s);
    COMPARE_STATUS(react(*m_http, bob.token, messageId, thumbsUp, false), 409);
    QCOMPARE(reactionsInHistory(*m_http, bob.token, chatId, messageId), QJsonArray());
}

void TestReactions::rateLimited()
{
    TestServer limited;
    QVERIFY2(limited.start({ u"--reaction-rate"_s, u"0.01/3"_s }), qPrintable(limited.error()));
    HttpClient http(limited);
    const auto ann = http.newUser(u"Ann"_s);
    const auto bob = http.newUser(u"Bob"_s);
    const QString chatId = http.personalChat(ann.token, bob.id);
    const QString messageId = http.sendText(ann.token, chatId, u"Fast"_s);
    COMPARE_STATUS(react(http, bob.token, messageId, thumbsUp), 200);
    COMPARE_STATUS(react(http, bob.token, messageId, thumbsUp, false), 200);
    COMPARE_STATUS(react(http, bob.token, messageId, heart), 200);
    const Reply refused = react(http, bob.token, messageId, party);
    COMPARE_STATUS(refused, 429);
    QCOMPARE(refused.object().value(u"code").toString(), u"too_many_reactions"_s);
    QVERIFY(refused.headers.value("retry-after").toInt() > 0);
    QCOMPARE(reactionsInHistory(http, ann.token, chatId, messageId),
        QJsonArray { reaction(heart, 1, false) });
    // The budget is per user: Ann still has hers.
    COMPARE_STATUS(react(http, ann.token, messageId, party), 200);
}

void TestReactions::otherInstanceSendsTheEvent()
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
    WsClient elsewhere(second.webSocketUrl(u"/ws/user"_s, ann.token));
    QVERIFY(elsewhere.greeted());
    COMPARE_STATUS(react(*m_http, bob.token, messageId, party), 200);
    QTRY_COMPARE_WITH_TIMEOUT(elsewhere.ofType(u"message_reactions"_s).size(), 1, 10000);
    QCOMPARE(elsewhere.lastData(u"message_reactions"_s).value(u"emoji").toString(), party);
    QCOMPARE(elsewhere.lastData(u"message_reactions"_s).value(u"user_id").toString(), bob.id);
    // The other instance reads the same state, and changes it for everyone.
    COMPARE_STATUS(react(secondHttp, ann.token, messageId, party), 200);
    QCOMPARE(reactionsInHistory(*m_http, bob.token, chatId, messageId),
        QJsonArray { reaction(party, 2, true) });
    QTRY_COMPARE_WITH_TIMEOUT(elsewhere.ofType(u"message_reactions"_s).size(), 2, 10000);
}

QTEST_GUILESS_MAIN(TestReactions)
#include "tst_reactions.moc"
