#pragma once

#include "HttpReply.h"

#include <QFuture>

// What route handlers (HttpApi and its parts in other files) answer with.
namespace Messenger::Server {

inline QFuture<HttpReply> ready(HttpReply reply)
{
    return QtFuture::makeReadyFuture(std::move(reply));
}

inline QFuture<HttpReply> ready(const ApiError &error)
{
    return ready(HttpReply::error(error));
}

// Maps a service call's future to its HTTP answer (on the worker that finished it).
template <typename T> QFuture<HttpReply> respond(QFuture<Result<T>> future, int status = 200)
{
    return future.then([status](const Result<T> &result) { return toReply(result, status); });
}

} // namespace Messenger::Server
