#pragma once

#include <QString>

namespace Messenger::Server::Logging {

// One line per message: UTC time, level, category, text (format "text"), or a
// JSON object with the same fields (format "json"). To stderr, or to `file`
// (appended; reopen() after logrotate moved it). `level` is debug, info,
// warning or error; QT_LOGGING_RULES still refines it. Tokens that slip into a
// message (a query string, an Authorization header) are masked. A fatal signal
// (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) writes one last line naming it and
// the stack, then takes its default action (a core dump where allowed).
bool install(const QString &level, const QString &format = QStringLiteral("text"),
    const QString &file = {}, QString *error = nullptr);
// Reopens the log file (SIGHUP); nothing to do when logging to stderr.
void reopen();

} // namespace Messenger::Server::Logging
