#include "TestServer.h"

#include "db/DatabaseSettings.h"
#include "db/Db.h"
#include "services/ChatService.h"
#include "services/MessageService.h"
#include "shared/ApiPaths.h"
#include "shared/Limits.h"

#include <QJsonArray>
#include <QTest>

#include <functional>

using namespace Messenger;
using namespace Messenger::Server;
using namespace Qt::StringLiterals;

// Plans that do not depend on statistics (issue 18). Right after a burst of
// messages, before autovacuum's ANALYZE, the chat list hashed every message
// to find each chat's newest one, and the newest history page of a chat
// never analyzed sorted the whole chat. What a statement reads is counted in
// buffers (the same on every run, however busy the machine), through the
// server's own services on a connection of the test's, so the statements are
// the server's, prepared as it prepares them: each runs 7 times, past the
// 5 executions after which PostgreSQL may switch to a generic plan.
class TestPlans : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void readsDoNotGrowWithABurst();
    void migrationSetsTheCursorsChatSeq();

private:
    // The buffers `work` reads from the tables and indexes of the schema.
    qint64 buffersRead(const std::function<void()> &work);
    void checkReads(const char *when, qint64 newestChatSeq);

    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
    std::unique_ptr<Db> m_db;
    HttpClient::Account m_reader;
    HttpClient::Account m_writer;
    QString m_burstChat;
};

namespace {
constexpr int chatCount = 20;
constexpr int burst = 60000; // about 1,400 pages of messages
// Each chat of the list costs a few probes of a few pages (its row, its
// newest message and sender, the members' cursors, the two unread counts);
// a plan that reads the burst reads thousands more.
constexpr qint64 listBound = chatCount * 25;
// The newest page of 50: the page (a few pages), a probe or two per message
// (its sender, what it replies to), the caller's membership, the chat's
// cursors and the page's reactions. Sorting the chat read the whole burst.
constexpr qint64 pageBound = 400;
const QString connectionName = u"tst_plans"_s;
} // namespace

void TestPlans::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    if (!m_server.isPostgres())
        QSKIP("Plans are PostgreSQL's");
    m_http = std::make_unique<HttpClient>(m_server);
    // The test decides when statistics are taken, not autovacuum.
    for (const QString &table : { u"messages"_s, u"chats"_s, u"chat_members"_s, u"users"_s })
        QVERIFY2(
            m_server.execInDatabase(u"ALTER TABLE %1 SET (autovacuum_enabled = off)"_s.arg(table)),
            qPrintable(m_server.error()));
    QString error;
    const auto settings = DatabaseSettings::fromUrl(m_server.databaseUrl(), &error);
    QVERIFY2(settings, qPrintable(error));
    QSqlDatabase connection = settings->connection(connectionName, u"tst_plans"_s);
    QVERIFY2(connection.open(), qPrintable(connection.lastError().text()));
    m_db = std::make_unique<Db>(connection, Backend::Postgres);

    m_reader = m_http->newUser(u"Reader"_s);
    m_writer = m_http->newUser(u"Writer"_s);
    const auto other = m_http->newUser(u"Other"_s);
    // The reader is in chatCount groups, each with a message from the writer
    // (unread) and every other one with the reader's answer.
    for (int index = 0; index < chatCount; ++index) {
        const QString chatId
            = m_http->newGroup(m_reader, u"Group %1"_s.arg(index), { m_writer.id });
        m_http->sendText(m_writer.token, chatId, u"Hello %1"_s.arg(index));
        if (index % 2 == 0)
            m_http->sendText(m_reader.token, chatId, u"Answer %1"_s.arg(index));
    }
    // The burst goes to a chat the reader is not in.
    m_burstChat = m_http->personalChat(m_writer.token, other.id);
    m_http->sendText(other.token, m_burstChat, u"Before the burst"_s);
}

void TestPlans::cleanupTestCase()
{
    m_db.reset();
    QSqlDatabase::removeDatabase(connectionName);
}

qint64 TestPlans::buffersRead(const std::function<void()> &work)
{
    // This connection's counters, not yet reported (a backend reports them
    // when idle outside a transaction, so none go within one).
    const auto read = [this] {
        Rows rows = m_db->exec(u"SELECT SUM(pg_stat_get_xact_blocks_fetched(oid)) FROM pg_class "
                               "WHERE relnamespace = CAST('public' AS regnamespace)"_s);
        rows.next();
        return rows.integer(0);
    };
    Transaction transaction(*m_db);
    const qint64 before = read();
    work();
    return read() - before;
}

void TestPlans::checkReads(const char *when, qint64 newestChatSeq)
{
    for (int run = 1; run <= 7; ++run) {
        qsizetype listed = 0;
        qint64 unread = 0;
        const qint64 list = buffersRead([&] {
            const auto chats = ChatService::listWithLastMessage(*m_db, m_reader.id);
            QVERIFY(chats);
            listed = chats.value().size();
            for (const ChatSummary &summary : chats.value())
                unread += summary.unreadCount;
        });
        QCOMPARE(listed, qsizetype(chatCount));
        QCOMPARE(
            unread, qint64(chatCount / 2)); // the writer's message where the reader did not answer
        QVERIFY2(list < listBound,
            qPrintable(u"%1, run %2: the chat list read %3 buffers (bound %4)"_s.arg(
                QLatin1StringView(when), QString::number(run), QString::number(list),
                QString::number(listBound))));
        qint64 newestSeq = 0;
        const qint64 page = buffersRead([&] {
            const auto history
                = MessageService::history(*m_db, m_writer.id, m_burstChat, HistoryQuery {});
            QVERIFY(history);
            QCOMPARE(history.value().messages.size(), qsizetype(Limits::historyPageDefault));
            newestSeq = history.value().messages.first().chatSeq;
        });
        QCOMPARE(newestSeq, newestChatSeq);
        QVERIFY2(page < pageBound,
            qPrintable(u"%1, run %2: the newest page read %3 buffers (bound %4)"_s.arg(
                QLatin1StringView(when), QString::number(run), QString::number(page),
                QString::number(pageBound))));
    }
}

void TestPlans::readsDoNotGrowWithABurst()
{
    // A database never analyzed (where the newest page sorted the whole chat).
    QVERIFY2(m_server.addMessagesInBulk(m_burstChat, m_writer.id, burst, u"'burst ' || g"_s,
                 TestServer::Statistics::Stale),
        qPrintable(m_server.error()));
    checkReads("never analyzed", 1 + burst);
    if (QTest::currentTestFailed())
        return;
    // Statistics that predate the burst (where the chat list hashed every
    // message): ANALYZE, as autovacuum had done a while ago, then a burst.
    QVERIFY2(m_server.execInDatabase(u"ANALYZE"_s), qPrintable(m_server.error()));
    QVERIFY2(m_server.addMessagesInBulk(m_burstChat, m_writer.id, burst, u"'burst ' || g"_s,
                 TestServer::Statistics::Stale),
        qPrintable(m_server.error()));
    checkReads("statistics older than the burst", 1 + 2 * qint64(burst));
}

// Migration 017 gives every read cursor its chat_seq: unread counts are the
// same before and after it.
void TestPlans::migrationSetsTheCursorsChatSeq()
{
    const auto carol = m_http->newUser(u"Carol"_s);
    const auto dave = m_http->newUser(u"Dave"_s);
    const QString chatId = m_http->newGroup(m_writer, u"Before 017"_s, { carol.id, dave.id });
    QStringList sent;
    for (int index = 0; index < 5; ++index)
        sent.append(m_http->sendText(m_writer.token, chatId, u"Message %1"_s.arg(index)));
    // Dave has read two messages, Carol all five and then answered.
    COMPARE_STATUS(m_http->post(u"/api/v1/chats/%1/read"_s.arg(chatId),
                       { { u"message_id"_s, sent[1] } }, dave.token),
        200);
    m_http->sendText(carol.token, chatId, u"Answer"_s);
    m_http->sendText(m_writer.token, chatId, u"After the answer"_s);
    const auto unreadOf = [&](const HttpClient::Account &who) {
        for (const QJsonValue &chat :
            m_http->get(ApiPaths::chatsWithLastMessage.toString(), who.token).json.array()) {
            if (chat.toObject().value(u"id").toString() == chatId)
                return chat.toObject().value(u"unread_count").toInteger(-1);
        }
        return qint64(-1);
    };
    QCOMPARE(unreadOf(carol), 1);
    QCOMPARE(unreadOf(dave), 5);
    QCOMPARE(unreadOf(m_writer), 0);
    // The database as it was before 017, then the server migrates it again.
    m_server.stop();
    QVERIFY2(m_server.execInDatabase(u"ALTER TABLE chat_members DROP COLUMN last_read_chat_seq"_s),
        qPrintable(m_server.error()));
    QVERIFY2(m_server.execInDatabase(u"DELETE FROM schema_migrations WHERE version = 17"_s),
        qPrintable(m_server.error()));
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    QCOMPARE(unreadOf(carol), 1);
    QCOMPARE(unreadOf(dave), 5);
    QCOMPARE(unreadOf(m_writer), 0);
    // And the cursors keep counting from there.
    m_http->sendText(m_writer.token, chatId, u"After the migration"_s);
    QCOMPARE(unreadOf(carol), 2);
    QCOMPARE(unreadOf(dave), 6);
}

QTEST_GUILESS_MAIN(TestPlans)
#include "tst_plans.moc"
