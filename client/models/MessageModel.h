#pragma once

#include "client/api/ApiResult.h"
#include "shared/Events.h"
#include "shared/Requests.h"
#include "shared/Search.h"

#include <QAbstractListModel>
#include <QPointer>
#include <QSet>
#include <QTimer>

#include <functional>

namespace Messenger::Client {

class ApiClient;

// One chat's timeline, oldest first, in the server's `seq` order (never the
// local clock). Older history is paged in through canFetchMore()/fetchMore()
// with keyset cursors, newer (a chat opened at its first unread message)
// through fetchNewer(); live messages are inserted where their seq belongs; a
// hole in `chat_seq` waits briefly, then exactly the missing range is fetched.
// Messages the user sent and the server has not acknowledged yet stay at the
// bottom as pending.
class MessageModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Roles {
        IdRole = Qt::UserRole + 1,
        TextRole,
        SenderIdRole,
        SenderNameRole,
        TimeRole, // QDateTime, local
        IsMineRole,
        DeliveryRole, // Delivery
        EditedRole,
        DeletedRole,
        SeqRole,
        ChatSeqRole,
        ShowSenderRole, // a group message that starts a run of one sender's messages
        DaySeparatorRole, // the day's title when this message starts a new day, else empty
        ClientIdRole,
        // Changes whenever anything that affects the row's size changes:
        // views cache layouts against it instead of re-measuring every row.
        LayoutStampRole,
        // Why the server refused a Failed message (its `detail`), else empty.
        FailureReasonRole,
        // True for the message the "Unread messages" divider sits above.
        UnreadDividerRole,
        // True for a service line ("Group created", "Bob joined the group"):
        // TextRole says it, it has no id, sender or delivery.
        ServiceRole,
        // The message this one answers, as it is now (empty id: none).
        ReplyToIdRole,
        ReplySenderNameRole,
        ReplyTextRole, // the start of its text, empty once deleted
        ReplyDeletedRole,
        // QList<Messenger::Reaction>: the chips under the bubble, in order.
        ReactionsRole,
        // Who wrote a forwarded copy first ("Forwarded from …"); empty when not forwarded.
        ForwardedFromNameRole,
        // QStringList: the ids of the members the message mentions.
        MentionsRole,
        // QList<Messenger::TextRange>: where the text names them ("@Bob
        // Stone", by each one's current name), for the bubble to colour.
        MentionRangesRole,
        // The message mentions the user (and is someone else's).
        MentionsMeRole,
        // QList<Messenger::Attachment>: the files it carries (none once
        // deleted). While the user's own send uploads them they have no id
        // yet, and LocalFilesRole names the files on this machine.
        AttachmentsRole,
        LocalFilesRole,
        // How much of a pending send's files has gone up, 0 to 1; -1 when
        // nothing is uploading.
        UploadProgressRole,
    };
    Q_ENUM(Roles)
    enum class Delivery { Pending, Failed, Sent, Read };
    Q_ENUM(Delivery)

    MessageModel(ApiClient *api, const QString &chatId, const QString &currentUserId, bool isGroup,
        QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    QString chatId() const { return m_chatId; }
    void setGroup(bool isGroup);
    // When the group was created (as Chat::createdAt): once the oldest page
    // is loaded, a "Group created" line heads the timeline.
    void setCreatedAt(qint64 createdAt);
    // Loads the newest page or, given the read cursor, a page from the first
    // unread message on and one of what was read before it; initialLoaded()
    // follows.
    void load(std::optional<qint64> lastReadSeq = std::nullopt);
    bool isLoaded() const { return m_loaded; }
    // Shows what the local cache kept of this chat at once (initialLoaded()
    // follows when there is any); load() then merges in what the server has.
    void showCached(const QList<Messenger::Message> &messages);
    bool isLoadingOlder() const { return m_loadingOlder; }
    // Whether the chat's newest message is loaded; until it is, the next
    // newer page comes with fetchNewer() and live messages wait for it.
    bool isAtEnd() const { return m_atEnd; }
    bool canFetchNewer() const;
    void fetchNewer();

    // Live events for this chat.
    void applyMessage(const Messenger::Message &message);
    void applyEdited(const Messenger::Message &message);
    void applyDeleted(const QString &messageId);
    // A `message_reactions` event: the message's reactions now. `me` stays
    // what it was, unless the one who reacted is the user.
    void applyReactions(const Messenger::MessageReactions &changed);
    // The server's answer to the user's own reaction (its `me` is right).
    void setReactions(const QString &messageId, const QList<Messenger::Reaction> &reactions);
    // The user's reaction added (or taken back) here before the server
    // answers, or undone when it refuses; false if there is nothing to change.
    bool applyOwnReaction(const QString &messageId, const QString &emoji, bool add);
    // Who reacted with `emoji` to `messageId`, as far as the client knows
    // (the server counts reactors without naming them): "You and Ann" in a
    // personal chat, "You and 2 others" or "3 people" in a group.
    QString reactorsText(const QString &messageId, const QString &emoji) const;
    // The other member of a personal chat (reactorsText() names them).
    void setPeer(const Messenger::User &peer) { m_peer = peer; }
    // The chat's members, by whose names mentions are found in the text.
    // Former members stay known: older messages still mention them.
    void setMembers(const QList<Messenger::User> &members);
    // Jumps to a message that is not loaded: the timeline is replaced by the
    // page around it (newer pages follow with fetchNewer(), older ones with
    // fetchMore()); aroundLoaded() follows, or loadFailed(). A known `seq`
    // (a search result's) saves looking for it.
    void loadAroundMessage(const QString &messageId, qint64 seq = 0);
    // Everyone else has read up to `seq`: my messages up to it get the double tick.
    void applyReadByAll(qint64 seq);
    // Someone in a group read something: ask the server (shortly, once for a
    // burst) which of my messages everyone has now read.
    void refreshReadState();
    // Group changes as they happen, shown as centered service lines after the
    // newest message. The server stores no service messages: these lines are
    // the client's own, from the live events, and are gone when the timeline
    // is loaded again (only "Group created" comes back, from the chat).
    void applyRenamed(const QString &name);
    void applyMembersAdded(const QStringList &names);
    void applyMemberLeft(const QString &name);
    // A sender's new name, on every bubble of theirs.
    void applyUserUpdated(const Messenger::User &user);

    // The user's own sends, before and after the server's answer.
    // `attachments`: what a send with files will carry (no ids yet), and
    // `localFiles` the files they are.
    void addPending(const QString &clientId, const QString &text,
        const std::optional<Messenger::ReplyPreview> &replyTo = std::nullopt,
        const QStringList &mentions = {}, const QList<Messenger::Attachment> &attachments = {},
        const QStringList &localFiles = {});
    void setUploadProgress(const QString &clientId, double progress);
    // Removes a send that will not go (its upload was canceled).
    void discardPending(const QString &clientId);
    void acknowledge(const QString &clientId, const Messenger::Message &message);
    // The server refused it for `reason`: it stays, marked, and is not resent.
    void markFailed(const QString &clientId, const QString &reason);
    // Removes a failed message from this timeline (it never reached the server).
    void discardFailed(const QString &clientId);

    // Finds what pages and live events brought, for tests and the view.
    int rowOfId(const QString &messageId) const;
    int rowOfClientId(const QString &clientId) const;
    Messenger::Message messageAt(int row) const;
    // Every message the server has, oldest first (not the ones on their way).
    QList<Messenger::Message> settledMessages() const;
    // The first message newer than `lastReadSeq` that someone else sent, or -1.
    int firstUnreadRow(qint64 lastReadSeq) const;
    // Messages from others newer than `seq` that are loaded (the unread count
    // after the user has read up to `seq`).
    qint64 countFromOthersAfter(qint64 seq) const;
    // Of those, the ones that mention the user (the chat list's `@` badge).
    qint64 countMentionsAfter(qint64 seq) const;
    // Where `text` names the members in `mentionIds`: each `@Name` of their
    // current name (Presentation::mentionRanges).
    QList<Messenger::TextRange> mentionRanges(
        const QString &text, const QStringList &mentionIds) const;
    qint64 newestSeq() const;
    // Puts the "Unread messages" divider above the first message from someone
    // else newer than `lastReadSeq` (none when there is no such message). It
    // stays there while the user reads on, until set again.
    void showUnreadDivider(qint64 lastReadSeq);
    // The divider's row, or -1.
    int unreadDividerRow() const;

Q_SIGNALS:
    void initialLoaded();
    void olderLoaded(int count);
    void newerLoaded(int count);
    // loadAroundMessage() has put the page around `messageId` in place.
    void aroundLoaded(const QString &messageId);
    void loadFailed(const QString &message);

private:
    struct Item
    {
        Item() = default;
        Item(const Messenger::Message &m, Delivery d, const QString &pendingId = {});
        Messenger::Message message;
        Delivery delivery = Delivery::Sent;
        QString clientId; // set while pending or failed
        QString failureReason; // set when failed
        QStringList localFiles; // a pending send's files, on this machine
        double uploadProgress = -1; // while they go up
        QDate day; // local date, computed once: separators compare it for every row
        quint32 revision = 0; // bumped by edits and deletions
        bool service = false; // a service line; `message` has its text, time and place (seq)
    };
    // Adds a service line after the newest message (`atStart`: before everything).
    void addServiceLine(const QString &text, qint64 timestamp, bool atStart = false);
    void addCreatedLine();
    bool startsDay(int row) const;
    bool startsRun(int row) const;
    void loadNewest();
    void loadAround(qint64 lastReadSeq);
    void finishInitialLoad(const ApiResult<Messenger::HistoryPage> &result);
    void insertSorted(const QList<Messenger::Message> &messages);
    void replaceAt(int row, const Messenger::Message &message);
    // Applies `change` to the quote of every reply to `messageId`.
    void updateQuotesOf(
        const QString &messageId, const std::function<void(Messenger::ReplyPreview &)> &change);
    // Finds the seq of `messageId`, older than `beforeSeq`, a page at a time.
    void locateAndLoadAround(const QString &messageId, qint64 beforeSeq);
    void replaceWithPageAround(const QString &messageId, qint64 seq);
    int pendingStart() const;
    void scheduleGapCheck();
    void fillGap();
    void advanceContiguous();
    bool isMine(const Messenger::Message &message) const
    {
        return !message.senderId.isEmpty() && message.senderId == m_userId;
    }
    bool isUnreadDivider(const Messenger::Message &message) const
    {
        return !m_unreadDividerId.isEmpty() && message.id == m_unreadDividerId;
    }
    Delivery deliveryOf(const Messenger::Message &message) const;

    QPointer<ApiClient> m_api;
    QString m_chatId;
    QString m_userId;
    bool m_group = false;
    Messenger::User m_peer;
    QHash<QString, QString> m_memberNames; // id → name
    QList<Item> m_items;
    QSet<QString> m_ids;
    QSet<qint64> m_chatSeqs;
    qint64 m_contiguousUpTo = 0; // every chat_seq from the loaded oldest up to this is here
    qint64 m_readByAllUpTo = 0;
    QString m_unreadDividerId; // the message the divider sits above
    qint64 m_createdAt = 0;
    bool m_createdShown = false;
    bool m_loaded = false;
    bool m_loadingInitial = false;
    bool m_loadingOlder = false;
    bool m_atStart = false;
    bool m_atEnd = true;
    bool m_loadingNewer = false;
    bool m_fillingGap = false;
    // Bumped when loadAroundMessage() replaces the timeline: pages asked for
    // before then do not belong in it.
    quint64 m_generation = 0;
    QString m_loadingAroundId; // the message loadAroundMessage() is looking for
    QTimer m_gapTimer;
    QTimer m_readStateTimer;
};

} // namespace Messenger::Client
