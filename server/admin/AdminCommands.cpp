#include "AdminCommands.h"

#include "auth/PasswordHasher.h"
#include "cluster/ClusterLink.h"
#include "config/Config.h"
#include "db/Database.h"
#include "db/Migrations.h"
#include "services/AdminService.h"
#include "services/TokenService.h"
#include "services/UserService.h"
#include "shared/Limits.h"
#include "shared/Validation.h"

#include <QCommandLineParser>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QTextStream>

#include <sodium.h>
#include <termios.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

// Resources compiled into a static library must be registered by hand.
static void initAdminResources()
{
    Q_INIT_RESOURCE(migrations);
}

namespace Messenger::Server {

namespace {

// The invite options' names (`--uses`, `--expires`).
const QString usesOption = u"uses"_s;
const QString expiresOption = u"expires"_s;

const QString commandsHelp = uR"(Commands:
  user create EMAIL NAME        password from stdin, or generated and printed when stdin is empty
  user password EMAIL           new password from stdin (or generated); ends the user's sessions
  user disable EMAIL            no sign-in; ends the user's sessions and closes their sockets
  user enable EMAIL
  user delete EMAIL             the account goes; its messages stay, from "Deleted account"
  user list [--json]
  sessions list EMAIL [--json]
  sessions revoke EMAIL SESSION_ID | --all
  stats [--json]                users, chats, messages, files, sessions, database size
  invite create [--uses N] [--expires DURATION]   prints the code; DURATION: 30m, 12h, 7d, 3600
  invite list [--json]
  invite revoke CODE
Exit codes: 0 done, 1 failed (e.g. no such user), 2 usage or configuration error.
)"_s;

// "90", "90s", "30m", "12h", "7d" in seconds; nullopt otherwise.
std::optional<qint64> durationSeconds(const QString &text)
{
    static const QRegularExpression pattern(u"^(\\d{1,9})([smhd]?)$"_s);
    const auto match = pattern.match(text.trimmed().toLower());
    if (!match.hasMatch())
        return std::nullopt;
    const qint64 amount = match.captured(1).toLongLong();
    const QString unit = match.captured(2);
    const qint64 scale = unit == u"m"_s ? 60 : unit == u"h"_s ? 3600 : unit == u"d"_s ? 86400 : 1;
    return amount > 0 ? std::optional(amount * scale) : std::nullopt;
}

QString generatedPassword()
{
    QByteArray random(15, Qt::Uninitialized);
    randombytes_buf(random.data(), size_t(random.size()));
    return QString::fromLatin1(random.toBase64(QByteArray::Base64UrlEncoding));
}

QString compactJson(const QJsonValue &value)
{
    return QString::fromUtf8(value.isArray()
            ? QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact)
            : QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
}

template <typename T> QJsonArray jsonArray(const QList<T> &items)
{
    QJsonArray array;
    for (const T &item : items)
        array.append(item.toJson());
    return array;
}

template <typename R> struct ResultValue;
template <typename T> struct ResultValue<Result<T>>
{
    using type = T;
};

// Runs `work` on a database worker while this thread waits in an event loop
// (Database::runAndWait may run it on the waiting thread itself, whose
// connection would then outlive the Database at exit).
template <typename Work> auto runOnWorker(Database &database, Work &&work)
{
    auto future = database.run(std::forward<Work>(work));
    QEventLoop loop;
    QFutureWatcher<std::invoke_result_t<Work, Db &>> watcher;
    QObject::connect(&watcher, &QFutureWatcherBase::finished, &loop, &QEventLoop::quit);
    watcher.setFuture(future);
    if (!future.isFinished())
        loop.exec();
    return future.result();
}

// Runs `work` on the database; prints the error and gives nullopt when it failed.
template <typename Work>
auto attempt(Database &database, QTextStream &err, Work &&work)
    -> std::optional<typename ResultValue<std::invoke_result_t<Work, Db &>>::type>
{
    auto result = runOnWorker(database, std::forward<Work>(work));
    if (!result) {
        err << "messenger-server admin: " << result.error().detail << '\n';
        return std::nullopt;
    }
    return std::move(result).value();
}

// Running servers read the events just committed: on PostgreSQL they are
// told now (their LISTEN); on SQLite their feed polls every second anyway.
void announce(Database &database)
{
    if (database.backend() != Backend::Postgres)
        return;
    runOnWorker(database, [](Db &db) {
        ClusterLink::announceCommit(db);
        return Result<Empty>(Empty {});
    });
}

} // namespace

AdminCommands::AdminCommands(QTextStream &out, QTextStream &err, QTextStream &in)
    : m_out(out)
    , m_err(err)
    , m_in(in)
{ }

int AdminCommands::usage(const QString &problem)
{
    m_err << "messenger-server admin: " << problem << "\n\n"
          << "Usage: messenger-server admin [options] <command> ...\n"
          << commandsHelp << "Options: those of messenger-server (see --help).\n";
    return UsageError;
}

int AdminCommands::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    Config::addOptions(parser);
    const QCommandLineOption json(u"json"_s, u"Print JSON."_s);
    const QCommandLineOption all(u"all"_s, u"Every session of the user."_s);
    const QCommandLineOption uses(usesOption, u"Registrations an invite allows."_s, u"n"_s, u"1"_s);
    const QCommandLineOption expires(
        expiresOption, u"How long an invite works (30m, 12h, 7d)."_s, u"duration"_s);
    parser.addOptions({ json, all, uses, expires });
    // Not process(): a wrong option is a usage error (2), and --help shows ours.
    if (!parser.parse(arguments))
        return usage(parser.errorText());
    if (parser.isSet(u"help"_s)) {
        m_out << "Usage: messenger-server admin [options] <command> ...\n" << commandsHelp;
        return Success;
    }
    const QStringList words = parser.positionalArguments().mid(1); // after "admin"
    if (words.isEmpty())
        return usage(u"no command"_s);

    // Results and errors only: not the database's progress.
    QLoggingCategory::setFilterRules(u"messenger.*.info=false"_s);
    QString error;
    auto config = Config::fromParser(parser, &error);
    if (!config) {
        m_err << "configuration error: " << error << '\n';
        return UsageError;
    }
    auto settings = DatabaseSettings::fromUrl(config->databaseUrl, &error);
    if (!settings) {
        m_err << "configuration error: " << error << '\n';
        return UsageError;
    }
    if (sodium_init() < 0) {
        m_err << "libsodium failed to initialise\n";
        return Failure;
    }
    settings->poolSize = 1;
    if (settings->backend == Backend::Sqlite)
        QDir().mkpath(QFileInfo(settings->sqlitePath).absolutePath());
    initAdminResources();
    Database database(*settings);
    // The schema this binary knows, as the server would make it on start.
    const bool migrated = attempt(database, m_err, [](Db &db) -> Result<Empty> {
        QString migrationError;
        if (!Migrations::apply(db, &migrationError))
            return ApiError { 500, u"migration_failed"_s, migrationError, {} };
        return Empty {};
    }).has_value();
    if (!migrated)
        return Failure;
    return dispatch(database, words, parser);
}

int AdminCommands::dispatch(
    Database &database, const QStringList &words, const QCommandLineParser &parser)
{
    const bool json = parser.isSet(u"json"_s);
    const QString area = words.value(0);
    if (area == u"user"_s)
        return userCommand(database, words.mid(1), json);
    if (area == u"sessions"_s)
        return sessionsCommand(database, words.mid(1), parser.isSet(u"all"_s), json);
    if (area == u"invite"_s)
        return inviteCommand(database, words.mid(1), parser, json);
    if (area == u"stats"_s && words.size() == 1)
        return stats(database, json);
    return usage(u"unknown command: "_s + words.join(u' '));
}

std::optional<QString> AdminCommands::newPassword()
{
    QString password;
    if (::isatty(STDIN_FILENO)) {
        m_err << "New password (empty to generate one): " << Qt::flush;
        termios saved {};
        const bool quiet = ::tcgetattr(STDIN_FILENO, &saved) == 0;
        if (quiet) {
            termios silent = saved;
            silent.c_lflag &= ~tcflag_t(ECHO);
            ::tcsetattr(STDIN_FILENO, TCSANOW, &silent);
        }
        password = m_in.readLine();
        if (quiet)
            ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        m_err << '\n';
    } else {
        password = m_in.readLine();
    }
    if (password.isEmpty()) {
        password = generatedPassword();
        m_out << "password: " << password << '\n';
        return password;
    }
    if (password.size() < Limits::passwordMin || password.size() > Limits::passwordMax) {
        m_err << "messenger-server admin: a password has " << Limits::passwordMin << " to "
              << Limits::passwordMax << " characters\n";
        return std::nullopt;
    }
    return password;
}

int AdminCommands::userCommand(Database &database, const QStringList &words, bool json)
{
    const QString verb = words.value(0);
    if (verb == u"list"_s && words.size() == 1) {
        const auto accounts = attempt(database, m_err, &AdminService::accounts);
        if (!accounts)
            return Failure;
        if (json) {
            m_out << compactJson(jsonArray(*accounts)) << '\n';
            return Success;
        }
        m_out << "id\temail\tname\tcreated\tstatus\tsessions\n";
        for (const AccountSummary &account : *accounts) {
            m_out << account.user.id << '\t' << account.user.email << '\t' << account.user.name
                  << '\t' << formatTimestamp(account.createdAt) << '\t'
                  << (account.disabled ? "disabled" : "active") << '\t' << account.sessions << '\n';
        }
        return Success;
    }
    if (verb == u"create"_s && words.size() == 3) {
        const auto password = newPassword();
        if (!password)
            return UsageError;
        // The rules a registration follows, from its DTO.
        const auto request = RegisterRequest::fromJson(
            RegisterRequest { words[1], words[2], *password, std::nullopt }.toJson(), {});
        if (!request) {
            for (const FieldError &fieldError : request.errors())
                m_err << "messenger-server admin: " << fieldError.loc.join(u'.') << ": "
                      << fieldError.msg << '\n';
            return UsageError;
        }
        const QString hash = PasswordHasher(1).hashNow(*password);
        const auto user = attempt(database, m_err, [&request, &hash](Db &db) {
            return UserService::registerUser(db, request.value(), hash);
        });
        if (!user)
            return Failure;
        m_out << "id: " << user->id << '\n';
        return Success;
    }
    if (words.size() != 2)
        return usage(u"unknown command: user "_s + words.join(u' '));
    const QString email = Validation::normalizedEmail(words[1]);
    const auto userId = attempt(
        database, m_err, [email](Db &db) { return AdminService::userIdByEmail(db, email); });
    if (!userId)
        return Failure;
    std::optional<QStringList> ended;
    if (verb == u"password"_s) {
        const auto password = newPassword();
        if (!password)
            return UsageError;
        const QString hash = PasswordHasher(1).hashNow(*password);
        ended = attempt(
            database, m_err, [&](Db &db) { return AdminService::setPassword(db, *userId, hash); });
    } else if (verb == u"disable"_s) {
        ended
            = attempt(database, m_err, [&](Db &db) { return AdminService::disable(db, *userId); });
    } else if (verb == u"delete"_s) {
        ended = attempt(
            database, m_err, [&](Db &db) { return UserService::deleteAccount(db, *userId); });
    } else if (verb == u"enable"_s) {
        if (!attempt(database, m_err, [&](Db &db) { return AdminService::enable(db, *userId); }))
            return Failure;
        m_out << "enabled " << email << '\n';
        return Success;
    } else {
        return usage(u"unknown command: user "_s + words.join(u' '));
    }
    if (!ended)
        return Failure;
    announce(database);
    const QString done = verb == u"password"_s ? u"password changed for"_s
        : verb == u"disable"_s                 ? u"disabled"_s
                                               : u"deleted"_s;
    m_out << done << ' ' << email << "; sessions ended: " << ended->size() << '\n';
    return Success;
}

int AdminCommands::sessionsCommand(
    Database &database, const QStringList &words, bool all, bool json)
{
    const QString verb = words.value(0);
    const bool list = verb == u"list"_s && words.size() == 2;
    const bool revoke = verb == u"revoke"_s && words.size() == (all ? 2 : 3);
    if (!list && !revoke) {
        return usage(all && words.size() == 3
                ? u"sessions revoke takes a SESSION_ID or --all, not both"_s
                : u"unknown command: sessions "_s + words.join(u' '));
    }
    const QString email = Validation::normalizedEmail(words[1]);
    const auto userId = attempt(
        database, m_err, [email](Db &db) { return AdminService::userIdByEmail(db, email); });
    if (!userId)
        return Failure;
    if (list) {
        const auto sessions = attempt(database, m_err,
            [&](Db &db) { return TokenService::sessions(db, *userId, QString()); });
        if (!sessions)
            return Failure;
        if (json) {
            m_out << compactJson(jsonArray(*sessions)) << '\n';
            return Success;
        }
        m_out << "id\tdevice\tclient\taddress\tcreated\tlast used\n";
        for (const SessionInfo &session : *sessions) {
            m_out << session.id << '\t' << session.deviceName << '\t' << session.client << '\t'
                  << session.address << '\t' << formatTimestamp(session.createdAt) << '\t'
                  << formatTimestamp(session.lastUsedAt) << '\n';
        }
        return Success;
    }
    std::optional<QString> sessionId;
    if (!all) {
        sessionId = canonicalUuid(words[2]);
        if (!sessionId) {
            m_err << "messenger-server admin: Session not found\n";
            return Failure;
        }
    }
    const auto ended = attempt(database, m_err,
        [&](Db &db) { return AdminService::revokeSessions(db, *userId, sessionId); });
    if (!ended)
        return Failure;
    announce(database);
    m_out << "sessions ended: " << ended->size() << '\n';
    return Success;
}

int AdminCommands::inviteCommand(
    Database &database, const QStringList &words, const QCommandLineParser &parser, bool json)
{
    const QString verb = words.value(0);
    if (verb == u"create"_s && words.size() == 1) {
        bool ok = false;
        const int uses = parser.value(usesOption).toInt(&ok);
        if (!ok || uses < 1)
            return usage(u"--uses must be a whole number from 1"_s);
        std::optional<qint64> expiresAt;
        if (parser.isSet(expiresOption)) {
            const auto seconds = durationSeconds(parser.value(expiresOption));
            if (!seconds)
                return usage(u"--expires must be a duration such as 30m, 12h, 7d or 3600"_s);
            expiresAt = currentTimestamp() + *seconds * 1000000;
        }
        const auto invite = attempt(database, m_err,
            [&](Db &db) { return AdminService::createInvite(db, uses, expiresAt); });
        if (!invite)
            return Failure;
        m_out << (json ? compactJson(invite->toJson()) : invite->code) << '\n';
        return Success;
    }
    if (verb == u"list"_s && words.size() == 1) {
        const auto invites = attempt(database, m_err, &AdminService::invites);
        if (!invites)
            return Failure;
        if (json) {
            m_out << compactJson(jsonArray(*invites)) << '\n';
            return Success;
        }
        m_out << "code\tuses\tcreated\texpires\tstatus\n";
        const qint64 now = currentTimestamp();
        for (const InviteInfo &invite : *invites) {
            const QString status = invite.revoked           ? u"revoked"_s
                : invite.uses >= invite.maxUses             ? u"used up"_s
                : invite.expiresAt.value_or(now + 1) <= now ? u"expired"_s
                                                            : u"usable"_s;
            m_out << invite.code << '\t' << invite.uses << '/' << invite.maxUses << '\t'
                  << formatTimestamp(invite.createdAt) << '\t'
                  << (invite.expiresAt ? formatTimestamp(*invite.expiresAt) : u"never"_s) << '\t'
                  << status << '\n';
        }
        return Success;
    }
    if (verb == u"revoke"_s && words.size() == 2) {
        if (!attempt(database, m_err,
                [code = words[1]](Db &db) { return AdminService::revokeInvite(db, code); }))
            return Failure;
        m_out << "revoked " << words[1] << '\n';
        return Success;
    }
    return usage(u"unknown command: invite "_s + words.join(u' '));
}

int AdminCommands::stats(Database &database, bool json)
{
    const auto stats = attempt(database, m_err, &AdminService::stats);
    if (!stats)
        return Failure;
    if (json) {
        m_out << compactJson(stats->toJson()) << '\n';
        return Success;
    }
    m_out << "users: " << stats->users << " (" << stats->disabledUsers << " disabled)\n"
          << "chats: " << stats->chats << '\n'
          << "messages: " << stats->messages << '\n'
          << "files: " << stats->files << " (" << stats->fileBytes << " bytes)\n"
          << "sessions: " << stats->sessions << '\n'
          << "database: " << stats->databaseBytes << " bytes\n";
    return Success;
}

} // namespace Messenger::Server
