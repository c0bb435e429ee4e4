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
#include "client/ui/ForwardDialog.h"
#include "client/ui/MainWindow.h"
#include "client/ui/MessageDelegate.h"
#include "client/ui/SelectionBar.h"
#include "client/ui/TimelineView.h"
#include "shared/ApiPaths.h"

#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QDir>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Messenger;
using namespace Messenger::Client;

// Forwarding in the desktop app (issue 16): "Forwarded from" on the copies
// (live, from history and from the cache), choosing messages with Ctrl+click
// and Shift+click, the selection bar that replaces the composer, and the chat
// picker that Forward opens (the menu's and the bar's); offscreen real
// widgets against a real server.
class TestForwardUi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void forwardedCopiesSayWhoWroteThemLiveAndFromTheCache();
    void ctrlAndShiftClickChooseMessagesAndTheBarReplacesTheComposer();
    void menuForwardPicksAChatBySearchAndOpensIt();
    void selectionBarForwardsToSeveralChatsInOrder();
    void pickerTakesAtMostTenChats();
    void aChosenMessageDeletedElsewhereIsLetGo();
    void refusedForwardIsShownInTheStatusBar();

private:
    Reply forwardAs(
        const HttpClient::Account &who, const QStringList &messageIds, const QStringList &chatIds)
    {
        return m_http->post(ApiPaths::chatsMessagesForward.toString(),
            { { u"message_ids"_s, QJsonArray::fromStringList(messageIds) },
                { u"chat_ids"_s, QJsonArray::fromStringList(chatIds) } },
            who.token);
    }
    // The chat's messages as `who` gets them from the server, oldest first.
    QList<QJsonObject> serverHistory(const HttpClient::Account &who, const QString &chatId)
    {
        QList<QJsonObject> messages;
        for (const QJsonValue &message : m_http->get(ApiPaths::chatHistory(chatId), who.token)
                                             .object()
                                             .value(u"messages"_s)
                                             .toArray())
            messages.append(message.toObject());
        std::sort(messages.begin(), messages.end(), [](const QJsonObject &a, const QJsonObject &b) {
            return a.value(u"seq"_s).toInteger() < b.value(u"seq"_s).toInteger();
        });
        return messages;
    }
    static QStringList textsOf(const QList<QJsonObject> &messages)
    {
        QStringList texts;
        for (const QJsonObject &message : messages)
            texts.append(message.value(u"text"_s).toString());
        return texts;
    }
    // A click on the bubble of the message in `row` (scrolled into view).
    static void clickRow(TimelineView *timeline, int row, Qt::KeyboardModifiers modifiers)
    {
        const QModelIndex index = timeline->model()->index(row, 0);
        timeline->scrollTo(index);
        const QPoint point = bubbleGeometry(timeline, row)
                                 .bubble.translated(timeline->visualRect(index).topLeft())
                                 .center();
        QTest::mouseClick(timeline->viewport(), Qt::LeftButton, modifiers, point);
    }
    // The row of `chatId` in the picker's (filtered) list, or -1.
    static int pickerRow(ForwardDialog *picker, const QString &chatId)
    {
        QAbstractItemModel *model = picker->chatList()->model();
        for (int row = 0; row < model->rowCount(); ++row) {
            if (model->index(row, 0).data(ChatListModel::ChatIdRole).toString() == chatId)
                return row;
        }
        return -1;
    }

    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

void TestForwardUi::initTestCase()
{
    prepareDesktopTestCase(u"tst_forward_ui"_s);
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    m_http = std::make_unique<HttpClient>(m_server);
}

void TestForwardUi::init()
{
    resetClientState(m_server);
}

// A copy names its first author at the top of the bubble, which grows for
// the line; the copy that arrives live, the one in history and the one the
// cache shows after a restart without the server all say it.
void TestForwardUi::forwardedCopiesSayWhoWroteThemLiveAndFromTheCache()
{
    const auto ann = m_http->newUser(u"Ann Copies"_s);
    const auto ben = m_http->newUser(u"Ben Copies"_s);
    const auto cat = m_http->newUser(u"Cat Original"_s);
    const QString annBen = m_http->personalChat(ann.token, ben.id);
    const QString benCat = m_http->personalChat(ben.token, cat.id);
    const QString text = u"The ferry leaves at nine"_s;
    const QString original = m_http->sendText(cat.token, benCat, text);
    const QString plain
        = m_http->sendText(ben.token, annBen, text); // the same words, not forwarded
    {
        SignedIn client = persistedClient();
        client.session->signIn(m_server.url(u""_s).toString(), ann.email, ann.password);
        QTRY_COMPARE_WITH_TIMEOUT(
            client.session->live()->state(), LiveConnection::State::Connected, 15000);
        MainWindow window(client.session.get());
        showAndActivate(&window);
        QTRY_VERIFY_WITH_TIMEOUT(client.session->chats()->summary(annBen).has_value(), 10000);
        window.openChat(annBen);
        MessageModel *model = client.session->messages(annBen);
        QTRY_VERIFY_WITH_TIMEOUT(model->rowOfId(plain) >= 0, 10000);

        const Reply forwarded = forwardAs(ben, { original }, { annBen });
        COMPARE_STATUS(forwarded, 200);
        const QString copy = forwarded.object()
                                 .value(u"messages"_s)
                                 .toArray()
                                 .at(0)
                                 .toObject()
                                 .value(u"id"_s)
                                 .toString();
        QTRY_VERIFY_WITH_TIMEOUT(model->rowOfId(copy) >= 0, 10000);
        const QModelIndex copyIndex = model->index(model->rowOfId(copy));
        QCOMPARE(copyIndex.data(MessageModel::ForwardedFromNameRole).toString(), cat.name);
        QCOMPARE(model->index(model->rowOfId(plain))
                     .data(MessageModel::ForwardedFromNameRole)
                     .toString(),
            QString());

        TimelineView *timeline = window.timeline();
        const BubbleGeometry copyGeometry = bubbleGeometry(timeline, model->rowOfId(copy));
        const BubbleGeometry plainGeometry = bubbleGeometry(timeline, model->rowOfId(plain));
        QVERIFY(!copyGeometry.forwarded.isNull());
        QVERIFY(plainGeometry.forwarded.isNull());
        // The line is in the bubble, above the text, and the row grew by it.
        QVERIFY(copyGeometry.bubble.contains(copyGeometry.forwarded));
        QVERIFY(copyGeometry.forwarded.bottom() <= copyGeometry.textOrigin.y());
        QVERIFY(copyGeometry.bubble.height()
            >= plainGeometry.bubble.height() + copyGeometry.forwarded.height());
        QCOMPARE(rowHeight(timeline, model->rowOfId(copy)), copyGeometry.height);
        // It is drawn in the accent colour: some pixels of that line are bluish.
        const QImage image = timeline->viewport()->grab().toImage();
        const QRect line = copyGeometry.forwarded.translated(
            timeline->visualRect(timeline->model()->index(model->rowOfId(copy), 0)).topLeft());
        bool accentSeen = false;
        for (int y = line.top(); y <= line.bottom() && !accentSeen; ++y) {
            for (int x = line.left(); x <= line.right() && !accentSeen; ++x) {
                const QColor pixel
                    = image.pixelColor(x * image.devicePixelRatio(), y * image.devicePixelRatio());
                accentSeen = pixel.blue() > pixel.red() + 60;
            }
        }
        QVERIFY(accentSeen);

        // The cache keeps it.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const Message &message : client.session->cache()->messages(annBen))
                    if (message.id == copy)
                        return message.forwardedFrom.has_value();
                return false;
            }(),
            10000);
    }
    // History (a fresh session) and the cache alone (the server gone) both show it.
    {
        auto session = signedInSession(m_server, ann);
        MessageModel *model = session->messages(annBen);
        QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() >= 2, 10000);
        QCOMPARE(model->index(model->rowCount() - 1)
                     .data(MessageModel::ForwardedFromNameRole)
                     .toString(),
            cat.name);
    }
    m_server.stop();
    SignedIn client = persistedClient();
    QSignalSpy finished(client.session.get(), &ClientSession::restoreFinished);
    client.session->restore();
    QVERIFY(!finished.isEmpty() || finished.wait(15000));
    QCOMPARE(finished.first().first().toBool(), true);
    MessageModel *model = client.session->messages(annBen);
    QVERIFY(model->rowCount() >= 2);
    QCOMPARE(
        model->index(model->rowCount() - 1).data(MessageModel::ForwardedFromNameRole).toString(),
        cat.name);
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
}

// Ctrl+click chooses a message (again: lets go of it), Shift+click the range
// up to it; the bar shows how many in place of the composer, copies their
// texts, offers Delete only for the user's own, and Esc lets go of all.
void TestForwardUi::ctrlAndShiftClickChooseMessagesAndTheBarReplacesTheComposer()
{
    const auto ann = m_http->newUser(u"Ann Choose"_s);
    const auto ben = m_http->newUser(u"Ben Choose"_s);
    const QString chatId = m_http->personalChat(ann.token, ben.id);
    const QStringList texts { u"One"_s, u"Two"_s, u"Three"_s, u"Four"_s, u"Five"_s };
    QStringList ids;
    for (int i = 0; i < texts.size(); ++i)
        ids.append(m_http->sendText((i == 4 ? ann : ben).token, chatId, texts.at(i)));
    SignedIn client = signInWithChatOpen(m_server, ann, chatId, ids.last());
    QVERIFY(client.window);
    TimelineView *timeline = client.window->timeline();
    MessageModel *model = client.session->messages(chatId);
    SelectionBar *bar = client.window->selectionBar();
    QVERIFY(!bar->isVisible());
    QVERIFY(client.window->composer()->isVisible());

    clickRow(timeline, model->rowOfId(ids.at(0)), Qt::ControlModifier);
    QCOMPARE(timeline->selectedMessageIds(), QStringList { ids.at(0) });
    QTRY_VERIFY(bar->isVisible());
    QVERIFY(!client.window->composer()->isVisible());
    QCOMPARE(bar->countLabel()->text(), SelectionBar::tr("%n selected", nullptr, 1));
    QVERIFY(!bar->deleteButton()->isVisible()); // Ben's

    clickRow(timeline, model->rowOfId(ids.at(3)), Qt::ShiftModifier);
    QCOMPARE(timeline->selectedMessageIds(), ids.mid(0, 4));
    QCOMPARE(bar->countLabel()->text(), SelectionBar::tr("%n selected", nullptr, 4));
    clickRow(timeline, model->rowOfId(ids.at(1)), Qt::ControlModifier);
    QCOMPARE(timeline->selectedMessageIds(), (QStringList { ids.at(0), ids.at(2), ids.at(3) }));
    // While choosing, a plain click chooses too.
    clickRow(timeline, model->rowOfId(ids.at(4)), Qt::NoModifier);
    QCOMPARE(timeline->selectedMessageIds().size(), 4);
    saveScreenshot(client.window.get(), u"selection"_s);

    // Ctrl+C copies them all, oldest first.
    QApplication::clipboard()->clear();
    timeline->setFocus();
    QTest::keyClick(timeline, Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(QApplication::clipboard()->text(), u"One\n\nThree\n\nFour\n\nFive"_s);

    // Esc lets go of them; the composer is back.
    QTest::keyClick(timeline, Qt::Key_Escape);
    QVERIFY(timeline->selectedMessageIds().isEmpty());
    QTRY_VERIFY(!bar->isVisible());
    QVERIFY(client.window->composer()->isVisible());

    // Only the user's own: Delete is offered, asks, and deletes.
    clickRow(timeline, model->rowOfId(ids.at(4)), Qt::ControlModifier);
    QTRY_VERIFY(bar->deleteButton()->isVisible());
    QApplication::clipboard()->clear();
    bar->copyButton()->click();
    QCOMPARE(QApplication::clipboard()->text(), u"Five"_s);
    QVERIFY(timeline->selectedMessageIds().isEmpty()); // copied: done
    clickRow(timeline, model->rowOfId(ids.at(4)), Qt::ControlModifier);
    bar->deleteButton()->click();
    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = client.window->findChild<QMessageBox *>()) != nullptr);
    for (QAbstractButton *button : box->buttons()) {
        if (box->buttonRole(button) == QMessageBox::AcceptRole)
            button->click();
    }
    QTRY_VERIFY_WITH_TIMEOUT(
        model->index(model->rowOfId(ids.at(4))).data(MessageModel::DeletedRole).toBool(), 10000);
    QTRY_VERIFY(!bar->isVisible());
    // The others' are untouched.
    QCOMPARE(textsOf(serverHistory(ann, chatId)).mid(0, 4), texts.mid(0, 4));
}

// The menu's Forward opens the picker; its search filters the chats by name;
// the one ticked gets the copy and opens, as in Telegram.
void TestForwardUi::menuForwardPicksAChatBySearchAndOpensIt()
{
    const auto ann = m_http->newUser(u"Ann Picker"_s);
    const auto ben = m_http->newUser(u"Ben Picker"_s);
    const auto cat = m_http->newUser(u"Cat Picker"_s);
    const QString annBen = m_http->personalChat(ann.token, ben.id);
    const QString annCat = m_http->personalChat(ann.token, cat.id);
    const QString group = m_http->newGroup(ann, u"Picker Book Club"_s, { ben.id, cat.id });
    const QString messageId = m_http->sendText(ben.token, annBen, u"Chapter three is wild"_s);
    SignedIn client = signInWithChatOpen(m_server, ann, annBen, messageId);
    QVERIFY(client.window);
    QTRY_VERIFY_WITH_TIMEOUT(client.session->chats()->summary(group).has_value(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(client.session->chats()->summary(annCat).has_value(), 10000);
    TimelineView *timeline = client.window->timeline();
    MessageModel *model = client.session->messages(annBen);

    QMenu *menu = openContextMenu(timeline, model->rowOfId(messageId));
    QVERIFY(menu);
    QAction *forward = findAction(menu, "Forward");
    QVERIFY(forward);
    menu->close();
    forward->trigger();
    ForwardDialog *picker = nullptr;
    QTRY_VERIFY((picker = client.window->findChild<ForwardDialog *>()) != nullptr);
    QTRY_VERIFY(picker->isVisible());
    QVERIFY(!picker->sendButton()->isEnabled());
    QCOMPARE(picker->chatList()->model()->rowCount(), 3);

    QTest::keyClicks(picker->searchField(), u"book"_s);
    QTRY_COMPARE(picker->chatList()->model()->rowCount(), 1);
    QCOMPARE(pickerRow(picker, group), 0);
    const QRect rowRect = picker->chatList()->visualRect(picker->chatList()->model()->index(0, 0));
    QTest::mouseClick(picker->chatList()->viewport(), Qt::LeftButton, {}, rowRect.center());
    QCOMPARE(picker->chosenChats(), QStringList { group });
    QVERIFY(picker->sendButton()->isEnabled());
    saveScreenshot(picker, u"forward"_s);
    picker->sendButton()->click();

    QTRY_COMPARE_WITH_TIMEOUT(
        textsOf(serverHistory(ann, group)), QStringList { u"Chapter three is wild"_s }, 10000);
    const QJsonObject copy = serverHistory(ann, group).value(0);
    QCOMPARE(
        copy.value(u"forwarded_from"_s).toObject().value(u"sender_name"_s).toString(), ben.name);
    QTRY_COMPARE_WITH_TIMEOUT(client.window->currentChatId(), group, 10000);
    QVERIFY(textsOf(serverHistory(ann, annCat)).isEmpty());
}

// The bar's Forward sends the chosen messages to every ticked chat, in their
// order; with more than one chat the status bar says how many.
void TestForwardUi::selectionBarForwardsToSeveralChatsInOrder()
{
    const auto ann = m_http->newUser(u"Ann Several"_s);
    const auto ben = m_http->newUser(u"Ben Several"_s);
    const auto cat = m_http->newUser(u"Cat Several"_s);
    const auto dan = m_http->newUser(u"Dan Several"_s);
    const QString annBen = m_http->personalChat(ann.token, ben.id);
    const QString annCat = m_http->personalChat(ann.token, cat.id);
    const QString annDan = m_http->personalChat(ann.token, dan.id);
    const QString first = m_http->sendText(ben.token, annBen, u"Milk"_s);
    m_http->sendText(ben.token, annBen, u"Not this one"_s);
    const QString third = m_http->sendText(ann.token, annBen, u"Eggs"_s);
    SignedIn client = signInWithChatOpen(m_server, ann, annBen, third);
    QVERIFY(client.window);
    QTRY_VERIFY_WITH_TIMEOUT(client.session->chats()->summary(annDan).has_value(), 10000);
    TimelineView *timeline = client.window->timeline();
    MessageModel *model = client.session->messages(annBen);

    clickRow(timeline, model->rowOfId(third),
        Qt::ControlModifier); // newest first: order is the timeline's
    clickRow(timeline, model->rowOfId(first), Qt::ControlModifier);
    QCOMPARE(timeline->selectedMessageIds(), (QStringList { first, third }));
    client.window->selectionBar()->forwardButton()->click();
    ForwardDialog *picker = nullptr;
    QTRY_VERIFY((picker = client.window->findChild<ForwardDialog *>()) != nullptr);
    QVERIFY(picker->toggleRow(pickerRow(picker, annCat)));
    QVERIFY(picker->toggleRow(pickerRow(picker, annDan)));
    QCOMPARE(picker->chosenChats(), (QStringList { annCat, annDan }));
    picker->sendButton()->click();

    for (const QString &chat : { annCat, annDan })
        QTRY_COMPARE_WITH_TIMEOUT(
            textsOf(serverHistory(ann, chat)), (QStringList { u"Milk"_s, u"Eggs"_s }), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(client.window->statusBar()->currentMessage(),
        MainWindow::tr("Forwarded to %n chats", nullptr, 2), 10000);
    QCOMPARE(client.window->currentChatId(), annBen); // stays
    QVERIFY(timeline->selectedMessageIds().isEmpty());
    QTRY_VERIFY(!client.window->selectionBar()->isVisible());
}

// One forward is one request, all or nothing: at most ten chats (the
// eleventh is not ticked), at most 100 copies (30 messages go to 3 chats at
// most) and at most 100 messages (more are refused with a word in the status bar).
void TestForwardUi::pickerTakesAtMostTenChats()
{
    const auto ann = m_http->newUser(u"Ann Eleven"_s);
    QStringList chats;
    for (int i = 0; i < 11; ++i) {
        const auto other = m_http->newUser(u"Friend %1"_s.arg(i));
        chats.append(m_http->personalChat(ann.token, other.id));
    }
    SignedIn client = signIn(m_server, ann);
    QVERIFY(client.window);
    QTRY_COMPARE_WITH_TIMEOUT(client.session->chats()->rowCount(), 11, 10000);
    ForwardDialog picker(client.session.get(), 1, client.window.get());
    for (int row = 0; row < 10; ++row)
        QVERIFY(picker.toggleRow(row));
    QVERIFY(!picker.toggleRow(10));
    QCOMPARE(picker.chosenChats().size(), 10);
    QVERIFY(picker.toggleRow(0)); // untick one: room again
    QVERIFY(picker.toggleRow(10));

    ForwardDialog many(client.session.get(), 30, client.window.get());
    QCOMPARE(many.maximumChats(), 3);
    for (int row = 0; row < 3; ++row)
        QVERIFY(many.toggleRow(row));
    QVERIFY(!many.toggleRow(3));

    QStringList tooMany;
    for (int i = 0; i <= ForwardDialog::maximumMessages; ++i)
        tooMany.append(u"message %1"_s.arg(i));
    client.window->showForwardDialog(tooMany);
    QCOMPARE(client.window->statusBar()->currentMessage(),
        MainWindow::tr("Forward at most %n messages at a time", nullptr, 100));
    const QList<ForwardDialog *> open = client.window->findChildren<ForwardDialog *>();
    QVERIFY(
        std::none_of(open.cbegin(), open.cend(), [](ForwardDialog *d) { return d->isVisible(); }));
}

// A chosen message that its sender deletes is no longer chosen: the count
// drops, and with none left the composer is back.
void TestForwardUi::aChosenMessageDeletedElsewhereIsLetGo()
{
    const auto ann = m_http->newUser(u"Ann Let Go"_s);
    const auto ben = m_http->newUser(u"Ben Let Go"_s);
    const QString chatId = m_http->personalChat(ann.token, ben.id);
    const QString kept = m_http->sendText(ben.token, chatId, u"Keep me"_s);
    const QString gone = m_http->sendText(ben.token, chatId, u"Regret this"_s);
    SignedIn client = signInWithChatOpen(m_server, ann, chatId, gone);
    QVERIFY(client.window);
    TimelineView *timeline = client.window->timeline();
    MessageModel *model = client.session->messages(chatId);
    SelectionBar *bar = client.window->selectionBar();
    clickRow(timeline, model->rowOfId(kept), Qt::ControlModifier);
    clickRow(timeline, model->rowOfId(gone), Qt::ControlModifier);
    QCOMPARE(bar->countLabel()->text(), SelectionBar::tr("%n selected", nullptr, 2));

    COMPARE_STATUS(m_http->request("DELETE", ApiPaths::message(gone), {}, ben.token), 200);
    QTRY_COMPARE_WITH_TIMEOUT(timeline->selectedMessageIds(), QStringList { kept }, 10000);
    QCOMPARE(bar->countLabel()->text(), SelectionBar::tr("%n selected", nullptr, 1));
    clickRow(timeline, model->rowOfId(kept), Qt::ControlModifier);
    QTRY_VERIFY(!bar->isVisible());
    QVERIFY(client.window->composer()->isVisible());
    // No longer choosing: a plain click on the deleted one chooses nothing.
    clickRow(timeline, model->rowOfId(gone), Qt::NoModifier);
    QVERIFY(timeline->selectedMessageIds().isEmpty());
    QVERIFY(!bar->isVisible());
}

// A message deleted while the picker was open: the server refuses the
// forward, and the status bar says why.
void TestForwardUi::refusedForwardIsShownInTheStatusBar()
{
    const auto ann = m_http->newUser(u"Ann Refused"_s);
    const auto ben = m_http->newUser(u"Ben Refused"_s);
    const auto cat = m_http->newUser(u"Cat Refused"_s);
    const QString annBen = m_http->personalChat(ann.token, ben.id);
    const QString annCat = m_http->personalChat(ann.token, cat.id);
    const QString messageId = m_http->sendText(ben.token, annBen, u"Oops, wrong chat"_s);
    SignedIn client = signInWithChatOpen(m_server, ann, annBen, messageId);
    QVERIFY(client.window);
    QTRY_VERIFY_WITH_TIMEOUT(client.session->chats()->summary(annCat).has_value(), 10000);
    client.window->showForwardDialog({ messageId });
    ForwardDialog *picker = nullptr;
    QTRY_VERIFY((picker = client.window->findChild<ForwardDialog *>()) != nullptr);
    QVERIFY(picker->toggleRow(pickerRow(picker, annCat)));
    COMPARE_STATUS(m_http->request("DELETE", ApiPaths::message(messageId), {}, ben.token), 200);
    picker->sendButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(client.window->statusBar()->currentMessage().startsWith(
                                 ClientSession::tr("Not forwarded: %1").arg(QString())),
        10000);
    QVERIFY(textsOf(serverHistory(ann, annCat)).isEmpty());
    QCOMPARE(client.window->currentChatId(), annBen);
}

QTEST_MAIN(TestForwardUi)
#include "tst_forward_ui.moc"
