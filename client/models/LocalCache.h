#pragma once

#include "shared/Chat.h"
#include "shared/Message.h"
#include "shared/User.h"

#include <QFuture>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <functional>

class QSqlDatabase;
class QThread;

namespace Messenger::Client {

// One account's data on this machine, so the app starts and shows chats and
// history without the server: the user, the chat list (with previews, unread
// counts and read positions), the newest messages of each opened chat, the
// drafts, and what the user did offline that the server has not taken yet
// (sends, edits, deletions). One SQLite file per account; rows are the DTOs'
// own JSON, not a column per field.
//
// All database work runs on one thread of the cache's own, with its own
// connection: the GUI never waits for a disk write, and because that thread
// takes the work in the order it was asked for, a read always sees every
// write made before it. Writes are collected for a moment and committed as
// one transaction (a burst of live events is one commit). Reads that the
// window needs before it can paint (the account at start, a chat being
// opened) wait for their answer; they are bounded by the limits below.
class LocalCache : public QObject
{
    Q_OBJECT
public:
    // Something done offline that the server has yet to take, oldest first.
    struct PendingOperation
    {
        // Read: the user's read cursor, one per chat (a newer one replaces it).
        // React / Unreact: the user's own reaction (`text` is the emoji) added
        // or taken back, one per message and emoji (the last one counts).
        // Failed: a send the server refused, kept (with its client_id as the
        // key) so it still shows, marked, for Retry or Delete after a restart.
        // Stored as numbers: new kinds go at the end.
        enum class Kind { Send, Edit, Delete, Read, React, Unreact, Failed };
        Kind kind = Kind::Send;
        // The send's client_id; a generated id for edits and deletes; readKey() for reads.
        QString key;
        QString chatId;
        // Edits, deletes, reads and reactions: the message acted on; sends:
        // the one it answers (empty when none).
        QString messageId;
        QString text; // sends and edits; reactions: the emoji
        // Sends: the members the text mentions.
        QStringList mentions = {};
        // Sends with files: each file on this machine, the upload it is
        // becoming on the server (once created), and the file id once it is
        // up. A restart carries on with the uploads, then sends.
        struct File
        {
            QString localPath;
            QString uploadPath;
            QString fileId;
            bool operator==(const File &) const = default;
        };
        QList<File> files = {};
        bool operator==(const PendingOperation &) const = default;
    };
    static QString readKey(const QString &chatId) { return u"read:" + chatId; }
    static QString reactionKey(const QString &messageId, const QString &emoji)
    {
        return u"reaction:" + messageId + u':' + emoji;
    }
    // What a start shows before the server answers.
    struct Account
    {
        std::optional<Messenger::User> user;
        QList<Messenger::ChatSummary> chats;
        QHash<QString, QString> drafts;
        QList<PendingOperation> pending;
    };

    // Opens (creating) the file at `path`.
    explicit LocalCache(const QString &path, QObject *parent = nullptr);
    // Commits what is still waiting, then closes the file.
    ~LocalCache() override;

    // Where the cache of `userId` on `serverUrl` lives: one file per account
    // under the app's local data folder.
    static QString pathFor(const QString &serverUrl, const QString &userId);
    static QString directory();
    QString path() const { return m_path; }

    // How many of each chat's newest messages are kept (older ones are pruned).
    static constexpr int defaultMessagesPerChat = 200;
    void setMessagesPerChat(int count) { m_messagesPerChat = count; }
    int messagesPerChat() const { return m_messagesPerChat; }

    // Blocking, bounded reads (see the class comment).
    Account loadAccount();
    QList<Messenger::Message> messages(const QString &chatId);

    // Writes, committed shortly in one transaction.
    void saveUser(const Messenger::User &user);
    // The whole list as it is now; messages of chats no longer listed go.
    void saveChats(const QList<Messenger::ChatSummary> &chats);
    // The chat's newest messages as the timeline has them; only the newest
    // messagesPerChat() are kept.
    void saveMessages(const QString &chatId, const QList<Messenger::Message> &messages);
    void saveDraft(const QString &chatId, const QString &text);
    void addPending(const PendingOperation &operation);
    void removePending(const QString &key);

    // Commits what is waiting now rather than in a moment.
    void flush();
    // Deletes the file (signing out); the cache is unusable afterwards.
    void erase();

private:
    using Write = std::function<void(QSqlDatabase &)>;
    void enqueue(Write write);
    // Runs `work` on the cache's thread, after every write asked for before.
    template <typename T> QFuture<T> read(std::function<T(QSqlDatabase &)> work);

    QString m_path;
    QString m_connectionName;
    QThread *m_thread;
    QObject *m_worker; // lives in m_thread; the database work runs in its context
    QList<Write> m_writes;
    QTimer m_commitTimer;
    int m_messagesPerChat = defaultMessagesPerChat;
    bool m_erased = false;
};

} // namespace Messenger::Client
