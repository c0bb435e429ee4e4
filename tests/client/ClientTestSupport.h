#pragma once

#include "client/api/ApiResult.h"

#include <QElapsedTimer>
#include <QFuture>
#include <QTest>

// Spins the event loop until `future` is finished (the api layer completes on
// this thread), or gives up with a Protocol error naming the timeout.
template <typename T>
Messenger::Client::ApiResult<T> await(
    QFuture<Messenger::Client::ApiResult<T>> future, int timeoutMs = 15000)
{
    QElapsedTimer timer;
    timer.start();
    while (!future.isFinished() && timer.elapsed() < timeoutMs)
        QTest::qWait(5);
    if (!future.isFinished())
        return Messenger::Client::ApiError { Messenger::Client::ApiError::Kind::Protocol, 0,
            QStringLiteral("test timed out"), {} };
    return future.result();
}

// Fails the test with the error's detail when `result` is not ok.
#define VERIFY_OK(result)                                                                          \
    do {                                                                                           \
        const auto &checked_ = (result);                                                           \
        QVERIFY2(checked_.ok(), qPrintable(checked_.error().detail));                              \
    } while (false)
