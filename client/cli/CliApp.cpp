#include "CliApp.h"

#include "client/api/FileTransfer.h"
#include "shared/ApiPaths.h"
#include "shared/CliOutput.h"
#include "shared/Json.h"
#include "shared/Limits.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkReply>

#include <cstdio>
#include <termios.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Messenger::Client {

namespace {

const QString usage
    = u"Commands:\n"
      "  register --name NAME --email EMAIL\n"
      "  login --email EMAIL         (keeps the session)\n"
      "  logout\n"
      "  chats                       your chats, newest first\n"
      "  start EMAIL                 opens (or finds) your chat with that person\n"
      "  history CHAT [--limit N] [--before SEQ]\n"
      "  send CHAT [TEXT] [--reply-to MESSAGE] [--mention USER]... [--file PATH]...\n"
      "                              with files (up to 10) the text is their caption\n"
      "                              and may be left out\n"
      "  download FILE [--output PATH]\n"
      "                              saves a message's file (its id, as history\n"
      "                              shows it); by default under its own name here,\n"
      "                              never over an existing file (adds \" (1)\")\n"
      "  search QUERY [--chat CHAT] [--limit N] [--before SEQ]\n"
      "                              your messages with every word of QUERY\n"
      "                              (word prefixes, any case), newest first\n"
      "  read CHAT                   marks the chat read\n"
      "  forward MESSAGE... --to CHAT...\n"
      "                              copies the messages into the chats\n"
      "  pin CHAT MESSAGE            pins the message in the chat\n"
      "  unpin CHAT                  unpins the chat's pinned message\n"
      "  chat mute CHAT [1h|8h|1d|forever|off]\n"
      "                              mutes the chat for you (default forever)\n"
      "  chat pin|unpin CHAT         pins the chat to the top of your list (at most 5)\n"
      "  chat archive|unarchive CHAT hides the chat in your archive (a new message\n"
      "                              brings it back unless it is muted)\n"
      "  chat mark-unread CHAT       marks the chat unread until you read it\n"
      "  react MESSAGE EMOJI         reacts to the message with one emoji\n"
      "  unreact MESSAGE EMOJI       takes that reaction back\n"
      "  listen [--since SEQ]        live events as JSON lines until interrupted;\n"
      "                              --since first replays the events after SEQ\n"
      "  profile set-name NAME       changes your display name\n"
      "  presence USER...            online / last seen of people (user ids) who\n"
      "                              share a chat with you\n"
      "  password                    changes your password (asks for the current\n"
      "                              one, then the new one); signs out your other\n"
      "                              devices, keeps this session\n"
      "The password is asked for (without echo) on a terminal, read as one line\n"
      "from standard input otherwise, or taken from MESSENGER_PASSWORD; never\n"
      "from the command line, where other users of the machine could see it.\n"
      "`password` reads the current and the new password the same way, the new\n"
      "one from the next line or MESSENGER_NEW_PASSWORD.\n"
      "Exit codes: 0 done, 1 usage, 2 refused by the server (a wrong password\n"
      "too), 3 not signed in or the session ended, 4 server unreachable or failing.\n"
      "With --json every outcome, failures included, is one JSON line on stdout."_s;

// Reads a password without showing it: with the terminal's echo off when
// stdin is one, else the first line of stdin (pipes, scripts).
QString readPassword(const QString &prompt)
{
    const bool terminal = ::isatty(STDIN_FILENO) == 1;
    QTextStream err(stderr);
    termios saved {};
    if (terminal) {
        err << prompt << Qt::flush;
        ::tcgetattr(STDIN_FILENO, &saved);
        termios silent = saved;
        silent.c_lflag &= ~tcflag_t(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent);
    }
    // One stream for every read: a stream's buffer may hold the next line.
    static QTextStream in(stdin);
    const QString line = in.readLine();
    if (terminal) {
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        err << Qt::endl; // the Enter the user typed was not echoed
    }
    return line;
}

// A positive whole number from an option, or nothing.
std::optional<qint64> positiveNumber(const QString &text)
{
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    return ok && value > 0 ? std::optional(value) : std::nullopt;
}

} // namespace

CliApp::CliApp(QObject *parent)
    : QObject(parent)
    , m_serverOption(u"server"_s,
          tr("Server address (default: the stored one, or http://127.0.0.1:8000)."), u"url"_s)
    , m_jsonOption(u"json"_s, tr("Print JSON, one value per line."))
    , m_nameOption(u"name"_s, tr("Display name (register)."), u"name"_s)
    , m_emailOption(u"email"_s, tr("Email (register, login)."), u"email"_s)
    , m_limitOption(
          u"limit"_s, tr("Messages to show (history, search), 1 to 100. Default 20."), u"n"_s)
    , m_beforeOption(
          u"before"_s, tr("Only messages older than this seq (history, search)."), u"seq"_s)
    , m_chatOption(u"chat"_s, tr("Search only this chat (search)."), u"chat"_s)
    , m_sinceOption(u"since"_s, tr("Replay the events after this seq first (listen)."), u"seq"_s)
    , m_replyToOption(
          u"reply-to"_s, tr("The id of the message this one answers (send)."), u"message"_s)
    , m_toOption(u"to"_s, tr("The chats to forward to (forward)."), u"chat"_s)
    , m_mentionOption(u"mention"_s,
          tr("The id of a member the text mentions; repeat for more (send)."), u"user"_s)
    , m_fileOption(u"file"_s,
          tr("A file to send; repeat for more, up to %1 (send).")
              .arg(Limits::attachmentsPerMessageMax),
          u"path"_s)
    , m_outputOption(u"output"_s, tr("Where to save the file (download)."), u"path"_s)
    , m_out(stdout)
    , m_err(stderr)
{
    m_store.setKeychainKey(u"cli-refresh-token"_s);
    // Tests (and people without a keychain) keep the session in a file.
    if (const QString file = qEnvironmentVariable("MESSENGER_SESSION_FILE"); !file.isEmpty()) {
        m_store.setFallbackFile(file);
        m_store.setKeychainEnabled(false);
    }
    // A rotated refresh token replaces the stored one at once.
    connect(&m_api, &ApiClient::refreshTokenChanged, &m_store, &SessionStore::saveRefreshToken);
}

void CliApp::start(const QStringList &arguments)
{
    m_parser.setApplicationDescription(tr("Messenger on the command line.") + u"\n\n"_s + usage);
    const QCommandLineOption help = m_parser.addHelpOption();
    const QCommandLineOption version = m_parser.addVersionOption();
    m_parser.addOptions({ m_serverOption, m_jsonOption, m_nameOption, m_emailOption, m_limitOption,
        m_beforeOption, m_chatOption, m_sinceOption, m_replyToOption, m_toOption, m_mentionOption,
        m_fileOption, m_outputOption });
    m_parser.addPositionalArgument(u"command"_s, tr("What to do (see above)."));
    // parse(), not process(): a bad command line is a usage error like any
    // other, printed as JSON under --json.
    m_json = arguments.contains(u"--json"_s);
    if (!m_parser.parse(arguments)) {
        failUsage(m_parser.errorText());
        return;
    }
    if (m_parser.isSet(help))
        m_parser.showHelp(Success);
    if (m_parser.isSet(version))
        m_parser.showVersion();
    QString server = m_parser.value(m_serverOption);
    if (server.isEmpty())
        server = m_store.serverUrl();
    if (server.isEmpty())
        server = u"http://127.0.0.1:8000"_s;
    const QUrl url = QUrl::fromUserInput(server);
    if (!url.isValid() || (url.scheme() != u"http"_s && url.scheme() != u"https"_s)) {
        failUsage(tr("Not a server address: %1").arg(server));
        return;
    }
    m_api.setBaseUrl(url);

    QStringList args = m_parser.positionalArguments();
    if (args.isEmpty()) {
        failUsage(tr("Which command? See --help."));
        return;
    }
    const QString command = args.takeFirst();
    if (command == u"register"_s)
        registerUser(args);
    else if (command == u"login"_s)
        login(args);
    else if (!args.isEmpty()
        && (command == u"logout"_s || command == u"chats"_s || command == u"listen"_s))
        failUsage(tr("%1 takes no arguments: %2").arg(command, args.join(u' ')));
    else if (command == u"logout"_s)
        logout();
    else if (command == u"chats"_s)
        withSession([this] { chats(); });
    else if (command == u"start"_s)
        withSession([this, args] { startChat(args); });
    else if (command == u"history"_s)
        withSession([this, args] { history(args); });
    else if (command == u"send"_s)
        withSession([this, args] { send(args); });
    else if (command == u"download"_s)
        withSession([this, args] { download(args); });
    else if (command == u"search"_s)
        withSession([this, args] { search(args); });
    else if (command == u"read"_s)
        withSession([this, args] { read(args); });
    else if (command == u"forward"_s)
        withSession([this, args = forwardArguments(arguments, args)] { forward(args); });
    else if (command == u"pin"_s || command == u"unpin"_s)
        withSession([this, args, pinIt = command == u"pin"_s] { pin(args, pinIt); });
    else if (command == u"chat"_s)
        withSession([this, args] { chatSettings(args); });
    else if (command == u"react"_s || command == u"unreact"_s)
        withSession([this, args, add = command == u"react"_s] { react(args, add); });
    else if (command == u"listen"_s)
        withSession([this] { listen(); });
    else if (command == u"profile"_s)
        withSession([this, args] { profile(args); });
    else if (command == u"presence"_s)
        withSession([this, args] { presence(args); });
    else if (command == u"password"_s && !args.isEmpty())
        failUsage(tr("%1 takes no arguments: %2").arg(command, args.join(u' ')));
    else if (command == u"password"_s)
        withSession([this] { changePassword(); });
    else
        failUsage(tr("Unknown command: %1. See --help.").arg(command));
}

QString CliApp::option(const QCommandLineOption &option) const
{
    return m_parser.value(option);
}

QString CliApp::password(bool confirm)
{
    if (const QString fromEnvironment = qEnvironmentVariable("MESSENGER_PASSWORD");
        !fromEnvironment.isEmpty())
        return fromEnvironment;
    const QString password = readPassword(tr("Password: "));
    if (confirm && ::isatty(STDIN_FILENO) == 1
        && readPassword(tr("Repeat the password: ")) != password)
        return {};
    return password;
}

void CliApp::registerUser(const QStringList &args)
{
    const QString name = option(m_nameOption);
    const QString email = option(m_emailOption);
    if (name.isEmpty() || email.isEmpty() || !args.isEmpty()) {
        failUsage(tr("register needs --name and --email, and nothing else."));
        return;
    }
    const QString password = this->password(true);
    if (password.isEmpty()) {
        failUsage(tr("register needs a password (the two entered must match)."));
        return;
    }
    m_api.registerUser(name, email, password).then(this, [this](const ApiResult<User> &user) {
        if (!user)
            return fail(user.error());
        done(user.value().toJson(),
            tr("Registered %1 <%2>. Now run: login --email %2")
                .arg(user.value().name, user.value().email));
    });
}

void CliApp::login(const QStringList &args)
{
    const QString email = option(m_emailOption);
    if (email.isEmpty() || !args.isEmpty()) {
        failUsage(tr("login needs --email, and nothing else."));
        return;
    }
    const QString password = this->password(false);
    if (password.isEmpty()) {
        failUsage(tr("login needs a password."));
        return;
    }
    m_api.login(email, password).then(this, [this](const ApiResult<TokenResponse> &tokens) {
        // A 401 here is a wrong email or password: refused, not "signed out".
        if (!tokens)
            return fail(tokens.error(), Refused);
        m_store.saveServerUrl(m_api.baseUrl().toString());
        m_store.saveRefreshToken(tokens.value().refreshToken);
        m_store.saveUserId(tokens.value().userId);
        done(CliSignedIn { tokens.value().userId }.toJson(),
            tr("Signed in to %1.").arg(m_api.baseUrl().toString()));
    });
}

void CliApp::logout()
{
    m_store.loadRefreshToken().then(this, [this](const QString &refreshToken) {
        if (refreshToken.isEmpty()) {
            done(CliSignedOut {}.toJson(), tr("Not signed in."));
            return;
        }
        m_api.setTokens({}, refreshToken);
        m_api.logout().then(this, [this](const ApiResult<Empty> &) {
            // Forget the session even if the server could not be told.
            m_store.clear();
            done(CliSignedOut {}.toJson(), tr("Signed out."));
        });
    });
}

void CliApp::withSession(std::function<void()> then)
{
    m_store.loadRefreshToken().then(this, [this, then = std::move(then)](const QString &token) {
        if (token.isEmpty()) {
            finish(NotSignedIn, tr("Not signed in: run login first."));
            return;
        }
        // The first call meets a 401 and refreshes: one extra round trip.
        m_api.setTokens({}, token);
        then();
    });
}

void CliApp::chats()
{
    m_api.chatsWithLastMessage().then(this, [this](const ApiResult<QList<ChatSummary>> &chats) {
        if (!chats)
            return fail(chats.error());
        QJsonArray array;
        QStringList lines;
        for (const ChatSummary &chat : chats.value()) {
            array.append(chat.toJson());
            // A personal chat is named after the other person, as in the app
            // (before the user id was stored at login: both names).
            const QString me = m_store.userId();
            QStringList names;
            for (const User &member : chat.chat.members) {
                if (member.id != me || chat.chat.members.size() == 1)
                    names.append(member.name);
            }
            QString line
                = chat.chat.id + u"  "_s + (chat.chat.name ? *chat.chat.name : names.join(u", "_s));
            if (chat.unreadCount > 0)
                line += u" (%1)"_s.arg(chat.unreadCount);
            if (chat.unreadMentions > 0) // unread messages that mention the caller
                line += u" @%1"_s.arg(chat.unreadMentions);
            if (chat.chat.settings) {
                const ChatSettings &settings = *chat.chat.settings;
                QStringList flags;
                if (settings.pinnedPosition)
                    flags.append(tr("pinned %1").arg(*settings.pinnedPosition));
                if (settings.isMutedNow())
                    flags.append(tr("muted"));
                if (settings.archived)
                    flags.append(tr("archived"));
                if (settings.markedUnread)
                    flags.append(tr("marked unread"));
                if (!flags.isEmpty())
                    line += u"  ["_s + flags.join(u", "_s) + u']';
            }
            if (chat.chat.pinnedMessage)
                line += u"\n    "_s
                    + tr("pinned: %1: %2")
                          .arg(chat.chat.pinnedMessage->senderName, chat.chat.pinnedMessage->text);
            if (chat.lastMessage)
                line += u"\n    "_s + chat.lastMessage->text.left(100);
            lines.append(line);
        }
        done(array, lines.isEmpty() ? tr("No chats yet.") : lines.join(u'\n'));
    });
}

void CliApp::startChat(const QStringList &args)
{
    if (args.size() != 1) {
        failUsage(tr("start needs the other person's email."));
        return;
    }
    const QString email = args.first().toLower();
    m_api.searchUsers(email, 50).then(this, [this, email](const ApiResult<QList<User>> &users) {
        if (!users)
            return fail(users.error());
        const auto found = std::find_if(users.value().cbegin(), users.value().cend(),
            [&email](const User &user) { return user.email == email; });
        if (found == users.value().cend()) {
            fail({ ApiError::Kind::Http, 404, tr("Nobody with the email %1.").arg(email), {} });
            return;
        }
        m_api.createPersonalChat(found->id).then(this, [this](const ApiResult<Chat> &chat) {
            if (!chat)
                return fail(chat.error());
            done(chat.value().toJson(), chat.value().id);
        });
    });
}

void CliApp::history(const QStringList &args)
{
    if (args.size() != 1) {
        failUsage(tr("history needs a chat id."));
        return;
    }
    HistoryQuery query;
    query.limit = 20;
    if (m_parser.isSet(m_limitOption)) {
        const auto limit = positiveNumber(option(m_limitOption));
        if (!limit || *limit > 100) {
            failUsage(tr("--limit takes a number from 1 to 100."));
            return;
        }
        query.limit = int(*limit);
    }
    if (m_parser.isSet(m_beforeOption)) {
        query.beforeSeq = positiveNumber(option(m_beforeOption));
        if (!query.beforeSeq) {
            failUsage(tr("--before takes a seq, a positive number."));
            return;
        }
    }
    m_api.history(args.first(), query).then(this, [this](const ApiResult<HistoryPage> &page) {
        if (!page)
            return fail(page.error());
        QStringList lines;
        // Oldest first, as a conversation reads.
        for (auto it = page.value().messages.crbegin(); it != page.value().messages.crend(); ++it) {
            // The message, then what belongs to it, indented: its id (what
            // react, pin, forward and --reply-to take), what it answers.
            lines.append(tr("#%1 (seq %2) [%3] %4: %5")
                             .arg(it->chatSeq)
                             .arg(it->seq)
                             .arg(formatTimestamp(it->timestamp), it->sender.name,
                                 it->deleted ? tr("(deleted)") : it->text));
            lines.append(tr("  id %1").arg(it->id));
            if (it->replyTo)
                lines.append(it->replyTo->deleted
                        ? tr("  > reply to a deleted message")
                        : tr("  > reply to %1: %2")
                              .arg(it->replyTo->senderName, it->replyTo->text));
            if (it->forwardedFrom)
                lines.append(tr("  forwarded from %1").arg(it->forwardedFrom->senderName));
            if (!it->mentions.isEmpty())
                lines.append(tr("  @ mentions %1").arg(it->mentions.join(u", "_s)));
            for (const Attachment &file : it->attachments)
                lines.append(
                    tr("  file %1 (%2) id %3").arg(file.name, formatFileSize(file.size), file.id));
            if (!it->reactions.isEmpty()) {
                QStringList shown;
                for (const Reaction &reaction : it->reactions)
                    shown.append(reaction.me
                            ? tr("%1 %2 (you)").arg(reaction.emoji).arg(reaction.count)
                            : tr("%1 %2").arg(reaction.emoji).arg(reaction.count));
                lines.append(tr("  reactions: %1").arg(shown.join(u", ")));
            }
        }
        done(page.value().toJson(), lines.isEmpty() ? tr("No messages.") : lines.join(u'\n'));
    });
}

void CliApp::search(const QStringList &args)
{
    if (args.size() != 1) {
        failUsage(tr("search needs the words to find (quote them)."));
        return;
    }
    MessageSearchQuery query;
    query.text = args.first();
    if (m_parser.isSet(m_chatOption))
        query.chatId = option(m_chatOption);
    if (m_parser.isSet(m_limitOption)) {
        const auto limit = positiveNumber(option(m_limitOption));
        if (!limit || *limit > 100) {
            failUsage(tr("--limit takes a number from 1 to 100."));
            return;
        }
        query.limit = int(*limit);
    }
    if (m_parser.isSet(m_beforeOption)) {
        query.beforeSeq = positiveNumber(option(m_beforeOption));
        if (!query.beforeSeq) {
            failUsage(tr("--before takes a seq, a positive number."));
            return;
        }
    }
    m_api.searchMessages(query).then(this, [this](const ApiResult<MessageSearchPage> &page) {
        if (!page)
            return fail(page.error());
        QStringList lines;
        for (const MessageSearchResult &result : page.value().results) {
            // The highlighted words between » and «, as a terminal shows no bold.
            QString snippet = result.snippet.text;
            for (auto it = result.snippet.highlights.crbegin();
                 it != result.snippet.highlights.crend(); ++it) {
                snippet.insert(it->start + it->length, u'\u00ab');
                snippet.insert(it->start, u'\u00bb');
            }
            lines.append(tr("%1 (chat %2) seq %3 [%4] %5: %6")
                             .arg(result.chatName, result.chatId)
                             .arg(result.message.seq)
                             .arg(formatTimestamp(result.message.timestamp),
                                 result.message.sender.name, snippet));
        }
        if (page.value().nextBefore)
            lines.append(tr("More: --before %1").arg(*page.value().nextBefore));
        done(page.value().toJson(), lines.isEmpty() ? tr("Nothing found.") : lines.join(u'\n'));
    });
}

void CliApp::send(const QStringList &args)
{
    const QStringList files = m_parser.values(m_fileOption);
    if (args.size() != 2 && !(args.size() == 1 && !files.isEmpty())) {
        failUsage(tr("send needs a chat id and the text (quote it), or files (--file)."));
        return;
    }
    if (files.size() > Limits::attachmentsPerMessageMax) {
        failUsage(tr("send takes at most %1 files.").arg(Limits::attachmentsPerMessageMax));
        return;
    }
    for (const QString &file : files) {
        if (!QFileInfo(file).isFile()) {
            failUsage(tr("No such file: %1").arg(file));
            return;
        }
    }
    const QString replyTo = option(m_replyToOption);
    if (m_parser.isSet(m_replyToOption) && !canonicalUuid(replyTo)) {
        failUsage(tr("--reply-to takes a message id."));
        return;
    }
    QStringList mentions;
    for (const QString &user : m_parser.values(m_mentionOption)) {
        const auto id = canonicalUuid(user);
        if (!id) {
            failUsage(tr("--mention takes a user id."));
            return;
        }
        mentions.append(*id);
    }
    const QString chatId = args.at(0);
    const QString text = args.value(1);
    uploadFiles(files, {}, [this, chatId, text, replyTo, mentions](const QStringList &fileIds) {
        m_api.sendMessage(chatId, text, newUuid(), replyTo, mentions, fileIds)
            .then(this, [this](const ApiResult<Message> &message) {
                if (!message)
                    return fail(message.error());
                done(message.value().toJson(), tr("Sent (seq %1).").arg(message.value().seq));
            });
    });
}

void CliApp::uploadFiles(QStringList files, QStringList ids, std::function<void(QStringList)> then)
{
    if (files.isEmpty()) {
        then(ids);
        return;
    }
    const QString path = files.takeFirst();
    auto *upload = new FileUpload(&m_api, path, this);
    // A script should not hang on a server that is gone: a few tries (about 15 s).
    upload->setMaxRetries(5);
    const QString name = QFileInfo(path).fileName();
    const bool terminal = ::isatty(STDERR_FILENO) == 1;
    connect(upload, &FileTransfer::progress, this,
        [this, name, terminal, shown = -1](qint64 done, qint64 total) mutable {
            const int percent = total > 0 ? int(done * 100 / total) : 100;
            // A terminal sees one line count up; a log, every quarter.
            if (percent == shown || (!terminal && percent % 25 != 0 && percent != 100))
                return;
            shown = percent;
            m_err << (terminal ? u"\r"_s : QString())
                  << tr("Uploading %1: %2%").arg(name).arg(percent)
                  << (terminal ? QString() : u"\n"_s) << Qt::flush;
        });
    connect(upload, &FileTransfer::finished, this,
        [this, upload, files, ids, then = std::move(then), terminal]() mutable {
            upload->deleteLater();
            if (terminal)
                m_err << Qt::endl;
            if (upload->state() != FileTransfer::State::Finished)
                return fail(upload->error());
            ids.append(upload->attachment()->id);
            uploadFiles(files, ids, std::move(then));
        });
    upload->start();
}

void CliApp::download(const QStringList &args)
{
    if (args.size() != 1) {
        failUsage(tr("download needs a file id."));
        return;
    }
    const QString fileId = args.first();
    // The name and size first (HEAD): the default target is named after it.
    m_api.sendRaw(
        this, "HEAD", ApiPaths::file(fileId), {}, {}, [](QNetworkReply *) {},
        [this, fileId](QNetworkReply *reply) {
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (status != 200) {
                // A HEAD answer has no body: the status says it.
                ApiError error { status == 0 ? ApiError::Kind::Network : ApiError::Kind::Http,
                    status, status == 0 ? reply->errorString() : tr("No such file: %1").arg(fileId),
                    {} };
                if (status == 404)
                    error.code = u"file_not_found"_s;
                return fail(error);
            }
            const qint64 size = reply->header(QNetworkRequest::ContentLengthHeader).toLongLong();
            QString target = option(m_outputOption);
            if (target.isEmpty()) {
                // Content-Disposition: ...; filename*=UTF-8''percent-encoded
                const QByteArray disposition = reply->rawHeader("Content-Disposition");
                const qsizetype encoded = disposition.indexOf("filename*=UTF-8''");
                QString name = encoded < 0 ? QString()
                                           : QUrl::fromPercentEncoding(disposition.mid(
                                               encoded + qsizetype(qstrlen("filename*=UTF-8''"))));
                // Only a name: never a path the server chose.
                name = QFileInfo(name.replace(u'\\', u'_')).fileName();
                if (name.isEmpty() || name == u"."_s || name == u".."_s)
                    name = fileId;
                target = QDir::current().filePath(name);
            } else if (QFileInfo(target).isDir()) {
                failUsage(tr("--output names a folder: %1").arg(target));
                return;
            }
            saveDownload(fileId, target, size);
        });
}

void CliApp::saveDownload(const QString &fileId, const QString &target, qint64 size)
{
    // Never over an existing file: "name (1).ext", "name (2).ext"...
    QString path = target;
    const QFileInfo info(target);
    const QString suffix = info.completeSuffix();
    const QString base
        = suffix.isEmpty() ? info.fileName() : info.fileName().chopped(suffix.size() + 1);
    for (int n = 1; QFileInfo::exists(path) || QFileInfo::exists(path + u".part"_s); ++n)
        path = info.dir().filePath(suffix.isEmpty() ? u"%1 (%2)"_s.arg(base).arg(n)
                                                    : u"%1 (%2).%3"_s.arg(base).arg(n).arg(suffix));
    auto *download = new FileDownload(&m_api, ApiPaths::file(fileId), path, size, this);
    download->setMaxRetries(5);
    const bool terminal = ::isatty(STDERR_FILENO) == 1;
    const QString name = QFileInfo(path).fileName();
    if (terminal) {
        connect(download, &FileTransfer::progress, this,
            [this, name, shown = -1](qint64 done, qint64 total) mutable {
                const int percent = total > 0 ? int(done * 100 / total) : 0;
                if (percent == shown)
                    return;
                shown = percent;
                m_err << u"\r"_s << tr("Downloading %1: %2%").arg(name).arg(percent) << Qt::flush;
            });
    }
    connect(download, &FileTransfer::finished, this, [this, download, fileId, terminal] {
        download->deleteLater();
        if (terminal)
            m_err << Qt::endl;
        if (download->state() != FileTransfer::State::Finished)
            return fail(download->error());
        const QString saved = QDir::toNativeSeparators(download->targetPath());
        const qint64 bytes = QFileInfo(download->targetPath()).size();
        done(CliDownloaded { fileId, saved, bytes }.toJson(),
            tr("Saved %1 (%2).").arg(saved, formatFileSize(bytes)));
    });
    download->start();
}

QStringList CliApp::forwardArguments(const QStringList &arguments, const QStringList &positional)
{
    // `--to A B C`: the parser takes only A as the option's value and leaves
    // B and C among the positional arguments; everything after --to is a
    // chat. The message ids come first, then "--to", then the chats.
    const qsizetype to = arguments.indexOf(u"--to"_s);
    QStringList chats = m_parser.values(m_toOption);
    QStringList messages = positional;
    if (to >= 0) {
        const QStringList after = arguments.mid(to + 2);
        for (const QString &argument : after) {
            if (messages.contains(argument) && !argument.startsWith(u'-')) {
                messages.removeOne(argument);
                chats.append(argument);
            }
        }
    }
    return messages + QStringList { u"--to"_s } + chats;
}

void CliApp::forward(const QStringList &args)
{
    const qsizetype to = args.indexOf(u"--to"_s);
    const QStringList messageIds = args.mid(0, to);
    const QStringList chatIds = args.mid(to + 1);
    const auto allIds = [](const QStringList &ids) {
        return !ids.isEmpty() && std::all_of(ids.cbegin(), ids.cend(), [](const QString &id) {
            return canonicalUuid(id).has_value();
        });
    };
    if (!allIds(messageIds) || !allIds(chatIds)) {
        failUsage(tr("forward needs message ids, then --to and chat ids."));
        return;
    }
    m_api.forwardMessages(messageIds, chatIds, newUuid())
        .then(this, [this](const ApiResult<ForwardedMessages> &copies) {
            if (!copies)
                return fail(copies.error());
            done(copies.value().toJson(),
                tr("Forwarded %n message(s).", nullptr, int(copies.value().messages.size())));
        });
}

void CliApp::pin(const QStringList &args, bool pinIt)
{
    if (args.size() != (pinIt ? 2 : 1) || !canonicalUuid(args.at(0))
        || (pinIt && !canonicalUuid(args.at(1)))) {
        failUsage(
            pinIt ? tr("pin needs a chat id and a message id.") : tr("unpin needs a chat id."));
        return;
    }
    m_api.pinMessage(args.at(0), pinIt ? std::optional(args.at(1)) : std::nullopt)
        .then(this, [this](const ApiResult<Chat> &chat) {
            if (!chat)
                return fail(chat.error());
            const auto &pinned = chat.value().pinnedMessage;
            done(chat.value().toJson(),
                pinned ? tr("Pinned: %1: %2").arg(pinned->senderName, pinned->text)
                       : tr("Nothing pinned."));
        });
}

void CliApp::chatSettings(const QStringList &args)
{
    const QString action = args.value(0);
    const bool isMute = action == u"mute"_s;
    const QStringList flagActions { u"pin"_s, u"unpin"_s, u"archive"_s, u"unarchive"_s,
        u"mark-unread"_s };
    if ((!isMute && !flagActions.contains(action)) || args.size() < 2
        || args.size() > (isMute ? 3 : 2) || !canonicalUuid(args.at(1))) {
        failUsage(tr("chat needs mute, pin, unpin, archive, unarchive or mark-unread, then a "
                     "chat id (mute: then 1h, 8h, 1d, forever or off)."));
        return;
    }
    UpdateChatSettingsRequest request;
    if (isMute) {
        static const QHash<QString, qint64> durations { { u"1h"_s, 3600 }, { u"8h"_s, 8 * 3600 },
            { u"1d"_s, 24 * 3600 } };
        const QString duration = args.value(2, u"forever"_s);
        if (duration == u"off"_s)
            request.mutedUntil = std::optional<qint64>();
        else if (duration == u"forever"_s)
            request.mutedUntil = std::optional<qint64>(Limits::chatMutedForever);
        else if (durations.contains(duration))
            request.mutedUntil = std::optional<qint64>(
                QDateTime::currentSecsSinceEpoch() + durations.value(duration));
        else {
            failUsage(tr("Mute for 1h, 8h, 1d, forever, or off: not %1.").arg(duration));
            return;
        }
    } else if (action == u"pin"_s || action == u"unpin"_s) {
        request.pinned = action == u"pin"_s;
    } else if (action == u"archive"_s || action == u"unarchive"_s) {
        request.archived = action == u"archive"_s;
    } else {
        request.markedUnread = true;
    }
    m_api.updateChatSettings(args.at(1), request)
        .then(this, [this](const ApiResult<ChatSettings> &settings) {
            if (!settings)
                return fail(settings.error());
            const ChatSettings &now = settings.value();
            QStringList lines;
            if (!now.mutedUntil)
                lines.append(tr("Not muted."));
            else if (*now.mutedUntil == Limits::chatMutedForever)
                lines.append(tr("Muted forever."));
            else
                lines.append(
                    tr("Muted until %1.")
                        .arg(QDateTime::fromSecsSinceEpoch(*now.mutedUntil).toString(Qt::ISODate)));
            lines.append(now.pinnedPosition ? tr("Pinned (position %1).").arg(*now.pinnedPosition)
                                            : tr("Not pinned."));
            lines.append(now.archived ? tr("Archived.") : tr("Not archived."));
            if (now.markedUnread)
                lines.append(tr("Marked unread."));
            done(now.toJson(), lines.join(u' '));
        });
}

void CliApp::react(const QStringList &args, bool add)
{
    if (args.size() != 2 || !canonicalUuid(args.at(0))) {
        failUsage(add ? tr("react needs a message id and one emoji.")
                      : tr("unreact needs a message id and one emoji."));
        return;
    }
    m_api.react(args.at(0), args.at(1), add)
        .then(this, [this, add, emoji = args.at(1)](const ApiResult<Message> &message) {
            if (!message)
                return fail(message.error());
            done(message.value().toJson(),
                add ? tr("Reacted with %1.").arg(emoji) : tr("Took back %1.").arg(emoji));
        });
}

void CliApp::read(const QStringList &args)
{
    if (args.size() != 1) {
        failUsage(tr("read needs a chat id."));
        return;
    }
    const QString chatId = args.first();
    HistoryQuery newest;
    newest.limit = 1;
    m_api.history(chatId, newest).then(this, [this, chatId](const ApiResult<HistoryPage> &page) {
        if (!page)
            return fail(page.error());
        if (page.value().messages.isEmpty()) {
            done(ReadState { chatId, {}, 0, 0 }.toJson(), tr("Nothing to read."));
            return;
        }
        m_api.markRead(chatId, page.value().messages.first().id)
            .then(this, [this](const ApiResult<ReadState> &state) {
                if (!state)
                    return fail(state.error());
                done(state.value().toJson(), tr("Marked as read."));
            });
    });
}

void CliApp::listen()
{
    std::optional<qint64> since;
    if (m_parser.isSet(m_sinceOption)) {
        bool ok = false;
        since = option(m_sinceOption).toLongLong(&ok);
        if (!ok || *since < 0) {
            failUsage(tr("--since takes a seq, a number from 0."));
            return;
        }
    }
    // Messages come as JSON lines whatever --json says: this is for pipes.
    m_live = new LiveConnection(&m_api, this);
    if (since)
        m_live->setResumeSeq(*since);
    // Each event whole, as the server sent it: {"seq", "type", "data"}, so a
    // script can resume with --since the last seq it printed.
    connect(m_live, &LiveConnection::eventReceived, this,
        [this](const Event &event) { m_out << compactJson(event.toJson()) << Qt::endl; });
    // Said once: a reconnect resumes silently where the last socket stopped.
    connect(m_live, &LiveConnection::stateChanged, this, [this](LiveConnection::State state) {
        if (state == LiveConnection::State::Connected && !m_saidListening) {
            m_saidListening = true;
            m_err << tr("Listening; Ctrl+C ends.") << Qt::endl;
        }
    });
    connect(&m_api, &ApiClient::sessionExpired, this,
        [this] { finish(NotSignedIn, tr("The session expired: run login again.")); });
    // The socket needs an access token: get one first.
    m_api.refresh().then(this, [this](const ApiResult<TokenResponse> &tokens) {
        if (!tokens)
            return fail(tokens.error());
        m_live->connectToServer();
    });
}

void CliApp::profile(const QStringList &args)
{
    if (args.size() != 2 || args.first() != u"set-name"_s) {
        failUsage(tr("profile needs: set-name NAME"));
        return;
    }
    m_api.updateName(args.at(1)).then(this, [this](const ApiResult<User> &user) {
        if (!user)
            return fail(user.error());
        done(user.value().toJson(), tr("Your name is now %1.").arg(user.value().name));
    });
}

void CliApp::presence(const QStringList &args)
{
    QStringList ids;
    for (const QString &arg : args) {
        const auto id = canonicalUuid(arg);
        if (!id) {
            failUsage(tr("presence takes user ids: %1 is not one.").arg(arg));
            return;
        }
        ids.append(*id);
    }
    if (ids.isEmpty() || ids.size() > Limits::presenceIdsMax) {
        failUsage(tr("presence needs 1 to %1 user ids.").arg(Limits::presenceIdsMax));
        return;
    }
    m_api.presence(ids).then(this, [this, ids](const ApiResult<PresenceList> &presence) {
        if (!presence)
            return fail(presence.error());
        QStringList lines;
        for (const QString &id : ids) {
            const auto entry
                = std::find_if(presence.value().users.cbegin(), presence.value().users.cend(),
                    [&id](const PresenceEntry &candidate) { return candidate.userId == id; });
            if (entry == presence.value().users.cend())
                lines.append(tr("%1  unknown (no chat with you)").arg(id));
            else if (entry->online)
                lines.append(tr("%1  online").arg(id));
            else if (entry->lastSeenAt)
                lines.append(
                    tr("%1  last seen %2").arg(id, formatTimestamp(*entry->lastSeenAt * 1000000)));
            else
                lines.append(tr("%1  offline").arg(id));
        }
        done(presence.value().toJson(), lines.join(u'\n'));
    });
}

void CliApp::changePassword()
{
    const QString current = password(false);
    QString next = qEnvironmentVariable("MESSENGER_NEW_PASSWORD");
    if (next.isEmpty()) {
        next = readPassword(tr("New password: "));
        if (::isatty(STDIN_FILENO) == 1 && readPassword(tr("Repeat the new password: ")) != next)
            next.clear();
    }
    if (current.isEmpty() || next.isEmpty()) {
        failUsage(tr("password needs the current password and a new one (entered twice alike)."));
        return;
    }
    m_api.changePassword(current, next).then(this, [this](const ApiResult<Empty> &changed) {
        if (!changed)
            return fail(changed.error());
        done(CliPasswordChanged {}.toJson(),
            tr("Password changed. Your other devices were signed out."));
    });
}

void CliApp::fail(const ApiError &error, std::optional<ExitCode> ifUnauthorized)
{
    ExitCode code = Refused;
    if (error.kind != ApiError::Kind::Http || error.status >= 500)
        code = Unavailable;
    else if (error.status == 401)
        code = ifUnauthorized.value_or(NotSignedIn);
    const QString text
        = error.kind == ApiError::Kind::Http && error.status < 500 ? error.detail : error.message();
    finish(code, text, error.status, error.code);
}

void CliApp::failUsage(const QString &message)
{
    finish(UsageError, message, 0, u"usage_error"_s);
}

void CliApp::finish(ExitCode exitCode, const QString &message, int status, const QString &code)
{
    if (m_json) {
        const QString jsonCode = !code.isEmpty() ? code
            : exitCode == NotSignedIn            ? u"not_signed_in"_s
                                                 : QString();
        m_out << compactJson(CliFailure { message, status, jsonCode }.toJson()) << Qt::endl;
    }
    m_err << message << Qt::endl;
    Q_EMIT finished(exitCode);
}

void CliApp::done(const QJsonValue &json, const QString &text)
{
    if (m_json) {
        m_out << (json.isArray() ? QJsonDocument(json.toArray()) : QJsonDocument(json.toObject()))
                     .toJson(QJsonDocument::Compact)
              << Qt::endl;
    } else {
        m_out << text << Qt::endl;
    }
    Q_EMIT finished(Success);
}

} // namespace Messenger::Client
