#pragma once

#include "services/Updates.h"

#include <QFuture>
#include <QHash>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>

namespace Messenger::Server {

class Database;

// Reads the committed log (messages + events) in seq order and hands each
// update to the hub exactly once. Every delivery goes through here, for local
// and remote commits alike, so nothing is announced that is not stored and
// every instance delivers the same stream.
//
// On PostgreSQL, seqs are drawn before commit, so seq 11 can become visible
// before seq 10. A hole in the stream is therefore waited for until every
// transaction that was running when it was first seen has finished (the
// snapshot's xmin passes them); then the hole is a rollback and is skipped.
// deliveredSeq() is thus a watermark: everything up to it is committed and
// delivered, which makes it a safe resume point.
//
// A poll reads the whole log's seqs and audiences, but full rows only of the
// chats and users with a socket here (watch()): an instance pays next to
// nothing for chats none of its clients is in. A socket is let in only after a
// poll that knew of its user (afterNextPoll()), so it misses nothing after
// the watermark its greeting names.
//
// Sends made here skip the read back (on PostgreSQL): the send batch returns
// each stored message with its chat's members of the interest, and the feed
// hands on those whose seqs follow the watermark without a gap (no other
// transaction can then hold a seq before them). That holds only for what the
// batch read: a poll that moved the watermark, or a wider interest, since the
// batch was sent may change who gets what (a member added meanwhile), and
// then the log is read as before.
class EventFeed : public QObject
{
    Q_OBJECT
public:
    explicit EventFeed(Database &database, QObject *parent = nullptr);

    // Starts after the newest committed seq; blocks, for start-up only.
    bool start(QString *error);
    qint64 deliveredSeq() const { return m_delivered; }

    // A socket of `userId` opens here (watch) or closes (unwatch): its chats'
    // updates and those addressed to it are read in full from the next poll on.
    void watch(const QString &userId);
    void unwatch(const QString &userId);
    // Runs `then` (on `context`'s thread, unless `context` is gone) once a
    // poll issued from now on has been handled.
    void afterNextPoll(QObject *context, std::function<void()> then);
    // The watermark once every commit made here so far has been read: at
    // once when a poll has read them all, else after the poll this asks for.
    // So /updates shows what a client just did here.
    QFuture<qint64> currentSeq();

public Q_SLOTS:
    // Something was committed on another instance, or may have been (the
    // safety net): poll soon.
    void poke();
    // Something was committed here: poll soon if a socket here may want it
    // or someone waits for a poll. Otherwise nothing needs it read now (the
    // sessions it revoked were marked here already), and reading the log for
    // nobody was as much of the database's work as the sends themselves: the
    // commit is read by the next poll anyone asks for (currentSeq, a socket
    // opening) or the safety net's.
    void localCommit();
    // A batch of sends goes to the database here (SendQueue), then it is done:
    // its stored messages with the members of their chats in the interest it
    // was sent with, and whether nothing else was committed.
    void sendsDispatched(quint64 batch);
    void sendsStored(quint64 batch, const QList<Messenger::Server::Update> &stored,
        const QHash<QString, QStringList> &audiences, bool complete);

Q_SIGNALS:
    void updatesReady(const QList<Messenger::Server::Update> &updates,
        const QHash<QString, QStringList> &members);
    // Whom a poll reads in full changed: the audience sends read members for.
    void interestChanged(const Messenger::Server::FeedInterest &interest);

private:
    void poll();
    // `coveredCommits`: m_localCommits when the poll was issued.
    void handleBatch(const Result<FeedBatch> &batch, quint64 coveredCommits);
    FeedInterest interest() const;
    // Tells the senders whom to read members of, if that changed.
    void tellInterest();
    // What the batches sent so far read may be outdated: their messages and
    // those held are left to the log. Whether held ones were dropped.
    bool outdateSends();
    // Hands on the held messages that follow the watermark without a gap.
    void deliverHeld();

    struct Waiter
    {
        QPointer<QObject> context;
        std::function<void()> then;
    };

    Database &m_db;
    qint64 m_delivered = 0;
    bool m_polling = false;
    // Commits made here, and how many of them a finished poll has read.
    quint64 m_localCommits = 0;
    quint64 m_localCommitsRead = 0;
    bool m_pokedWhilePolling = false;
    // The hole we are waiting on: its first seq, the newest xid that was
    // running when it was seen, and since when we wait.
    qint64 m_holeAt = 0;
    quint64 m_holeRunningUpTo = 0;
    qint64 m_holeSinceMs = 0;
    // Sockets here by FeedInterest bucket.
    QHash<int, int> m_watchers;
    QList<Waiter> m_waitingForPoll; // for the next poll issued
    QList<Waiter> m_waitingOnPoll; // for the poll in flight
    // Send batches in flight by id, with the era each was sent in; a
    // batch's messages are used only in the era it was sent in.
    QHash<quint64, quint64> m_sendsInFlight;
    quint64 m_sendEra = 0;
    quint64 m_lastSendBatch = 0;
    // Stored here and waiting for the seqs before them, by seq, with the
    // audiences of their chats. A gap before them is waited for until the
    // batches in flight when it appeared are done (up to m_gapWaitsFor),
    // then the log is read.
    QMap<qint64, Update> m_held;
    QHash<QString, QStringList> m_heldAudiences;
    quint64 m_gapWaitsFor = 0;
    FeedInterest m_toldInterest = FeedInterest::nobody();
    QTimer m_retry;
    QTimer m_safetyNet;
};

} // namespace Messenger::Server
