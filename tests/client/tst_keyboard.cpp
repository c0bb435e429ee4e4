#include "DesktopTestSupport.h"
#include "TestServer.h"
#include "client/api/LiveConnection.h"
#include "client/models/ChatListModel.h"
#include "client/models/ChatSearchModel.h"
#include "client/models/ClientSession.h"
#include "client/models/MessageModel.h"
#include "client/models/UserSearchModel.h"
#include "client/ui/ChatListDelegate.h"
#include "client/ui/Composer.h"
#include "client/ui/DesktopApp.h"
#include "client/ui/FindBar.h"
#include "client/ui/MainWindow.h"
#include "client/ui/MessageDelegate.h"
#include "client/ui/QuickSwitcher.h"
#include "client/ui/TimelineView.h"
#include "shared/ApiPaths.h"
#include "shared/Requests.h"

#include <QApplication>
#include <QDialog>
#include <QDir>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPainter>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;
using namespace Messenger;
using namespace Messenger::Client;

// The desktop app driven by the keyboard alone (the quick switcher, people in
// the search, arrow keys in the chat list, visible focus), and the service
// lines of a group's timeline; offscreen, against a real server.
class TestKeyboard : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void quickSwitcherGoesToChatsAndPeople();
    void chatListSearchFindsPeopleWithoutAChat();
    void arrowKeysMoveThroughTheChatListWithoutOpening();
    void focusedRowAndFieldsShowTheFocus();
    void shortcutsDialogListsTheQuickSwitcherAndEveryShortcutWorks();
    void groupTimelineShowsServiceLines();

private:
    // Types as a person does: each key goes to whatever has the focus now.
    static void typeIntoFocus(const QString &text)
    {
        for (const QChar c : text)
            QTest::keyClick(QApplication::focusWidget(), c.toLatin1());
    }
    static void press(QKeyCombination keys)
    {
        QTest::keyClick(QApplication::focusWidget(), keys.key(), keys.keyboardModifiers());
    }
    static QuickSwitcher *openSwitcher(MainWindow *window)
    {
        return window->findChild<QuickSwitcher *>();
    }

    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

void TestKeyboard::initTestCase()
{
    prepareDesktopTestCase(u"tst_keyboard"_s, u"en"_s);
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    resetClientState(m_server); // a clean start every run: no remembered server, session or layout
    m_http = std::make_unique<HttpClient>(m_server);
}

// Ctrl+K opens the quick switcher: typing lists the chats by name and the
// people with no chat yet; Up/Down move, Enter goes there, Esc changes nothing.
void TestKeyboard::quickSwitcherGoesToChatsAndPeople()
{
    const auto kate = m_http->newUser(u"Kate Switch"_s);
    const auto alpha = m_http->newUser(u"Zork Alpha"_s);
    const auto beta = m_http->newUser(u"Zork Beta"_s);
    const QString alphaChat = m_http->personalChat(kate.token, alpha.id);
    const QString club = m_http->newGroup(kate, u"Zork club"_s, { alpha.id });
    auto [session, window] = signIn(m_server, kate);
    QVERIFY(window && !QTest::currentTestFailed());
    QTRY_COMPARE_WITH_TIMEOUT(session->chats()->rowCount(), 2, 10000);
    window->openChat(alphaChat);
    QCOMPARE(QApplication::focusWidget(), window->composer()->input());

    press(Qt::CTRL | Qt::Key_K);
    QuickSwitcher *switcher = openSwitcher(window.get());
    QVERIFY(switcher);
    QTRY_VERIFY(switcher->isVisible());
    QTRY_COMPARE(QApplication::focusWidget(), switcher->searchField());
    QVERIFY(!window->searchField()->hasFocus());
    // Before typing: the chats, most recent first, the first highlighted.
    QCOMPARE(switcher->results()->rowCount(), 2);
    QCOMPARE(switcher->resultList()->currentIndex().row(), 0);

    typeIntoFocus(u"zork"_s);
    QCOMPARE(QApplication::focusWidget(), switcher->searchField());
    QAbstractItemModel *results = switcher->results();
    // Two chats match; of the two Zorks found, Alpha has a chat already.
    QTRY_COMPARE_WITH_TIMEOUT(results->rowCount(), 3, 10000);
    QCOMPARE(switcher->results()->chatCount(), 2);
    QCOMPARE(results->index(2, 0).data(ChatListModel::PersonIdRole).toString(), beta.id);
    QCOMPARE(results->index(2, 0).data(ChatListModel::TitleRole).toString(), u"Zork Beta"_s);
    QCOMPARE(results->index(2, 0).data(ChatListModel::ChatIdRole).toString(), QString());
    QVERIFY(results->index(0, 0).data(ChatListModel::PersonIdRole).toString().isEmpty());

    press(Qt::Key_Down);
    QCOMPARE(switcher->resultList()->currentIndex().row(), 1);
    QCOMPARE(QApplication::focusWidget(), switcher->searchField());
    press(Qt::Key_Up);
    QCOMPARE(switcher->resultList()->currentIndex().row(), 0);
    press(Qt::Key_Down);
    press(Qt::Key_Down);
    press(Qt::Key_Down); // stays on the last
    QCOMPARE(switcher->resultList()->currentIndex().row(), 2);
    QCOMPARE(window->currentChatId(), alphaChat); // moving opens nothing

    // Enter on a person starts the personal chat with them and opens it.
    press(Qt::Key_Return);
    QTRY_VERIFY(!openSwitcher(window.get()));
    QTRY_VERIFY_WITH_TIMEOUT(!session->chats()->personalChatWith(beta.id).isEmpty(), 10000);
    const QString betaChat = session->chats()->personalChatWith(beta.id);
    QTRY_COMPARE_WITH_TIMEOUT(window->currentChatId(), betaChat, 10000);
    QTRY_COMPARE(QApplication::focusWidget(), window->composer()->input());

    // Enter on a chat opens it; its composer takes the focus.
    press(Qt::CTRL | Qt::Key_K);
    switcher = openSwitcher(window.get());
    QVERIFY(switcher);
    QTRY_COMPARE(QApplication::focusWidget(), switcher->searchField());
    typeIntoFocus(u"club"_s);
    QCOMPARE(
        switcher->resultList()->currentIndex().data(ChatListModel::ChatIdRole).toString(), club);
    press(Qt::Key_Return);
    QCOMPARE(window->currentChatId(), club);
    QTRY_COMPARE(QApplication::focusWidget(), window->composer()->input());
    QTRY_VERIFY(!openSwitcher(window.get()));

    // Esc closes it and nothing changes.
    const int chatCount = session->chats()->rowCount();
    press(Qt::CTRL | Qt::Key_K);
    switcher = openSwitcher(window.get());
    QVERIFY(switcher);
    QTRY_COMPARE(QApplication::focusWidget(), switcher->searchField());
    typeIntoFocus(u"alpha"_s);
    QTRY_VERIFY(switcher->resultList()->currentIndex().isValid());
    press(Qt::Key_Escape);
    QTRY_VERIFY(!openSwitcher(window.get()));
    QCOMPARE(window->currentChatId(), club);
    QCOMPARE(session->chats()->rowCount(), chatCount);
    QTRY_COMPARE(QApplication::focusWidget(), window->composer()->input());
}

// Ctrl+Shift+F's search lists the people found who have no chat yet under the
// chats (and the messages found under them: none here); Enter on one starts
// the chat, the focus never leaving the field until then.
void TestKeyboard::chatListSearchFindsPeopleWithoutAChat()
{
    const auto lena = m_http->newUser(u"Lena Finder"_s);
    const auto known = m_http->newUser(u"Quill Known"_s);
    const auto stranger = m_http->newUser(u"Quill Stranger"_s);
    const QString knownChat = m_http->personalChat(lena.token, known.id);
    auto [session, window] = signIn(m_server, lena);
    QVERIFY(window && !QTest::currentTestFailed());
    QTRY_COMPARE_WITH_TIMEOUT(session->chats()->rowCount(), 1, 10000);
    window->openChat(knownChat);

    press(Qt::CTRL | Qt::SHIFT | Qt::Key_F);
    QLineEdit *search = window->searchField();
    QCOMPARE(QApplication::focusWidget(), search);
    typeIntoFocus(u"quill"_s);
    QListView *list = window->chatListView();
    // The chat, the person, and "No messages found".
    QTRY_COMPARE_WITH_TIMEOUT(list->model()->rowCount(), 3, 10000);
    const QModelIndex chatRow = list->model()->index(0, 0);
    const QModelIndex personRow = list->model()->index(1, 0);
    QCOMPARE(chatRow.data(ChatListModel::ChatIdRole).toString(), knownChat);
    QCOMPARE(personRow.data(ChatListModel::PersonIdRole).toString(), stranger.id);
    // The first person found carries the "People" caption: a taller row.
    QCOMPARE(list->visualRect(chatRow).height(), ChatListDelegate::rowHeight);
    QCOMPARE(list->visualRect(personRow).height(),
        ChatListDelegate::rowHeight + ChatListDelegate::sectionHeight);
    QCOMPARE(QApplication::focusWidget(), search);

    press(Qt::Key_Down);
    QCOMPARE(list->currentIndex(), personRow);
    QCOMPARE(QApplication::focusWidget(), search);
    QCOMPARE(window->currentChatId(), knownChat);
    press(Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(!session->chats()->personalChatWith(stranger.id).isEmpty(), 10000);
    const QString strangerChat = session->chats()->personalChatWith(stranger.id);
    QTRY_COMPARE_WITH_TIMEOUT(window->currentChatId(), strangerChat, 10000);
    QTRY_COMPARE(QApplication::focusWidget(), window->composer()->input());
    // Now a chat, Quill Stranger is no longer among the people.
    QTRY_COMPARE(list->model()->rowCount(), 3); // two chats, "No messages found"
    for (int row = 0; row < list->model()->rowCount(); ++row)
        QVERIFY(
            list->model()->index(row, 0).data(ChatListModel::PersonIdRole).toString().isEmpty());
}

// With the focus in the chat list, Up/Down move the highlight and the focus
// stays there; Enter opens the highlighted chat and moves to its composer.
// In the search field the same keys move the highlight, the focus staying in
// the field.
void TestKeyboard::arrowKeysMoveThroughTheChatListWithoutOpening()
{
    const auto mia = m_http->newUser(u"Mia Arrows"_s);
    const auto one = m_http->newUser(u"Arrow One"_s);
    const auto two = m_http->newUser(u"Arrow Two"_s);
    const auto three = m_http->newUser(u"Arrow Three"_s);
    for (const auto &other : { one, two, three })
        m_http->sendText(other.token, m_http->personalChat(other.token, mia.id), u"hi"_s);
    auto [session, window] = signIn(m_server, mia);
    QVERIFY(window && !QTest::currentTestFailed());
    QTRY_COMPARE_WITH_TIMEOUT(session->chats()->rowCount(), 3, 10000);
    QListView *list = window->chatListView();
    const auto chatAt = [list](int row) {
        return list->model()->index(row, 0).data(ChatListModel::ChatIdRole).toString();
    };
    window->openChat(chatAt(0));
    list->setFocus(Qt::TabFocusReason);
    QCOMPARE(QApplication::focusWidget(), list);
    QCOMPARE(list->currentIndex().row(), 0);

    press(Qt::Key_Down);
    QCOMPARE(list->currentIndex().row(), 1);
    QCOMPARE(QApplication::focusWidget(), list);
    press(Qt::Key_Down);
    QCOMPARE(list->currentIndex().row(), 2);
    QCOMPARE(QApplication::focusWidget(), list);
    press(Qt::Key_Up);
    QCOMPARE(list->currentIndex().row(), 1);
    QCOMPARE(QApplication::focusWidget(), list);
    QCOMPARE(window->currentChatId(), chatAt(0)); // moving opened nothing

    press(Qt::Key_Return);
    QCOMPARE(window->currentChatId(), chatAt(1));
    QCOMPARE(QApplication::focusWidget(), window->composer()->input());

    // The search field: Up/Down move the highlight, the focus stays.
    press(Qt::CTRL | Qt::SHIFT | Qt::Key_F);
    typeIntoFocus(u"arr"_s);
    QTRY_COMPARE(list->model()->rowCount(), 3);
    QCOMPARE(list->currentIndex().row(), 0);
    press(Qt::Key_Down);
    press(Qt::Key_Down);
    QCOMPARE(list->currentIndex().row(), 2);
    press(Qt::Key_Up);
    QCOMPARE(list->currentIndex().row(), 1);
    QCOMPARE(QApplication::focusWidget(), window->searchField());
    const QString highlighted = chatAt(1);
    press(Qt::Key_Return);
    QCOMPARE(window->currentChatId(), highlighted);
    QCOMPARE(QApplication::focusWidget(), window->composer()->input());
}

// The focused row of the chat list is drawn framed (a frame the same row
// lacks when the list has no focus); the search field shows its focus too.
void TestKeyboard::focusedRowAndFieldsShowTheFocus()
{
    const auto nora = m_http->newUser(u"Nora Focus"_s);
    const auto other = m_http->newUser(u"Otto Focus"_s);
    const QString chat = m_http->personalChat(nora.token, other.id);
    auto [session, window] = signIn(m_server, nora);
    QVERIFY(window && !QTest::currentTestFailed());
    QTRY_COMPARE_WITH_TIMEOUT(session->chats()->rowCount(), 1, 10000);
    window->openChat(chat);
    QListView *list = window->chatListView();
    const QRect row = list->visualRect(list->currentIndex());
    QVERIFY(row.isValid());

    // The delegate itself: the focus state adds the frame.
    ChatListDelegate delegate(nullptr, nullptr);
    QStyleOptionViewItem option;
    option.initFrom(list);
    option.rect = QRect(QPoint(0, 0), row.size());
    option.state |= QStyle::State_Selected | QStyle::State_Enabled;
    const auto paintRow = [&](bool focused) {
        QImage image(row.size(), QImage::Format_ARGB32);
        image.fill(Qt::white);
        QPainter painter(&image);
        QStyleOptionViewItem state = option;
        if (focused)
            state.state |= QStyle::State_HasFocus;
        delegate.paint(&painter, state, list->currentIndex());
        return image;
    };
    QVERIFY(paintRow(true) != paintRow(false));

    // In the window: the list's current row looks different with the focus.
    list->setFocus(Qt::TabFocusReason);
    QTRY_VERIFY(list->hasFocus());
    const QImage focused = list->viewport()->grab(row).toImage();
    window->composer()->input()->setFocus();
    QTRY_VERIFY(!list->hasFocus());
    const QImage unfocused = list->viewport()->grab(row).toImage();
    QVERIFY(focused != unfocused);

    // Everything Tab reaches shows that it has the focus: the style's focus
    // frame (no style sheet hides it) or the widget's own mark.
    window->searchField()->setFocus(Qt::TabFocusReason);
    QSet<QWidget *> visited;
    QStringList reached;
    for (QWidget *current = QApplication::focusWidget(); current && !visited.contains(current);
         current = QApplication::focusWidget()) {
        visited.insert(current);
        const QString name = QString::fromLatin1(current->metaObject()->className()) + u' '
            + current->accessibleName();
        reached.append(name);
        const QImage withFocus = current->grab().toImage();
        window->setFocus(Qt::OtherFocusReason); // the window itself shows nothing
        QTRY_VERIFY(!current->hasFocus());
        const QImage withoutFocus = current->grab().toImage();
        QVERIFY2(withFocus != withoutFocus, qPrintable(u"no visible focus: "_s + name));
        current->setFocus(Qt::TabFocusReason);
        QTest::keyClick(current, Qt::Key_Tab);
    }
    QVERIFY2(reached.size() >= 4, qPrintable(reached.join(u", "_s)));
}

// The Keyboard Shortcuts dialog lists Ctrl+K as the quick switcher, and each
// shortcut it lists does what it says.
void TestKeyboard::shortcutsDialogListsTheQuickSwitcherAndEveryShortcutWorks()
{
    const auto olga = m_http->newUser(u"Olga Keyboard"_s);
    const auto pete = m_http->newUser(u"Pete Keyboard"_s);
    const auto rita = m_http->newUser(u"Rita Keyboard"_s);
    const QString petesChat = m_http->personalChat(pete.token, olga.id);
    const QString ritasChat = m_http->personalChat(rita.token, olga.id);
    m_http->sendText(pete.token, petesChat, u"older"_s);
    m_http->sendText(rita.token, ritasChat, u"newest"_s); // Rita's chat is first in the list
    auto [session, window] = signIn(m_server, olga);
    QVERIFY(window && !QTest::currentTestFailed());
    QTRY_COMPARE_WITH_TIMEOUT(session->chats()->rowCount(), 2, 10000);

    // What the dialog shows.
    QStringList shown;
    QTimer::singleShot(0, window.get(), [&shown] {
        QWidget *dialog = QApplication::activeModalWidget();
        if (!dialog)
            return;
        for (const QLabel *label : dialog->findChildren<QLabel *>())
            shown.append(label->text());
        dialog->close();
    });
    window->showShortcuts();
    // Offscreen, nothing gives the window the focus back when a dialog closes.
    window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window.get()));
    const QString ctrlK = QKeySequence(Qt::CTRL | Qt::Key_K).toString(QKeySequence::NativeText);
    const qsizetype at = shown.indexOf(ctrlK);
    QVERIFY2(at >= 0 && at + 1 < shown.size(), qPrintable(shown.join(u" | "_s)));
    QVERIFY2(shown.at(at + 1).contains(u"switcher"_s, Qt::CaseInsensitive),
        qPrintable(shown.at(at + 1)));

    QStringList tried;
    const auto tryKeys = [&](QKeyCombination keys) {
        tried.append(QKeySequence(keys).toString());
        press(keys);
    };
    window->openChat(ritasChat);
    QPlainTextEdit *input = window->composer()->input();
    input->setFocus();
    tryKeys(Qt::ALT | Qt::Key_Down);
    QCOMPARE(window->currentChatId(), petesChat);
    tryKeys(Qt::ALT | Qt::Key_Up);
    QCOMPARE(window->currentChatId(), ritasChat);
    tryKeys(Qt::CTRL | Qt::Key_Tab);
    QCOMPARE(window->currentChatId(), petesChat);
    tryKeys(Qt::CTRL | Qt::SHIFT | Qt::Key_Backtab);
    QCOMPARE(window->currentChatId(), ritasChat);

    QTest::keyClicks(input, u"typo hre"_s);
    QTest::keyClick(input, Qt::Key_Return);
    MessageModel *messages = session->messages(ritasChat);
    QTRY_COMPARE_WITH_TIMEOUT(messages->index(messages->rowCount() - 1)
                                  .data(MessageModel::DeliveryRole)
                                  .value<MessageModel::Delivery>(),
        MessageModel::Delivery::Sent, 10000);
    input->setFocus();
    tryKeys(QKeyCombination(Qt::Key_Up));
    QVERIFY(window->composer()->isEditing());
    tryKeys(QKeyCombination(Qt::Key_Escape));
    QVERIFY(!window->composer()->isEditing());
    // Ctrl+Up replies to the newest message, Ctrl+Down goes below it: no reply.
    input->setFocus();
    tryKeys(Qt::CTRL | Qt::Key_Up);
    QCOMPARE(window->composer()->replyToId(), messages->messageAt(messages->rowCount() - 1).id);
    tryKeys(Qt::CTRL | Qt::Key_Down);
    QVERIFY(!window->composer()->isReplying());

    tryKeys(Qt::CTRL | Qt::SHIFT | Qt::Key_F);
    QVERIFY(window->searchField()->hasFocus());
    input->setFocus();
    tryKeys(Qt::CTRL | Qt::Key_F); // a chat is open: find in it (tst_search_ui)
    QVERIFY(window->findBar()->field()->hasFocus());
    press(Qt::Key_Escape);
    QVERIFY(input->hasFocus());
    tryKeys(Qt::CTRL | Qt::Key_K);
    QuickSwitcher *switcher = openSwitcher(window.get());
    QVERIFY(switcher && switcher->isVisible());
    QTRY_VERIFY(switcher->searchField()->hasFocus());
    press(Qt::Key_Escape);
    QTRY_VERIFY(!openSwitcher(window.get()));

    QSignalSpy quit(window.get(), &MainWindow::quitRequested);
    tried.append(QKeySequence(Qt::CTRL | Qt::Key_Q).toString());
    QTest::keyClick(window.get(), Qt::Key_Q, Qt::ControlModifier);
    QCOMPARE(quit.size(), 1);

    // Nothing listed was left untried.
    for (const MainWindow::Shortcut &shortcut : window->shortcuts())
        QVERIFY2(tried.contains(shortcut.keys.toString()),
            qPrintable(u"not tried: "_s + shortcut.keys.toString()));
}

// A group's timeline starts with "Group created" once its oldest message is
// loaded, and group changes made live add centered service lines (the
// client's own: the server has no service messages).
void TestKeyboard::groupTimelineShowsServiceLines()
{
    const auto ann = m_http->newUser(u"Ann Service"_s);
    const auto bob = m_http->newUser(u"Bob Service"_s);
    const auto carl = m_http->newUser(u"Carl Service"_s);
    const auto dan = m_http->newUser(u"Dan Service"_s);
    const QString group = m_http->newGroup(ann, u"Service club"_s, { bob.id, carl.id });
    m_http->sendText(bob.token, group, u"first"_s);
    auto session = connectedSession(m_server, ann);
    QVERIFY(session && !QTest::currentTestFailed());
    QTRY_COMPARE_WITH_TIMEOUT(session->chats()->rowCount(), 1, 10000);
    MessageModel *timeline = session->messages(group);
    QTRY_VERIFY_WITH_TIMEOUT(timeline->isLoaded(), 10000);
    QCOMPARE(timeline->rowCount(), 2);
    QVERIFY(timeline->index(0).data(MessageModel::ServiceRole).toBool());
    QCOMPARE(timeline->index(0).data(MessageModel::TextRole).toString(), u"Group created"_s);
    QVERIFY(!timeline->index(0).data(MessageModel::DaySeparatorRole).toString().isEmpty());
    QVERIFY(!timeline->index(1).data(MessageModel::ServiceRole).toBool());
    QCOMPARE(timeline->index(1).data(MessageModel::TextRole).toString(), u"first"_s);
    QVERIFY(timeline->index(1).data(MessageModel::ShowSenderRole).toBool());

    const auto lastText = [timeline] {
        return timeline->index(timeline->rowCount() - 1).data(MessageModel::TextRole).toString();
    };
    // Renamed, a member added, a member gone: as it happens, from any device.
    COMPARE_STATUS(
        m_http->request("PATCH", ApiPaths::chat(group),
            QJsonDocument(RenameChatRequest { u"Renamed club"_s }.toJson()).toJson(), ann.token),
        200);
    QTRY_COMPARE_WITH_TIMEOUT(lastText(), u"The group was renamed to “Renamed club”"_s, 10000);
    COMPARE_STATUS(m_http->post(ApiPaths::chatMembers(group),
                       AddMembersRequest { { dan.id } }.toJson(), ann.token),
        200);
    QTRY_COMPARE_WITH_TIMEOUT(lastText(), u"Dan Service joined the group"_s, 10000);
    const auto left
        = m_http->request("DELETE", ApiPaths::chatMember(group, carl.id), {}, carl.token);
    QVERIFY2(left.status / 100 == 2, left.body.constData());
    QTRY_COMPARE_WITH_TIMEOUT(lastText(), u"Carl Service left the group"_s, 10000);
    for (int row = 2; row < 5; ++row)
        QVERIFY(timeline->index(row).data(MessageModel::ServiceRole).toBool());

    // A message after them comes below them, with its sender's name again.
    m_http->sendText(bob.token, group, u"after"_s);
    QTRY_COMPARE_WITH_TIMEOUT(lastText(), u"after"_s, 10000);
    QCOMPARE(timeline->rowCount(), 6);
    QVERIFY(timeline->index(5).data(MessageModel::ShowSenderRole).toBool());
    // Service lines are nobody's messages: not unread, not editable.
    QCOMPARE(timeline->countFromOthersAfter(0), 2);

    // Drawn centered, like the day chips.
    TimelineView view;
    view.resize(600, 500);
    view.setMessageModel(timeline);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    auto *delegate = qobject_cast<MessageDelegate *>(view.itemDelegate());
    QVERIFY(delegate);
    for (int row : { 0, 2, 3, 4 }) {
        const QModelIndex index = view.model()->index(row, 0);
        const QRect rect = view.visualRect(index);
        const BubbleGeometry &g = delegate->geometry(
            index, QRect(rect.topLeft(), QSize(view.viewport()->width(), 0)), view.font());
        QVERIFY(!g.bubble.isEmpty());
        QVERIFY2(std::abs(g.bubble.center().x() - view.viewport()->width() / 2) <= 2,
            qPrintable(u"row %1 at x %2"_s.arg(row).arg(g.bubble.center().x())));
        QVERIFY(g.meta.isEmpty());
    }
    const QModelIndex message = view.model()->index(1, 0);
    const BubbleGeometry &bubble = delegate->geometry(message,
        QRect(view.visualRect(message).topLeft(), QSize(view.viewport()->width(), 0)), view.font());
    QVERIFY(bubble.bubble.left() < view.viewport()->width() / 4); // someone else's: on the left
}

QTEST_MAIN(TestKeyboard)
#include "tst_keyboard.moc"
