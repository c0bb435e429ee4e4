#pragma once

#include "shared/Operations.h"

#include <utility>

namespace Messenger::Server {

// The fields of a request's or a WebSocket's log line (route, status,
// user_id, ...), for the log lines this thread writes while the scope lives:
// the server's message handler (Logging) adds them to the line, as JSON fields
// or as key=value text. The layers below Logging log with qCInfo as usual.
class LogFieldsScope
{
public:
    explicit LogFieldsScope(const LogRecord &fields)
        : m_previous(std::exchange(current, &fields))
    { }
    ~LogFieldsScope() { current = m_previous; }
    LogFieldsScope(const LogFieldsScope &) = delete;
    LogFieldsScope &operator=(const LogFieldsScope &) = delete;

    // The fields of the innermost scope on this thread, or null.
    static const LogRecord *fields() { return current; }

private:
    static inline thread_local const LogRecord *current = nullptr;
    const LogRecord *m_previous;
};

} // namespace Messenger::Server
