#include "Scenarios.h"

#include "ReportKeys.h"

#include "shared/ApiPaths.h"
#include "shared/AuthDtos.h"
#include "shared/Files.h"
#include "shared/Limits.h"
#include "shared/Presence.h"
#include "shared/Queries.h"
#include "shared/Requests.h"
#include "shared/Search.h"
#include "shared/WsEvents.h"
#include "shared/WsFrames.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QMutex>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QTimer>
#include <QWebSocket>

#include <cstdio>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <thread>

using namespace Qt::StringLiterals;

namespace Messenger::Bench {

namespace {

// One operation's outcome, reported by a client to the loop that drives it.
struct Outcome
{
    bool ok = true;
    qint64 latencyNs = 0;
    QString error;
};
using Operation = std::function<void(std::function<void(Outcome)>)>;
// Builds client number `client` on the thread owning `context`.
using ClientFactory = std::function<Operation(QObject *context, int client)>;

qint64 steadyNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

QString statusError(int status)
{
    return status == 0 ? u"network"_s : u"http %1"_s.arg(status);
}

QString historyPath(const QString &chatId, const HistoryQuery &query)
{
    return ApiPaths::chatHistory(chatId) + u'?' + query.toQuery().toString(QUrl::FullyEncoded);
}

// A WebSocket `send` command with a fresh client_id.
QString sendFrame(const QString &chatId, const QString &text)
{
    return QString::fromUtf8(
        compactJson(SendCommand { SendMessageRequest { chatId, text, newUuid() } }.toJson()));
}

bool isGreeting(const QJsonObject &frame)
{
    return serverFrameKind(frame) == ServerFrameKind::Greeting;
}

// The message a `message` event carries; nullopt for any other frame.
std::optional<Message> messageOf(const QJsonObject &frame)
{
    if (serverFrameKind(frame) != ServerFrameKind::Event)
        return std::nullopt;
    const auto event = Event::fromJson(frame);
    if (!event || event->type != WsEvents::message)
        return std::nullopt;
    const auto payload = event->payload<MessageEvent>();
    if (!payload)
        return std::nullopt;
    return payload->message;
}

// `concurrency` clients, each doing one operation after another until the
// time is up or the shared count is spent (closed loop: latency is what a
// client waits, throughput what they achieve together).
Stats closedLoop(const Options &options, int concurrency, const ClientFactory &factory)
{
    auto remaining = std::make_shared<std::atomic<qint64>>(
        options.count > 0 ? options.count : std::numeric_limits<qint64>::max());
    const auto deadline = std::make_shared<QDeadlineTimer>(options.count > 0
            ? QDeadlineTimer::Forever
            : QDeadlineTimer(qint64(options.seconds * 1000)));
    QElapsedTimer wall;
    wall.start();
    const CpuMeter cpu(options.serverPid);
    Stats stats = runParallel(options.threads,
        [&](int index, QObject *context, Stats &local, std::function<void()> done) {
            auto active = std::make_shared<int>(0);
            for (int client = index; client < concurrency; client += options.threads) {
                Operation operation = factory(context, client);
                ++*active;
                auto step = std::make_shared<std::function<void()>>();
                *step = [operation, step, &local, remaining, deadline, active, done, context] {
                    if (deadline->hasExpired() || remaining->fetch_sub(1) <= 0) {
                        if (--*active == 0)
                            done();
                        return;
                    }
                    operation([step, &local, context](Outcome outcome) {
                        ++local.operations;
                        if (outcome.ok)
                            local.latenciesNs.append(outcome.latencyNs);
                        else
                            local.addError(outcome.error);
                        // Queued: the next operation starts from the event loop, not
                        // from inside this one's completion.
                        QMetaObject::invokeMethod(
                            context, [step] { (*step)(); }, Qt::QueuedConnection);
                    });
                };
                QMetaObject::invokeMethod(
                    context, [step] { (*step)(); }, Qt::QueuedConnection);
            }
            if (*active == 0)
                done();
        });
    stats.seconds = double(wall.nsecsElapsed()) / 1e9;
    stats.serverCpuPercent = cpu.percent();
    return stats;
}

// A /ws/user socket owned by `context`'s thread; `onFrame` sees every frame.
QWebSocket *openSocket(QObject *context, const QUrl &base, const QString &token,
    std::function<void(const QJsonObject &)> onFrame)
{
    auto *socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, context);
    QObject::connect(socket, &QWebSocket::textMessageReceived, context,
        [onFrame = std::move(onFrame)](const QString &text) {
            // No scenario looks at presence; parsing it would be the
            // benchmark's CPU, not the server's.
            if (!isPresenceFrame(text))
                onFrame(parseJson(text.toUtf8()).object());
        });
    QUrl url = base;
    url.setScheme(base.scheme() == u"https"_s ? u"wss"_s : u"ws"_s);
    url.setPath(ApiPaths::wsUser.toString());
    url.setQuery(WsConnectQuery { token }.toQuery());
    socket->open(url);
    return socket;
}

QList<Result> restSend(const Options &options)
{
    SetupClient setup(options.url);
    const auto users = setup.users(options.concurrency * 2, u"rest"_s);
    if (users.size() < options.concurrency * 2)
        return { Result::failure(u"rest-send"_s, ReportKeys::setupFailed) };
    QStringList chats;
    for (int i = 0; i < options.concurrency; ++i)
        chats.append(setup.personalChat(users[2 * i], users[2 * i + 1]));
    const Stats stats
        = closedLoop(options, options.concurrency, [&](QObject *context, int client) -> Operation {
              auto *http = new HttpConnection(options.urlFor(client), context);
              const QString token = users[2 * client].token;
              const QString chatId = chats[client];
              return [http, token, chatId](std::function<void(Outcome)> finished) {
                  http->request("POST", ApiPaths::chatsMessages.toString(),
                      SendMessageRequest { chatId, u"benchmark message"_s, std::nullopt }.toJson(),
                      token, [finished](int status, const QByteArray &, qint64 latency) {
                          finished({ status == 200, latency, statusError(status) });
                      });
              };
          });
    return { { u"rest-send"_s, stats, {} } };
}

QList<Result> wsSend(const Options &options)
{
    SetupClient setup(options.url);
    const auto users = setup.users(options.concurrency * 2, u"ws"_s);
    if (users.size() < options.concurrency * 2)
        return { Result::failure(u"ws-send"_s, ReportKeys::setupFailed) };
    QStringList chats;
    for (int i = 0; i < options.concurrency; ++i)
        chats.append(setup.personalChat(users[2 * i], users[2 * i + 1]));
    const Stats stats
        = closedLoop(options, options.concurrency, [&](QObject *context, int client) -> Operation {
              // Each client waits for its greeting, then sends and waits for each ack.
              struct State
              {
                  QWebSocket *socket = nullptr;
                  bool greeted = false;
                  std::function<void(Outcome)> pending;
                  qint64 sentAt = 0;
                  std::function<void()> onGreeting;
              };
              auto state = std::make_shared<State>();
              state->socket = openSocket(context, options.urlFor(client), users[2 * client].token,
                  [state](const QJsonObject &frame) {
                      const ServerFrameKind kind = serverFrameKind(frame);
                      if (kind == ServerFrameKind::Greeting) {
                          state->greeted = true;
                          if (state->onGreeting)
                              std::exchange(state->onGreeting, {})();
                          return;
                      }
                      if ((kind == ServerFrameKind::Ack || kind == ServerFrameKind::Error)
                          && state->pending) {
                          std::exchange(state->pending, {})({ kind == ServerFrameKind::Ack,
                              steadyNs() - state->sentAt, u"ws error"_s });
                      }
                  });
              const QString chatId = chats[client];
              return [state, chatId](std::function<void(Outcome)> finished) {
                  auto send = [state, chatId, finished] {
                      state->pending = finished;
                      state->sentAt = steadyNs();
                      state->socket->sendTextMessage(sendFrame(chatId, u"benchmark message"_s));
                  };
                  if (state->greeted)
                      send();
                  else
                      state->onGreeting = send;
              };
          });
    return { { u"ws-send"_s, stats, {} } };
}

QList<Result> login(const Options &options)
{
    SetupClient setup(options.url);
    const auto users = setup.users(options.concurrency + 1, u"login"_s);
    if (users.size() < options.concurrency + 1)
        return { Result::failure(u"login"_s, ReportKeys::setupFailed) };
    // While the logins run, one more client keeps asking for something cheap:
    // how long do other requests wait during a burst of password hashing?
    Stats probe;
    std::atomic<bool> running { true };
    QThread probeThread;
    auto *probeContext = new QObject;
    probeContext->moveToThread(&probeThread);
    QObject::connect(&probeThread, &QThread::started, probeContext, [&] {
        auto *http = new HttpConnection(options.url, probeContext);
        auto *timer = new QTimer(probeContext);
        timer->setInterval(20);
        QObject::connect(timer, &QTimer::timeout, probeContext, [&, http] {
            if (!running) {
                probeThread.quit();
                return;
            }
            http->request("GET", ApiPaths::usersMe.toString(), {}, users.last().token,
                [&probe](int status, const QByteArray &, qint64 latency) {
                    ++probe.operations;
                    if (status == 200)
                        probe.latenciesNs.append(latency);
                    else
                        probe.addError(statusError(status));
                });
        });
        timer->start();
    });
    QObject::connect(&probeThread, &QThread::finished, probeContext, &QObject::deleteLater);
    probeThread.start();
    const Stats stats
        = closedLoop(options, options.concurrency, [&](QObject *context, int client) -> Operation {
              auto *http = new HttpConnection(options.urlFor(client), context);
              const QString email = users[client].email;
              return [http, email](std::function<void(Outcome)> finished) {
                  http->request("POST", ApiPaths::authToken.toString(),
                      LoginRequest { email, u"bench-password"_s, std::nullopt }.toJson(), {},
                      [finished](int status, const QByteArray &, qint64 latency) {
                          finished({ status == 200, latency, statusError(status) });
                      });
              };
          });
    running = false;
    probeThread.wait();
    probe.seconds = stats.seconds;
    return { { u"login"_s, stats, {} }, { u"login: other requests meanwhile"_s, probe, {} } };
}

QList<Result> chatList(const Options &options)
{
    SetupClient setup(options.url);
    const auto users = setup.users(2, u"list"_s);
    if (users.size() < 2)
        return { Result::failure(u"chat-list"_s, ReportKeys::setupFailed) };
    // Groups need no extra accounts: one partner in every chat.
    for (int i = 0; i < options.chats; ++i) {
        const QString chatId = setup.group(users[0], u"Chat %1"_s.arg(i), { users[1].id });
        setup.call("POST", ApiPaths::chatsMessages.toString(),
            SendMessageRequest { chatId, u"the last message of chat %1"_s.arg(i), std::nullopt }
                .toJson(),
            users[i % 2].token);
    }
    const Stats stats
        = closedLoop(options, options.concurrency, [&](QObject *context, int client) -> Operation {
              auto *http = new HttpConnection(options.urlFor(client), context);
              const QString token = users[0].token;
              return [http, token](std::function<void(Outcome)> finished) {
                  http->request("GET", ApiPaths::chatsWithLastMessage.toString(), {}, token,
                      [finished](int status, const QByteArray &, qint64 latency) {
                          finished({ status == 200, latency, statusError(status) });
                      });
              };
          });
    return { { u"chat-list (%1 chats)"_s.arg(options.chats), stats, {} } };
}

// A QPSQL connection named `name` to `databaseUrl`
// (postgres://user:password@host:port/database), opened if it can be.
QSqlDatabase openBulkConnection(const QString &databaseUrl, const QString &name)
{
    const QUrl url(databaseUrl);
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, name);
    db.setHostName(url.host());
    db.setPort(url.port(5432));
    db.setUserName(url.userName());
    db.setPassword(url.password());
    db.setDatabaseName(url.path().mid(1));
    db.open();
    return db;
}

// Inserts `count` messages into a chat in one statement, keeping seq,
// chat_seq and the chat's counters as the server would.
bool bulkPrefill(
    const QString &databaseUrl, const QString &senderId, const QString &chatId, int count)
{
    bool ok = false;
    {
        QSqlDatabase db = openBulkConnection(databaseUrl, u"bench-bulk"_s);
        if (db.isOpen()) {
            QSqlQuery query(db);
            ok = db.transaction();
            ok = ok
                && query.exec(
                    u"LOCK TABLE chats IN SHARE ROW EXCLUSIVE MODE"_s) // no sends meanwhile
                && query.prepare(
                    u"INSERT INTO messages (id, seq, chat_id, chat_seq, sender_id, "
                    "text, created_at) SELECT gen_random_uuid(), nextval('global_seq'), "
                    "c.id, c.last_chat_seq + g, CAST(? AS uuid), 'bulk message ' || g, "
                    "CAST(? AS bigint) + g FROM chats c, generate_series(1, ?) AS g "
                    "WHERE c.id = CAST(? AS uuid) ORDER BY g"_s);
            if (ok) {
                query.addBindValue(senderId);
                query.addBindValue(
                    QDateTime::currentMSecsSinceEpoch() * 1000 - qint64(count) * 1000);
                query.addBindValue(count);
                query.addBindValue(chatId);
                ok = query.exec();
            }
            ok = ok
                && query.prepare(u"UPDATE chats SET last_chat_seq = last_chat_seq + ?, "
                                 "last_seq = currval('global_seq') WHERE id = CAST(? AS uuid)"_s);
            if (ok) {
                query.addBindValue(count);
                query.addBindValue(chatId);
                ok = query.exec();
            }
            if (!ok)
                std::fprintf(
                    stderr, "bulk prefill failed: %s\n", qPrintable(query.lastError().text()));
            ok = ok ? db.commit() : (db.rollback(), false);
        } else {
            std::fprintf(stderr, "bulk prefill: %s\n", qPrintable(db.lastError().text()));
        }
    }
    QSqlDatabase::removeDatabase(u"bench-bulk"_s);
    return ok;
}

QList<Result> history(const Options &options)
{
    SetupClient setup(options.url);
    const auto users = setup.users(2, u"history"_s);
    if (users.size() < 2)
        return { Result::failure(u"history"_s, ReportKeys::setupFailed) };
    const QString chatId = setup.personalChat(users[0], users[1]);
    const bool filled = options.bulkDatabaseUrl.isEmpty()
        ? setup.prefill(users[0], chatId, options.messages)
        : bulkPrefill(options.bulkDatabaseUrl, users[0].id, chatId, options.messages);
    if (!filled)
        return { Result::failure(u"history"_s, ReportKeys::prefillFailed) };
    // The server's event feed reads every new message once; measure after it
    // has caught up (its CPU drops), not while it churns through a bulk fill.
    for (int second = 0, quiet = 0; options.serverPid > 0 && second < 300 && quiet < 3; ++second) {
        const CpuMeter cpu(options.serverPid);
        QThread::sleep(1);
        quiet = cpu.percent() < 10 ? quiet + 1 : 0;
    }
    // The seq range of the chat, for keyset positions at any depth.
    const auto newest = HistoryPage::fromJson(
        setup.call("GET", historyPath(chatId, { .limit = 1 }), {}, users[0].token).object());
    if (!newest || newest->messages.isEmpty())
        return { Result::failure(u"history"_s, ReportKeys::prefillFailed) };
    const qint64 topSeq = newest->messages.first().seq;
    enum class Depth { Newest, Offset, Keyset };
    const auto page = [&](Depth mode) {
        return closedLoop(
            options, options.concurrency, [&, mode](QObject *context, int client) -> Operation {
                auto *http = new HttpConnection(options.urlFor(client), context);
                const QString token = users[0].token;
                const int depthRange = std::max(1, options.messages - 50);
                return [http, token, chatId, mode, topSeq, depthRange](
                           std::function<void(Outcome)> finished) {
                    const int depth = int(QRandomGenerator::global()->bounded(depthRange));
                    HistoryQuery query { .limit = 50 };
                    if (mode == Depth::Keyset)
                        query.beforeSeq = topSeq - depth;
                    else if (mode == Depth::Offset)
                        query.offset = depth;
                    http->request("GET", historyPath(chatId, query), {}, token,
                        [finished](int status, const QByteArray &, qint64 latency) {
                            finished({ status == 200, latency, statusError(status) });
                        });
                };
            });
    };
    // The newest page first: right after the fill, before autovacuum has
    // analyzed the new messages (issue 18).
    const Stats newestPages = page(Depth::Newest);
    return { { u"history newest page (%1 messages)"_s.arg(options.messages), newestPages, {} },
        { u"history offset (%1 messages)"_s.arg(options.messages), page(Depth::Offset), {} },
        { u"history keyset (%1 messages)"_s.arg(options.messages), page(Depth::Keyset), {} } };
}

// search: what the messages say. Every message has five words of this
// vocabulary (English and Russian) and one of 10,000 tags ("tag1234"), so a
// common word is in about one message in twenty and a tag in one in 10,000.
const QStringList &searchVocabulary()
{
    static const QStringList words = QStringLiteral(
        "deployment release server client database index query search message chat "
        "meeting tomorrow today morning evening lunch coffee review build test "
        "failure success pipeline version update backup restore network latency "
        "memory привет сервер релиз встреча завтра сегодня утром вечером обед кофе "
        "проверка сборка тест ошибка успех версия обновление сеть память задача "
        "отчёт документ клиент база индекс запрос поиск сообщение")
                                         .split(u' ');
    return words;
}

// The text of message `number` (1, 2, ...) of chat `chat` (1, 2, ...); the
// bulk fill computes the same in SQL.
QString searchText(qint64 number, qint64 chat)
{
    const QStringList &words = searchVocabulary();
    const qint64 n = words.size();
    return QStringList { words[(number * 7 + chat) % n], words[(number * 13 + chat * 3) % n],
        words[(number * 31 + chat * 5) % n], words[(number * 61 + chat * 7) % n],
        words[(number * 97 + chat * 11) % n], u"tag%1"_s.arg((number * 1000 + chat) % 10000) }
        .join(u' ');
}

// Inserts `perChat` messages into each chat in one statement (newest
// messages spread over every chat), keeping seq, chat_seq and the chats'
// counters as the server would, then refreshes the planner's statistics.
bool bulkSearchPrefill(
    const QString &databaseUrl, const QString &senderId, const QStringList &chatIds, int perChat)
{
    bool ok = false;
    {
        QSqlDatabase db = openBulkConnection(databaseUrl, u"bench-search"_s);
        if (db.isOpen()) {
            QSqlQuery query(db);
            const QString ids = QString::fromUtf8(
                QJsonDocument(QJsonArray::fromStringList(chatIds)).toJson(QJsonDocument::Compact));
            const QString vocabulary = u"{"_s + searchVocabulary().join(u',') + u"}"_s;
            const QString word = u"(CAST(? AS text[]))[1 + (g * %1 + k.ord * %2) % %3]"_s;
            QStringList words;
            for (const auto &[a, b] :
                { std::pair { 7, 1 }, { 13, 3 }, { 31, 5 }, { 61, 7 }, { 97, 11 } })
                words.append(word.arg(a).arg(b).arg(searchVocabulary().size()));
            ok = db.transaction();
            ok = ok && query.exec(u"LOCK TABLE chats IN SHARE ROW EXCLUSIVE MODE"_s)
                && query.prepare(
                    u"INSERT INTO messages (id, seq, chat_id, chat_seq, sender_id, "
                    "text, created_at) SELECT gen_random_uuid(), nextval('global_seq'), "
                    "c.id, c.last_chat_seq + g, CAST(? AS uuid), "_s
                    + words.join(u" || ' ' || "_s)
                    + u" || ' tag' || ((g * 1000 + k.ord) % 10000), CAST(? AS bigint) + g * 10000 "
                      "+ k.ord FROM json_array_elements_text(CAST(? AS json)) WITH ORDINALITY "
                      "AS k(id, ord) JOIN chats c ON c.id = CAST(k.id AS uuid), "
                      "generate_series(1, ?) AS g ORDER BY g, k.ord"_s);
            if (ok) {
                query.addBindValue(senderId);
                for (int i = 0; i < words.size(); ++i)
                    query.addBindValue(vocabulary);
                query.addBindValue(
                    QDateTime::currentMSecsSinceEpoch() * 1000 - qint64(perChat) * 10000);
                query.addBindValue(ids);
                query.addBindValue(perChat);
                ok = query.exec();
            }
            ok = ok
                && query.prepare(
                    u"UPDATE chats SET last_chat_seq = last_chat_seq + ?, "
                    "last_seq = currval('global_seq') WHERE id IN (SELECT "
                    "CAST(value AS uuid) FROM json_array_elements_text(CAST(? AS json)))"_s);
            if (ok) {
                query.addBindValue(perChat);
                query.addBindValue(ids);
                ok = query.exec();
            }
            if (!ok)
                std::fprintf(
                    stderr, "bulk prefill failed: %s\n", qPrintable(query.lastError().text()));
            ok = ok ? db.commit() : (db.rollback(), false);
            ok = ok && query.exec(u"ANALYZE messages"_s);
        } else {
            std::fprintf(stderr, "bulk prefill: %s\n", qPrintable(db.lastError().text()));
        }
    }
    QSqlDatabase::removeDatabase(u"bench-search"_s);
    return ok;
}

QList<Result> search(const Options &options)
{
    SetupClient setup(options.url);
    const auto users = setup.users(2, u"search"_s);
    if (users.size() < 2)
        return { Result::failure(u"search"_s, ReportKeys::setupFailed) };
    QStringList chatIds;
    for (int i = 0; i < options.chats; ++i)
        chatIds.append(setup.group(users[0], u"Search %1"_s.arg(i), { users[1].id }));
    const int perChat = std::max(1, options.messages / std::max(1, options.chats));
    bool filled = !chatIds.contains(QString());
    if (filled && !options.bulkDatabaseUrl.isEmpty()) {
        filled = bulkSearchPrefill(options.bulkDatabaseUrl, users[1].id, chatIds, perChat);
    } else {
        for (int g = 1; filled && g <= perChat; ++g) {
            for (int k = 1; filled && k <= chatIds.size(); ++k) {
                filled = Message::fromJson(
                    setup
                        .call("POST", ApiPaths::chatsMessages.toString(),
                            SendMessageRequest { chatIds[k - 1], searchText(g, k), std::nullopt }
                                .toJson(),
                            users[1].token)
                        .object())
                             .ok();
            }
        }
    }
    if (!filled)
        return { Result::failure(u"search"_s, ReportKeys::prefillFailed) };
    for (int second = 0, quiet = 0; options.serverPid > 0 && second < 600 && quiet < 3; ++second) {
        const CpuMeter cpu(options.serverPid);
        QThread::sleep(1);
        quiet = cpu.percent() < 10 ? quiet + 1 : 0;
    }
    // A common word, a prefix of one (Latin and Cyrillic), two words, a tag
    // (rare), and one chat only.
    const QStringList queries { u"deployment"_s, u"deploy"_s, u"прив"_s, u"сервер"_s,
        u"release build"_s, u"кофе встреча"_s, u"tag"_s };
    const auto measure = [&](bool inOneChat) {
        return closedLoop(options, options.concurrency,
            [&, inOneChat](QObject *context, int client) -> Operation {
                auto *http = new HttpConnection(options.urlFor(client), context);
                const QString token = users[0].token;
                return [http, token, queries, chatIds, inOneChat](
                           std::function<void(Outcome)> finished) {
                    auto *random = QRandomGenerator::global();
                    MessageSearchQuery query;
                    query.text = queries[random->bounded(int(queries.size()))];
                    if (query.text == u"tag"_s)
                        query.text += QString::number(random->bounded(10000));
                    if (inOneChat)
                        query.chatId = chatIds[random->bounded(int(chatIds.size()))];
                    const QString path = ApiPaths::searchMessages + u'?'
                        + query.toQuery().toString(QUrl::FullyEncoded);
                    http->request("GET", path, {}, token,
                        [finished](int status, const QByteArray &, qint64 latency) {
                            finished({ status == 200, latency, statusError(status) });
                        });
                };
            });
    };
    const qint64 total = qint64(perChat) * chatIds.size();
    return { { u"search (%1 messages, %2 chats)"_s.arg(total).arg(chatIds.size()), measure(false),
                 {} },
        { u"search in one chat (%1 messages, %2 chats)"_s.arg(total).arg(chatIds.size()),
            measure(true), {} } };
}

QList<Result> fanout(const Options &options)
{
    SetupClient setup(options.url);
    const auto users = setup.users(options.members + options.nonMembers, u"fan"_s);
    if (users.size() < options.members + options.nonMembers)
        return { Result::failure(u"fanout"_s, ReportKeys::setupFailed) };
    QStringList memberIds;
    for (int i = 1; i < options.members; ++i)
        memberIds.append(users[i].id);
    const QString groupId = setup.group(users[0], u"Fan-out"_s, memberIds);
    const int receivers = options.members + options.nonMembers;
    std::atomic<int> connected { 0 };
    std::atomic<bool> sending { false };
    const qint64 toSend
        = options.count > 0 ? options.count : qint64(options.rate * options.seconds);
    const CpuMeter cpu(options.serverPid);
    QElapsedTimer wall;
    Stats stats = runParallel(options.threads,
        [&](int index, QObject *context, Stats &local, std::function<void()> done) {
            // Receivers: members record send-to-receive latency; non-members must see nothing.
            auto remaining = std::make_shared<int>(0);
            for (int r = index; r < receivers; r += options.threads) {
                const bool member = r < options.members;
                ++*remaining;
                auto got = std::make_shared<qint64>(0);
                openSocket(context, options.urlFor(r), users[r].token,
                    [&, context, member, got, remaining, done](const QJsonObject &frame) {
                        if (isGreeting(frame)) {
                            ++connected;
                            return;
                        }
                        const auto message = messageOf(frame);
                        if (!message)
                            return;
                        if (!member) {
                            ++local.misdelivered;
                            return;
                        }
                        const QString text = message->text;
                        if (!text.startsWith(u"t:"_s))
                            return;
                        local.latenciesNs.append(steadyNs() - text.mid(2).toLongLong());
                        ++local.delivered;
                        if (++*got == toSend && --*remaining == 0)
                            QTimer::singleShot(300, context, done); // late non-member frames
                    });
                if (!member)
                    --*remaining; // non-members only listen
            }
            if (index == 0) {
                // The sender, on the first thread: a steady rate over REST.
                auto *http = new HttpConnection(options.url, context);
                auto *timer = new QTimer(context);
                timer->setTimerType(Qt::PreciseTimer);
                timer->setInterval(std::max(1, int(1000 / options.rate)));
                auto sent = std::make_shared<qint64>(0);
                QObject::connect(timer, &QTimer::timeout, context, [&, http, timer, sent] {
                    if (connected < receivers)
                        return;
                    if (!sending.exchange(true))
                        wall.start();
                    if (*sent >= toSend) {
                        timer->stop();
                        return;
                    }
                    ++*sent;
                    http->request("POST", ApiPaths::chatsMessages.toString(),
                        SendMessageRequest { groupId, u"t:%1"_s.arg(steadyNs()), std::nullopt }
                            .toJson(),
                        users[0].token, [&local](int status, const QByteArray &, qint64) {
                            ++local.operations;
                            if (status != 200)
                                local.addError(statusError(status));
                        });
                });
                timer->start();
            }
            if (*remaining == 0 && index != 0)
                done();
            // Whatever happens, stop after the run plus a margin.
            QTimer::singleShot(int(options.seconds * 1000) + 30000, context, done);
        });
    stats.seconds = double(wall.nsecsElapsed()) / 1e9;
    stats.expected = toSend * options.members;
    stats.serverCpuPercent = cpu.percent();
    return { { u"fanout (%1 members, %2 msg/s)"_s.arg(options.members).arg(options.rate), stats,
        {} } };
}

// A chat busy on one instance, and what the other instances pay for it. The
// --members of a group all hold their socket on the first instance, and
// --concurrency of them send into it over REST there, closed loop, for
// --seconds; --non-members users hold a socket on the other instances, in no
// chat with them (those instances have clients, none interested). Reports
// every instance's CPU seconds (its /metrics process_cpu_seconds_total) per
// 1,000 messages sent: the first instance's is the work the chat needs, the
// others' what reading a log none of their sockets needs costs.
QList<Result> clusterIdle(const Options &options)
{
    const QString name = u"cluster-idle"_s;
    if (options.urls.size() < 2)
        return { Result::failure(name, ReportKeys::needsInstances) };
    SetupClient setup(options.urls.first());
    const int senders = std::min(options.concurrency, options.members);
    const auto users = setup.users(options.members + options.nonMembers, u"busy"_s);
    if (users.size() < options.members + options.nonMembers)
        return { Result::failure(name, ReportKeys::setupFailed) };
    QStringList memberIds;
    for (int i = 1; i < options.members; ++i)
        memberIds.append(users[i].id);
    const QString groupId = setup.group(users[0], u"Busy"_s, memberIds);
    const int receivers = options.members + options.nonMembers;
    const auto instanceOf = [&options](int receiver) {
        return receiver < options.members ? 0 : 1 + receiver % int(options.urls.size() - 1);
    };
    const auto cpuSeconds = [&options] {
        QList<double> seconds;
        for (const QUrl &url : options.urls)
            seconds.append(SetupClient(url).metric(u"process_cpu_seconds_total"_s));
        return seconds;
    };

    std::atomic<int> connected { 0 };
    std::atomic<int> sendersLeft { senders };
    std::atomic<bool> sampled { false };
    QList<double> cpuBefore;
    QList<double> cpuAfter;
    QElapsedTimer wall;
    QDeadlineTimer deadline;
    double elapsed = 0;
    QMutex sampling;
    Stats stats = runParallel(options.threads,
        [&](int index, QObject *context, Stats &local, std::function<void()> done) {
            for (int r = index; r < receivers; r += options.threads) {
                const bool member = r < options.members;
                openSocket(context, options.urls[instanceOf(r)], users[r].token,
                    [&, member](const QJsonObject &frame) {
                        if (isGreeting(frame)) {
                            ++connected;
                            return;
                        }
                        if (!messageOf(frame))
                            return;
                        if (member)
                            ++local.delivered;
                        else
                            ++local.misdelivered;
                    });
            }
            // Every thread waits for all sockets; the first samples the CPU
            // and starts the clock, then each runs its share of the senders.
            auto *wait = new QTimer(context);
            wait->setInterval(20);
            QObject::connect(wait, &QTimer::timeout, context, [&, index, wait, context] {
                if (connected < receivers)
                    return;
                {
                    QMutexLocker lock(&sampling);
                    if (cpuBefore.isEmpty()) {
                        cpuBefore = cpuSeconds();
                        wall.start();
                        deadline.setRemainingTime(qint64(options.seconds * 1000));
                    }
                }
                wait->stop();
                for (int sender = index; sender < senders; sender += options.threads) {
                    auto *http = new HttpConnection(options.urls.first(), context);
                    auto step = std::make_shared<std::function<void()>>();
                    *step = [&, http, step, token = users[sender].token] {
                        if (deadline.hasExpired()) {
                            if (--sendersLeft == 0) {
                                // The last sender stopped: let deliveries drain, then sample.
                                QThread::msleep(500);
                                QMutexLocker lock(&sampling);
                                elapsed = double(wall.nsecsElapsed()) / 1e9;
                                cpuAfter = cpuSeconds();
                                sampled = true;
                            }
                            return;
                        }
                        http->request("POST", ApiPaths::chatsMessages.toString(),
                            SendMessageRequest { groupId, u"busy"_s, std::nullopt }.toJson(), token,
                            [&local, step](int status, const QByteArray &, qint64 latency) {
                                ++local.operations;
                                if (status == 200)
                                    local.latenciesNs.append(latency);
                                else
                                    local.addError(statusError(status));
                                (*step)();
                            });
                    };
                    (*step)();
                }
            });
            wait->start();
            // Sockets stay open until the last sample (a thread may have no senders).
            auto *finish = new QTimer(context);
            finish->setInterval(20);
            QObject::connect(finish, &QTimer::timeout, context, [&sampled, done] {
                if (sampled)
                    done();
            });
            finish->start();
        });
    stats.seconds = elapsed;
    stats.expected = stats.operations * options.members;
    QJsonObject perInstance;
    for (qsizetype i = 0; i < options.urls.size() && i < cpuAfter.size(); ++i) {
        const double messages = std::max<qint64>(1, stats.operations);
        perInstance.insert(QString::number(i + 1),
            std::round((cpuAfter[i] - cpuBefore[i]) / messages * 1000 * 1000) / 1000);
    }
    QJsonObject extra;
    extra.insert(ReportKeys::cpuSecondsPer1000Messages, perInstance);
    return { { name, stats, extra } };
}

QList<Result> mixed(const Options &options)
{
    // --concurrency accounts, each online with one socket; --connections
    // "active users" are chats between two of them, and each sends one message
    // every 30 s (spread evenly); every message's send-to-deliver latency is
    // measured at the receiving socket. Meanwhile --idle more sockets are
    // online doing nothing (accounts in no chat, many sockets each: bench.sh
    // raises the per-user cap) and --readers users page the chats' history.
    SetupClient setup(options.url);
    const int accounts = std::max(4, options.concurrency);
    const auto users = setup.users(accounts, u"mixed"_s);
    if (users.size() < accounts)
        return { Result::failure(u"mixed"_s, ReportKeys::setupFailed) };
    struct Pair
    {
        int sender;
        int receiver;
        QString chatId;
    };
    QList<Pair> pairs;
    for (int i = 0; pairs.size() < options.connections && i < accounts; ++i) {
        for (int j = i + 1; pairs.size() < options.connections && j < accounts; ++j)
            pairs.append({ i, j, setup.personalChat(users[i], users[j]) });
    }
    const auto idleUsers = setup.users(std::max(1, options.idle / 1000), u"mixed-idle"_s);
    const double period = 30.0; // seconds between one active user's messages
    std::atomic<int> connected { 0 };
    const int online = accounts + options.idle; // sockets that must be up before sending
    const CpuMeter cpu(options.serverPid);
    QElapsedTimer wall;
    wall.start();
    // Idle users are on machines of their own in real life: here they get a
    // thread of their own, so the measuring threads do not poll their sockets.
    QThread idleThread;
    auto *idleContext = new QObject;
    idleContext->moveToThread(&idleThread);
    QObject::connect(&idleThread, &QThread::finished, idleContext, &QObject::deleteLater);
    idleThread.start();
    QMetaObject::invokeMethod(idleContext, [&, idleContext] {
        for (int i = 0; i < options.idle; ++i) {
            openSocket(idleContext, options.urlFor(i), idleUsers[i % idleUsers.size()].token,
                [&connected](const QJsonObject &frame) {
                    if (isGreeting(frame))
                        ++connected;
                });
        }
    });
    const auto stopIdle = qScopeGuard([&idleThread] {
        idleThread.quit();
        idleThread.wait();
    });
    // The readers are the accounts themselves (members of the chats they page),
    // on threads of their own, for as long as the senders run.
    Stats readerStats;
    std::thread readerThread([&] {
        if (options.readers == 0)
            return;
        QElapsedTimer started;
        started.start();
        while (connected < online && started.elapsed() < 300000)
            QThread::msleep(50);
        readerStats
            = runParallel(1, [&](int, QObject *context, Stats &local, std::function<void()> done) {
                  QTimer::singleShot(int(options.seconds * 1000), context, done);
                  for (int r = 0; r < options.readers; ++r) {
                      const Pair &pair = pairs[r % pairs.size()];
                      const SetupClient::User &reader = users[pair.receiver];
                      auto *http = new HttpConnection(options.urlFor(r), context);
                      auto *timer = new QTimer(context);
                      timer->setInterval(1000);
                      auto depth = std::make_shared<int>(0);
                      QObject::connect(
                          timer, &QTimer::timeout, context, [&, http, reader, pair, depth] {
                              ++local.operations;
                              http->request("GET",
                                  historyPath(
                                      pair.chatId, { .limit = 50, .offset = (*depth)++ % 4 * 50 }),
                                  {}, reader.token,
                                  [&local](int status, const QByteArray &, qint64 latency) {
                                      if (status == 200)
                                          local.latenciesNs.append(latency);
                                      else
                                          local.addError(statusError(status));
                                  });
                          });
                      timer->start();
                  }
              });
    });
    Stats stats = runParallel(options.threads,
        [&](int index, QObject *context, Stats &local, std::function<void()> done) {
            QHash<int, QWebSocket *> sockets;
            for (int a = index; a < accounts; a += options.threads) {
                const QString me = users[a].id;
                sockets.insert(a,
                    openSocket(context, options.urlFor(a), users[a].token,
                        [&local, &connected, me](const QJsonObject &frame) {
                            if (isGreeting(frame)) {
                                ++connected;
                                return;
                            }
                            const auto message = messageOf(frame);
                            // Latency as the other person sees it, not the sender's echo.
                            if (!message || message->senderId == me)
                                return;
                            const QString text = message->text;
                            if (text.startsWith(u"t:"_s)) {
                                local.latenciesNs.append(steadyNs() - text.mid(2).toLongLong());
                                ++local.delivered;
                            }
                        }));
            }
            // Setup plus the run plus a margin for the last deliveries.
            QTimer::singleShot(int(options.seconds * 1000) + 15000, context, done);
            // This thread sends for the active users whose sender it holds, spread evenly.
            QList<int> mine;
            for (int p = 0; p < pairs.size(); ++p) {
                if (pairs[p].sender % options.threads == index)
                    mine.append(p);
            }
            if (mine.isEmpty())
                return;
            auto *timer = new QTimer(context);
            timer->setTimerType(Qt::PreciseTimer);
            timer->setInterval(std::max(1, int(period * 1000 / mine.size())));
            auto next = std::make_shared<int>(0);
            QObject::connect(timer, &QTimer::timeout, context, [&, sockets, mine, next, timer] {
                if (connected < online)
                    return;
                if (wall.elapsed() > qint64(options.seconds * 1000)) {
                    timer->stop();
                    return;
                }
                const Pair &pair = pairs[mine[(*next)++ % mine.size()]];
                ++local.operations;
                sockets.value(pair.sender)
                    ->sendTextMessage(sendFrame(pair.chatId, u"t:%1"_s.arg(steadyNs())));
            });
            timer->start();
        });
    readerThread.join();
    stats.seconds = double(wall.nsecsElapsed()) / 1e9;
    stats.serverCpuPercent = cpu.percent();
    stats.expected = stats.operations;
    return { { u"mixed (%1 active users, one message / 30 s each; %2 idle sockets)"_s
                     .arg(pairs.size())
                     .arg(options.idle),
                 stats, { { ReportKeys::idleSockets.toString(), options.idle } } },
        { u"mixed: history readers (%1, one page of 50 a second each)"_s.arg(options.readers),
            readerStats, {} } };
}

QList<Result> idleConnections(const Options &options)
{
    SetupClient setup(options.url);
    // A few accounts, many sockets each (run the server with a high
    // --ws-max-connections-per-user, as scripts/bench.sh does).
    const int accounts = std::max(1, options.connections / 1000);
    const auto users = setup.users(accounts, u"idle"_s);
    if (users.isEmpty())
        return { Result::failure(u"idle-connections"_s, ReportKeys::setupFailed) };
    const qint64 before = serverResidentBytes(options.serverPid);
    std::atomic<int> greeted { 0 };
    std::atomic<int> failed { 0 };
    std::atomic<bool> measured { false };
    qint64 after = 0;
    QElapsedTimer wall;
    wall.start();
    Stats stats = runParallel(options.threads,
        [&](int index, QObject *context, Stats &local, std::function<void()> done) {
            auto *opening = new QTimer(context);
            auto next = std::make_shared<int>(index);
            // A steady trickle of new sockets, not a thundering herd.
            opening->setInterval(1);
            QObject::connect(opening, &QTimer::timeout, context, [&, opening, next, context] {
                for (int burst = 0; burst < 20 && *next < options.connections; ++burst) {
                    const int number = *next;
                    *next += options.threads;
                    QElapsedTimer started;
                    started.start();
                    QWebSocket *socket = openSocket(context, options.urlFor(number),
                        users[number % users.size()].token, [&, started](const QJsonObject &frame) {
                            if (isGreeting(frame)) {
                                ++greeted;
                                local.latenciesNs.append(started.nsecsElapsed());
                                ++local.operations;
                            }
                        });
                    QObject::connect(socket, &QWebSocket::disconnected, context, [&local, &failed] {
                        ++failed;
                        local.addError(u"closed"_s);
                    });
                }
                if (*next >= options.connections)
                    opening->stop();
            });
            opening->start();
            auto *check = new QTimer(context);
            check->setInterval(200);
            QObject::connect(check, &QTimer::timeout, context, [&, index, check, done] {
                if (greeted + failed < options.connections && wall.elapsed() < 300000)
                    return;
                // Every socket stays open until the first thread has measured.
                if (index == 0 && !measured) {
                    QThread::msleep(1000); // let the server settle
                    after = serverResidentBytes(options.serverPid);
                    measured = true;
                }
                if (measured) {
                    check->stop();
                    done();
                }
            });
            check->start();
        });
    stats.seconds = double(wall.nsecsElapsed()) / 1e9;
    QJsonObject extra;
    extra.insert(ReportKeys::open, greeted.load());
    extra.insert(ReportKeys::failed, failed.load());
    if (before > 0 && after > 0 && greeted > 0) {
        extra.insert(ReportKeys::serverRssBeforeMb, double(before) / 1048576.0);
        extra.insert(ReportKeys::serverRssAfterMb, double(after) / 1048576.0);
        extra.insert(ReportKeys::bytesPerConnection, double(after - before) / greeted);
    }
    return { { u"idle-connections (%1)"_s.arg(options.connections), stats, extra } };
}

// The server's resident memory sampled every 10 ms while a phase runs: its
// peak over the phase (VmHWM would be the peak of the process's whole life).
class MemoryWatch
{
public:
    explicit MemoryWatch(qint64 pid)
        : m_pid(pid)
    {
        if (m_pid <= 0)
            return;
        m_before = serverResidentBytes(m_pid);
        m_peak = m_before;
        m_sampler = std::thread([this] {
            while (!m_stop) {
                m_peak = std::max<qint64>(m_peak, serverResidentBytes(m_pid));
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
        });
    }
    ~MemoryWatch() { stop(); }
    void stop()
    {
        m_stop = true;
        if (m_sampler.joinable())
            m_sampler.join();
    }
    qint64 before() const { return m_before; }
    qint64 peak() const { return m_peak; }

private:
    qint64 m_pid;
    qint64 m_before = 0;
    std::atomic<qint64> m_peak { 0 };
    std::atomic<bool> m_stop { false };
    std::thread m_sampler;
};

// Uploads (tus, 1 MiB PATCHes) then downloads: --concurrency clients, each
// with a file of its own (--file-mb; distinct bytes, so none is de-duplicated).
QList<Result> files(const Options &options)
{
    SetupClient setup(options.url);
    const auto users = setup.users(options.concurrency, u"files"_s);
    if (users.size() < options.concurrency)
        return { Result::failure(u"files"_s, ReportKeys::setupFailed) };
    const qint64 fileBytes = qint64(options.fileMb) * 1024 * 1024;
    const qint64 piece = Limits::uploadChunkMax;
    QByteArray content(fileBytes, Qt::Uninitialized);
    QRandomGenerator(7).fillRange(reinterpret_cast<quint32 *>(content.data()), fileBytes / 4);
    // Each client's file differs in its first bytes.
    const auto pieceOf = [&content, piece](int client, qint64 offset) {
        QByteArray bytes = content.mid(offset, piece);
        if (offset == 0)
            std::memcpy(bytes.data(), &client, sizeof client);
        return bytes;
    };
    QStringList fileIds(options.concurrency);
    for (int client = 0; client < options.concurrency; ++client) {
        int status = 0;
        const QJsonObject created
            = setup
                  .call("POST", ApiPaths::uploads.toString(), {}, users[client].token, &status,
                      { { Tus::resumableHeader, Tus::version },
                          { Tus::lengthHeader, QByteArray::number(fileBytes) } })
                  .object();
        const Parsed<Upload> upload = Upload::fromJson(created);
        if (status != 201 || !upload)
            return { Result::failure(u"files"_s, ReportKeys::setupFailed) };
        fileIds[client] = upload->id;
    }
    const auto phase = [&](bool upload) {
        MemoryWatch memory(options.serverPid);
        const CpuMeter cpu(options.serverPid);
        QElapsedTimer wall;
        wall.start();
        Stats stats = runParallel(options.threads,
            [&](int index, QObject *context, Stats &local, std::function<void()> done) {
                auto remaining = std::make_shared<int>(0);
                for (int client = index; client < options.concurrency; client += options.threads)
                    ++*remaining;
                if (*remaining == 0) {
                    done();
                    return;
                }
                for (int client = index; client < options.concurrency; client += options.threads) {
                    auto *http = new HttpConnection(options.urlFor(client), context);
                    const QString token = users[client].token;
                    const QString id = fileIds[client];
                    auto finish = [remaining, done] {
                        if (--*remaining == 0)
                            done();
                    };
                    if (!upload) {
                        http->request("GET", ApiPaths::file(id), {}, {}, token,
                            [&local, fileBytes, finish](
                                int status, const QByteArray &body, qint64 latency) {
                                if (status == 200 && body.size() == fileBytes) {
                                    ++local.operations;
                                    local.latenciesNs.append(latency);
                                } else {
                                    local.addError(statusError(status));
                                }
                                finish();
                            });
                        continue;
                    }
                    // One PATCH after another, each 1 MiB.
                    auto next = std::make_shared<std::function<void(qint64)>>();
                    *next = [&, http, token, id, client, next, finish](qint64 offset) {
                        if (offset >= fileBytes) {
                            finish();
                            return;
                        }
                        http->request("PATCH", ApiPaths::upload(id),
                            { { Tus::resumableHeader, Tus::version },
                                { Tus::offsetHeader, QByteArray::number(offset) },
                                { "Content-Type", Tus::patchContentType } },
                            pieceOf(client, offset), token,
                            [&local, next, offset, piece, finish](
                                int status, const QByteArray &, qint64 latency) {
                                if (status != 204) {
                                    local.addError(statusError(status));
                                    finish();
                                    return;
                                }
                                ++local.operations;
                                local.latenciesNs.append(latency);
                                (*next)(offset + piece);
                            });
                    };
                    (*next)(0);
                }
            });
        stats.seconds = double(wall.nsecsElapsed()) / 1e9;
        stats.serverCpuPercent = options.serverPid > 0 ? cpu.percent() : -1;
        memory.stop();
        QJsonObject extra;
        const double megabytes = double(fileBytes) * options.concurrency / 1048576.0;
        extra.insert(
            ReportKeys::megabytesPerSecond, stats.seconds > 0 ? megabytes / stats.seconds : 0);
        if (memory.before() > 0) {
            extra.insert(ReportKeys::serverRssBeforeMb, double(memory.before()) / 1048576.0);
            extra.insert(ReportKeys::serverRssPeakMb, double(memory.peak()) / 1048576.0);
            extra.insert(ReportKeys::peakMbPerTransfer,
                double(memory.peak() - memory.before()) / 1048576.0 / options.concurrency);
        }
        return std::pair { stats, extra };
    };
    const auto [uploadStats, uploadExtra] = phase(true);
    const auto [downloadStats, downloadExtra] = phase(false);
    const QString shape = u"%1 x %2 MiB"_s.arg(options.concurrency).arg(options.fileMb);
    return { { u"upload, 1 MiB PATCHes (%1)"_s.arg(shape), uploadStats, uploadExtra },
        { u"download (%1)"_s.arg(shape), downloadStats, downloadExtra } };
}

} // namespace

Result Result::failure(QString name, QStringView reason)
{
    QJsonObject extra;
    extra.insert(reason, true);
    return { std::move(name), {}, extra };
}

bool Result::isFailure() const
{
    return extra.contains(ReportKeys::setupFailed) || extra.contains(ReportKeys::prefillFailed);
}

Stats runParallel(int threads,
    const std::function<void(int index, QObject *context, Stats &stats, std::function<void()> done)>
        &body)
{
    QList<QThread *> workers;
    QList<Stats> results(threads);
    for (int index = 0; index < threads; ++index) {
        auto *thread = new QThread;
        auto *context = new QObject;
        context->moveToThread(thread);
        QObject::connect(thread, &QThread::started, context, [&, index, thread, context] {
            auto finished = std::make_shared<bool>(false);
            body(index, context, results[index], [thread, finished] {
                if (!std::exchange(*finished, true))
                    thread->quit();
            });
        });
        QObject::connect(thread, &QThread::finished, context, &QObject::deleteLater);
        thread->start();
        workers.append(thread);
    }
    Stats merged;
    for (int index = 0; index < threads; ++index) {
        workers[index]->wait();
        delete workers[index];
        merged.merge(results[index]);
    }
    return merged;
}

QList<Scenario> scenarios()
{
    return {
        { u"rest-send"_s,
            u"--concurrency senders, each POSTing /chats/messages into its own chat, closed loop"_s,
            restSend },
        { u"ws-send"_s,
            u"--concurrency senders over /ws/user, each waiting for the ack of every send"_s,
            wsSend },
        { u"login"_s,
            u"--concurrency clients logging in (argon2id) in a loop, while one more client "
            "measures GET /users/me every 20 ms"_s,
            login },
        { u"chat-list"_s,
            u"GET /chats/with-last-message for a user in --chats chats, --concurrency readers"_s,
            chatList },
        { u"history"_s,
            u"pages of 50 of a --messages chat: the newest, then at random depths by offset "
            "and by keyset"_s,
            history },
        { u"search"_s,
            u"GET /search/messages by --concurrency readers over --messages messages in "
            "--chats chats (bulk-filled with --bulk-database-url), all chats and one chat"_s,
            search },
        { u"fanout"_s,
            u"--rate msg/s into a group of --members, all online, plus --non-members "
            "connected users who must receive nothing; send-to-receive latency"_s,
            fanout },
        { u"cluster-idle"_s,
            u"--members of a group all online on the first --url, --concurrency of them sending "
            "into it there (REST, closed loop) while --non-members sit on the other instances; "
            "each instance's CPU seconds per 1,000 messages (needs --url twice or more)"_s,
            clusterIdle },
        { u"mixed"_s,
            u"--connections active users (chats among --concurrency online accounts), each "
            "sending one message every 30 s, while --idle more sockets stay online and "
            "--readers users page history; send-to-deliver latency at the sockets, history "
            "page latency"_s,
            mixed },
        { u"files"_s,
            u"--concurrency clients each upload a --file-mb file with tus (1 MiB PATCHes), then "
            "download it back; MB/s and the server's peak memory per transfer"_s,
            files },
        { u"idle-connections"_s,
            u"opens --connections authenticated /ws/user sockets and keeps them; server "
            "memory per connection with --server-pid"_s,
            idleConnections },
    };
}

} // namespace Messenger::Bench
