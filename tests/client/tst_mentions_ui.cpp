#include "DesktopTestSupport.h"
#include "TestServer.h"
#include "client/api/LiveConnection.h"
#include "client/api/SessionStore.h"
#include "client/models/ChatListModel.h"
#include "client/models/ClientSession.h"
#include "client/models/LocalCache.h"
#include "client/models/MessageModel.h"
#include "client/ui/Composer.h"
#include "client/ui/DesktopApp.h"
#include "client/ui/MainWindow.h"
#include "client/ui/MessageDelegate.h"
#include "client/ui/Theme.h"
#include "client/ui/TimelineView.h"
#include "client/ui/TrayController.h"
#include "shared/ApiPaths.h"
#include "shared/Limits.h"

#include <QApplication>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QListView>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace Qt::StringLiterals;
using namespace Messenger;
using namespace Messenger::Client;

// Mentions in the desktop app (issue 16): `@` in the composer completes the
// group's members and the send carries the ids of those still in the text;
// bubbles colour the `@Name` and tint a message that mentions the user; the
// chat list's `@` badge comes live and goes when the chat is read; a mention
// notifies in a muted chat; an offline send keeps its mentions across a
// restart. Real widgets offscreen against a real server.
class TestMentionsUi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void completionInsertsTheNameAndTheSendCarriesTheMention();
    void deletedMentionIsNotSentAndEscClosesOnlyThePopup();
    void receivedMentionIsHighlightedAndBadgedUntilRead();
    void mentionButtonGoesToTheUnreadMention();
    void mentionNotifiesInAMutedChatAPlainMessageDoesNot();
    void offlineSendKeepsItsMentionsAcrossARestart();
    void cacheFromBeforeMentionsKeepsItsUnsentWork();

private:
    // The chat's newest message as the server has it.
    QJsonObject newestOnServer(const QString &chatId, const HttpClient::Account &who)
    {
        const QJsonArray messages = m_http->get(ApiPaths::chatHistory(chatId), who.token)
                                        .object()
                                        .value(u"messages"_s)
                                        .toArray();
        QJsonObject newest;
        for (const QJsonValue &message : messages) {
            if (message[u"seq"].toInteger() > newest[u"seq"].toInteger())
                newest = message.toObject();
        }
        return newest;
    }
    static QStringList mentionsOf(const QJsonObject &message)
    {
        QStringList ids;
        for (const QJsonValue &id : message.value(u"mentions"_s).toArray())
            ids.append(id.toString());
        return ids;
    }
    qint64 unreadMentionsOnServer(const HttpClient::Account &who, const QString &chatId)
    {
        for (const QJsonValue &chat :
            m_http->get(u"/api/v1/chats/with-last-message"_s, who.token).json.array()) {
            if (chat[u"id"].toString() == chatId)
                return chat[u"unread_mentions"].toInteger();
        }
        return -1;
    }
    static qint64 unreadMentions(ClientSession *session, const QString &chatId)
    {
        const int row = session->chats()->rowOf(chatId);
        return row < 0
            ? -1
            : session->chats()->index(row).data(ChatListModel::UnreadMentionsRole).toLongLong();
    }
    static int rowWithText(MessageModel *model, const QString &text)
    {
        for (int row = 0; row < model->rowCount(); ++row) {
            if (model->messageAt(row).text == text)
                return row;
        }
        return -1;
    }
    // The runs of the row's text drawn in the link colour: its mentions.
    static QList<std::pair<int, int>> linkColoured(TimelineView *timeline, const QModelIndex &index)
    {
        auto *delegate = qobject_cast<MessageDelegate *>(timeline->itemDelegate());
        QList<std::pair<int, int>> runs;
        if (!delegate)
            return runs;
        for (const QTextLayout::FormatRange &mark : delegate->textMarks(index)) {
            if (mark.format.foreground().color() == Theme::link)
                runs.append({ mark.start, mark.length });
        }
        return runs;
    }
    SignedIn openGroup(const HttpClient::Account &who, const QString &chatId)
    {
        SignedIn client = signInWithChatOpen(m_server, who, chatId);
        if (!client.window)
            return client;
        [&] { QTRY_VERIFY_WITH_TIMEOUT(client.session->messages(chatId)->isLoaded(), 10000); }();
        return client;
    }

    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

void TestMentionsUi::initTestCase()
{
    prepareDesktopTestCase(u"tst_mentions_ui"_s);
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    m_http = std::make_unique<HttpClient>(m_server);
}

void TestMentionsUi::init()
{
    resetClientState(m_server);
}

// `@` lists the group's members but the user; `@bo` narrows it to Bob, Enter
// inserts "@Bob Stone ", and the message the server stores mentions Bob. A
// word of the name matches too, Up/Down choose, a click inserts.
void TestMentionsUi::completionInsertsTheNameAndTheSendCarriesTheMention()
{
    const auto ann = m_http->newUser(u"Ann Lee"_s);
    const auto bob = m_http->newUser(u"Bob Stone"_s);
    const auto cat = m_http->newUser(u"Cat Ward"_s);
    const QString group = m_http->newGroup(ann, u"Lunch crew"_s, { bob.id, cat.id });
    m_http->sendText(bob.token, group, u"Anyone hungry?"_s);
    SignedIn client = openGroup(ann, group);
    QVERIFY(client.window);
    Composer *composer = client.window->composer();
    QPlainTextEdit *input = composer->input();
    QListView *popup = composer->mentionPopup();
    QVERIFY(input->hasFocus());

    QTest::keyClicks(input, u"@"_s);
    QTRY_VERIFY(popup->isVisible());
    QCOMPARE(popup->model()->rowCount(), 2);
    QStringList names;
    for (int row = 0; row < popup->model()->rowCount(); ++row)
        names.append(popup->model()->index(row, 0).data().toString());
    QCOMPARE(names, (QStringList { bob.name, cat.name }));
    saveScreenshot(client.window.get(), u"mention-popup"_s);
    // It floats over the timeline, near the field.
    QVERIFY(popup->geometry().bottom()
        <= composer->mapTo(client.window.get(), QPoint()).y() + input->geometry().bottom());

    // A smaller window: the list moves with the field, still just above it.
    client.window->resize(900, 520);
    QTRY_VERIFY(popup->geometry().bottom()
        < input->mapTo(client.window.get(), QPoint()).y() + input->height());
    QVERIFY(popup->geometry().bottom() < client.window->height());
    QVERIFY(popup->isVisible());

    QTest::keyClicks(input, u"bo"_s);
    QCOMPARE(popup->model()->rowCount(), 1);
    QCOMPARE(popup->model()->index(0, 0).data(Qt::UserRole).toString(), bob.id);
    QTest::keyClick(input, Qt::Key_Return);
    QVERIFY(!popup->isVisible());
    QCOMPARE(composer->text(), u"@Bob Stone "_s);
    QTest::keyClicks(input, u"lunch at noon?"_s);
    QCOMPARE(composer->mentions(), QStringList { bob.id });
    QTest::keyClick(input, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(
        newestOnServer(group, ann)[u"text"].toString(), u"@Bob Stone lunch at noon?"_s, 10000);
    QCOMPARE(mentionsOf(newestOnServer(group, ann)), QStringList { bob.id });
    QVERIFY(composer->text().isEmpty());

    // A later word of the name: "wa" finds Cat Ward. Down and Up move, and
    // a click inserts the row clicked.
    QTest::keyClicks(input, u"@wa"_s);
    QTRY_VERIFY(popup->isVisible());
    QCOMPARE(popup->model()->rowCount(), 1);
    QCOMPARE(popup->model()->index(0, 0).data().toString(), cat.name);
    input->clear();
    QTest::keyClicks(input, u"ok @"_s);
    QTRY_VERIFY(popup->isVisible());
    QCOMPARE(popup->currentIndex().row(), 0);
    QTest::keyClick(input, Qt::Key_Down);
    QCOMPARE(popup->currentIndex().data().toString(), cat.name);
    QTest::keyClick(input, Qt::Key_Up);
    QCOMPARE(popup->currentIndex().data().toString(), bob.name);
    const QModelIndex catRow = popup->model()->index(1, 0);
    QTest::mouseClick(popup->viewport(), Qt::LeftButton, {}, popup->visualRect(catRow).center());
    QVERIFY(!popup->isVisible());
    QCOMPARE(composer->text(), u"ok @Cat Ward "_s);
    QVERIFY(input->hasFocus());
    QTest::keyClicks(input, u"and @bo"_s);
    QTest::keyClick(input, Qt::Key_Tab);
    QCOMPARE(composer->text(), u"ok @Cat Ward and @Bob Stone "_s);
    QCOMPARE(composer->mentions(), (QStringList { cat.id, bob.id }));
    QTest::keyClick(input, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(
        newestOnServer(group, ann)[u"text"].toString(), u"ok @Cat Ward and @Bob Stone"_s, 10000);
    QCOMPARE(mentionsOf(newestOnServer(group, ann)), (QStringList { cat.id, bob.id }));
}

// A mention deleted from the text before sending is not sent. With a reply
// being written, Esc closes the list and leaves the reply; the list stays
// closed while that word is typed; the next Esc cancels the reply.
void TestMentionsUi::deletedMentionIsNotSentAndEscClosesOnlyThePopup()
{
    const auto ann = m_http->newUser(u"Ann Lee"_s);
    const auto bob = m_http->newUser(u"Bob Stone"_s);
    const auto cat = m_http->newUser(u"Cat Ward"_s);
    const QString group = m_http->newGroup(ann, u"Weekend"_s, { bob.id, cat.id });
    const QString question = m_http->sendText(bob.token, group, u"Who is driving?"_s);
    SignedIn client = openGroup(ann, group);
    QVERIFY(client.window);
    Composer *composer = client.window->composer();
    QPlainTextEdit *input = composer->input();
    QListView *popup = composer->mentionPopup();

    QTest::keyClicks(input, u"hi @ca"_s);
    QTRY_VERIFY(popup->isVisible());
    QTest::keyClick(input, Qt::Key_Tab);
    QCOMPARE(composer->text(), u"hi @Cat Ward "_s);
    QCOMPARE(composer->mentions(), QStringList { cat.id });
    for (int i = 0; i < int(u"@Cat Ward "_s.size()); ++i)
        QTest::keyClick(input, Qt::Key_Backspace);
    QCOMPARE(composer->text(), u"hi "_s);
    QVERIFY(!popup->isVisible());
    QVERIFY(composer->mentions().isEmpty());
    QTest::keyClicks(input, u"all good"_s);
    QTest::keyClick(input, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(
        newestOnServer(group, ann)[u"text"].toString(), u"hi all good"_s, 10000);
    QVERIFY(mentionsOf(newestOnServer(group, ann)).isEmpty());

    composer->beginReply(question, bob.name, u"Who is driving?"_s);
    QTest::keyClicks(input, u"@"_s);
    QTRY_VERIFY(popup->isVisible());
    QTest::keyClick(input, Qt::Key_Escape);
    QVERIFY(!popup->isVisible());
    QVERIFY(composer->isReplying());
    QVERIFY(composer->contextBar()->isVisible());
    QTest::keyClicks(input, u"b"_s);
    QVERIFY(!popup->isVisible());
    // A new `@` opens it again.
    QTest::keyClicks(input, u" @"_s);
    QTRY_VERIFY(popup->isVisible());
    QTest::keyClick(input, Qt::Key_Escape);
    QVERIFY(composer->isReplying());
    QTest::keyClick(input, Qt::Key_Escape);
    QVERIFY(!composer->isReplying());
}

// Bob mentions Ann in a group she is not looking at: the row gets its `@`
// live (and only for mentions of her), opening the chat reads it and the
// badge goes, here and on the server; the `@Ann Lee` in the bubble is in the
// link colour and the message is marked as mentioning her.
void TestMentionsUi::receivedMentionIsHighlightedAndBadgedUntilRead()
{
    const auto ann = m_http->newUser(u"Ann Lee"_s);
    const auto bob = m_http->newUser(u"Bob Stone"_s);
    const auto cat = m_http->newUser(u"Cat Ward"_s);
    const QString trip = m_http->newGroup(bob, u"Trip planning"_s, { ann.id, cat.id });
    const QString books = m_http->newGroup(cat, u"Book club"_s, { ann.id, bob.id });
    m_http->sendText(bob.token, trip, u"Tickets are booked"_s);
    m_http->sendText(cat.token, books, u"Chapter 3 for Friday"_s);
    SignedIn client = openGroup(ann, books);
    QVERIFY(client.window);
    ClientSession *session = client.session.get();
    QCOMPARE(unreadMentions(session, trip), 0);

    const QString mention = u"@Ann Lee can you bring the map?"_s;
    m_http->sendText(bob.token, trip, mention, { { u"mentions"_s, QJsonArray { ann.id } } });
    QTRY_COMPARE_WITH_TIMEOUT(unreadMentions(session, trip), 1, 10000);
    QCOMPARE(unreadMentionsOnServer(ann, trip), 1);
    // Someone else mentioned, or no one: unread, not a mention of Ann.
    m_http->sendText(
        bob.token, trip, u"@Cat Ward you drive"_s, { { u"mentions"_s, QJsonArray { cat.id } } });
    m_http->sendText(bob.token, trip, u"and snacks"_s);
    QTRY_COMPARE_WITH_TIMEOUT(session->chats()->summary(trip)->unreadCount, 4, 10000);
    QCOMPARE(unreadMentions(session, trip), 1);

    client.window->openChat(trip);
    QTRY_COMPARE_WITH_TIMEOUT(unreadMentions(session, trip), 0, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(unreadMentionsOnServer(ann, trip), 0, 10000);

    MessageModel *model = session->messages(trip);
    TimelineView *timeline = client.window->timeline();
    const QModelIndex mine = model->index(rowWithText(model, mention));
    QVERIFY(mine.isValid());
    QVERIFY(mine.data(MessageModel::MentionsMeRole).toBool());
    QCOMPARE(linkColoured(timeline, mine),
        (QList<std::pair<int, int>> { { 0, int(u"@Ann Lee"_s.size()) } }));
    const QModelIndex cats = model->index(rowWithText(model, u"@Cat Ward you drive"_s));
    QVERIFY(cats.isValid());
    QVERIFY(!cats.data(MessageModel::MentionsMeRole).toBool());
    QCOMPARE(linkColoured(timeline, cats),
        (QList<std::pair<int, int>> { { 0, int(u"@Cat Ward"_s.size()) } }));
    QVERIFY(linkColoured(timeline, model->index(rowWithText(model, u"and snacks"_s))).isEmpty());

    // Read at once in the open chat: no badge stays.
    m_http->sendText(bob.token, trip, u"@Ann Lee one more thing"_s,
        { { u"mentions"_s, QJsonArray { ann.id } } });
    QTRY_VERIFY_WITH_TIMEOUT(rowWithText(model, u"@Ann Lee one more thing"_s) >= 0, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(unreadMentionsOnServer(ann, trip), 0, 10000);
    QCOMPARE(unreadMentions(session, trip), 0);

    // Meanwhile in the other group: the badge there, kept in what the cache stores.
    m_http->sendText(cat.token, books, u"@Ann Lee what do we read next?"_s,
        { { u"mentions"_s, QJsonArray { ann.id } } });
    QTRY_COMPARE_WITH_TIMEOUT(unreadMentions(session, books), 1, 10000);
    const auto stored = ChatSummary::fromJson(session->chats()->summary(books)->toJson());
    QVERIFY(stored);
    QCOMPARE(stored.value().unreadMentions, 1);
    timeline->scrollToRowOrBottom(-1);
    saveScreenshot(client.window.get(), u"mentions"_s);
}

// Unread mentions further down than the screen: the timeline's `@` button
// shows, a click shows the mention (tinted), reading it takes the button away.
void TestMentionsUi::mentionButtonGoesToTheUnreadMention()
{
    const auto ann = m_http->newUser(u"Ann Lee"_s);
    const auto bob = m_http->newUser(u"Bob Stone"_s);
    const QString group = m_http->newGroup(bob, u"Long thread"_s, { ann.id });
    for (int i = 1; i <= 30; ++i)
        m_http->sendText(bob.token, group, u"before %1"_s.arg(i));
    const QString mention = m_http->sendText(bob.token, group, u"@Ann Lee this one is for you"_s,
        { { u"mentions"_s, QJsonArray { ann.id } } });
    for (int i = 1; i <= 30; ++i)
        m_http->sendText(bob.token, group, u"after %1"_s.arg(i));
    SignedIn client = openGroup(ann, group);
    QVERIFY(client.window);
    TimelineView *timeline = client.window->timeline();
    QToolButton *button = timeline->jumpToMentionButton();
    // Opened at the first unread, far above the mention: it stays unread.
    QTRY_VERIFY_WITH_TIMEOUT(button->isVisible(), 10000);
    QCOMPARE(unreadMentions(client.session.get(), group), 1);
    QVERIFY(button->geometry().bottom() < timeline->jumpToBottomButton()->geometry().top()
        || !timeline->jumpToBottomButton()->isVisible());
    QTest::mouseClick(button, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(timeline->highlightedMessageId(), mention, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(unreadMentions(client.session.get(), group), 0, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(!button->isVisible(), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(unreadMentionsOnServer(ann, group), 0, 10000);
}

// A muted group: a plain message does not notify, a mention of the user does.
void TestMentionsUi::mentionNotifiesInAMutedChatAPlainMessageDoesNot()
{
    const auto ann = m_http->newUser(u"Ann Lee"_s);
    const auto bob = m_http->newUser(u"Bob Stone"_s);
    const QString group = m_http->newGroup(bob, u"Noisy group"_s, { ann.id });
    COMPARE_STATUS(
        m_http->request("PATCH", ApiPaths::chatSettings(group),
            QJsonDocument(QJsonObject { { u"muted_until"_s, qint64(Limits::chatMutedForever) } })
                .toJson(),
            ann.token),
        200);
    const auto session = connectedSession(m_server, ann);
    MainWindow window(session.get(), nullptr, TrayController::Availability::Available);
    showAndActivate(&window);
    QSignalSpy notified(window.tray(), &TrayController::notified);
    QTRY_VERIFY_WITH_TIMEOUT(session->chats()->summary(group).has_value(), 10000);
    QVERIFY(session->chats()
                ->index(session->chats()->rowOf(group))
                .data(ChatListModel::MutedRole)
                .toBool());

    m_http->sendText(bob.token, group, u"Plain news"_s);
    m_http->sendText(
        bob.token, group, u"@Ann Lee look at this"_s, { { u"mentions"_s, QJsonArray { ann.id } } });
    // The mention came after the plain message: once it is notified, the plain one was not.
    QTRY_COMPARE_WITH_TIMEOUT(notified.size(), 1, 10000);
    QCOMPARE(notified.first().at(0).toString(), group);
    QVERIFY(notified.first().at(2).toString().contains(u"@Ann Lee look at this"_s));
    QTRY_COMPARE_WITH_TIMEOUT(session->chats()->summary(group)->unreadCount, 2, 10000);
}

// Sent while the server is down and the app quit before it came back: the
// restart sends it with its mentions.
void TestMentionsUi::offlineSendKeepsItsMentionsAcrossARestart()
{
    const auto ann = m_http->newUser(u"Ann Lee"_s);
    const auto bob = m_http->newUser(u"Bob Stone"_s);
    const QString group = m_http->newGroup(ann, u"Offline group"_s, { bob.id });
    QString clientId;
    {
        SignedIn client = persistedClient();
        client.session->signIn(m_server.url(u""_s).toString(), ann.email, ann.password);
        QTRY_COMPARE_WITH_TIMEOUT(
            client.session->live()->state(), LiveConnection::State::Connected, 15000);
        MessageModel *model = client.session->messages(group);
        QTRY_VERIFY_WITH_TIMEOUT(model->isLoaded(), 15000);
        m_server.stop();
        QTRY_VERIFY_WITH_TIMEOUT(
            client.session->live()->state() != LiveConnection::State::Connected, 15000);
        client.session->send(group, u"@Bob Stone call me"_s, {}, { bob.id });
        const QModelIndex pending = model->index(model->rowCount() - 1);
        QCOMPARE(pending.data(MessageModel::MentionsRole).toStringList(), QStringList { bob.id });
        clientId = pending.data(MessageModel::ClientIdRole).toString();
        QVERIFY(!clientId.isEmpty());
    } // quit with it unsent

    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    SignedIn client = persistedClient();
    QSignalSpy finished(client.session.get(), &ClientSession::restoreFinished);
    client.session->restore();
    QVERIFY(!finished.isEmpty() || finished.wait(15000));
    QCOMPARE(finished.first().first().toBool(), true);
    QTRY_COMPARE_WITH_TIMEOUT(client.session->live()->unacknowledgedCount(), 0, 15000);
    QTRY_COMPARE_WITH_TIMEOUT(newestOnServer(group, ann)[u"client_id"].toString(), clientId, 15000);
    QCOMPARE(mentionsOf(newestOnServer(group, ann)), QStringList { bob.id });
}

// A cache written before sends had mentions (no such column) opens with its
// unsent work, and new sends keep their mentions in it.
void TestMentionsUi::cacheFromBeforeMentionsKeepsItsUnsentWork()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"old.sqlite"_s);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"old-cache"_s);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.exec(u"PRAGMA user_version = 1"_s));
        QVERIFY(query.exec(u"CREATE TABLE pending (key TEXT PRIMARY KEY, kind INTEGER NOT NULL,"
                           " chat_id TEXT, message_id TEXT, text TEXT)"_s));
        QVERIFY(query.exec(u"INSERT INTO pending VALUES ('old', 0, 'chat', '', 'from before')"_s));
        db.close();
    }
    QSqlDatabase::removeDatabase(u"old-cache"_s);
    {
        LocalCache cache(path);
        const LocalCache::Account account = cache.loadAccount();
        QCOMPARE(account.pending.size(), 1);
        QCOMPARE(account.pending.first().text, u"from before"_s);
        QVERIFY(account.pending.first().mentions.isEmpty());
        cache.addPending({ LocalCache::PendingOperation::Kind::Send, u"new"_s, u"chat"_s, {},
            u"@Bob hi"_s, { u"bob-id"_s } });
    }
    LocalCache cache(path);
    const LocalCache::Account account = cache.loadAccount();
    QCOMPARE(account.pending.size(), 2);
    QCOMPARE(account.pending.last().key, u"new"_s);
    QCOMPARE(account.pending.last().mentions, QStringList { u"bob-id"_s });
}

QTEST_MAIN(TestMentionsUi)
#include "tst_mentions_ui.moc"
