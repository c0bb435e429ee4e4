// Client rendering figures for the README (not a test: nothing is asserted).
// Run: build/ci/tests/client/bench_client (QT_QPA_PLATFORM=offscreen works).
#include "client/models/ChatListModel.h"
#include "client/models/MessageModel.h"
#include "client/ui/ChatListDelegate.h"
#include "client/ui/TimelineView.h"

#include <QListView>
#include <QScrollBar>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Messenger;
using namespace Messenger::Client;

namespace {
const QString me = u"00000000-0000-4000-8000-00000000000a"_s;

QList<ChatSummary> chats(int count)
{
    QList<ChatSummary> result;
    for (int i = 0; i < count; ++i) {
        ChatSummary summary;
        summary.chat.id = u"00000000-0000-4000-8000-%1"_s.arg(i, 12, 10, QChar(u'0'));
        summary.chat.type = i % 3 ? ChatType::Personal : ChatType::Group;
        summary.chat.name = u"Group number %1"_s.arg(i);
        summary.chat.members = { { me, u"me@x.io"_s, u"Me"_s },
            { summary.chat.id, u"p@x.io"_s, u"Person Number %1"_s.arg(i) } };
        LastMessage last;
        last.id = summary.chat.id;
        last.senderId = summary.chat.id;
        last.senderName = u"Person Number %1"_s.arg(i);
        last.text
            = u"The last thing said in chat %1, long enough to be elided in the list"_s.arg(i);
        last.timestamp = (QDateTime::currentMSecsSinceEpoch() - qint64(i) * 3600'000) * 1000;
        last.seq = 100000 - i;
        summary.lastMessage = last;
        summary.unreadCount = i % 5;
        result.append(summary);
    }
    return result;
}
} // namespace

class BenchClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void chatListOf1000AppearsOnScreen();
    void timelineOf10000FirstPaint();
    void timelineOf10000ScrollFrame();
    void timelineOf10000LiveMessage();

private:
    void fillTimeline(MessageModel &model, int count)
    {
        for (int i = 1; i <= count; ++i) {
            Message message;
            message.id = u"10000000-0000-4000-8000-%1"_s.arg(i, 12, 10, QChar(u'0'));
            message.chatId = u"chat"_s;
            message.senderId = i % 3 ? me : u"other"_s;
            message.sender.name = u"Other Person"_s;
            message.text = i % 7 ? u"Message number %1"_s.arg(i)
                                 : u"A longer message %1 that wraps over a few lines in the "
                                   "timeline, with a link https://example.com/%1 in it"_s.arg(i);
            message.timestamp
                = (QDateTime::currentMSecsSinceEpoch() - qint64(count - i) * 60'000) * 1000;
            message.seq = i;
            message.chatSeq = i;
            model.applyMessage(message);
        }
    }
};

void BenchClient::chatListOf1000AppearsOnScreen()
{
    const auto list = chats(1000);
    QListView view;
    view.setItemDelegate(new ChatListDelegate(nullptr, &view));
    view.setUniformItemSizes(true);
    view.resize(320, 720);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QBENCHMARK
    {
        ChatListModel model;
        model.setCurrentUserId(me);
        view.setModel(&model);
        model.resetChats(list); // the list has arrived...
        view.grab(); // ...and is laid out and painted
        view.setModel(nullptr);
    }
}

void BenchClient::timelineOf10000FirstPaint()
{
    MessageModel model(nullptr, u"chat"_s, me, true);
    fillTimeline(model, 10000);
    QBENCHMARK
    {
        TimelineView view;
        view.resize(680, 720);
        view.setMessageModel(&model);
        view.show();
        view.scrollToRowOrBottom(-1);
        view.grab();
    }
}

void BenchClient::timelineOf10000ScrollFrame()
{
    MessageModel model(nullptr, u"chat"_s, me, true);
    fillTimeline(model, 10000);
    TimelineView view;
    view.resize(680, 720);
    view.setMessageModel(&model);
    view.show();
    view.scrollToRowOrBottom(-1);
    view.grab();
    QScrollBar *bar = view.verticalScrollBar();
    QBENCHMARK
    { // one frame of scrolling up by a wheel step
        bar->setValue(bar->value() > 200 ? bar->value() - 120 : bar->maximum());
        view.grab();
    }
}

void BenchClient::timelineOf10000LiveMessage()
{
    MessageModel model(nullptr, u"chat"_s, me, true);
    fillTimeline(model, 10000);
    TimelineView view;
    view.resize(680, 720);
    view.setMessageModel(&model);
    view.show();
    view.scrollToRowOrBottom(-1);
    view.grab();
    qint64 seq = 10000;
    QBENCHMARK
    { // a live message arrives and is shown at the bottom
        Message message = model.messageAt(model.rowCount() - 1);
        ++seq;
        message.id = u"20000000-0000-4000-8000-%1"_s.arg(seq, 12, 10, QChar(u'0'));
        message.seq = seq;
        message.chatSeq = seq;
        model.applyMessage(message);
        view.grab();
    }
}

QTEST_MAIN(BenchClient)
#include "bench_client.moc"
