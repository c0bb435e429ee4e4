#include "ClientTestSupport.h"
#include "TestServer.h"
#include "client/api/ApiClient.h"
#include "client/api/LiveConnection.h"
#include "client/models/ClientSession.h"
#include "client/models/MessageModel.h"
#include "client/models/UserSearchModel.h"
#include "shared/ApiPaths.h"
#include "shared/Limits.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTimer>

using namespace Qt::StringLiterals;
using namespace Messenger;
using namespace Messenger::Client;

class TestMessageModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void pagesOlderHistoryInKeysetOrder();
    void liveMessagesPendingAndAcks();
    void holeInChatSeqIsFilledFromTheServer();
    void editsDeletesAndReadTicks();
    void groupReadTicksComeFromTheServer();
    void userSearchDropsStaleAnswers();
    void refusedSendIsMarkedFailedAndNotResent();
    void serviceLinesAreNotSettledMessages();

private:
    struct Chat
    {
        HttpClient::Account ann;
        HttpClient::Account bob;
        QString id;
    };
    Chat newChat()
    {
        Chat chat { m_http->newUser(u"Ann"_s), m_http->newUser(u"Bob"_s), {} };
        chat.id = m_http->personalChat(chat.ann.token, chat.bob.id);
        return chat;
    }
    Message send(const HttpClient::Account &from, const QString &chatId, const QString &text)
    {
        const Reply reply = m_http->post(u"/api/v1/chats/messages"_s,
            { { u"chat_id"_s, chatId }, { u"text"_s, text } }, from.token);
        return Message::fromJson(reply.object()).value();
    }
    std::unique_ptr<ApiClient> clientFor(const HttpClient::Account &account)
    {
        auto api = std::make_unique<ApiClient>();
        api->setBaseUrl(m_server.url(u"/"_s));
        api->setTokens(account.token, account.refreshToken);
        return api;
    }
    static QStringList texts(const MessageModel &model)
    {
        QStringList result;
        for (int row = 0; row < model.rowCount(); ++row)
            result.append(model.index(row).data(MessageModel::TextRole).toString());
        return result;
    }

    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

void TestMessageModel::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    m_http = std::make_unique<HttpClient>(m_server);
}

void TestMessageModel::pagesOlderHistoryInKeysetOrder()
{
    const Chat chat = newChat();
    QStringList all;
    for (int i = 0; i < 120; ++i) {
        all.append(u"m%1"_s.arg(i));
        send(i % 2 ? chat.ann : chat.bob, chat.id, all.last());
    }
    auto api = clientFor(chat.ann);
    MessageModel model(api.get(), chat.id, chat.ann.id, false);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(!model.canFetchMore({})); // nothing before the first page
    QSignalSpy loaded(&model, &MessageModel::initialLoaded);
    model.load();
    QVERIFY(loaded.wait(10000));
    QCOMPARE(texts(model), all.mid(70)); // the newest 50, oldest first
    QCOMPARE(model.index(0).data(MessageModel::DaySeparatorRole).toString(), u"Today"_s);
    QVERIFY(model.index(1).data(MessageModel::DaySeparatorRole).toString().isEmpty());
    QCOMPARE(model.index(1).data(MessageModel::IsMineRole).toBool(), true); // m71 is Ann's

    // Older pages arrive above, each as one insertion at row 0.
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QVERIFY(model.canFetchMore({}));
    model.fetchMore({});
    QVERIFY(!model.canFetchMore({})); // one page at a time
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 100, 10000);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.first().at(1).toInt(), 0);
    QCOMPARE(inserted.first().at(2).toInt(), 49);
    model.fetchMore({});
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 120, 10000);
    QTRY_VERIFY(!model.isLoadingOlder());
    QVERIFY(!model.canFetchMore({})); // the start of the chat
    QCOMPARE(texts(model), all);
    QCOMPARE(model.firstUnreadRow(0), 0); // m0 is Bob's

    // Opening with a read cursor loads around the first unread message: a
    // page from it on and the page read before it; newer pages on request.
    MessageModel opened(api.get(), chat.id, chat.ann.id, false);
    QSignalSpy openedLoaded(&opened, &MessageModel::initialLoaded);
    opened.load(model.messageAt(9).seq); // read up to m9
    QVERIFY(openedLoaded.wait(10000));
    QCOMPARE(texts(opened), all.mid(0, 60));
    QCOMPARE(opened.firstUnreadRow(model.messageAt(9).seq), 10);
    QVERIFY(!opened.isAtEnd());
    // Newer pages bring the rest, what was sent since included.
    send(chat.bob, chat.id, u"m120"_s);
    all.append(u"m120"_s);
    QVERIFY(opened.canFetchNewer());
    opened.fetchNewer();
    QVERIFY(!opened.canFetchNewer()); // one page at a time
    QTRY_COMPARE_WITH_TIMEOUT(opened.rowCount(), 110, 10000);
    opened.fetchNewer();
    QTRY_COMPARE_WITH_TIMEOUT(opened.rowCount(), 121, 10000);
    QTRY_VERIFY(opened.isAtEnd());
    QVERIFY(!opened.canFetchNewer());
    QCOMPARE(texts(opened), all);
}

void TestMessageModel::liveMessagesPendingAndAcks()
{
    const Chat chat = newChat();
    send(chat.bob, chat.id, u"first"_s);
    auto api = clientFor(chat.ann);
    MessageModel model(api.get(), chat.id, chat.ann.id, false);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy loaded(&model, &MessageModel::initialLoaded);
    model.load();
    QVERIFY(loaded.wait(10000));

    // Pending stays at the bottom, even when a newer message arrives meanwhile.
    model.addPending(u"c-1"_s, u"mine, pending"_s);
    QCOMPARE(model.index(1).data(MessageModel::DeliveryRole).value<MessageModel::Delivery>(),
        MessageModel::Delivery::Pending);
    const Message fromBob = send(chat.bob, chat.id, u"from bob meanwhile"_s);
    model.applyMessage(fromBob);
    QCOMPARE(
        texts(model), (QStringList { u"first"_s, u"from bob meanwhile"_s, u"mine, pending"_s }));
    // The ack gives it its place in the server's order, and a repeat of the
    // same message (the live echo, a resume) changes nothing.
    Message mine = send(chat.ann, chat.id, u"mine, pending"_s);
    model.acknowledge(u"c-1"_s, mine);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(2).data(MessageModel::IdRole).toString(), mine.id);
    QCOMPARE(model.index(2).data(MessageModel::DeliveryRole).value<MessageModel::Delivery>(),
        MessageModel::Delivery::Sent);
    model.applyMessage(mine);
    model.applyMessage(fromBob);
    QCOMPARE(model.rowCount(), 3);
    // An out-of-order arrival lands at its seq, not at the bottom.
    model.addPending(u"c-2"_s, u"second pending"_s);
    const Message later = send(chat.bob, chat.id, u"later"_s);
    model.applyMessage(later);
    QCOMPARE(texts(model).last(), u"second pending"_s);
    QCOMPARE(model.newestSeq(), later.seq);
    model.markFailed(u"c-2"_s, u"refused"_s);
    QCOMPARE(model.index(model.rowCount() - 1)
                 .data(MessageModel::DeliveryRole)
                 .value<MessageModel::Delivery>(),
        MessageModel::Delivery::Failed);
    QCOMPARE(model.countFromOthersAfter(mine.seq), 1);
}

void TestMessageModel::holeInChatSeqIsFilledFromTheServer()
{
    const Chat chat = newChat();
    send(chat.bob, chat.id, u"one"_s);
    auto api = clientFor(chat.ann);
    MessageModel model(api.get(), chat.id, chat.ann.id, false);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy loaded(&model, &MessageModel::initialLoaded);
    model.load();
    QVERIFY(loaded.wait(10000));
    send(chat.bob, chat.id, u"two"_s);
    send(chat.bob, chat.id, u"three"_s);
    const Message four = send(chat.bob, chat.id, u"four"_s);
    // Only "four" arrives live: two and three are a hole, fetched after a moment.
    model.applyMessage(four);
    QCOMPARE(texts(model), (QStringList { u"one"_s, u"four"_s }));
    QTRY_COMPARE_WITH_TIMEOUT(
        texts(model), (QStringList { u"one"_s, u"two"_s, u"three"_s, u"four"_s }), 5000);
}

void TestMessageModel::editsDeletesAndReadTicks()
{
    const Chat chat = newChat();
    const Message mine = send(chat.ann, chat.id, u"original"_s);
    auto api = clientFor(chat.ann);
    MessageModel model(api.get(), chat.id, chat.ann.id, true);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy loaded(&model, &MessageModel::initialLoaded);
    model.load();
    QVERIFY(loaded.wait(10000));
    QCOMPARE(model.index(0).data(MessageModel::DeliveryRole).value<MessageModel::Delivery>(),
        MessageModel::Delivery::Sent);
    model.applyReadByAll(mine.seq);
    QCOMPARE(model.index(0).data(MessageModel::DeliveryRole).value<MessageModel::Delivery>(),
        MessageModel::Delivery::Read);

    const auto edited = await(api->editMessage(mine.id, u"changed"_s));
    VERIFY_OK(edited);
    model.applyEdited(edited.value());
    QCOMPARE(model.index(0).data(MessageModel::TextRole).toString(), u"changed"_s);
    QVERIFY(model.index(0).data(MessageModel::EditedRole).toBool());
    model.applyDeleted(mine.id);
    QVERIFY(model.index(0).data(MessageModel::DeletedRole).toBool());
    QCOMPARE(model.index(0).data(MessageModel::TextRole).toString(), u"Message deleted"_s);
    // Sender names show in groups, for others' messages that start a run.
    const Message bobs = send(chat.bob, chat.id, u"hi"_s);
    model.applyMessage(bobs);
    QVERIFY(model.index(1).data(MessageModel::ShowSenderRole).toBool());
    QVERIFY(!model.index(0).data(MessageModel::ShowSenderRole).toBool());
}

void TestMessageModel::groupReadTicksComeFromTheServer()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto carol = m_http->newUser(u"Carol"_s);
    const QString groupId = m_http->newGroup(ann, u"Three"_s, { bob.id, carol.id });
    const Message mine = send(ann, groupId, u"read me"_s);
    auto api = clientFor(ann);
    MessageModel model(api.get(), groupId, ann.id, true);
    QSignalSpy loaded(&model, &MessageModel::initialLoaded);
    model.load();
    QVERIFY(loaded.wait(10000));
    const auto delivery = [&model] {
        return model.index(0).data(MessageModel::DeliveryRole).value<MessageModel::Delivery>();
    };
    const auto markRead = [&](const HttpClient::Account &reader) {
        COMPARE_STATUS(m_http->post(u"/api/v1/chats/%1/read"_s.arg(groupId),
                           { { u"message_id"_s, mine.id } }, reader.token),
            200);
    };
    markRead(bob);
    // The barrier: the refresh's request is answered (the model applies the
    // answer while handling it), then an event posted after that is handled.
    QSignalSpy answered(
        api->findChild<QNetworkAccessManager *>(), &QNetworkAccessManager::finished);
    model.refreshReadState();
    QVERIFY(answered.wait(10000));
    bool handled = false;
    QTimer::singleShot(0, &model, [&handled] { handled = true; });
    QTRY_VERIFY(handled);
    QCOMPARE(answered.size(), 1);
    QCOMPARE(delivery(), MessageModel::Delivery::Sent); // Carol has not read it
    markRead(carol);
    model.refreshReadState();
    QTRY_COMPARE_WITH_TIMEOUT(delivery(), MessageModel::Delivery::Read, 5000);
}

void TestMessageModel::userSearchDropsStaleAnswers()
{
    const auto me = m_http->newUser(u"Searcher"_s);
    const auto zed = m_http->newUser(u"Zed Quill"_s);
    m_http->newUser(u"Zelda Quinn"_s);
    auto api = clientFor(me);
    UserSearchModel model(api.get(), me.id);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy finished(&model, &UserSearchModel::searchFinished);
    // Typing "qui", then "zed q": only the last query's answer counts.
    model.setQuery(u"qui"_s);
    model.setQuery(u"zed q"_s);
    QVERIFY(finished.wait(10000));
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.index(0).data(UserSearchModel::UserIdRole).toString(), zed.id);
    // Under three characters the server would refuse: nothing is asked.
    model.setQuery(u"ze"_s);
    QVERIFY(finished.wait(10000));
    QCOMPARE(model.rowCount(), 0);
    // Picking members for a group.
    model.setCheckable(true);
    model.setQuery(u"qui"_s);
    QVERIFY(finished.wait(10000));
    QCOMPARE(model.rowCount(), 2);
    model.setExcluded({ zed.id });
    const int zedRow
        = model.index(0).data(UserSearchModel::UserIdRole).toString() == zed.id ? 0 : 1;
    QVERIFY(!model.setData(model.index(zedRow), Qt::Checked, Qt::CheckStateRole));
    QVERIFY(model.setData(model.index(1 - zedRow), Qt::Checked, Qt::CheckStateRole));
    QCOMPARE(model.checkedUsers().size(), 1);
    QCOMPARE(model.checkedUsers().first().name, u"Zelda Quinn"_s);
}

void TestMessageModel::refusedSendIsMarkedFailedAndNotResent()
{
    // A text the server refuses before storing anything (too long once
    // trimmed) comes back as an error with the send's client_id: the message
    // is marked failed with the server's reason instead of "sending" forever.
    const Chat chat = newChat();
    ClientSession session(nullptr);
    session.signIn(m_server.url(u"/"_s).toString(), chat.ann.email, chat.ann.password);
    QTRY_COMPARE_WITH_TIMEOUT(session.state(), ClientSession::State::SignedIn, 15000);
    QTRY_COMPARE_WITH_TIMEOUT(session.live()->state(), LiveConnection::State::Connected, 15000);
    MessageModel *model = session.messages(chat.id);
    QTRY_VERIFY_WITH_TIMEOUT(model->isLoaded(), 10000);
    QSignalSpy failed(session.live(), &LiveConnection::sendFailed);
    session.send(chat.id, QString(Limits::messageTextMax + 1, u'x'));
    QCOMPARE(model->rowCount(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(
        model->index(0).data(MessageModel::DeliveryRole).value<MessageModel::Delivery>(),
        MessageModel::Delivery::Failed, 10000);
    QVERIFY(model->index(0).data(MessageModel::FailureReasonRole).toString().contains(u"4096"_s));
    QVERIFY(model->index(0).data(Qt::ToolTipRole).toString().contains(u"4096"_s));
    QCOMPARE(failed.size(), 1);
    QCOMPARE(session.live()->unacknowledgedCount(), 0);

    // After a reconnect only what is sent next goes out and is stored.
    session.live()->abortConnection();
    QTRY_COMPARE_WITH_TIMEOUT(session.live()->state(), LiveConnection::State::Connected, 15000);
    QSignalSpy acked(session.live(), &LiveConnection::acknowledged);
    session.send(chat.id, u"a fine one"_s);
    QVERIFY(acked.wait(10000));
    const QJsonArray history = m_http->get(ApiPaths::chatHistory(chat.id), chat.ann.token)
                                   .object()
                                   .value(u"messages"_s)
                                   .toArray();
    QCOMPARE(history.size(), 1);
    QCOMPARE(history.first().toObject().value(u"text").toString(), u"a fine one"_s);
    QCOMPARE(failed.size(), 1);
}

// A service line shares the seq of the message before it but has no id: the
// cache once got it among the settled messages and refused the row ("NOT NULL
// constraint failed: messages.id").
void TestMessageModel::serviceLinesAreNotSettledMessages()
{
    const Chat chat = newChat();
    const Message first = send(chat.bob, chat.id, u"first"_s);
    auto api = clientFor(chat.ann);
    MessageModel model(api.get(), chat.id, chat.ann.id, false);
    QSignalSpy loaded(&model, &MessageModel::initialLoaded);
    model.load();
    QVERIFY(loaded.wait(10000));
    model.applyRenamed(u"New name"_s);
    QCOMPARE(model.rowCount(), 2);
    const QList<Message> settled = model.settledMessages();
    QCOMPARE(settled.size(), 1);
    QCOMPARE(settled.first().id, first.id);
}

QTEST_MAIN(TestMessageModel)
#include "tst_messagemodel.moc"
