#include "TestServer.h"

#include <QJsonArray>
#include <QSet>
#include <QTest>
#include <QUuid>

#include <memory>

using namespace Qt::StringLiterals;

// Message search (issue 16): GET /search/messages over the caller's chats,
// on SQLite (FTS5) and PostgreSQL (tsvector + GIN) alike.
class TestSearch : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void caseInsensitiveLatinAndCyrillic();
    void wordPrefixesMatch();
    void everyWordIsRequired();
    void resultCarriesChatAndHighlightedSnippet();
    void longTextSnippetIsCutAroundTheMatch();
    void onlyTheCallersChats();
    void chatFilter();
    void foreignOrUnknownChatIsRefused();
    void deletedMessagesAreNeverFound();
    void editedMessageIsFoundByItsNewWordsOnly();
    void newestFirstAndKeysetPaging();
    void commonWordsArePagedInBoundedSteps();
    void specialCharactersAreText();
    void badQueriesAnswer422();

private:
    Reply search(const QString &token, const QString &q, const QString &extra = {});
    // The texts of the results, newest first (and the status must be 200).
    QStringList texts(const QString &token, const QString &q, const QString &extra = {});
    QString send(const QString &token, const QString &chatId, const QString &text);
    QString group(const QString &token, const QString &name, const QStringList &memberIds);

    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

void TestSearch::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    m_http = std::make_unique<HttpClient>(m_server);
}

Reply TestSearch::search(const QString &token, const QString &q, const QString &extra)
{
    return m_http->get(
        u"/api/v1/search/messages?q="_s + QString::fromLatin1(QUrl::toPercentEncoding(q)) + extra,
        token);
}

QStringList TestSearch::texts(const QString &token, const QString &q, const QString &extra)
{
    const Reply reply = search(token, q, extra);
    if (reply.status != 200) {
        qWarning() << "search" << q << "answered" << reply.status << reply.body;
        return { u"<status %1>"_s.arg(reply.status) };
    }
    QStringList found;
    for (const QJsonValue &result : reply.object().value(u"results").toArray())
        found.append(result.toObject().value(u"message").toObject().value(u"text").toString());
    return found;
}

QString TestSearch::send(const QString &token, const QString &chatId, const QString &text)
{
    const Reply reply = m_http->post(
        u"/api/v1/chats/messages"_s, { { u"chat_id"_s, chatId }, { u"text"_s, text } }, token);
    if (reply.status != 200)
        qWarning() << "send answered" << reply.status << reply.body;
    return reply.object().value(u"id").toString();
}

QString TestSearch::group(const QString &token, const QString &name, const QStringList &memberIds)
{
    return m_http
        ->post(u"/api/v1/chats/group"_s,
            { { u"name"_s, name }, { u"member_ids"_s, QJsonArray::fromStringList(memberIds) } },
            token)
        .object()
        .value(u"id")
        .toString();
}

void TestSearch::caseInsensitiveLatinAndCyrillic()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chat = m_http->personalChat(ann.token, bob.id);
    send(ann.token, chat, u"Привет, мир!"_s);
    send(bob.token, chat, u"Hello World"_s);
    send(bob.token, chat, u"something else"_s);

    QCOMPARE(texts(ann.token, u"привет"_s), QStringList { u"Привет, мир!"_s });
    QCOMPARE(texts(ann.token, u"ПРИВЕТ"_s), QStringList { u"Привет, мир!"_s });
    QCOMPARE(texts(bob.token, u"МиР"_s), QStringList { u"Привет, мир!"_s });
    QCOMPARE(texts(ann.token, u"hello"_s), QStringList { u"Hello World"_s });
    QCOMPARE(texts(ann.token, u"WORLD"_s), QStringList { u"Hello World"_s });
    QCOMPARE(texts(ann.token, u"absent"_s), QStringList {});
}

void TestSearch::wordPrefixesMatch()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chat = m_http->personalChat(ann.token, bob.id);
    send(ann.token, chat, u"Привет всем"_s);
    send(ann.token, chat, u"The deployment is done"_s);
    send(ann.token, chat, u"undeployable"_s); // "deploy" inside a word is no prefix

    QCOMPARE(texts(ann.token, u"прив"_s), QStringList { u"Привет всем"_s });
    QCOMPARE(texts(ann.token, u"deploy"_s), QStringList { u"The deployment is done"_s });
    QCOMPARE(texts(ann.token, u"Deploy"_s), QStringList { u"The deployment is done"_s });
    QCOMPARE(texts(ann.token, u"ployment"_s), QStringList {});
}

void TestSearch::everyWordIsRequired()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chat = m_http->personalChat(ann.token, bob.id);
    send(ann.token, chat, u"release notes for Friday"_s);
    send(ann.token, chat, u"release party"_s);
    send(ann.token, chat, u"Friday привет"_s);

    QCOMPARE(texts(ann.token, u"release friday"_s), QStringList { u"release notes for Friday"_s });
    QCOMPARE(texts(ann.token, u"fri прив"_s), QStringList { u"Friday привет"_s });
    QCOMPARE(texts(ann.token, u"release"_s),
        (QStringList { u"release party"_s, u"release notes for Friday"_s }));
    QCOMPARE(texts(ann.token, u"release привет"_s), QStringList {});
}

void TestSearch::resultCarriesChatAndHighlightedSnippet()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString personal = m_http->personalChat(ann.token, bob.id);
    const QString team = group(ann.token, u"Team <b>"_s, { bob.id });
    const QString sentId = send(bob.token, personal, u"Deploy the <b>deployment</b> now"_s);
    send(bob.token, team, u"group deploy"_s);

    const Reply reply = search(ann.token, u"deploy"_s);
    COMPARE_STATUS(reply, 200);
    const QJsonArray results = reply.object().value(u"results").toArray();
    QCOMPARE(results.size(), 2);
    QCOMPARE(reply.object().value(u"has_more"), QJsonValue(false));
    QVERIFY(reply.object().value(u"next_before").isNull());

    const QJsonObject inGroup = results.at(0).toObject();
    QCOMPARE(inGroup.value(u"chat_id").toString(), team);
    QCOMPARE(inGroup.value(u"chat_name").toString(), u"Team <b>"_s);

    const QJsonObject inPersonal = results.at(1).toObject();
    QCOMPARE(inPersonal.value(u"chat_id").toString(), personal);
    QCOMPARE(inPersonal.value(u"chat_name").toString(), u"Bob"_s); // the other member
    const QJsonObject message = inPersonal.value(u"message").toObject();
    QCOMPARE(message.value(u"id").toString(), sentId);
    QCOMPARE(message.value(u"chat_id").toString(), personal);
    QCOMPARE(message.value(u"sender").toObject().value(u"name").toString(), u"Bob"_s);
    QVERIFY(message.contains(u"seq"));
    QVERIFY(message.contains(u"reply_to"));
    // Plain text, as sent (no markup added, none interpreted), with the two
    // matching words marked by offsets.
    QCOMPARE(inPersonal.value(u"snippet").toString(), u"Deploy the <b>deployment</b> now"_s);
    QCOMPARE(inPersonal.value(u"highlights").toArray(),
        (QJsonArray { QJsonArray { 0, 6 }, QJsonArray { 14, 10 } }));
    // Bob sees the same chat named after Ann.
    const Reply bobs = search(bob.token, u"deployment"_s);
    QCOMPARE(bobs.object().value(u"results").toArray().at(0).toObject().value(u"chat_name"),
        QJsonValue(u"Ann"_s));
}

void TestSearch::longTextSnippetIsCutAroundTheMatch()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chat = m_http->personalChat(ann.token, bob.id);
    const QString filler = u"lorem ipsum "_s.repeated(100);
    send(ann.token, chat, filler + u"Кульминация here"_s + filler);

    const Reply reply = search(ann.token, u"кульм"_s);
    COMPARE_STATUS(reply, 200);
    const QJsonObject result = reply.object().value(u"results").toArray().at(0).toObject();
    const QString snippet = result.value(u"snippet").toString();
    QVERIFY2(snippet.size() <= 162, qPrintable(snippet));
    QVERIFY(snippet.startsWith(u'\u2026'));
    QVERIFY(snippet.endsWith(u'\u2026'));
    const QJsonArray highlight = result.value(u"highlights").toArray().at(0).toArray();
    QCOMPARE(snippet.mid(highlight.at(0).toInt(), highlight.at(1).toInt()), u"Кульминация"_s);
}

void TestSearch::onlyTheCallersChats()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto eve = m_http->newUser(u"Eve"_s);
    const QString ours = m_http->personalChat(ann.token, bob.id);
    const QString theirs = m_http->personalChat(bob.token, eve.id);
    send(bob.token, theirs, u"secret zebrafish plans"_s);
    send(ann.token, ours, u"my zebrafish"_s);

    QCOMPARE(texts(ann.token, u"zebrafish"_s), QStringList { u"my zebrafish"_s });
    QCOMPARE(texts(eve.token, u"zebrafish"_s), QStringList { u"secret zebrafish plans"_s });
    QCOMPARE(texts(bob.token, u"zebrafish"_s),
        (QStringList { u"my zebrafish"_s, u"secret zebrafish plans"_s }));
}

void TestSearch::chatFilter()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString personal = m_http->personalChat(ann.token, bob.id);
    const QString team = group(ann.token, u"Team"_s, { bob.id });
    send(ann.token, personal, u"lunch in personal"_s);
    send(ann.token, team, u"lunch in team"_s);

    QCOMPARE(
        texts(ann.token, u"lunch"_s, u"&chat_id="_s + team), QStringList { u"lunch in team"_s });
    QCOMPARE(texts(ann.token, u"lunch"_s, u"&chat_id="_s + personal),
        QStringList { u"lunch in personal"_s });
}

void TestSearch::foreignOrUnknownChatIsRefused()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto eve = m_http->newUser(u"Eve"_s);
    const QString theirs = m_http->personalChat(bob.token, eve.id);
    send(bob.token, theirs, u"hidden words"_s);

    const Reply foreign = search(ann.token, u"hidden"_s, u"&chat_id="_s + theirs);
    COMPARE_STATUS(foreign, 403);
    QCOMPARE(foreign.object().value(u"code").toString(), u"not_a_member"_s);
    QVERIFY(!foreign.body.contains("hidden words"));
    const Reply unknown = search(ann.token, u"hidden"_s,
        u"&chat_id="_s + QUuid::createUuid().toString(QUuid::WithoutBraces));
    COMPARE_STATUS(unknown, 404);
    QCOMPARE(unknown.object().value(u"code").toString(), u"chat_not_found"_s);
    const Reply malformed = search(ann.token, u"hidden"_s, u"&chat_id=nope"_s);
    COMPARE_STATUS(malformed, 422);
    QCOMPARE(malformed.object().value(u"code").toString(), u"validation_error"_s);
    COMPARE_STATUS(m_http->get(u"/api/v1/search/messages?q=hidden"_s), 401);
}

void TestSearch::deletedMessagesAreNeverFound()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chat = m_http->personalChat(ann.token, bob.id);
    const QString gone = send(ann.token, chat, u"ephemeral words"_s);
    send(ann.token, chat, u"ephemeral but kept"_s);
    QCOMPARE(texts(bob.token, u"ephemeral"_s).size(), 2);

    COMPARE_STATUS(m_http->request("DELETE", u"/api/v1/messages/"_s + gone, {}, ann.token), 200);
    QCOMPARE(texts(bob.token, u"ephemeral"_s), QStringList { u"ephemeral but kept"_s });
    QCOMPARE(texts(bob.token, u"words"_s), QStringList {});
}

void TestSearch::editedMessageIsFoundByItsNewWordsOnly()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chat = m_http->personalChat(ann.token, bob.id);
    const QString id = send(ann.token, chat, u"original wording"_s);
    QCOMPARE(texts(bob.token, u"original"_s), QStringList { u"original wording"_s });

    COMPARE_STATUS(
        m_http->request("PATCH", u"/api/v1/messages/"_s + id,
            QJsonDocument(QJsonObject { { u"text"_s, u"corrected text"_s } }).toJson(), ann.token),
        200);
    QCOMPARE(texts(bob.token, u"original"_s), QStringList {});
    QCOMPARE(texts(bob.token, u"wording"_s), QStringList {});
    QCOMPARE(texts(bob.token, u"corrected"_s), QStringList { u"corrected text"_s });
    // Deleting the edited message forgets its new words too.
    COMPARE_STATUS(m_http->request("DELETE", u"/api/v1/messages/"_s + id, {}, ann.token), 200);
    QCOMPARE(texts(bob.token, u"corrected"_s), QStringList {});
}

void TestSearch::newestFirstAndKeysetPaging()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString personal = m_http->personalChat(ann.token, bob.id);
    const QString team = group(ann.token, u"Team"_s, { bob.id });
    QStringList sent;
    for (int i = 0; i < 25; ++i) {
        sent.append(send(
            i % 2 ? bob.token : ann.token, i % 3 ? personal : team, u"needle number %1"_s.arg(i)));
        if (i % 5 == 0)
            send(ann.token, personal, u"hay %1"_s.arg(i));
    }

    QStringList seen;
    qint64 previousSeq = std::numeric_limits<qint64>::max();
    QString before;
    for (int page = 0; page < 3; ++page) {
        const Reply reply = search(ann.token, u"needle"_s, u"&limit=10"_s + before);
        COMPARE_STATUS(reply, 200);
        const QJsonArray results = reply.object().value(u"results").toArray();
        QCOMPARE(results.size(), page < 2 ? 10 : 5);
        for (const QJsonValue &result : results) {
            const QJsonObject message = result.toObject().value(u"message").toObject();
            QVERIFY(message.value(u"seq").toInteger() < previousSeq); // newest first
            previousSeq = message.value(u"seq").toInteger();
            seen.append(message.value(u"id").toString());
        }
        QCOMPARE(reply.object().value(u"has_more").toBool(), page < 2);
        if (page < 2) {
            QCOMPARE(reply.object().value(u"next_before").toInteger(), previousSeq);
            before = u"&before=%1"_s.arg(previousSeq);
        } else {
            QVERIFY(reply.object().value(u"next_before").isNull());
        }
    }
    QStringList newestFirst = sent;
    std::reverse(newestFirst.begin(), newestFirst.end());
    QCOMPARE(seen, newestFirst); // no duplicates, no gaps
}

// PostgreSQL: when every word of a query is common but they rarely meet, one
// request reads a bounded window of the newest messages and answers with
// what it found (maybe nothing), has_more and the next_before where it
// stopped; following next_before reaches the oldest match, and no request
// builds GIN bitmaps of the common words. A rare word among them is still
// found at once through the index.
void TestSearch::commonWordsArePagedInBoundedSteps()
{
    if (!m_server.isPostgres())
        QSKIP("the windowed plan is PostgreSQL's; SQLite's FTS5 answers in one step");
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chat = m_http->personalChat(ann.token, bob.id);
    const QString oldest = send(ann.token, chat, u"alpha omega needle"_s);
    QVERIFY(!oldest.isEmpty());
    // 60,000 messages, each with one of the two words: both are in half of
    // them (far more than the index step takes), never together.
    QVERIFY2(m_server.addMessagesInBulk(chat, ann.id, 60000,
                 u"CASE WHEN g % 2 = 0 THEN 'alpha filler' ELSE 'omega filler' END"_s),
        qPrintable(m_server.error()));

    QString before;
    QStringList found;
    int requests = 0;
    qint64 previousBefore = std::numeric_limits<qint64>::max();
    for (bool more = true; more; ++requests) {
        QVERIFY2(requests <= 8, "60,000 messages take at most 7 windows of 10,000");
        const Reply reply = search(ann.token, u"alpha omega"_s, u"&limit=20"_s + before);
        COMPARE_STATUS(reply, 200);
        for (const QJsonValue &result : reply.object().value(u"results").toArray())
            found.append(result.toObject().value(u"message").toObject().value(u"id").toString());
        more = reply.object().value(u"has_more").toBool();
        if (more) {
            const qint64 next = reply.object().value(u"next_before").toInteger();
            QVERIFY(next > 0 && next < previousBefore);
            previousBefore = next;
            before = u"&before=%1"_s.arg(next);
        }
    }
    QCOMPARE(found, QStringList { oldest });
    QVERIFY2(requests > 1, "the first window cannot have reached the oldest message");

    const Reply rare = search(ann.token, u"omega needle"_s);
    COMPARE_STATUS(rare, 200);
    const QJsonArray results = rare.object().value(u"results").toArray();
    QCOMPARE(results.size(), 1);
    QCOMPARE(
        results.first().toObject().value(u"message").toObject().value(u"id").toString(), oldest);
    QCOMPARE(rare.object().value(u"has_more").toBool(), false);
}

void TestSearch::specialCharactersAreText()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chat = m_http->personalChat(ann.token, bob.id);
    const QString tricky = u"she said \"quoted\" (NEAR the OR) x:y & z|w !bang -minus"_s;
    send(ann.token, chat, tricky);
    send(ann.token, chat, u"plain text"_s);

    const QStringList queries { u"\""_s, u"\"quoted"_s, u"*"_s, u"quo*"_s, u":"_s, u"x:y"_s, u"&"_s,
        u"z|w"_s, u"!bang"_s, u"("_s, u"(near"_s, u"NEAR"_s, u"NEAR(quoted said)"_s, u"OR"_s,
        u"said OR plain"_s, u"AND"_s, u"NOT"_s, u"-minus"_s, u"text -plain"_s, u"^said"_s,
        u"{text}"_s, u"'quoted'"_s, u"\\"_s, u"%"_s, u"_"_s, u"said:*"_s, u"said & !quoted"_s,
        u"<->"_s, u"said <-> quoted"_s, u"'"_s, u"x:*"_s, u"text:A"_s };
    for (const QString &q : queries) {
        const Reply reply = search(ann.token, q);
        QVERIFY2(reply.status == 200,
            qPrintable(q + u" answered "_s + QString::number(reply.status) + u' '
                + QString::fromUtf8(reply.body)));
    }
    // The words in them are searched as words.
    QCOMPARE(texts(ann.token, u"\"quoted\""_s), QStringList { tricky });
    QCOMPARE(texts(ann.token, u"NEAR(quoted said)"_s), QStringList { tricky });
    QCOMPARE(texts(ann.token, u"x:y"_s), QStringList { tricky });
    QCOMPARE(texts(ann.token, u"said OR plain"_s), QStringList {}); // OR is a word, not "or"
    QCOMPARE(texts(ann.token, u"text -plain"_s), QStringList { u"plain text"_s });
    QCOMPARE(texts(ann.token, u"!bang"_s), QStringList { tricky });
    QCOMPARE(texts(ann.token, u"*"_s), QStringList {}); // no words, nothing found
}

void TestSearch::badQueriesAnswer422()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    for (const QString &query : { u"q="_s, u"q=%20%20"_s, u""_s, u"q=word&limit=0"_s,
             u"q=word&limit=101"_s, u"q=word&limit=x"_s, u"q=word&before=-1"_s,
             QString(u"q="_s + u"a"_s.repeated(257)), u"q=a+b+c+d+e+f+g+h+i+j+k"_s, u"q=%00"_s }) {
        const Reply reply = m_http->get(u"/api/v1/search/messages?"_s + query, ann.token);
        QVERIFY2(reply.status == 422,
            qPrintable(query + u" answered "_s + QString::number(reply.status)));
        QCOMPARE(reply.object().value(u"code").toString(), u"validation_error"_s);
        QVERIFY(!reply.object().value(u"detail").toArray().isEmpty());
    }
    COMPARE_STATUS(search(ann.token, u"word"_s, u"&limit=100"_s), 200);
    COMPARE_STATUS(search(ann.token, u"a b c d e f g h i j"_s), 200);
}

QTEST_MAIN(TestSearch)
#include "tst_search.moc"
