#include "DesktopTestSupport.h"
#include "TestServer.h"
#include "client/api/LiveConnection.h"
#include "client/models/ChatListModel.h"
#include "client/models/ChatSearchModel.h"
#include "client/models/ClientSession.h"
#include "client/models/MessageModel.h"
#include "client/models/MessageSearchModel.h"
#include "client/ui/ChatListDelegate.h"
#include "client/ui/Composer.h"
#include "client/ui/DesktopApp.h"
#include "client/ui/FindBar.h"
#include "client/ui/MainWindow.h"
#include "client/ui/TimelineView.h"
#include "shared/ApiPaths.h"
#include "shared/Limits.h"

#include <QApplication>
#include <QDir>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>
#include <QToolButton>

using namespace Qt::StringLiterals;
using namespace Messenger;
using namespace Messenger::Client;

// Message search in the desktop app (issue 16): the chat list's "Messages"
// section (debounced, newest first, paged on scroll, a click opens the chat
// at the message), Ctrl+F's find bar in the open chat (stepping through the
// hits, each shown in context, pages fetched as needed), and what both say
// when nothing is found or the server is away; offscreen real widgets
// against a real server. With MESSENGER_SCREENSHOTS=<dir> it saves
// search-<lang>.png and find-<lang>.png there.
class TestSearchUi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void chatListSearchShowsMessagesAndOpensOneAtTheMessage();
    void chatListMessagesPageOnScroll();
    void ctrlFFindsInTheOpenChatAndStepsThroughHits();
    void nothingFoundAndOfflineAreSaid();

private:
    // The rows of the chat list's "Messages" section that are messages found.
    static QList<QModelIndex> foundMessages(QListView *list)
    {
        QList<QModelIndex> rows;
        for (int row = 0; row < list->model()->rowCount(); ++row) {
            const QModelIndex index = list->model()->index(row, 0);
            if (!index.data(ChatSearchModel::FoundMessageIdRole).toString().isEmpty())
                rows.append(index);
        }
        return rows;
    }
    static QString searchStatus(QListView *list)
    {
        for (int row = 0; row < list->model()->rowCount(); ++row) {
            const QString status
                = list->model()->index(row, 0).data(ChatSearchModel::SearchStatusRole).toString();
            if (!status.isEmpty())
                return status;
        }
        return {};
    }
    static void press(QKeyCombination keys)
    {
        QTest::keyClick(QApplication::focusWidget(), keys.key(), keys.keyboardModifiers());
    }

    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

void TestSearchUi::initTestCase()
{
    prepareDesktopTestCase(u"tst_search_ui"_s);
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    m_http = std::make_unique<HttpClient>(m_server);
}

void TestSearchUi::init()
{
    resetClientState(m_server);
}

// Typing in the chat list's search (Ctrl+Shift+F) lists, below the chats and
// people, the messages found in every chat, newest first, after a pause in
// the typing; each row names the chat and the sender and has the matching
// words marked. Clicking one opens its chat at the message: the history
// around it is loaded (it is far older than the newest page), it is on
// screen and tinted.
void TestSearchUi::chatListSearchShowsMessagesAndOpensOneAtTheMessage()
{
    const auto ann = m_http->newUser(u"Ann Seeker"_s);
    const auto ben = m_http->newUser(u"Ben Seeker"_s);
    const auto cleo = m_http->newUser(u"Cleo Seeker"_s);
    const QString benChat = m_http->personalChat(ann.token, ben.id);
    const QString group = m_http->newGroup(ann, u"Zoo trip"_s, { ben.id, cleo.id });
    const QString oldHit
        = m_http->sendText(ben.token, benChat, u"Remember the zebra at the old zoo?"_s);
    for (int i = 1; i <= 120; ++i)
        m_http->sendText((i % 2 ? ben : ann).token, benChat, u"chatter %1"_s.arg(i));
    const QString newHit = m_http->sendText(cleo.token, group, u"Zebras first, then the lions"_s);
    m_http->sendText(ann.token, group, u"fine by me"_s);
    auto [session, window] = signIn(m_server, ann);
    QVERIFY(window && !QTest::currentTestFailed());
    QTRY_COMPARE_WITH_TIMEOUT(session->chats()->rowCount(), 2, 10000);

    press(Qt::CTRL | Qt::SHIFT | Qt::Key_F);
    QCOMPARE(QApplication::focusWidget(), window->searchField());
    QTest::keyClicks(QApplication::focusWidget(), u"zebra"_s);
    QListView *list = window->chatListView();
    // Debounced: nothing is asked while typing.
    QVERIFY(foundMessages(list).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(foundMessages(list).size(), 2, 10000);
    QList<QModelIndex> found = foundMessages(list);
    // Newest first, in their chats, with the sender and the word marked.
    QCOMPARE(found.at(0).data(ChatSearchModel::FoundMessageIdRole).toString(), newHit);
    QCOMPARE(found.at(0).data(ChatListModel::TitleRole).toString(), u"Zoo trip"_s);
    QCOMPARE(found.at(0).data(ChatListModel::PreviewSenderRole).toString(), u"Cleo Seeker"_s);
    QCOMPARE(found.at(1).data(ChatSearchModel::FoundMessageIdRole).toString(), oldHit);
    QCOMPARE(found.at(1).data(ChatListModel::TitleRole).toString(), u"Ben Seeker"_s);
    const QString snippet = found.at(1).data(ChatListModel::PreviewRole).toString();
    const auto marks
        = found.at(1).data(ChatSearchModel::SnippetHighlightsRole).value<QList<TextRange>>();
    QCOMPARE(marks.size(), 1);
    QCOMPARE(snippet.mid(marks.first().start, marks.first().length), u"zebra"_s);
    QVERIFY(found.at(0).data(ChatListModel::ActivityTimeRole).toDateTime().isValid());
    // The first message found carries the "Messages" caption: a taller row.
    QCOMPARE(list->visualRect(found.at(0)).height(),
        ChatListDelegate::rowHeight + ChatListDelegate::sectionHeight);
    QCOMPARE(list->visualRect(found.at(1)).height(), ChatListDelegate::rowHeight);
    QVERIFY(searchStatus(list).isEmpty());
    saveScreenshot(window.get(), u"search"_s);

    // A click opens Ben's chat at the old message, loaded around it.
    list->scrollTo(found.at(1));
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualRect(found.at(1)).center());
    QTRY_COMPARE(window->currentChatId(), benChat);
    MessageModel *messages = session->messages(benChat);
    TimelineView *timeline = window->timeline();
    QTRY_VERIFY_WITH_TIMEOUT(messages->rowOfId(oldHit) >= 0, 10000);
    QTRY_COMPARE(timeline->highlightedMessageId(), oldHit);
    QTRY_VERIFY(rowIsOnScreen(timeline, messages->rowOfId(oldHit)));
    QCOMPARE(QApplication::focusWidget(), window->composer()->input());

    // Enter on a result does the same, here in the open chat's neighbour.
    window->searchField()->setFocus();
    list->setCurrentIndex(foundMessages(list).at(0));
    QTest::keyClick(window->searchField(), Qt::Key_Return);
    QTRY_COMPARE(window->currentChatId(), group);
    QTRY_VERIFY_WITH_TIMEOUT(session->messages(group)->rowOfId(newHit) >= 0, 10000);
    QTRY_COMPARE(timeline->highlightedMessageId(), newHit);
}

// More messages found than a page: the next comes (next_before) when the
// list is scrolled to its end, newest first throughout.
void TestSearchUi::chatListMessagesPageOnScroll()
{
    const auto ann = m_http->newUser(u"Ann Pager"_s);
    const auto ben = m_http->newUser(u"Ben Pager"_s);
    const QString chat = m_http->personalChat(ann.token, ben.id);
    const int total = Limits::messageSearchDefault + 7;
    for (int i = 1; i <= total; ++i)
        m_http->sendText(ben.token, chat, u"walrus number %1"_s.arg(i));
    auto [session, window] = signIn(m_server, ann);
    QVERIFY(window && !QTest::currentTestFailed());
    QTRY_COMPARE_WITH_TIMEOUT(session->chats()->rowCount(), 1, 10000);
    QTest::keyClicks(window->searchField(), u"walrus"_s);
    QListView *list = window->chatListView();
    QTRY_COMPARE_WITH_TIMEOUT(foundMessages(list).size(), Limits::messageSearchDefault, 10000);
    list->verticalScrollBar()->setValue(list->verticalScrollBar()->maximum());
    QTRY_COMPARE_WITH_TIMEOUT(foundMessages(list).size(), total, 10000);
    const QList<QModelIndex> found = foundMessages(list);
    for (int i = 0; i < total; ++i)
        QCOMPARE(found.at(i).data(ChatListModel::PreviewRole).toString(),
            u"walrus number %1"_s.arg(total - i));
}

// Ctrl+F with a chat open shows the find bar over it, the focus in its
// field. The newest hit is shown first; Enter and the up button go to older
// hits, Shift+Enter and the down button to newer ones, each scrolled to and
// tinted (the older ones loaded around them); stepping past the loaded page
// of hits fetches the next. Esc closes the bar and the composer has the
// focus again. With no chat open, Ctrl+F is the chat list's search.
void TestSearchUi::ctrlFFindsInTheOpenChatAndStepsThroughHits()
{
    const auto ann = m_http->newUser(u"Ann Finder"_s);
    const auto ben = m_http->newUser(u"Ben Finder"_s);
    const auto cleo = m_http->newUser(u"Cleo Finder"_s);
    const QString chat = m_http->personalChat(ann.token, ben.id);
    const QString other = m_http->personalChat(ann.token, cleo.id);
    m_http->sendText(cleo.token, other, u"an apple elsewhere"_s); // not this chat's
    const int hits = Limits::messageSearchDefault + 3;
    QStringList hitIds; // oldest first
    for (int i = 1; i <= hits; ++i) {
        hitIds.append(m_http->sendText(ben.token, chat, u"apple pie number %1"_s.arg(i)));
        for (int j = 0; j < 4; ++j)
            m_http->sendText(ann.token, chat, u"filler %1.%2"_s.arg(i).arg(j));
    }
    auto [session, window] = signIn(m_server, ann);
    QVERIFY(window && !QTest::currentTestFailed());
    QTRY_COMPARE_WITH_TIMEOUT(session->chats()->rowCount(), 2, 10000);

    FindBar *bar = window->findBar();
    window->composer()->input()->setFocus();
    press(Qt::CTRL | Qt::Key_F); // no chat open: the chat list's search
    QCOMPARE(QApplication::focusWidget(), window->searchField());
    QVERIFY(!bar->isVisible());

    window->openChat(chat);
    MessageModel *messages = session->messages(chat);
    QTRY_VERIFY_WITH_TIMEOUT(messages->rowOfId(hitIds.last()) >= 0, 10000);
    press(Qt::CTRL | Qt::Key_F);
    QVERIFY(bar->isVisible());
    QCOMPARE(QApplication::focusWidget(), bar->field());
    QVERIFY(window->searchField()->text().isEmpty());
    QTest::keyClicks(bar->field(), u"apple"_s);
    TimelineView *timeline = window->timeline();
    const auto hit = [&](int n) { return hitIds.at(hits - n); }; // 1: the newest
    QTRY_COMPARE_WITH_TIMEOUT(bar->currentHit(), 0, 10000);
    QCOMPARE(
        bar->counter()->text(), FindBar::tr("%1 of %2+").arg(1).arg(Limits::messageSearchDefault));
    QTRY_COMPARE(timeline->highlightedMessageId(), hit(1));
    QCOMPARE(timeline->markedWords(), QStringList { u"apple"_s }); // marked in the bubbles
    QVERIFY(!bar->newerButton()->isEnabled());
    QVERIFY(bar->olderButton()->isEnabled());

    press(Qt::Key_Return);
    QCOMPARE(bar->currentHit(), 1);
    QTRY_COMPARE(timeline->highlightedMessageId(), hit(2));
    QCOMPARE(
        bar->counter()->text(), FindBar::tr("%1 of %2+").arg(2).arg(Limits::messageSearchDefault));
    press(Qt::SHIFT | Qt::Key_Return);
    QTRY_COMPARE(timeline->highlightedMessageId(), hit(1));
    QTest::mouseClick(bar->olderButton(), Qt::LeftButton);
    QTRY_COMPARE(timeline->highlightedMessageId(), hit(2));
    QTest::mouseClick(bar->newerButton(), Qt::LeftButton);
    QTRY_COMPARE(timeline->highlightedMessageId(), hit(1));
    QCOMPARE(QApplication::focusWidget(), bar->field());

    // Older hits than the timeline has loaded: loaded around each.
    for (int n = 2; n <= 15; ++n)
        press(Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(messages->rowOfId(hit(15)) >= 0, 10000);
    QTRY_COMPARE(timeline->highlightedMessageId(), hit(15));
    QTRY_VERIFY(rowIsOnScreen(timeline, messages->rowOfId(hit(15))));
    saveScreenshot(window.get(), u"find"_s);

    // Past the first page of hits: the next page comes, the step lands.
    for (int n = 16; n <= Limits::messageSearchDefault + 1; ++n)
        press(Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(bar->currentHit(), Limits::messageSearchDefault, 10000);
    QTRY_COMPARE(bar->counter()->text(),
        FindBar::tr("%1 of %2").arg(Limits::messageSearchDefault + 1).arg(hits));
    QTRY_VERIFY_WITH_TIMEOUT(messages->rowOfId(hit(hits - 2)) >= 0, 10000);
    QTRY_COMPARE(timeline->highlightedMessageId(), hit(hits - 2));
    // Every hit was in this chat, never Cleo's.
    for (int row = 0; row < bar->results()->rowCount(); ++row)
        QCOMPARE(bar->results()->resultAt(row).chatId, chat);

    press(Qt::Key_Escape);
    QVERIFY(!bar->isVisible());
    QCOMPARE(QApplication::focusWidget(), window->composer()->input());
    QVERIFY(timeline->markedWords().isEmpty());

    // Ctrl+Shift+F is the chat list's search, also with a chat open.
    press(Qt::CTRL | Qt::SHIFT | Qt::Key_F);
    QCOMPARE(QApplication::focusWidget(), window->searchField());
    QVERIFY(!bar->isVisible());
}

// Nothing found is said in both places; with the server away, both say
// that searching needs it instead of showing nothing.
void TestSearchUi::nothingFoundAndOfflineAreSaid()
{
    const auto ann = m_http->newUser(u"Ann Empty"_s);
    const auto ben = m_http->newUser(u"Ben Empty"_s);
    const QString chat = m_http->personalChat(ann.token, ben.id);
    m_http->sendText(ben.token, chat, u"nothing to see"_s);
    auto [session, window] = signIn(m_server, ann);
    QVERIFY(window && !QTest::currentTestFailed());
    QTRY_COMPARE_WITH_TIMEOUT(session->chats()->rowCount(), 1, 10000);
    QListView *list = window->chatListView();

    QTest::keyClicks(window->searchField(), u"narwhal"_s);
    QTRY_COMPARE_WITH_TIMEOUT(searchStatus(list), ChatSearchModel::tr("No messages found"), 10000);
    QVERIFY(list->isVisible());
    QVERIFY(foundMessages(list).isEmpty());
    // The status line has the "Messages" caption over it.
    QModelIndex statusRow;
    for (int row = 0; row < list->model()->rowCount(); ++row)
        if (!list->model()->index(row, 0).data(ChatSearchModel::SearchStatusRole).isNull())
            statusRow = list->model()->index(row, 0);
    QCOMPARE(list->visualRect(statusRow).height(),
        ChatListDelegate::statusRowHeight + ChatListDelegate::sectionHeight);

    window->openChat(chat);
    QTest::keyClick(window->composer()->input(), Qt::Key_F, Qt::ControlModifier);
    FindBar *bar = window->findBar();
    QTest::keyClicks(bar->field(), u"narwhal"_s);
    QTRY_COMPARE_WITH_TIMEOUT(bar->counter()->text(), FindBar::tr("No messages found"), 10000);
    QVERIFY(!bar->olderButton()->isEnabled());

    m_server.stop();
    QTRY_VERIFY_WITH_TIMEOUT(session->live()->state() != LiveConnection::State::Connected, 15000);
    bar->field()->clear();
    QTest::keyClicks(bar->field(), u"nothing"_s);
    QTest::keyClick(bar->field(), Qt::Key_Return); // at once
    QTRY_COMPARE_WITH_TIMEOUT(
        bar->counter()->text(), FindBar::tr("Offline: search needs the server"), 10000);
    window->searchField()->clear();
    QTest::keyClicks(window->searchField(), u"nothing"_s);
    QTRY_COMPARE_WITH_TIMEOUT(searchStatus(list),
        ChatSearchModel::tr("Offline: messages are searched on the server"), 10000);
}

QTEST_MAIN(TestSearchUi)
#include "tst_search_ui.moc"
