#include "ClientTestSupport.h"
#include "DesktopTestSupport.h"
#include "TestServer.h"
#include "client/api/LiveConnection.h"
#include "client/api/SessionStore.h"
#include "client/models/ChatListModel.h"
#include "client/models/ClientSession.h"
#include "client/models/LocalCache.h"
#include "client/models/MessageModel.h"
#include "client/ui/DesktopApp.h"
#include "client/ui/MainWindow.h"
#include "client/ui/MessageDelegate.h"
#include "client/ui/ReactionPicker.h"
#include "client/ui/Theme.h"
#include "client/ui/TimelineView.h"
#include "shared/ApiPaths.h"

#include <QApplication>
#include <QContextMenuEvent>
#include <QDir>
#include <QHelpEvent>
#include <QJsonArray>
#include <QMenu>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QToolTip>
#include <QWidgetAction>

using namespace Qt::StringLiterals;
using namespace Messenger;
using namespace Messenger::Client;

// Reactions in the desktop app (issue 16): live `message_reactions` events
// (and those missed while away) in the timeline and its cache, the chips
// under the bubble (drawn, wrapping, growing the row, toggled by a click,
// naming who reacted on hover), the quick bar and picker of the message menu
// (mouse and keyboard) and the server's refusals; offscreen real widgets
// against a real server.
class TestReactionsUi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void liveEventsSetTheReactionsAndWhetherTheyAreMine();
    void reactionsMissedWhileAwayArriveAndSurviveTheCache();
    void chipsAreDrawnUnderTheTextWrapAndGrowTheRow();
    void clickingAChipTogglesMyReaction();
    void refusedReactionIsUndoneAndTheServersDetailShown();
    void rateLimitedReactionIsUndoneAndTheServersDetailShown();
    void hoveringAChipNamesWhoReacted();
    void menuQuickBarAndPickerReact();
    void menuKeyAndShiftF10OpenTheMenuFromTheKeyboard();

private:
    Reply react(const HttpClient::Account &who, const QString &messageId, const QString &emoji,
        bool add = true)
    {
        return m_http->request(
            add ? "PUT" : "DELETE", ApiPaths::messageReaction(messageId, emoji), {}, who.token);
    }
    // The message's reactions as `who` gets them from the server.
    QList<Reaction> serverReactions(
        const HttpClient::Account &who, const QString &chatId, const QString &messageId)
    {
        const QJsonArray messages = m_http->get(ApiPaths::chatHistory(chatId), who.token)
                                        .object()
                                        .value(u"messages"_s)
                                        .toArray();
        for (const QJsonValue &message : messages) {
            if (message.toObject().value(u"id"_s).toString() != messageId)
                continue;
            QList<Reaction> reactions;
            for (const QJsonValue &reaction : message.toObject().value(u"reactions"_s).toArray())
                reactions.append(Reaction::fromJson(reaction.toObject()).value());
            return reactions;
        }
        return {};
    }
    static QList<Reaction> modelReactions(MessageModel *model, const QString &messageId)
    {
        const int row = model->rowOfId(messageId);
        return row < 0 ? QList<Reaction>() : model->messageAt(row).reactions;
    }
    // Where `emoji`'s chip of the message in `row` is on the viewport (scrolled into view).
    static QRect chipRect(TimelineView *timeline, int row, const QString &emoji)
    {
        const QModelIndex index = timeline->model()->index(row, 0);
        timeline->scrollTo(index);
        const QPoint rowTop = timeline->visualRect(index).topLeft();
        for (const BubbleGeometry::Chip &chip : bubbleGeometry(timeline, row).chips) {
            if (chip.emoji == emoji)
                return chip.rect.translated(rowTop);
        }
        return {};
    }
    static ReactionPicker *quickBarOf(QMenu *menu)
    {
        for (QAction *action : menu->actions()) {
            if (auto *widgetAction = qobject_cast<QWidgetAction *>(action))
                return qobject_cast<ReactionPicker *>(widgetAction->defaultWidget());
        }
        return nullptr;
    }

    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

void TestReactionsUi::initTestCase()
{
    prepareDesktopTestCase(u"tst_reactions_ui"_s);
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    m_http = std::make_unique<HttpClient>(m_server);
}

void TestReactionsUi::init()
{
    resetClientState(m_server);
}

// Every member gets `message_reactions` without `me`: the timeline keeps
// whether a reaction is the user's, changing it only for the user's own.
void TestReactionsUi::liveEventsSetTheReactionsAndWhetherTheyAreMine()
{
    const auto ann = m_http->newUser(u"Ann Live"_s);
    const auto ben = m_http->newUser(u"Ben Live"_s);
    const QString chatId = m_http->personalChat(ann.token, ben.id);
    const QString messageId = m_http->sendText(ben.token, chatId, u"Pizza tonight?"_s);
    auto session = connectedSession(m_server, ann);
    MessageModel *model = session->messages(chatId);
    QTRY_VERIFY_WITH_TIMEOUT(model->rowOfId(messageId) >= 0, 10000);
    QVERIFY(modelReactions(model, messageId).isEmpty());

    COMPARE_STATUS(react(ben, messageId, u"👍"_s), 200);
    QTRY_COMPARE_WITH_TIMEOUT(
        modelReactions(model, messageId), (QList<Reaction> { { u"👍"_s, 1, false } }), 10000);
    // Ann on another device.
    COMPARE_STATUS(react(ann, messageId, u"👍"_s), 200);
    QTRY_COMPARE_WITH_TIMEOUT(
        modelReactions(model, messageId), (QList<Reaction> { { u"👍"_s, 2, true } }), 10000);
    COMPARE_STATUS(react(ben, messageId, u"🔥"_s), 200);
    QTRY_COMPARE_WITH_TIMEOUT(modelReactions(model, messageId),
        (QList<Reaction> { { u"👍"_s, 2, true }, { u"🔥"_s, 1, false } }), 10000);
    // Ben takes his back: Ann's stays hers.
    COMPARE_STATUS(react(ben, messageId, u"👍"_s, false), 200);
    QTRY_COMPARE_WITH_TIMEOUT(modelReactions(model, messageId),
        (QList<Reaction> { { u"👍"_s, 1, true }, { u"🔥"_s, 1, false } }), 10000);
    COMPARE_STATUS(react(ann, messageId, u"👍"_s, false), 200);
    QTRY_COMPARE_WITH_TIMEOUT(
        modelReactions(model, messageId), (QList<Reaction> { { u"🔥"_s, 1, false } }), 10000);
    QCOMPARE(model->index(model->rowOfId(messageId))
                 .data(MessageModel::ReactionsRole)
                 .value<QList<Reaction>>(),
        (QList<Reaction> { { u"🔥"_s, 1, false } }));
}

// Reactions made while the client was away come with the resumed stream;
// the cache keeps them (with `me`), so the next start shows them at once.
void TestReactionsUi::reactionsMissedWhileAwayArriveAndSurviveTheCache()
{
    const auto ann = m_http->newUser(u"Ann Away"_s);
    const auto ben = m_http->newUser(u"Ben Away"_s);
    const QString chatId = m_http->personalChat(ann.token, ben.id);
    const QString messageId = m_http->sendText(ben.token, chatId, u"Back at six"_s);
    {
        SignedIn client = persistedClient();
        client.session->signIn(m_server.url(u""_s).toString(), ann.email, ann.password);
        QTRY_COMPARE_WITH_TIMEOUT(
            client.session->live()->state(), LiveConnection::State::Connected, 15000);
        MessageModel *model = client.session->messages(chatId);
        QTRY_VERIFY_WITH_TIMEOUT(model->rowOfId(messageId) >= 0, 10000);

        // The connection drops, and stays down (a long wait) until reconnectNow().
        client.session->live()->setReconnectBackoff(std::chrono::hours(1), std::chrono::hours(1));
        client.session->live()->abortConnection();
        QTRY_COMPARE_WITH_TIMEOUT(
            client.session->live()->state(), LiveConnection::State::WaitingToReconnect, 10000);
        COMPARE_STATUS(react(ann, messageId, u"😂"_s), 200); // on her phone
        COMPARE_STATUS(react(ben, messageId, u"😂"_s), 200);
        COMPARE_STATUS(react(ben, messageId, u"🙏"_s), 200);
        // No socket while they were made (the comeback probe waits ~2 s): only
        // the resumed stream can bring them.
        QCOMPARE(client.session->live()->state(), LiveConnection::State::WaitingToReconnect);
        QVERIFY(modelReactions(model, messageId).isEmpty());
        client.session->live()->reconnectNow();
        QTRY_COMPARE_WITH_TIMEOUT(modelReactions(model, messageId),
            (QList<Reaction> { { u"😂"_s, 2, true }, { u"🙏"_s, 1, false } }), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(
            client.session->cache()->messages(chatId).value(0).reactions.size(), 2, 10000);
        QCOMPARE(client.session->cache()->messages(chatId).value(0).reactions,
            (QList<Reaction> { { u"😂"_s, 2, true }, { u"🙏"_s, 1, false } }));
    }
    // A restart with the server gone: the cache alone shows them.
    m_server.stop();
    SignedIn client = persistedClient();
    QSignalSpy finished(client.session.get(), &ClientSession::restoreFinished);
    client.session->restore();
    QVERIFY(!finished.isEmpty() || finished.wait(15000));
    QCOMPARE(finished.first().first().toBool(), true);
    MessageModel *model = client.session->messages(chatId);
    QCOMPARE(modelReactions(model, messageId),
        (QList<Reaction> { { u"😂"_s, 2, true }, { u"🙏"_s, 1, false } }));
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
}

// Chips go under the text inside the bubble, emoji then count, mine in the
// accent colour; many wrap onto more rows, and the row grows for each.
void TestReactionsUi::chipsAreDrawnUnderTheTextWrapAndGrowTheRow()
{
    const auto ann = m_http->newUser(u"Ann Chips"_s);
    const auto ben = m_http->newUser(u"Ben Chips"_s);
    const auto cat = m_http->newUser(u"Cat Chips"_s);
    const QString groupId = m_http->newGroup(ann, u"Reaction chips"_s, { ben.id, cat.id });
    const QString messageId = m_http->sendText(ben.token, groupId, u"Who wants the last slice?"_s);
    SignedIn client = signInWithChatOpen(m_server, ann, groupId, messageId);
    QVERIFY(client.window);
    TimelineView *timeline = client.window->timeline();
    MessageModel *model = client.session->messages(groupId);
    const int row = model->rowOfId(messageId);
    const int bare = rowHeight(timeline, row);
    QVERIFY(bubbleGeometry(timeline, row).chips.isEmpty());

    COMPARE_STATUS(react(ben, messageId, u"👍"_s), 200);
    COMPARE_STATUS(react(cat, messageId, u"👍"_s), 200);
    COMPARE_STATUS(react(ann, messageId, u"❤️"_s), 200);
    QTRY_COMPARE_WITH_TIMEOUT(modelReactions(model, messageId).size(), 2, 10000);
    BubbleGeometry g = bubbleGeometry(timeline, row);
    QCOMPARE(g.chips.size(), 2);
    QCOMPARE(g.chips.at(0).emoji, u"👍"_s);
    QCOMPARE(g.chips.at(0).count, qint64(2));
    QVERIFY(!g.chips.at(0).mine);
    QCOMPARE(g.chips.at(1).emoji, u"❤️"_s);
    QVERIFY(g.chips.at(1).mine);
    const QRectF text = g.layout->boundingRect().translated(g.textOrigin);
    for (const BubbleGeometry::Chip &chip : g.chips) {
        QVERIFY(g.bubble.contains(chip.rect));
        QVERIFY(chip.rect.top() >= text.bottom());
        QVERIFY(!chip.rect.intersects(g.meta));
    }
    const int oneRow = rowHeight(timeline, row);
    QVERIFY2(oneRow > bare, qPrintable(u"%1 <= %2"_s.arg(oneRow).arg(bare)));
    QTRY_COMPARE(timeline->visualRect(timeline->model()->index(row, 0)).height(), oneRow);

    // Painted: the mine chip filled with the accent colour, the other only tinted.
    timeline->scrollTo(timeline->model()->index(row, 0));
    const QPoint rowTop = timeline->visualRect(timeline->model()->index(row, 0)).topLeft();
    const QImage shot = timeline->viewport()->grab().toImage();
    const auto pixelBeside
        = [&](const BubbleGeometry::Chip &chip) { // inside the pill, left of the emoji
              return shot.pixelColor(chip.rect.translated(rowTop).left() + 4,
                  chip.rect.translated(rowTop).center().y());
          };
    QCOMPARE(pixelBeside(g.chips.at(1)).rgb(), Theme::accent.rgb());
    QVERIFY(pixelBeside(g.chips.at(0)).rgb() != Theme::accent.rgb());
    QVERIFY(pixelBeside(g.chips.at(0)).rgb() != Theme::bubbleIn.rgb());

    // Many: more rows of chips, each one taller again, none overlapping.
    const QStringList more = ReactionPicker::moreEmoji().mid(3, 14); // not 👍 or ❤️
    for (const QString &emoji : more)
        COMPARE_STATUS(react(cat, messageId, emoji), 200);
    QTRY_COMPARE_WITH_TIMEOUT(modelReactions(model, messageId).size(), 2 + 14, 10000);
    g = bubbleGeometry(timeline, row);
    QCOMPARE(g.chips.size(), 16);
    QSet<int> rowTops;
    for (int i = 0; i < g.chips.size(); ++i) {
        rowTops.insert(g.chips.at(i).rect.top());
        QVERIFY(g.bubble.contains(g.chips.at(i).rect));
        QVERIFY(!g.chips.at(i).rect.intersects(g.meta));
        for (int j = i + 1; j < g.chips.size(); ++j)
            QVERIFY(!g.chips.at(i).rect.intersects(g.chips.at(j).rect));
    }
    QVERIFY2(rowTops.size() >= 2, qPrintable(QString::number(rowTops.size())));
    QVERIFY(rowHeight(timeline, row) > oneRow);
    const int nextRow = row + 1 < timeline->model()->rowCount() ? row + 1 : -1;
    if (nextRow >= 0)
        QVERIFY(!timeline->visualRect(timeline->model()->index(row, 0))
                     .intersects(timeline->visualRect(timeline->model()->index(nextRow, 0))));
    // Fewer again: the row shrinks back.
    for (const QString &emoji : more)
        COMPARE_STATUS(react(cat, messageId, emoji, false), 200);
    QTRY_COMPARE_WITH_TIMEOUT(rowHeight(timeline, row), oneRow, 10000);

    // The README's picture: a few chips on a short conversation.
    m_http->sendText(cat.token, groupId, u"Me! I skipped lunch."_s);
    const QString last = m_http->sendText(ben.token, groupId, u"Fine, it's yours 🙂"_s);
    COMPARE_STATUS(react(cat, last, u"🙏"_s), 200);
    COMPARE_STATUS(react(ann, last, u"😂"_s), 200);
    COMPARE_STATUS(react(cat, last, u"😂"_s), 200);
    QTRY_COMPARE_WITH_TIMEOUT(modelReactions(model, last).size(), 2, 10000);
    saveScreenshot(client.window.get(), u"reactions"_s);
}

// A click on a chip adds the user's reaction (PUT) or takes it back (DELETE):
// shown at once, and so on the server.
void TestReactionsUi::clickingAChipTogglesMyReaction()
{
    const auto ann = m_http->newUser(u"Ann Click"_s);
    const auto ben = m_http->newUser(u"Ben Click"_s);
    const QString chatId = m_http->personalChat(ann.token, ben.id);
    const QString messageId = m_http->sendText(ben.token, chatId, u"Done with the report"_s);
    COMPARE_STATUS(react(ben, messageId, u"🎉"_s), 200);
    SignedIn client = signInWithChatOpen(m_server, ann, chatId, messageId);
    QVERIFY(client.window);
    TimelineView *timeline = client.window->timeline();
    MessageModel *model = client.session->messages(chatId);
    QCOMPARE(modelReactions(model, messageId), (QList<Reaction> { { u"🎉"_s, 1, false } }));

    QRect chip = chipRect(timeline, model->rowOfId(messageId), u"🎉"_s);
    QVERIFY(timeline->viewport()->rect().contains(chip));
    QTest::mouseClick(timeline->viewport(), Qt::LeftButton, {}, chip.center());
    // At once, before the server answers.
    QCOMPARE(modelReactions(model, messageId), (QList<Reaction> { { u"🎉"_s, 2, true } }));
    QTRY_COMPARE_WITH_TIMEOUT(
        serverReactions(ann, chatId, messageId), (QList<Reaction> { { u"🎉"_s, 2, true } }), 10000);

    chip = chipRect(timeline, model->rowOfId(messageId), u"🎉"_s);
    QTest::mouseClick(timeline->viewport(), Qt::LeftButton, {}, chip.center());
    QCOMPARE(modelReactions(model, messageId), (QList<Reaction> { { u"🎉"_s, 1, false } }));
    QTRY_COMPARE_WITH_TIMEOUT(
        serverReactions(ann, chatId, messageId), (QList<Reaction> { { u"🎉"_s, 1, false } }), 10000);
    // The echo of both changes leaves it so.
    COMPARE_STATUS(react(ben, messageId, u"👀"_s), 200);
    QTRY_COMPARE_WITH_TIMEOUT(modelReactions(model, messageId),
        (QList<Reaction> { { u"🎉"_s, 1, false }, { u"👀"_s, 1, false } }), 10000);
}

// A 21st emoji on a message is refused (409): the chip shown at once goes
// again, and the status bar says what the server said.
void TestReactionsUi::refusedReactionIsUndoneAndTheServersDetailShown()
{
    const auto ann = m_http->newUser(u"Ann Limit"_s);
    const auto ben = m_http->newUser(u"Ben Limit"_s);
    const QString chatId = m_http->personalChat(ann.token, ben.id);
    const QString messageId = m_http->sendText(ben.token, chatId, u"React to everything"_s);
    const QStringList emoji = ReactionPicker::moreEmoji();
    for (const QString &one : emoji.mid(0, 20))
        COMPARE_STATUS(react(ben, messageId, one), 200);
    const Reply refused = react(ben, messageId, emoji.at(20));
    COMPARE_STATUS(refused, 409);
    const QString detail = refused.object().value(u"detail"_s).toString();
    QVERIFY(!detail.isEmpty());

    SignedIn client = signInWithChatOpen(m_server, ann, chatId, messageId);
    QVERIFY(client.window);
    MessageModel *model = client.session->messages(chatId);
    QCOMPARE(modelReactions(model, messageId).size(), 20);
    QMenu *menu = openContextMenu(client.window->timeline(), model->rowOfId(messageId));
    QVERIFY(menu);
    QAction *more = findAction(menu, "React…");
    QVERIFY(more);
    menu->close();
    more->trigger();
    auto *picker = qobject_cast<ReactionPicker *>(QApplication::activePopupWidget());
    QVERIFY(picker);
    QToolButton *button = picker->buttons().at(20);
    QCOMPARE(button->text(), emoji.at(20));
    button->click();
    QVERIFY(!QApplication::activePopupWidget());
    QCOMPARE(modelReactions(model, messageId).size(), 21); // shown at once...
    QTRY_COMPARE_WITH_TIMEOUT(modelReactions(model, messageId).size(), 20, 10000); // ...undone
    QVERIFY(std::none_of(modelReactions(model, messageId).cbegin(),
        modelReactions(model, messageId).cend(), [](const Reaction &r) { return r.me; }));
    const QString shown = client.window->statusBar()->currentMessage();
    QVERIFY2(shown.contains(detail), qPrintable(shown));
    QCOMPARE(serverReactions(ann, chatId, messageId).size(), 20);
}

// Over the reaction rate (429): the click's change is undone, and the status
// bar says so as it does for every other 429 (the server's detail is English
// only, "try again in N s").
void TestReactionsUi::rateLimitedReactionIsUndoneAndTheServersDetailShown()
{
    TestServer limited;
    QVERIFY2(limited.start({ u"--reaction-rate"_s, u"0.01/3"_s }), qPrintable(limited.error()));
    HttpClient http(limited);
    const auto ann = http.newUser(u"Ann Rate"_s);
    const auto ben = http.newUser(u"Ben Rate"_s);
    const QString chatId = http.personalChat(ann.token, ben.id);
    const Reply sent = http.post(ApiPaths::chatsMessages.toString(),
        { { u"chat_id"_s, chatId }, { u"text"_s, u"Quick, quick"_s } }, ben.token);
    COMPARE_STATUS(sent, 200);
    const QString messageId = sent.object().value(u"id"_s).toString();
    // Ann spends her budget on another device.
    for (const auto &[emoji, add] : { std::pair { u"👍"_s, true }, std::pair { u"👍"_s, false },
             std::pair { u"❤️"_s, true } })
        COMPARE_STATUS(http.request(add ? "PUT" : "DELETE",
                           ApiPaths::messageReaction(messageId, emoji), {}, ann.token),
            200);

    SignedIn client = signIn(limited, ann);
    QVERIFY(client.window);
    QTRY_VERIFY_WITH_TIMEOUT(client.session->chats()->summary(chatId).has_value(), 10000);
    client.window->openChat(chatId);
    MessageModel *model = client.session->messages(chatId);
    QTRY_VERIFY_WITH_TIMEOUT(model->rowOfId(messageId) >= 0, 10000);
    QCOMPARE(modelReactions(model, messageId), (QList<Reaction> { { u"❤️"_s, 1, true } }));
    TimelineView *timeline = client.window->timeline();
    const QRect chip = chipRect(timeline, model->rowOfId(messageId), u"❤️"_s);
    QVERIFY(!chip.isNull());
    QTest::mouseClick(timeline->viewport(), Qt::LeftButton, {}, chip.center());
    QVERIFY(modelReactions(model, messageId).isEmpty()); // taken back at once...
    QTRY_COMPARE_WITH_TIMEOUT(modelReactions(model, messageId),
        (QList<Reaction> { { u"❤️"_s, 1, true } }), 10000); // ...and restored
    const QString shown = client.window->statusBar()->currentMessage();
    // As every other operation shows a 429: the app's own (translated) words.
    QCOMPARE(shown,
        ClientSession::tr("Reaction not saved: %1")
            .arg(ApiError { ApiError::Kind::Http, 429, u"too many"_s, {} }.message()));
}

// The server counts reactors without naming them: the tooltip says what the
// client knows (the other person in a personal chat, "You and N others" or
// "N people" in a group).
void TestReactionsUi::hoveringAChipNamesWhoReacted()
{
    const auto ann = m_http->newUser(u"Ann Hover"_s);
    const auto ben = m_http->newUser(u"Ben Hover"_s);
    const auto cat = m_http->newUser(u"Cat Hover"_s);
    const auto dan = m_http->newUser(u"Dan Hover"_s);
    const QString chatId = m_http->personalChat(ann.token, ben.id);
    const QString messageId = m_http->sendText(ben.token, chatId, u"Got the tickets"_s);
    COMPARE_STATUS(react(ben, messageId, u"🔥"_s), 200);
    const QString groupId = m_http->newGroup(ann, u"Hover group"_s, { ben.id, cat.id, dan.id });
    const QString groupMessageId = m_http->sendText(cat.token, groupId, u"Meeting moved to 3"_s);
    COMPARE_STATUS(react(ben, groupMessageId, u"👍"_s), 200);
    COMPARE_STATUS(react(cat, groupMessageId, u"👍"_s), 200);
    COMPARE_STATUS(react(ann, groupMessageId, u"👌"_s), 200);
    COMPARE_STATUS(react(dan, groupMessageId, u"👌"_s), 200);
    COMPARE_STATUS(react(cat, groupMessageId, u"👌"_s), 200);

    SignedIn client = signInWithChatOpen(m_server, ann, chatId, messageId);
    QVERIFY(client.window);
    TimelineView *timeline = client.window->timeline();
    MessageModel *model = client.session->messages(chatId);
    const auto hover = [timeline](int row, const QString &emoji) {
        const QRect chip = chipRect(timeline, row, emoji);
        QVERIFY(!chip.isNull());
        QHelpEvent help(
            QEvent::ToolTip, chip.center(), timeline->viewport()->mapToGlobal(chip.center()));
        QApplication::sendEvent(timeline->viewport(), &help);
    };
    hover(model->rowOfId(messageId), u"🔥"_s);
    QTRY_COMPARE(QToolTip::text(), u"🔥 Ben Hover"_s);
    QCOMPARE(model->reactorsText(messageId, u"🔥"_s), u"🔥 Ben Hover"_s);
    // In the language of the run (MESSENGER_SCREENSHOT_LANG); English checked below.
    const auto says = [](const QString &emoji, const char *who, int count = -1) -> QString {
        return emoji + u' ' + MessageModel::tr(who, nullptr, count);
    };
    COMPARE_STATUS(react(ann, messageId, u"🔥"_s), 200);
    QTRY_COMPARE_WITH_TIMEOUT(model->reactorsText(messageId, u"🔥"_s),
        says(u"🔥"_s, "You and %1").arg(u"Ben Hover"_s), 10000);
    hover(model->rowOfId(messageId), u"🔥"_s);
    QTRY_COMPARE(QToolTip::text(), says(u"🔥"_s, "You and %1").arg(u"Ben Hover"_s));

    client.window->openChat(groupId);
    MessageModel *group = client.session->messages(groupId);
    QTRY_VERIFY_WITH_TIMEOUT(group->rowOfId(groupMessageId) >= 0, 10000);
    QCOMPARE(group->reactorsText(groupMessageId, u"👍"_s), says(u"👍"_s, "%n person(s)", 2));
    QCOMPARE(group->reactorsText(groupMessageId, u"👌"_s), says(u"👌"_s, "You and %n other(s)", 2));
    if (QLocale().language() == QLocale::English) { // the plural forms are there
        QCOMPARE(group->reactorsText(groupMessageId, u"👍"_s), u"👍 2 people"_s);
        QCOMPARE(group->reactorsText(groupMessageId, u"👌"_s), u"👌 You and 2 others"_s);
    }
    hover(group->rowOfId(groupMessageId), u"👌"_s);
    QTRY_COMPARE(QToolTip::text(), says(u"👌"_s, "You and %n other(s)", 2));
    COMPARE_STATUS(react(ben, groupMessageId, u"👍"_s, false), 200);
    QTRY_COMPARE_WITH_TIMEOUT(
        group->reactorsText(groupMessageId, u"👍"_s), says(u"👍"_s, "%n person(s)", 1), 10000);
    COMPARE_STATUS(react(dan, groupMessageId, u"👌"_s, false), 200);
    COMPARE_STATUS(react(cat, groupMessageId, u"👌"_s, false), 200);
    QTRY_COMPARE_WITH_TIMEOUT(
        group->reactorsText(groupMessageId, u"👌"_s), says(u"👌"_s, "You"), 10000);
}

// The message menu starts with the six common emoji; "React…" opens a
// picker of more, which the keyboard works too.
void TestReactionsUi::menuQuickBarAndPickerReact()
{
    const auto ann = m_http->newUser(u"Ann Menu"_s);
    const auto ben = m_http->newUser(u"Ben Menu"_s);
    const QString chatId = m_http->personalChat(ann.token, ben.id);
    const QString messageId = m_http->sendText(ben.token, chatId, u"New haircut, thoughts?"_s);
    SignedIn client = signInWithChatOpen(m_server, ann, chatId, messageId);
    QVERIFY(client.window);
    TimelineView *timeline = client.window->timeline();
    MessageModel *model = client.session->messages(chatId);

    QMenu *menu = openContextMenu(timeline, model->rowOfId(messageId));
    QVERIFY(menu);
    ReactionPicker *bar = quickBarOf(menu);
    QVERIFY(bar);
    QVERIFY(qobject_cast<QWidgetAction *>(menu->actions().constFirst())); // the bar comes first
    QStringList shown;
    for (QToolButton *button : bar->buttons())
        shown.append(button->text());
    QCOMPARE(shown, (QStringList { u"👍"_s, u"❤️"_s, u"😂"_s, u"😮"_s, u"😢"_s, u"🙏"_s }));
    QVERIFY(findAction(menu, "React…"));
    QTest::mouseClick(bar->buttons().at(1), Qt::LeftButton);
    QTRY_VERIFY(!QApplication::activePopupWidget());
    QTRY_COMPARE_WITH_TIMEOUT(serverReactions(ann, chatId, messageId),
        (QList<Reaction> { { u"❤️"_s, 1, true } }), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(
        modelReactions(model, messageId), (QList<Reaction> { { u"❤️"_s, 1, true } }), 10000);

    // React…: the picker has the focus; Right then Enter picks the second.
    menu = openContextMenu(timeline, model->rowOfId(messageId));
    QVERIFY(menu);
    QAction *more = findAction(menu, "React…");
    QVERIFY(more);
    menu->close();
    more->trigger();
    auto *picker = qobject_cast<ReactionPicker *>(QApplication::activePopupWidget());
    QVERIFY(picker);
    QVERIFY(picker->buttons().size() >= 40);
    QTRY_VERIFY(picker->buttons().constFirst()->hasFocus());
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Right);
    QVERIFY(picker->buttons().at(1)->hasFocus());
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
    QTRY_VERIFY(!QApplication::activePopupWidget());
    const QString second = ReactionPicker::moreEmoji().at(1);
    QTRY_COMPARE_WITH_TIMEOUT(serverReactions(ann, chatId, messageId),
        (QList<Reaction> { { u"❤️"_s, 1, true }, { second, 1, true } }), 10000);

    // The same emoji from the bar again takes it back.
    menu = openContextMenu(timeline, model->rowOfId(messageId));
    QVERIFY(menu);
    QTest::mouseClick(quickBarOf(menu)->buttons().at(1), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(
        serverReactions(ann, chatId, messageId), (QList<Reaction> { { second, 1, true } }), 10000);
}

// The Menu key and Shift+F10 open the menu of the message on screen (the
// newest), reactions bar and all.
void TestReactionsUi::menuKeyAndShiftF10OpenTheMenuFromTheKeyboard()
{
    const auto ann = m_http->newUser(u"Ann Keys"_s);
    const auto ben = m_http->newUser(u"Ben Keys"_s);
    const QString chatId = m_http->personalChat(ann.token, ben.id);
    m_http->sendText(ben.token, chatId, u"First"_s);
    const QString messageId = m_http->sendText(ben.token, chatId, u"Second"_s);
    SignedIn client = signInWithChatOpen(m_server, ann, chatId, messageId);
    QVERIFY(client.window);
    TimelineView *timeline = client.window->timeline();
    timeline->setFocus(Qt::TabFocusReason);
    QTRY_VERIFY(timeline->hasFocus());

    for (const auto &[key, modifiers] : { std::pair { Qt::Key_Menu, Qt::NoModifier },
             std::pair { Qt::Key_F10, Qt::ShiftModifier } }) {
        QTest::keyClick(timeline, key, modifiers);
        auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
        QVERIFY(menu);
        QVERIFY(quickBarOf(menu));
        QAction *more = findAction(menu, "React…");
        QVERIFY(more);
        menu->close();
        if (modifiers == Qt::ShiftModifier) {
            // "React…" then the picker, from the keyboard alone: Enter takes the first.
            more->trigger();
            auto *picker = qobject_cast<ReactionPicker *>(QApplication::activePopupWidget());
            QVERIFY(picker);
            QTRY_VERIFY(picker->buttons().constFirst()->hasFocus());
            QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
            QTRY_COMPARE_WITH_TIMEOUT(serverReactions(ann, chatId, messageId),
                (QList<Reaction> { { ReactionPicker::moreEmoji().constFirst(), 1, true } }), 10000);
        }
    }
}

QTEST_MAIN(TestReactionsUi)
#include "tst_reactions_ui.moc"
