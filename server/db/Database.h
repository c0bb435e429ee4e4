#pragma once

#include "DatabaseSettings.h"
#include "Db.h"
#include "DbError.h"
#include "concurrency/PoolWork.h"
#include "core/ApiError.h"
#include "observability/Metrics.h"

#include <QElapsedTimer>
#include <QObject>
#include <QScopeGuard>
#include <QThreadPool>
#include <QThreadStorage>
#include <QtConcurrent/QtConcurrentRun>

#include <memory>

namespace Messenger::Server {

// The worker pool that runs all database work off the event-loop thread, with
// one connection per worker thread (opened lazily, reopened after it dropped).
class Database : public QObject
{
    Q_OBJECT
public:
    explicit Database(DatabaseSettings settings, QObject *parent = nullptr);
    ~Database() override;

    const DatabaseSettings &settings() const { return m_settings; }
    Backend backend() const { return m_settings.backend; }

    // Opens a worker's connection; blocks the caller, meant for start-up only.
    // False with the database's own reason (an untrusted certificate, a
    // server without TLS, a wrong password), which a 503 would not give.
    bool open(QString *error);
    // Applies pending migrations; blocks the caller, meant for start-up only.
    bool migrate(QString *error);

    // Whether the database answers (GET /health): empty, or the 503/500 it failed with.
    QFuture<Result<Empty>> ping();

    // Runs `work(Db &)` on a worker and returns its Result as a future. A
    // DbError thrown by the work becomes a 503 (connection lost) or a 500.
    template <typename Work> auto run(Work &&work) -> QFuture<std::invoke_result_t<Work, Db &>>
    {
        return startAfterCaller(m_pool.get(),
            [this, work = std::forward<Work>(work)]() mutable { return execute(work); });
    }
    // The same, blocking the caller until it is done: for start-up only.
    template <typename Work> auto runAndWait(Work &&work) -> std::invoke_result_t<Work, Db &>
    {
        return QtConcurrent::run(m_pool.get(), [this, work = std::forward<Work>(work)]() mutable {
            return execute(work);
        }).result();
    }

    QThreadPool *pool() const { return m_pool.get(); }

private:
    // Runs the work on this worker's connection: a connection that died while
    // idle (database restart, network blip) fails the first statement; that is
    // retried once on a new connection, so a blip costs clients nothing.
    template <typename Work> auto execute(Work &work) -> std::invoke_result_t<Work, Db &>
    {
        using R = std::invoke_result_t<Work, Db &>;
        for (int attempt = 0;; ++attempt) {
            quint64 succeededBefore = 0;
            const InFlight busy(Metrics::global().databaseConnectionsInUse);
            QElapsedTimer timer;
            timer.start();
            const auto timed
                = qScopeGuard([&timer] { Metrics::global().recordQuery(timer.nsecsElapsed()); });
            try {
                Db &db = threadDb();
                succeededBefore = db.statementsSucceeded();
                return work(db);
            } catch (const DbError &error) {
                if (attempt == 0 && error.isConnectionError() && m_connections.localData()
                    && m_connections.localData()->statementsSucceeded() == succeededBefore) {
                    discardThreadConnection();
                    continue;
                }
                return R(handleError(error));
            }
        }
    }

    Db &threadDb();
    ApiError handleError(const DbError &error);
    void discardThreadConnection();
    QSqlDatabase openConnection();

    DatabaseSettings m_settings;
    QThreadStorage<Db *> m_connections;
    std::unique_ptr<QThreadPool> m_pool; // after m_connections: destroyed first
};

} // namespace Messenger::Server
