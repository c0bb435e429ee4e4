#pragma once

#include "shared/Chat.h"

#include <QAbstractListModel>
#include <QDeadlineTimer>
#include <QSet>
#include <QTimer>

namespace Messenger::Client {

// The user's chats, latest activity first, kept current by live events. Rows
// carry everything the chat-list delegate paints; filtering by name is done by
// a QSortFilterProxyModel on TitleRole.
class ChatListModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(qint64 unreadTotal READ unreadTotal NOTIFY unreadTotalChanged)
public:
    enum Roles {
        ChatIdRole = Qt::UserRole + 1,
        TitleRole, // the group's name, or the other person's name
        IsGroupRole,
        AvatarIdRole, // whose colour: the other person in a personal chat
        // The photo: a group's, or the other person's in a personal chat
        // (User/Chat avatarUrl); empty when there is none.
        AvatarUrlRole,
        PreviewRole, // the last message's text (or "Message deleted")
        PreviewSenderRole, // "You" / the sender's first name in groups; empty otherwise
        ActivityTimeRole, // QDateTime, local: last message or creation
        UnreadCountRole,
        DraftRole,
        TypingRole, // "Alice is typing..." while it lasts, otherwise empty
        LastMessageIsMineRole,
        LastMessageReadRole, // my last message was read by everyone
        LastMessagePendingRole, // my last message is still on its way (preview shows it)
        MemberCountRole,
        // Set only on rows of ChatSearchModel's people section: the person
        // found (no chat with them yet); such rows have no ChatIdRole.
        PersonIdRole,
        // A personal chat whose other person is online (the avatar's dot).
        OnlineRole,
        // The user's own settings of the chat (ChatSettings).
        MutedRole, // muted now: no notifications, a grey badge
        PinnedRole, // pinned: on top of the list, in pin order
        ArchivedRole, // in the archive, not the main list
        MarkedUnreadRole, // marked unread by the user
        UnreadMentionsRole, // unread messages that mention the user (the `@` badge)
    };
    Q_ENUM(Roles)

    explicit ChatListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    void setCurrentUserId(const QString &userId);
    QString currentUserId() const { return m_userId; }

    // Replaces everything (the answer of GET /chats/with-last-message).
    void resetChats(const QList<Messenger::ChatSummary> &chats);
    // A new chat, or a chat as the server has it now.
    void upsertChat(const Messenger::Chat &chat);
    // A group's new name (the `chat_renamed` event); false when the chat is
    // not listed.
    bool applyRenamed(const Messenger::ChatRenamed &renamed);
    // The chat's pinned message now (none: unpinned); false if the chat is not listed.
    bool applyPinned(const Messenger::ChatPinned &pinned);
    // A group's photo was set or removed; false when the chat is not listed.
    bool applyPhotoChanged(const Messenger::ChatUpdated &photo);
    // Members who joined a group (the `members_added` event); false when the
    // chat is not listed, e.g. when the user is the one added: then the
    // caller fetches the whole chat.
    bool applyMembersAdded(const Messenger::MembersAdded &added);
    // A member left or was removed (the `member_left` event).
    void applyMemberLeft(const QString &chatId, const QString &userId);
    // The user's own settings of a chat changed: pinned chats move to the
    // top (in pin order), unpinned ones back to their place by activity.
    void applySettings(const QString &chatId, const Messenger::ChatSettings &settings);
    // The pinned chats, in their order (all of them, archived ones too).
    QStringList pinnedChatIds() const;
    // Archived chats: how many, and how many of them have something unread.
    int archivedCount() const;
    int archivedUnreadCount() const;
    // A member's new name, in every chat they are in (personal chats' titles with it).
    void applyUserUpdated(const Messenger::User &user);
    void removeChat(const QString &chatId);
    // A message arrived live: new preview, moves the chat up, counts unread.
    // `countAsUnread` is false when the user is looking at that chat.
    void applyMessage(const Messenger::Message &message, bool countAsUnread);
    void applyEdited(const Messenger::Message &message);
    void applyDeleted(const QString &chatId, const QString &messageId);
    // Someone's read cursor moved. Mine: `unreadLeft` is what remains unread,
    // and `mentionsLeft` how many of those mention me (when not known: none
    // if nothing is left, otherwise at most what is left).
    void applyRead(const QString &chatId, const QString &userId, qint64 seq, qint64 unreadLeft,
        std::optional<qint64> mentionsLeft = std::nullopt);
    void setDraft(const QString &chatId, const QString &draft);
    // A message of mine was just written: until the server has it, the
    // preview shows it (with a clock) and the chat moves to the top.
    void addPending(const QString &chatId, const QString &text);
    // One of them was acknowledged (its message then comes by applyMessage)
    // or refused.
    void settlePending(const QString &chatId);
    void showTyping(const QString &chatId, const QString &userId, const QString &name);
    // Whether `userId` is online (presence), for the personal chat with them.
    void setOnline(const QString &userId, bool online);
    // How long a typing notice lasts without a fresh one; for notices shown after the call.
    void setTypingLifetime(std::chrono::milliseconds lifetime) { m_typingLifetime = lifetime; }

    int rowOf(const QString &chatId) const;
    // The id of the personal chat with `userId`, empty when there is none.
    QString personalChatWith(const QString &userId) const;
    std::optional<Messenger::ChatSummary> summary(const QString &chatId) const;
    QString title(const QString &chatId) const;
    qint64 unreadTotal() const;
    // The newest seq the list knows of, a safe resume point for the socket.
    qint64 newestSeq() const;

Q_SIGNALS:
    void unreadTotalChanged(qint64 total);

private:
    struct Row
    {
        Messenger::ChatSummary summary;
        QString draft;
        struct Typist
        {
            QString userId;
            QString name;
            QDeadlineTimer until;
        };
        QList<Typist> typists;
        int pendingCount = 0;
        QString pendingText; // the newest of them
        qint64 pendingAt = 0; // when it was written, as timestamps are
    };
    QString titleOf(const Row &row) const;
    // The other person of a personal chat; empty for a group.
    QString otherPersonOf(const Row &row) const;
    QString avatarUrlOf(const Row &row) const;
    qint64 activityOf(const Row &row) const;
    // The list's order: pinned chats first by position, then by activity.
    bool ranksBefore(const Row &a, const Row &b) const;
    static ChatSettings settingsOf(const Row &row);
    // Moves the row at `row` up or down to where it belongs (ranksBefore).
    void reposition(int row);
    void changed(int row, const QList<int> &roles = {});
    void expireTyping();
    void updateUnreadTotal();

    QString m_userId;
    QList<Row> m_rows;
    QSet<QString> m_online; // users shown online
    QTimer m_typingExpiry;
    // Clients repeat typing every 3 s, so a notice lasts 6 s without a fresh one.
    std::chrono::milliseconds m_typingLifetime { 6000 };
    qint64 m_unreadTotal = 0;
};

} // namespace Messenger::Client
