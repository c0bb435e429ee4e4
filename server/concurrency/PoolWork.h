#pragma once

#include <QCoreApplication>
#include <QFuture>
#include <QPromise>
#include <QThreadPool>

#include <exception>
#include <memory>
#include <type_traits>

namespace Messenger::Server {

// Runs `work()` on `pool` and returns its result as a future whose
// continuations are safe to attach.
//
// Why not QtConcurrent::run: Qt 6.4's QFuture can run a continuation twice
// when it is attached on one thread while another thread finishes the future;
// the second run finds its promise moved away and crashes in
// QFutureInterfaceBase::reportStarted. The server died that way, silently,
// under sustained sends (a SIGSEGV in SendQueue's continuation; the fatal-
// signal log line caught it in tst_ws). Every caller attaches its
// continuations on the event-loop thread right after this returns, so the work
// is handed to the pool only once that thread is back in its event loop:
// finishing then always comes after attaching.
//
// Call it on the event-loop thread; a caller that must block for the result
// (start-up only) uses QtConcurrent::run(...).result() instead.
template <typename Work>
auto startAfterCaller(QThreadPool *pool, Work &&work) -> QFuture<std::invoke_result_t<Work &>>
{
    using R = std::invoke_result_t<Work &>;
    auto promise = std::make_shared<QPromise<R>>();
    promise->start();
    QFuture<R> future = promise->future();
    auto shared = std::make_shared<std::decay_t<Work>>(std::forward<Work>(work));
    QMetaObject::invokeMethod(
        QCoreApplication::instance(),
        [pool, promise, shared] {
            pool->start([promise, shared] {
                try {
                    promise->addResult((*shared)());
                } catch (...) {
                    promise->setException(std::current_exception());
                }
                promise->finish();
            });
        },
        Qt::QueuedConnection);
    return future;
}

} // namespace Messenger::Server
