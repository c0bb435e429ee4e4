#pragma once

#include "BenchClient.h"
#include "Stats.h"

#include <QStringList>
#include <QUrl>

#include <functional>

namespace Messenger::Bench {

struct Options
{
    QUrl url { QStringLiteral("http://127.0.0.1:8000") }; // where setup happens
    QList<QUrl> urls; // every instance; client n talks to urls[n % size]
    QUrl urlFor(int client) const { return urls.isEmpty() ? url : urls.at(client % urls.size()); }
    int threads = 2; // worker threads, each with its own event loop
    int concurrency = 10; // simultaneous clients (senders, logins, readers)
    double seconds = 10; // how long each timed scenario runs
    qint64 count = 0; // operations per scenario; 0: until `seconds` pass
    int chats = 200; // chat-list: chats the user is in
    int messages = 20000; // history: messages in the chat
    int members = 50; // fanout: group size
    int nonMembers = 10; // fanout: connected users outside the group
    double rate = 100; // fanout: messages per second into the group
    int connections = 1000; // idle-connections: sockets to open; mixed: active users
    int idle = 0; // mixed: further online users who only hold a socket
    int readers = 5; // mixed: users paging history meanwhile, one page a second each
    int fileMb = 20; // files: the size of each client's file
    qint64 serverPid = 0; // for RSS and CPU
    // history: fill big chats straight into this PostgreSQL database instead
    // of through the API (a million messages in seconds, not minutes).
    QString bulkDatabaseUrl;
};

// One named result table of a scenario (some measure two things, e.g. logins
// and the latency of other requests meanwhile).
struct Result
{
    QString name;
    Stats stats;
    QJsonObject extra; // scenario-specific figures (bytes per connection...)

    // A scenario that could not prepare its run: `reason` (a ReportKeys name)
    // is set in `extra`, and the run fails.
    static Result failure(QString name, QStringView reason);
    bool isFailure() const;
};

struct Scenario
{
    QString name;
    QString description;
    std::function<QList<Result>(const Options &)> run;
};

QList<Scenario> scenarios();

// Runs `body` on `threads` threads, each with its own event loop; each calls
// `done` when its clients have finished. Returns the merged statistics.
Stats runParallel(int threads,
    const std::function<void(int index, QObject *context, Stats &stats, std::function<void()> done)>
        &body);

} // namespace Messenger::Bench
