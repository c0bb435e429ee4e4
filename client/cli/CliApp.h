#pragma once

#include "client/api/ApiClient.h"
#include "client/api/LiveConnection.h"
#include "client/api/SessionStore.h"

#include <QCommandLineParser>
#include <QObject>
#include <QTextStream>

namespace Messenger::Client {

// messenger-cli: the client library on a command line, for scripts and for
// people who live in a terminal. Each run is one command; the session (server
// address and refresh token) is kept between runs like the desktop app's, in
// an entry of its own. Output is text, or one JSON value per line (--json).
class CliApp : public QObject
{
    Q_OBJECT
public:
    // Exit codes scripts can rely on.
    enum ExitCode {
        Success = 0,
        UsageError = 1, // bad command line
        Refused = 2, // the server said no (4xx): not a member, invalid input...
        NotSignedIn = 3, // no session, or it expired: run `login`
        Unavailable = 4, // cannot reach the server, or it failed (5xx)
    };

    explicit CliApp(QObject *parent = nullptr);
    // Parses the arguments and starts the command; finished() ends it.
    void start(const QStringList &arguments);

Q_SIGNALS:
    void finished(int exitCode);

private:
    void registerUser(const QStringList &args);
    void login(const QStringList &args);
    void logout();
    void chats();
    void startChat(const QStringList &args);
    void history(const QStringList &args);
    void send(const QStringList &args);
    // Uploads `files` one after the other (progress on stderr), then `then`
    // with their ids.
    void uploadFiles(QStringList files, QStringList ids, std::function<void(QStringList)> then);
    void download(const QStringList &args);
    // Saves the file `fileId` (named `name` on the server) at `target`, or
    // beside it with " (1)", " (2)"... when something is there.
    void saveDownload(const QString &fileId, const QString &target, qint64 size);
    void search(const QStringList &args);
    void read(const QStringList &args);
    void react(const QStringList &args, bool add);
    // forward's arguments as message ids, "--to", chat ids.
    QStringList forwardArguments(const QStringList &arguments, const QStringList &positional);
    void forward(const QStringList &args);
    void pin(const QStringList &args, bool pinIt);
    // chat mute|pin|unpin|archive|unarchive|mark-unread CHAT: your own settings.
    void chatSettings(const QStringList &args);
    void listen();
    void profile(const QStringList &args);
    void presence(const QStringList &args);
    void changePassword();

    // Runs `then` once a stored session is loaded, or ends with NotSignedIn.
    void withSession(std::function<void()> then);
    // Prints an error and ends with the exit code that fits it; a 401 means
    // the session ended unless the caller says otherwise (login: refused).
    void fail(const ApiError &error, std::optional<ExitCode> ifUnauthorized = {});
    void failUsage(const QString &message);
    // Every failure ends here: the message on stderr and, with --json, one
    // JSON line on stdout {"error", "status", "code"}.
    void finish(
        ExitCode exitCode, const QString &message, int status = 0, const QString &code = {});
    // MESSENGER_PASSWORD, else asked for; `confirm` asks twice on a terminal.
    QString password(bool confirm);
    void done(const QJsonValue &json, const QString &text);
    QString option(const QCommandLineOption &option) const;

    const QCommandLineOption m_serverOption;
    const QCommandLineOption m_jsonOption;
    const QCommandLineOption m_nameOption;
    const QCommandLineOption m_emailOption;
    const QCommandLineOption m_limitOption;
    const QCommandLineOption m_beforeOption;
    const QCommandLineOption m_chatOption;
    const QCommandLineOption m_sinceOption;
    const QCommandLineOption m_replyToOption;
    const QCommandLineOption m_toOption;
    const QCommandLineOption m_mentionOption;
    const QCommandLineOption m_fileOption;
    const QCommandLineOption m_outputOption;
    QCommandLineParser m_parser;
    bool m_json = false;
    bool m_saidListening = false;
    ApiClient m_api;
    SessionStore m_store;
    LiveConnection *m_live = nullptr;
    QTextStream m_out;
    QTextStream m_err;
};

} // namespace Messenger::Client
