#include "ClientTestSupport.h"
#include "TestServer.h"
#include "client/api/ApiClient.h"
#include "client/models/MessageSearchModel.h"

#include <QAbstractItemModelTester>

using namespace Qt::StringLiterals;
using namespace Messenger;
using namespace Messenger::Client;

// The model behind the chat list's "Messages" and the find bar, against a
// PostgreSQL server whose search answers a query of common words that
// rarely meet with short pages, even empty ones, while has_more is true.
class TestMessageSearchModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void emptyPagesWithMoreAreFollowed();

private:
    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

void TestMessageSearchModel::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    QVERIFY(m_server.isPostgres());
    m_http = std::make_unique<HttpClient>(m_server);
}

// "No messages found" only once the server says nothing older exists: an
// empty page with has_more is followed by the next one at once.
void TestMessageSearchModel::emptyPagesWithMoreAreFollowed()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chat = m_http->personalChat(ann.token, bob.id);
    const Reply sent = m_http->post(u"/api/v1/chats/messages"_s,
        { { u"chat_id"_s, chat }, { u"text"_s, u"alpha omega needle"_s } }, ann.token);
    COMPARE_STATUS(sent, 200);
    QVERIFY2(m_server.addMessagesInBulk(chat, ann.id, 60000,
                 u"CASE WHEN g % 2 = 0 THEN 'alpha filler' ELSE 'omega filler' END"_s),
        qPrintable(m_server.error()));

    ApiClient api;
    api.setBaseUrl(m_server.url(u"/"_s));
    api.setTokens(ann.token, ann.refreshToken);
    for (const QString &chatId : { QString(), chat }) {
        MessageSearchModel model(&api);
        QAbstractItemModelTester tester(&model);
        model.setChatId(chatId);
        model.setQuery(u"alpha omega"_s);
        model.searchNow();
        QTRY_VERIFY_WITH_TIMEOUT(model.status() != MessageSearchModel::Status::Searching
                && model.status() != MessageSearchModel::Status::Idle,
            20000);
        QCOMPARE(model.status(), MessageSearchModel::Status::Done);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.resultAt(0).message.text, u"alpha omega needle"_s);
        QVERIFY(!model.hasMore());
    }
}

QTEST_MAIN(TestMessageSearchModel)
#include "tst_messagesearchmodel.moc"
