#pragma once

#include <QString>

namespace Messenger::Server::Logging {

// One line per message: UTC time, level, category, text (format "text"), or a
// JSON object with the same fields (format "json"); a request's or a
// WebSocket's line adds its fields (LogFieldsScope): JSON fields, or key=value
// after the text. To stderr, or to `file`
// (appended; reopen() after logrotate moved it). `level` is debug, info,
// warning or error; QT_LOGGING_RULES still refines it. Tokens that slip into a
// message (a query string, an Authorization header) are masked. A fatal signal
// (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) writes one last line naming it and
// the stack, then takes its default action (a core dump where allowed).
bool install(const QString &level, const QString &format = QStringLiteral("text"),
    const QString &file = {}, QString *error = nullptr);
// A line written whatever the level ("Listening on ..."): on stderr, where
// scripts and tests wait for it, and in the log file if there is one; a JSON
// line in JSON format, the bare message in text format.
void announce(const QString &message);
// Reopens the log file (SIGHUP); nothing to do when logging to stderr.
void reopen();

} // namespace Messenger::Server::Logging
