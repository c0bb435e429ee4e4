#include "DesktopTestSupport.h"
#include "TestServer.h"
#include "client/api/LiveConnection.h"
#include "client/api/SessionStore.h"
#include "client/models/ChatListModel.h"
#include "client/models/ClientSession.h"
#include "client/models/MessageModel.h"
#include "client/ui/Composer.h"
#include "client/ui/DesktopApp.h"
#include "client/ui/MainWindow.h"
#include "client/ui/MessageDelegate.h"
#include "client/ui/Theme.h"
#include "client/ui/TimelineView.h"
#include "shared/ApiPaths.h"

#include <QApplication>
#include <QContextMenuEvent>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QMenu>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>
#include <QToolButton>

using namespace Qt::StringLiterals;
using namespace Messenger;
using namespace Messenger::Client;

// Replies in the desktop app (issue 16): Reply in a message's menu and by
// Ctrl+Up, the quote bar over the composer, the quote in the bubble (kept
// current as the original changes), a click on it going to the original (the
// page around it loaded when it is not), and replies written offline;
// offscreen real widgets against a real server.
class TestRepliesUi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void replyFromTheMenuShowsTheQuoteBarAndSendsTheReply();
    void ctrlUpRepliesToOlderMessagesAndCtrlDownGoesBack();
    void bubbleDrawsTheQuoteAndGrowsForIt();
    void quoteOfAShortOriginalIsShownWhole();
    void quoteFollowsEditsAndDeletionsOfTheOriginal();
    void clickingTheQuoteGoesToALoadedOriginal();
    void clickingTheQuoteLoadsTheOriginalsPageWhenNotLoaded();
    void replyWrittenOfflineKeepsItsOriginal();

private:
    // A restart: the remembered session, signed in from the cache.
    static SignedIn restored()
    {
        SignedIn client = persistedClient();
        QSignalSpy finished(client.session.get(), &ClientSession::restoreFinished);
        client.session->restore();
        [&] {
            QVERIFY(!finished.isEmpty() || finished.wait(15000));
            QCOMPARE(finished.first().first().toBool(), true);
        }();
        return client;
    }
    // The chat's newest messages as the server has them, newest first.
    QJsonArray serverHistory(const QString &chatId, const QString &token)
    {
        return m_http->get(ApiPaths::chatHistory(chatId), token)
            .object()
            .value(u"messages"_s)
            .toArray();
    }
    QJsonObject serverMessage(const QString &chatId, const QString &token, const QString &text)
    {
        for (const QJsonValue &message : serverHistory(chatId, token)) {
            if (message.toObject().value(u"text"_s).toString() == text)
                return message.toObject();
        }
        return {};
    }
    // Clicks the quote of the reply in `row` (scrolled into view first).
    static void clickQuote(TimelineView *timeline, int row)
    {
        const QModelIndex index = timeline->model()->index(row, 0);
        timeline->scrollTo(index);
        const QRect quote = bubbleGeometry(timeline, row).quote;
        QVERIFY(!quote.isNull());
        const QPoint point = timeline->visualRect(index).topLeft() + quote.center();
        QVERIFY(timeline->viewport()->rect().contains(point));
        QTest::mouseClick(timeline->viewport(), Qt::LeftButton, {}, point);
    }

    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

void TestRepliesUi::initTestCase()
{
    prepareDesktopTestCase(u"tst_replies_ui"_s);
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    m_http = std::make_unique<HttpClient>(m_server);
}

void TestRepliesUi::init()
{
    resetClientState(m_server);
}

// Reply in a message's menu opens the quote bar (who, what, a close button);
// Esc cancels it and a second Esc does what Esc did before (closes the chat
// info); Enter sends the reply with reply_to_id and the bar goes.
void TestRepliesUi::replyFromTheMenuShowsTheQuoteBarAndSendsTheReply()
{
    const auto ann = m_http->newUser(u"Ann Quote"_s);
    const auto ben = m_http->newUser(u"Ben Quote"_s);
    const QString chatId = m_http->personalChat(ann.token, ben.id);
    const QString questionId = m_http->sendText(ben.token, chatId, u"Lunch at noon?"_s);
    SignedIn client = signIn(m_server, ann, SessionStorage::Persisted);
    QVERIFY(client.window);
    MainWindow *window = client.window.get();
    window->openChat(chatId);
    MessageModel *messages = client.session->messages(chatId);
    QTRY_VERIFY_WITH_TIMEOUT(messages->rowOfId(questionId) >= 0, 10000);
    Composer *composer = window->composer();
    QVERIFY(!composer->contextBar()->isVisible());

    QMenu *menu = openContextMenu(window->timeline(), messages->rowOfId(questionId));
    QVERIFY(menu);
    QVERIFY(triggerAction(menu, "Reply"));
    QVERIFY(composer->isReplying());
    QCOMPARE(composer->replyToId(), questionId);
    QVERIFY(composer->contextBar()->isVisible());
    QVERIFY2(composer->contextTitle()->text().contains(u"Ben Quote"_s),
        qPrintable(composer->contextTitle()->text()));
    QCOMPARE(composer->contextPreview()->text(), u"Lunch at noon?"_s);
    QVERIFY(composer->contextCloseButton()->isVisible());
    QVERIFY(composer->input()->hasFocus());

    // Esc: the reply goes, then (a second Esc) the chat info closes as before.
    QToolButton *infoButton = nullptr;
    for (QToolButton *button : window->findChildren<QToolButton *>())
        if (button->isCheckable())
            infoButton = button;
    QVERIFY(infoButton);
    infoButton->setChecked(true);
    composer->input()->setFocus();
    QTest::keyClick(composer->input(), Qt::Key_Escape);
    QVERIFY(!composer->isReplying());
    QVERIFY(!composer->contextBar()->isVisible());
    QVERIFY(infoButton->isChecked());
    QTest::keyClick(composer->input(), Qt::Key_Escape);
    QVERIFY(!infoButton->isChecked());

    // The close button cancels too.
    menu = openContextMenu(window->timeline(), messages->rowOfId(questionId));
    QVERIFY(menu && triggerAction(menu, "Reply"));
    QVERIFY(composer->contextBar()->isVisible());
    QTest::mouseClick(composer->contextCloseButton(), Qt::LeftButton);
    QVERIFY(!composer->isReplying());
    QVERIFY(!composer->contextBar()->isVisible());

    // Sent with the bar: the server has the reply, the bar is gone.
    menu = openContextMenu(window->timeline(), messages->rowOfId(questionId));
    QVERIFY(menu && triggerAction(menu, "Reply"));
    QTest::keyClicks(composer->input(), u"Sure"_s);
    QTest::keyClick(composer->input(), Qt::Key_Return);
    QVERIFY(!composer->isReplying());
    QVERIFY(!composer->contextBar()->isVisible());
    // Pending, the bubble quotes the original already.
    const int pending = messages->rowCount() - 1;
    QCOMPARE(messages->index(pending).data(MessageModel::ReplyToIdRole).toString(), questionId);
    QTRY_VERIFY_WITH_TIMEOUT(!serverMessage(chatId, ben.token, u"Sure"_s).isEmpty(), 10000);
    const QJsonObject reply = serverMessage(chatId, ben.token, u"Sure"_s);
    QCOMPARE(reply.value(u"reply_to"_s).toObject().value(u"id"_s).toString(), questionId);
    QCOMPARE(
        reply.value(u"reply_to"_s).toObject().value(u"text"_s).toString(), u"Lunch at noon?"_s);
    QTRY_COMPARE_WITH_TIMEOUT(messages->index(messages->rowCount() - 1)
                                  .data(MessageModel::DeliveryRole)
                                  .value<MessageModel::Delivery>(),
        MessageModel::Delivery::Sent, 10000);
    QCOMPARE(messages->index(messages->rowCount() - 1)
                 .data(MessageModel::ReplySenderNameRole)
                 .toString(),
        u"Ben Quote"_s);
    // The picture for the README: the quote in the bubble, and the bar over
    // the composer while answering again.
    menu = openContextMenu(window->timeline(), messages->rowOfId(questionId));
    QVERIFY(menu && triggerAction(menu, "Reply"));
    QTest::keyClicks(composer->input(), u"And a coffee after?"_s);
    ChatListModel *chats = client.session->chats();
    // Offscreen, a closed menu stays the active window: take it back, and
    // the message on screen is read.
    window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window));
    QTRY_COMPARE_WITH_TIMEOUT(
        chats->index(chats->rowOf(chatId)).data(ChatListModel::UnreadCountRole).toLongLong(), 0,
        10000);
    saveScreenshot(window, u"reply"_s);
    QTest::keyClick(composer->input(), Qt::Key_Escape);
    QVERIFY(!composer->isReplying());
    composer->input()->clear();
    // A message sent after that answers nothing.
    QTest::keyClicks(composer->input(), u"plain"_s);
    QTest::keyClick(composer->input(), Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(!serverMessage(chatId, ben.token, u"plain"_s).isEmpty(), 10000);
    QVERIFY(serverMessage(chatId, ben.token, u"plain"_s).value(u"reply_to"_s).isNull());
}

// Ctrl+Up in the composer replies to the newest message, again to the one
// before it (skipping deleted ones); Ctrl+Down goes back, and past the
// newest there is no reply. Both are in the Keyboard Shortcuts table.
void TestRepliesUi::ctrlUpRepliesToOlderMessagesAndCtrlDownGoesBack()
{
    const auto ann = m_http->newUser(u"Ann Keys"_s);
    const auto ben = m_http->newUser(u"Ben Keys"_s);
    const QString chatId = m_http->personalChat(ann.token, ben.id);
    const QString first = m_http->sendText(ben.token, chatId, u"first"_s);
    const QString gone = m_http->sendText(ben.token, chatId, u"gone"_s);
    const QString last = m_http->sendText(ben.token, chatId, u"last"_s);
    COMPARE_STATUS(m_http->request("DELETE", ApiPaths::message(gone), {}, ben.token), 200);
    SignedIn client = signIn(m_server, ann, SessionStorage::Persisted);
    QVERIFY(client.window);
    MainWindow *window = client.window.get();
    window->openChat(chatId);
    MessageModel *messages = client.session->messages(chatId);
    QTRY_VERIFY_WITH_TIMEOUT(messages->rowOfId(last) >= 0, 10000);
    Composer *composer = window->composer();
    composer->input()->setFocus();

    QTest::keyClick(composer->input(), Qt::Key_Up, Qt::ControlModifier);
    QCOMPARE(composer->replyToId(), last);
    QCOMPARE(window->timeline()->highlightedMessageId(), last);
    QTest::keyClick(composer->input(), Qt::Key_Up, Qt::ControlModifier);
    QCOMPARE(composer->replyToId(), first); // the deleted one is skipped
    QCOMPARE(composer->contextPreview()->text(), u"first"_s);
    QTest::keyClick(composer->input(), Qt::Key_Up, Qt::ControlModifier);
    QCOMPARE(composer->replyToId(), first); // the oldest: it stays
    QTest::keyClick(composer->input(), Qt::Key_Down, Qt::ControlModifier);
    QCOMPARE(composer->replyToId(), last);
    QTest::keyClick(composer->input(), Qt::Key_Down, Qt::ControlModifier);
    QVERIFY(!composer->isReplying());
    QVERIFY(!composer->contextBar()->isVisible());

    QStringList listed;
    for (const MainWindow::Shortcut &shortcut : window->shortcuts())
        listed.append(shortcut.keys.toString());
    QVERIFY(listed.contains(QKeySequence(Qt::CTRL | Qt::Key_Up).toString()));
    QVERIFY(listed.contains(QKeySequence(Qt::CTRL | Qt::Key_Down).toString()));
}

// A reply's bubble shows the quote (accent bar, sender, one line of text;
// "Deleted message" in italics once the original is gone) above its text,
// and is taller for it: nothing overlaps.
void TestRepliesUi::bubbleDrawsTheQuoteAndGrowsForIt()
{
    const auto ann = m_http->newUser(u"Ann Bubble"_s);
    const auto ben = m_http->newUser(u"Ben Bubble"_s);
    const QString chatId = m_http->personalChat(ann.token, ben.id);
    const QString original = m_http->sendText(ben.token, chatId,
        u"the original, a rather long line of text "
        u"that goes on and on and on and on and on"_s);
    const QString plain = m_http->sendText(ben.token, chatId, u"same text"_s);
    const QString reply
        = m_http->sendText(ben.token, chatId, u"same text"_s, { { u"reply_to_id"_s, original } });
    SignedIn client = signIn(m_server, ann, SessionStorage::Persisted);
    QVERIFY(client.window);
    MainWindow *window = client.window.get();
    window->openChat(chatId);
    MessageModel *messages = client.session->messages(chatId);
    QTRY_VERIFY_WITH_TIMEOUT(messages->rowOfId(reply) >= 0, 10000);
    TimelineView *timeline = window->timeline();
    auto *delegate = qobject_cast<MessageDelegate *>(timeline->itemDelegate());
    QVERIFY(delegate);
    QTRY_VERIFY(timeline->isAtBottom());
    timeline->doItemsLayout(); // rows where they are painted (the unread divider came)

    const int plainRow = messages->rowOfId(plain);
    const int replyRow = messages->rowOfId(reply);
    const BubbleGeometry plainGeometry = bubbleGeometry(timeline, plainRow);
    const BubbleGeometry replyGeometry = bubbleGeometry(timeline, replyRow);
    QVERIFY(plainGeometry.quote.isNull());
    QVERIFY(!replyGeometry.quote.isNull());
    // Inside the bubble, above the text, and the row is taller by its height.
    QVERIFY(replyGeometry.bubble.contains(replyGeometry.quote));
    QVERIFY(replyGeometry.quote.bottom() < replyGeometry.textOrigin.y());
    QVERIFY(replyGeometry.bubble.height()
        >= plainGeometry.bubble.height() + replyGeometry.quote.height());
    QStyleOptionViewItem option;
    option.font = timeline->font();
    const int plainHeight = delegate->sizeHint(option, messages->index(plainRow)).height();
    const int replyHeight = delegate->sizeHint(option, messages->index(replyRow)).height();
    QVERIFY2(replyHeight >= plainHeight + replyGeometry.quote.height(),
        qPrintable(u"%1 vs %2"_s.arg(replyHeight).arg(plainHeight)));

    // Painted: the accent bar at the quote's left edge.
    QImage image(timeline->viewport()->size(), QImage::Format_ARGB32);
    timeline->viewport()->render(&image);
    const QRect quoteOnScreen = replyGeometry.quote.translated(
        timeline->visualRect(timeline->model()->index(replyRow, 0)).topLeft());
    QVERIFY(timeline->viewport()->rect().contains(quoteOnScreen));
    const QColor bar = image.pixelColor(quoteOnScreen.left() + 1, quoteOnScreen.center().y());
    QVERIFY2(bar.blue() > 200 && bar.red() < 100,
        qPrintable(bar.name())); // the accent, not the bubble's white

    // The original deleted: "Deleted message", still one quote high.
    COMPARE_STATUS(m_http->request("DELETE", ApiPaths::message(original), {}, ben.token), 200);
    QTRY_VERIFY_WITH_TIMEOUT(
        messages->index(messages->rowOfId(reply)).data(MessageModel::ReplyDeletedRole).toBool(),
        10000);
    const BubbleGeometry deletedGeometry = bubbleGeometry(timeline, messages->rowOfId(reply));
    QVERIFY(!deletedGeometry.quote.isNull());
    QCOMPARE(deletedGeometry.quote.height(), replyGeometry.quote.height());
}

// The original edited or deleted: the quotes of replies to it follow at once
// (the message_edited and message_deleted events).
void TestRepliesUi::quoteFollowsEditsAndDeletionsOfTheOriginal()
{
    const auto ann = m_http->newUser(u"Ann Live"_s);
    const auto ben = m_http->newUser(u"Ben Live"_s);
    const QString chatId = m_http->personalChat(ann.token, ben.id);
    const QString original = m_http->sendText(ben.token, chatId, u"meet at 5"_s);
    const QString reply
        = m_http->sendText(ann.token, chatId, u"ok"_s, { { u"reply_to_id"_s, original } });
    SignedIn client = signIn(m_server, ann, SessionStorage::Persisted);
    QVERIFY(client.window);
    client.window->openChat(chatId);
    MessageModel *messages = client.session->messages(chatId);
    QTRY_VERIFY_WITH_TIMEOUT(messages->rowOfId(reply) >= 0, 10000);
    const auto quoteText = [&] {
        return messages->index(messages->rowOfId(reply))
            .data(MessageModel::ReplyTextRole)
            .toString();
    };
    QCOMPARE(quoteText(), u"meet at 5"_s);

    QJsonObject edit { { u"text"_s, u"meet at 6"_s } };
    COMPARE_STATUS(m_http->request("PATCH", ApiPaths::message(original),
                       QJsonDocument(edit).toJson(), ben.token),
        200);
    QTRY_COMPARE_WITH_TIMEOUT(quoteText(), u"meet at 6"_s, 10000);
    // Painted anew: the cached layout went with the old text.
    const QRect rowRect = client.window->timeline()->visualRect(
        client.window->timeline()->model()->index(messages->rowOfId(reply), 0));
    QVERIFY(rowRect.isValid());

    COMPARE_STATUS(m_http->request("DELETE", ApiPaths::message(original), {}, ben.token), 200);
    QTRY_VERIFY_WITH_TIMEOUT(
        messages->index(messages->rowOfId(reply)).data(MessageModel::ReplyDeletedRole).toBool(),
        10000);
    QCOMPARE(quoteText(), QString());
    // The reply itself is untouched.
    QCOMPARE(messages->messageAt(messages->rowOfId(reply)).text, u"ok"_s);
    QVERIFY(!messages->messageAt(messages->rowOfId(reply)).deleted);
}

// A click on the quote of a reply whose original is loaded scrolls there and
// tints it for a moment.
void TestRepliesUi::clickingTheQuoteGoesToALoadedOriginal()
{
    const auto ann = m_http->newUser(u"Ann Jump"_s);
    const auto ben = m_http->newUser(u"Ben Jump"_s);
    const QString chatId = m_http->personalChat(ann.token, ben.id);
    const QString original = m_http->sendText(ben.token, chatId, u"the question"_s);
    for (int i = 0; i < 30; ++i)
        m_http->sendText((i % 2 ? ann : ben).token, chatId, u"filler %1"_s.arg(i));
    const QString reply
        = m_http->sendText(ann.token, chatId, u"the answer"_s, { { u"reply_to_id"_s, original } });
    SignedIn client = signIn(m_server, ann, SessionStorage::Persisted);
    QVERIFY(client.window);
    MainWindow *window = client.window.get();
    window->openChat(chatId);
    MessageModel *messages = client.session->messages(chatId);
    TimelineView *timeline = window->timeline();
    QTRY_VERIFY_WITH_TIMEOUT(
        messages->rowOfId(reply) >= 0 && messages->rowOfId(original) >= 0, 10000);
    QTRY_VERIFY(timeline->isAtBottom());
    QVERIFY(!rowIsOnScreen(timeline, messages->rowOfId(original)));

    clickQuote(timeline, messages->rowOfId(reply));
    QTRY_VERIFY(rowIsOnScreen(timeline, messages->rowOfId(original)));
    QCOMPARE(timeline->highlightedMessageId(), original);
    // The tint fades.
    QTRY_COMPARE_WITH_TIMEOUT(timeline->highlightedMessageId(), QString(), 5000);
}

// A reply at the bottom of a long chat (300 messages) to its 5th: the click
// loads the page around the original (around_seq), shows it tinted; scrolling
// down brings the rest back in order, and the jump-to-newest button goes to
// the newest messages.
void TestRepliesUi::clickingTheQuoteLoadsTheOriginalsPageWhenNotLoaded()
{
    const auto ann = m_http->newUser(u"Ann Deep"_s);
    const auto ben = m_http->newUser(u"Ben Deep"_s);
    const QString chatId = m_http->personalChat(ann.token, ben.id);
    QString fifth;
    for (int i = 1; i <= 299; ++i) {
        const QString id
            = m_http->sendText((i % 2 ? ben : ann).token, chatId, u"message %1"_s.arg(i));
        if (i == 5)
            fifth = id;
    }
    const QString reply = m_http->sendText(
        ann.token, chatId, u"back to number 5"_s, { { u"reply_to_id"_s, fifth } });
    SignedIn client = signIn(m_server, ann, SessionStorage::Persisted);
    QVERIFY(client.window);
    MainWindow *window = client.window.get();
    window->openChat(chatId);
    MessageModel *messages = client.session->messages(chatId);
    TimelineView *timeline = window->timeline();
    QTRY_VERIFY_WITH_TIMEOUT(messages->rowOfId(reply) >= 0, 10000);
    QTRY_VERIFY(timeline->isAtBottom());
    QCOMPARE(messages->rowOfId(fifth), -1);

    QSignalSpy around(messages, &MessageModel::aroundLoaded);
    clickQuote(timeline, messages->rowOfId(reply));
    QTRY_COMPARE_WITH_TIMEOUT(around.size(), 1, 10000);
    QVERIFY(messages->rowOfId(fifth) >= 0);
    QVERIFY(!messages->isAtEnd());
    QCOMPARE(messages->rowOfId(reply), -1); // the bottom is not loaded now
    QTRY_VERIFY(rowIsOnScreen(timeline, messages->rowOfId(fifth)));
    QCOMPARE(timeline->highlightedMessageId(), fifth);
    // What is loaded has no holes: message 1 to the newest loaded, in order.
    const QList<Message> loaded = messages->settledMessages();
    QCOMPARE(loaded.first().text, u"message 1"_s);
    for (qsizetype i = 0; i < loaded.size(); ++i)
        QCOMPARE(loaded.at(i).chatSeq, i + 1);

    // The jump-to-newest button: the newest messages again, nothing missing.
    QTRY_VERIFY(timeline->jumpToBottomButton()->isVisible());
    QTest::mouseClick(timeline->jumpToBottomButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(messages->isAtEnd(), 15000);
    QTRY_VERIFY_WITH_TIMEOUT(messages->rowOfId(reply) >= 0, 15000);
    QTRY_VERIFY(timeline->isAtBottom());
    QTRY_VERIFY(rowIsOnScreen(timeline, messages->rowOfId(reply)));
    const QList<Message> all = messages->settledMessages();
    QCOMPARE(all.size(), 300);
    for (qsizetype i = 0; i < all.size(); ++i)
        QCOMPARE(all.at(i).chatSeq, i + 1);
    // Live messages land at the bottom again.
    m_http->sendText(ben.token, chatId, u"still here"_s);
    QTRY_COMPARE_WITH_TIMEOUT(
        messages->messageAt(messages->rowCount() - 1).text, u"still here"_s, 10000);
}

// A reply written with the server down waits in the outbox (on disk) with the
// message it answers, and goes as a reply when the server is back, after a
// restart too.
void TestRepliesUi::replyWrittenOfflineKeepsItsOriginal()
{
    const auto ann = m_http->newUser(u"Ann Away"_s);
    const auto ben = m_http->newUser(u"Ben Away"_s);
    const QString chatId = m_http->personalChat(ann.token, ben.id);
    const QString original = m_http->sendText(ben.token, chatId, u"are you there?"_s);
    {
        SignedIn client = signIn(m_server, ann, SessionStorage::Persisted);
        QVERIFY(client.window);
        ClientSession *session = client.session.get();
        client.window->openChat(chatId);
        MessageModel *messages = session->messages(chatId);
        QTRY_VERIFY_WITH_TIMEOUT(messages->rowOfId(original) >= 0, 10000);
        m_server.stop();
        QTRY_VERIFY_WITH_TIMEOUT(
            session->live()->state() != LiveConnection::State::Connected, 15000);
        Composer *composer = client.window->composer();
        QMenu *menu = openContextMenu(client.window->timeline(), messages->rowOfId(original));
        QVERIFY(menu && triggerAction(menu, "Reply"));
        QTest::keyClicks(composer->input(), u"I was offline"_s);
        QTest::keyClick(composer->input(), Qt::Key_Return);
        QCOMPARE(session->live()->unacknowledgedCount(), 1);
        QCOMPARE(
            messages->index(messages->rowCount() - 1).data(MessageModel::ReplyToIdRole).toString(),
            original);
    } // quit with it unsent

    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    SignedIn client = restored();
    QTRY_COMPARE_WITH_TIMEOUT(
        client.session->live()->state(), LiveConnection::State::Connected, 15000);
    QTRY_COMPARE_WITH_TIMEOUT(client.session->live()->unacknowledgedCount(), 0, 15000);
    const QJsonObject sent = serverMessage(chatId, ben.token, u"I was offline"_s);
    QVERIFY(!sent.isEmpty());
    QCOMPARE(sent.value(u"reply_to"_s).toObject().value(u"id"_s).toString(), original);
}

// The quote of a short original is shown whole, not "Lunch at noo…": the
// bubble was as wide as the quote's rounded width, a pixel short of what
// eliding needs.
void TestRepliesUi::quoteOfAShortOriginalIsShownWhole()
{
    const auto ann = m_http->newUser(u"Ann Whole"_s);
    const auto ben = m_http->newUser(u"Ben Whole"_s);
    const QString chatId = m_http->personalChat(ann.token, ben.id);
    const QStringList originals { u"Lunch at noon?"_s, u"Are we still on?"_s, u"See you at nine"_s,
        u"Where is the key?"_s, u"Bring the tickets"_s, u"Call me back, please"_s,
        u"Is it raining there?"_s, u"What time is it now?"_s };
    QStringList replies;
    for (const QString &original : originals)
        replies.append(m_http->sendText(ben.token, chatId, u"ok"_s,
            { { u"reply_to_id"_s, m_http->sendText(ben.token, chatId, original) } }));
    SignedIn client = signIn(m_server, ann, SessionStorage::Persisted);
    QVERIFY(client.window);
    MainWindow *window = client.window.get();
    window->openChat(chatId);
    MessageModel *messages = client.session->messages(chatId);
    QTRY_VERIFY_WITH_TIMEOUT(messages->rowOfId(replies.last()) >= 0, 10000);
    TimelineView *timeline = window->timeline();
    const QFontMetrics quoteMetrics(Theme::withPointSizeDelta(timeline->font(), -1));
    for (int i = 0; i < originals.size(); ++i) {
        const BubbleGeometry geometry = bubbleGeometry(timeline, messages->rowOfId(replies.at(i)));
        // The text's room inside the quote: less its bar and padding.
        const int room = geometry.quote.width() - 3 - 2 * 8;
        QCOMPARE(quoteMetrics.elidedText(originals.at(i), Qt::ElideRight, room), originals.at(i));
    }
}

QTEST_MAIN(TestRepliesUi)
#include "tst_replies_ui.moc"
