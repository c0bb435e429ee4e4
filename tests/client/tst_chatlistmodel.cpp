#include "client/models/ChatListModel.h"
#include "client/models/Presentation.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Messenger;
using namespace Messenger::Client;

namespace {
const User me { u"00000000-0000-4000-8000-0000000000aa"_s, u"me@x.io"_s, u"Me Myself"_s };
const User ann { u"00000000-0000-4000-8000-0000000000bb"_s, u"ann@x.io"_s, u"Ann Lee"_s };
const User bob { u"00000000-0000-4000-8000-0000000000cc"_s, u"bob@x.io"_s, u"Bob Stone"_s };

ChatSummary personal(const QString &id, const User &other, qint64 activity)
{
    ChatSummary summary;
    summary.chat.id = id;
    summary.chat.type = ChatType::Personal;
    summary.chat.members = { me, other };
    summary.chat.createdAt = activity;
    return summary;
}

ChatSummary group(const QString &id, const QString &name, qint64 activity)
{
    ChatSummary summary;
    summary.chat.id = id;
    summary.chat.type = ChatType::Group;
    summary.chat.name = name;
    summary.chat.members = { me, ann, bob };
    summary.chat.createdBy = me.id;
    summary.chat.createdAt = activity;
    return summary;
}

Message message(
    const QString &chatId, const User &sender, qint64 seq, qint64 timestamp, const QString &text)
{
    Message result;
    result.id = u"10000000-0000-4000-8000-%1"_s.arg(seq, 12, 10, QChar(u'0'));
    result.chatId = chatId;
    result.senderId = sender.id;
    result.sender = sender;
    result.text = text;
    result.seq = seq;
    result.chatSeq = seq;
    result.timestamp = timestamp;
    return result;
}

QStringList titles(const ChatListModel &model)
{
    QStringList result;
    for (int row = 0; row < model.rowCount(); ++row)
        result.append(model.index(row).data(ChatListModel::TitleRole).toString());
    return result;
}
} // namespace

class TestChatListModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void ordersByActivityAndNamesPersonalChatsAfterThePeer();
    void liveMessageMovesChatUpAndCountsUnread();
    void readAndDraftAndTyping();
    void upsertAndRemove();
    void groupChangesApplyInPlace();
    void chatListTimeFollowsTelegramRules_data();
    void chatListTimeFollowsTelegramRules();
    void initialsAndColours();
    void pendingMessageIsThePreviewUntilSettled();
};

void TestChatListModel::ordersByActivityAndNamesPersonalChatsAfterThePeer()
{
    ChatListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setCurrentUserId(me.id);
    auto withAnn = personal(u"c1"_s, ann, 100);
    withAnn.lastMessage = LastMessage::fromMessage(message(u"c1"_s, ann, 5, 500, u"hi"_s));
    model.resetChats({ withAnn, group(u"c2"_s, u"Team"_s, 300), personal(u"c3"_s, bob, 200) });
    QCOMPARE(titles(model), (QStringList { u"Ann Lee"_s, u"Team"_s, u"Bob Stone"_s }));
    QCOMPARE(model.index(0).data(ChatListModel::PreviewRole).toString(), u"hi"_s);
    // In personal chats the sender is not repeated; the avatar is the other person's.
    QCOMPARE(model.index(0).data(ChatListModel::PreviewSenderRole).toString(), QString());
    QCOMPARE(model.index(0).data(ChatListModel::AvatarIdRole).toString(), ann.id);
    QCOMPARE(model.index(1).data(ChatListModel::IsGroupRole).toBool(), true);
    QCOMPARE(model.newestSeq(), 5);
}

void TestChatListModel::liveMessageMovesChatUpAndCountsUnread()
{
    ChatListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setCurrentUserId(me.id);
    model.resetChats({ personal(u"c1"_s, ann, 300), personal(u"c2"_s, bob, 200),
        group(u"c3"_s, u"Team"_s, 100) });
    QSignalSpy moved(&model, &QAbstractItemModel::rowsMoved);
    QSignalSpy total(&model, &ChatListModel::unreadTotalChanged);

    model.applyMessage(message(u"c3"_s, bob, 10, 1000, u"line one\nline two"_s), true);
    QCOMPARE(titles(model), (QStringList { u"Team"_s, u"Ann Lee"_s, u"Bob Stone"_s }));
    QCOMPARE(moved.size(), 1);
    QCOMPARE(model.index(0).data(ChatListModel::UnreadCountRole).toLongLong(), 1);
    QCOMPARE(model.index(0).data(ChatListModel::PreviewRole).toString(), u"line one line two"_s);
    QCOMPARE(model.index(0).data(ChatListModel::PreviewSenderRole).toString(), u"Bob"_s);
    QCOMPARE(model.unreadTotal(), 1);
    QCOMPARE(total.size(), 1);

    // The same message again (a resume replays it) changes nothing.
    model.applyMessage(message(u"c3"_s, bob, 10, 1000, u"line one\nline two"_s), true);
    QCOMPARE(model.unreadTotal(), 1);

    // My own message: no unread, "You" in a group.
    model.applyMessage(message(u"c2"_s, me, 11, 1100, u"mine"_s), true);
    QCOMPARE(titles(model).first(), u"Bob Stone"_s);
    QCOMPARE(model.index(0).data(ChatListModel::UnreadCountRole).toLongLong(), 0);
    QCOMPARE(model.index(0).data(ChatListModel::LastMessageIsMineRole).toBool(), true);
    model.applyMessage(message(u"c3"_s, me, 12, 1200, u"mine too"_s), true);
    QCOMPARE(model.index(0).data(ChatListModel::PreviewSenderRole).toString(), u"You"_s);

    // A message for a chat the list does not have is ignored (its chat event comes first).
    model.applyMessage(message(u"unknown"_s, bob, 13, 1300, u"?"_s), true);
    QCOMPARE(model.rowCount(), 3);
}

void TestChatListModel::readAndDraftAndTyping()
{
    ChatListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setCurrentUserId(me.id);
    model.resetChats({ personal(u"c1"_s, ann, 100), group(u"c2"_s, u"Team"_s, 50) });
    model.applyMessage(message(u"c1"_s, ann, 1, 200, u"a"_s), true);
    model.applyMessage(message(u"c1"_s, ann, 2, 300, u"b"_s), true);
    QCOMPARE(model.unreadTotal(), 2);
    model.applyRead(u"c1"_s, me.id, 1, 1);
    QCOMPARE(model.unreadTotal(), 1);
    QCOMPARE(model.summary(u"c1"_s)->lastReadSeq, 1);

    // The other person read my message: the tick turns double.
    model.applyMessage(message(u"c1"_s, me, 3, 400, u"c"_s), true);
    QCOMPARE(model.index(0).data(ChatListModel::LastMessageReadRole).toBool(), false);
    model.applyRead(u"c1"_s, ann.id, 3, 0);
    QCOMPARE(model.index(0).data(ChatListModel::LastMessageReadRole).toBool(), true);

    model.setDraft(u"c2"_s, u"unsent words"_s);
    QCOMPARE(model.index(model.rowOf(u"c2"_s)).data(ChatListModel::DraftRole).toString(),
        u"unsent words"_s);
    // Drafts survive a reload of the list.
    model.resetChats({ personal(u"c1"_s, ann, 100), group(u"c2"_s, u"Team"_s, 50) });
    QCOMPARE(model.index(model.rowOf(u"c2"_s)).data(ChatListModel::DraftRole).toString(),
        u"unsent words"_s);

    // Shorter than the 6 s default, so the test need not wait for it.
    const std::chrono::milliseconds lifetime(200);
    model.setTypingLifetime(lifetime);
    QElapsedTimer shown;
    shown.start();
    model.showTyping(u"c2"_s, ann.id, ann.name);
    const QModelIndex team = model.index(model.rowOf(u"c2"_s));
    QCOMPARE(team.data(ChatListModel::TypingRole).toString(), u"Ann Lee is typing..."_s);
    model.showTyping(u"c2"_s, bob.id, bob.name);
    QCOMPARE(
        team.data(ChatListModel::TypingRole).toString(), u"Ann Lee and Bob Stone are typing..."_s);
    model.showTyping(u"c1"_s, ann.id, ann.name);
    QCOMPARE(model.index(model.rowOf(u"c1"_s)).data(ChatListModel::TypingRole).toString(),
        u"typing..."_s);
    // A message from a typist ends their notice; the rest expire by themselves.
    model.applyMessage(message(u"c2"_s, ann, 4, 500, u"done"_s), true);
    QCOMPARE(model.index(model.rowOf(u"c2"_s)).data(ChatListModel::TypingRole).toString(),
        u"Bob Stone is typing..."_s);
    QTRY_VERIFY_WITH_TIMEOUT(
        model.index(model.rowOf(u"c2"_s)).data(ChatListModel::TypingRole).toString().isEmpty(),
        10000);
    QVERIFY(shown.elapsed() >= lifetime.count());
    QTRY_VERIFY(
        model.index(model.rowOf(u"c1"_s)).data(ChatListModel::TypingRole).toString().isEmpty());
}

void TestChatListModel::upsertAndRemove()
{
    ChatListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setCurrentUserId(me.id);
    model.resetChats({ personal(u"c1"_s, ann, 100) });
    Chat team = group(u"c2"_s, u"Team"_s, 200).chat;
    model.upsertChat(team);
    QCOMPARE(titles(model), (QStringList { u"Team"_s, u"Ann Lee"_s }));
    team.name = u"Renamed"_s;
    model.upsertChat(team);
    QCOMPARE(titles(model), (QStringList { u"Renamed"_s, u"Ann Lee"_s }));
    // An old chat I was just added to sorts by its activity, not on top.
    model.upsertChat(group(u"c3"_s, u"Old"_s, 10).chat);
    QCOMPARE(titles(model).last(), u"Old"_s);
    model.removeChat(u"c2"_s);
    QCOMPARE(titles(model), (QStringList { u"Ann Lee"_s, u"Old"_s }));
}

// The members_added, chat_renamed and member_left events carry only what
// changed; the list applies them to the chat it has, and says when it has none.
void TestChatListModel::groupChangesApplyInPlace()
{
    ChatListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setCurrentUserId(me.id);
    model.resetChats({ group(u"c2"_s, u"Team"_s, 200) });
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QVERIFY(model.applyRenamed({ u"c2"_s, u"Renamed"_s }));
    QCOMPARE(titles(model), (QStringList { u"Renamed"_s }));
    const User cat { u"00000000-0000-4000-8000-0000000000dd"_s, u"cat@x.io"_s, u"Cat Ray"_s };
    // Twice: an event seen again (a resume) adds nobody twice.
    QVERIFY(model.applyMembersAdded({ u"c2"_s, { cat, ann } }));
    QVERIFY(model.applyMembersAdded({ u"c2"_s, { cat } }));
    QCOMPARE(model.summary(u"c2"_s)->chat.members, (QList<User> { me, ann, bob, cat }));
    model.applyMemberLeft(u"c2"_s, bob.id);
    QCOMPARE(model.summary(u"c2"_s)->chat.members, (QList<User> { me, ann, cat }));
    QCOMPARE(changed.size(), 4);
    // A chat the list does not have: nothing changes, the caller fetches it.
    QVERIFY(!model.applyRenamed({ u"c9"_s, u"Unknown"_s }));
    QVERIFY(!model.applyMembersAdded({ u"c9"_s, { cat } }));
    QCOMPARE(model.rowCount(), 1);
}

void TestChatListModel::chatListTimeFollowsTelegramRules_data()
{
    QTest::addColumn<QDateTime>("when");
    QTest::addColumn<QString>("expected");
    const QDateTime now(QDate(2026, 11, 24), QTime(9, 30));
    const QLocale c(QLocale::English, QLocale::UnitedKingdom);
    QTest::addRow("today") << QDateTime(QDate(2026, 11, 24), QTime(8, 5)) << u"08:05"_s;
    QTest::addRow("yesterday evening, within 20 h")
        << QDateTime(QDate(2026, 11, 23), QTime(18, 0)) << u"18:00"_s;
    QTest::addRow("yesterday morning, over 20 h")
        << QDateTime(QDate(2026, 11, 23), QTime(9, 0)) << c.dayName(1, QLocale::ShortFormat);
    QTest::addRow("within the week")
        << QDateTime(QDate(2026, 11, 19), QTime(12, 0)) << c.dayName(4, QLocale::ShortFormat);
    QTest::addRow("older") << QDateTime(QDate(2026, 11, 10), QTime(12, 0))
                           << c.toString(QDate(2026, 11, 10), QLocale::ShortFormat);
}

void TestChatListModel::chatListTimeFollowsTelegramRules()
{
    QFETCH(QDateTime, when);
    QFETCH(QString, expected);
    const QDateTime now(QDate(2026, 11, 24), QTime(9, 30));
    QCOMPARE(
        Presentation::chatListTime(when, now, QLocale(QLocale::English, QLocale::UnitedKingdom)),
        expected);
}

void TestChatListModel::initialsAndColours()
{
    QCOMPARE(Presentation::initials(u"Ann Lee"_s), u"AL"_s);
    QCOMPARE(Presentation::initials(u"cher"_s), u"C"_s);
    QCOMPARE(Presentation::initials(u"  "_s), u"?"_s);
    QCOMPARE(Presentation::initials(u"Анна Мария Ли"_s), u"АМ"_s);
    QCOMPARE(Presentation::avatarColor(ann.id), Presentation::avatarColor(ann.id));
}

// What I just wrote is the preview at once (with a clock) and brings the chat
// to the top; once the server has it, the stored message takes over.
void TestChatListModel::pendingMessageIsThePreviewUntilSettled()
{
    ChatListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setCurrentUserId(me.id);
    model.resetChats({ personal(u"c1"_s, ann, 300), group(u"c2"_s, u"Team"_s, 200) });
    model.applyMessage(message(u"c2"_s, bob, 10, 250, u"from Bob"_s), false);
    QCOMPARE(titles(model).first(), u"Ann Lee"_s);

    model.addPending(u"c2"_s, u"on its\nway"_s);
    QCOMPARE(titles(model).first(), u"Team"_s);
    const QModelIndex team = model.index(0);
    QCOMPARE(team.data(ChatListModel::PreviewRole).toString(), u"on its way"_s);
    QCOMPARE(team.data(ChatListModel::PreviewSenderRole).toString(), u"You"_s);
    QVERIFY(team.data(ChatListModel::LastMessagePendingRole).toBool());
    QVERIFY(team.data(ChatListModel::LastMessageIsMineRole).toBool());

    // Acknowledged: settled, and the stored message is the preview.
    model.settlePending(u"c2"_s);
    model.applyMessage(message(u"c2"_s, me, 11, 400, u"on its\nway"_s), false);
    QVERIFY(!model.index(0).data(ChatListModel::LastMessagePendingRole).toBool());
    QCOMPARE(model.index(0).data(ChatListModel::PreviewRole).toString(), u"on its way"_s);

    // Refused: settled, and the preview goes back to what the server has.
    model.addPending(u"c2"_s, u"too long"_s);
    model.settlePending(u"c2"_s);
    QCOMPARE(model.index(0).data(ChatListModel::PreviewRole).toString(), u"on its way"_s);
    QVERIFY(!model.index(0).data(ChatListModel::LastMessagePendingRole).toBool());
    model.settlePending(u"c2"_s); // nothing pending: no effect
    QVERIFY(!model.index(0).data(ChatListModel::LastMessagePendingRole).toBool());

    // A full reload (a reconnect) while a message is on its way keeps it as
    // the preview, on top, until it settles.
    model.addPending(u"c1"_s, u"still going"_s);
    model.resetChats({ personal(u"c1"_s, ann, 300), group(u"c2"_s, u"Team"_s, 400) });
    QCOMPARE(titles(model).first(), u"Ann Lee"_s);
    QCOMPARE(model.index(0).data(ChatListModel::PreviewRole).toString(), u"still going"_s);
    QVERIFY(model.index(0).data(ChatListModel::LastMessagePendingRole).toBool());
    model.settlePending(u"c1"_s);
    QVERIFY(
        !model.index(model.rowOf(u"c1"_s)).data(ChatListModel::LastMessagePendingRole).toBool());
}

QTEST_MAIN(TestChatListModel)
#include "tst_chatlistmodel.moc"
