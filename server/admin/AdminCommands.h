#pragma once

#include <QStringList>

#include <optional>

class QCommandLineParser;
class QTextStream;

namespace Messenger::Server {

class Database;
struct Config;

// `messenger-server admin <command> ...`: accounts, sessions, invitations and
// figures, on the database of the configuration the server uses (options and
// environment alike), while servers run on it. What ends sessions is logged as
// `session_revoked` events, as a logout is: every running server reads them
// from its event feed (at once after a NOTIFY on PostgreSQL, within a second
// on SQLite), refuses the tokens and closes the sockets.
// Results go to `out`, messages to `err`; passwords are read from `in`.
class AdminCommands
{
public:
    enum ExitCode { Success = 0, Failure = 1, UsageError = 2 };

    AdminCommands(QTextStream &out, QTextStream &err, QTextStream &in);

    // `arguments` as main() has them: the program, "admin", then the rest.
    int run(const QStringList &arguments);

    static bool isAdminCommand(const QStringList &arguments)
    {
        return arguments.size() > 1 && arguments.at(1) == QStringLiteral("admin");
    }

private:
    int dispatch(Database &database, const QStringList &words, const QCommandLineParser &parser);
    int userCommand(Database &database, const QStringList &words, bool json);
    int sessionsCommand(Database &database, const QStringList &words, bool all, bool json);
    int inviteCommand(
        Database &database, const QStringList &words, const QCommandLineParser &parser, bool json);
    int stats(Database &database, bool json);
    // The password piped to stdin (prompted for on a terminal), or a new
    // random one, printed, when stdin is empty; nullopt when it breaks the rules.
    std::optional<QString> newPassword();
    int usage(const QString &problem);

    QTextStream &m_out;
    QTextStream &m_err;
    QTextStream &m_in;
};

} // namespace Messenger::Server
