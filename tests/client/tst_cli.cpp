#include "TestServer.h"
#include "WsClient.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace Qt::StringLiterals;

// messenger-cli against a real server: what it prints, what it stores, and the
// exit codes scripts rely on.
class TestCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void conversation();
    void exitCodes();
    void passwordNeverOnTheCommandLine();
    void usageErrors_data();
    void usageErrors();
    void historyAndListenCarrySeq();
    void profileNameAndPassword();
    void replies();
    void search();
    void reactions();
    void forwardAndPin();
    void presence();
    void chatSettings();
    void mentions();
    void files();

private:
    struct Run
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
        QJsonDocument json() const { return QJsonDocument::fromJson(out.trimmed()); }
    };
    // One run of the CLI as `who` (each person has a session of their own).
    Run cli(const QString &who, const QStringList &args, const QString &password = {},
        const QByteArray &standardInput = {});
    QProcessEnvironment environmentFor(const QString &who) const;
    // Where the CLI runs (downloads without --output land there).
    QString m_workingDirectory;

    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
    QTemporaryDir m_home;
};

void TestCli::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    m_http = std::make_unique<HttpClient>(m_server);
}

QProcessEnvironment TestCli::environmentFor(const QString &who) const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    const QString home = m_home.filePath(who);
    env.insert(u"HOME"_s, home);
    env.insert(u"XDG_CONFIG_HOME"_s, home + u"/config"_s);
    env.insert(u"XDG_DATA_HOME"_s, home + u"/data"_s);
    env.insert(u"MESSENGER_SESSION_FILE"_s, home + u"/session"_s);
    return env;
}

TestCli::Run TestCli::cli(const QString &who, const QStringList &args, const QString &password,
    const QByteArray &standardInput)
{
    QProcess process;
    QProcessEnvironment env = environmentFor(who);
    if (!password.isEmpty())
        env.insert(u"MESSENGER_PASSWORD"_s, password);
    process.setProcessEnvironment(env);
    if (!m_workingDirectory.isEmpty())
        process.setWorkingDirectory(m_workingDirectory);
    process.start(QStringLiteral(MESSENGER_CLI_BIN), args);
    process.write(standardInput);
    process.closeWriteChannel();
    Run run;
    if (!process.waitForFinished(30000))
        return run;
    run.exitCode = process.exitCode();
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

void TestCli::conversation()
{
    const QString server = m_server.url(u"/"_s).toString();
    const QString email = u"cli.%1@example.com"_s.arg(QDateTime::currentMSecsSinceEpoch());
    const Run registered = cli(u"ann"_s,
        { u"--server"_s, server, u"--json"_s, u"register"_s, u"--name"_s, u"Ann"_s, u"--email"_s,
            email },
        u"password1"_s);
    QCOMPARE(registered.exitCode, 0);
    QCOMPARE(registered.json().object().value(u"email").toString(), email);
    const Run login
        = cli(u"ann"_s, { u"--server"_s, server, u"login"_s, u"--email"_s, email }, u"password1"_s);
    QVERIFY2(login.exitCode == 0, login.err.constData());
    // From here on the stored session and server are used.
    const auto bob = m_http->newUser(u"Bob"_s);
    const Run started = cli(u"ann"_s, { u"start"_s, bob.email });
    QVERIFY2(started.exitCode == 0, started.err.constData());
    const QString chatId = QString::fromUtf8(started.out.trimmed());
    QVERIFY(!chatId.isEmpty());
    const Run sent = cli(u"ann"_s, { u"--json"_s, u"send"_s, chatId, u"Hello from a terminal"_s });
    QVERIFY2(sent.exitCode == 0, sent.err.constData());
    QCOMPARE(sent.json().object().value(u"text").toString(), u"Hello from a terminal"_s);

    // Bob (the desktop app, say) sees it and answers; Ann listens.
    const Reply history = m_http->get(u"/api/v1/chats/%1/history"_s.arg(chatId), bob.token);
    QCOMPARE(history.object().value(u"messages").toArray().first().toObject().value(u"text"),
        u"Hello from a terminal"_s);
    QProcess listener;
    listener.setProcessEnvironment(environmentFor(u"ann"_s));
    listener.start(QStringLiteral(MESSENGER_CLI_BIN), { u"listen"_s });
    QByteArray status;
    QTRY_VERIFY_WITH_TIMEOUT(
        (status += listener.readAllStandardError(), status.contains("Listening")), 15000);
    COMPARE_STATUS(
        m_http->post(u"/api/v1/chats/messages"_s,
            { { u"chat_id"_s, chatId }, { u"text"_s, u"Hi Ann, Bob here"_s } }, bob.token),
        200);
    QByteArray line;
    QTRY_VERIFY_WITH_TIMEOUT(
        (line += listener.readAllStandardOutput(), line.contains('\n')), 15000);
    const QJsonObject event = QJsonDocument::fromJson(line.left(line.indexOf('\n'))).object();
    QCOMPARE(event.value(u"type").toString(), u"message"_s);
    QCOMPARE(event.value(u"data").toObject().value(u"text").toString(), u"Hi Ann, Bob here"_s);
    listener.terminate();
    QVERIFY(listener.waitForFinished(10000));
    QCOMPARE(listener.exitCode(), 0);

    const Run read = cli(u"ann"_s, { u"--json"_s, u"read"_s, chatId });
    QVERIFY2(read.exitCode == 0, read.err.constData());
    QCOMPARE(read.json().object().value(u"unread_count").toInt(), 0);
    const Run chats = cli(u"ann"_s, { u"--json"_s, u"chats"_s });
    QCOMPARE(chats.exitCode, 0);
    QCOMPARE(chats.json().array().size(), 1);
    QCOMPARE(
        chats.json().array().first().toObject().value(u"last_message").toObject().value(u"text"),
        u"Hi Ann, Bob here"_s);
    const Run logout = cli(u"ann"_s, { u"logout"_s });
    QCOMPARE(logout.exitCode, 0);
    QCOMPARE(cli(u"ann"_s, { u"chats"_s }).exitCode, 3);
}

void TestCli::exitCodes()
{
    const QString server = m_server.url(u"/"_s).toString();
    QCOMPARE(cli(u"nobody"_s, { u"--server"_s, server, u"frobnicate"_s }).exitCode, 1);
    QCOMPARE(cli(u"nobody"_s, { u"--server"_s, server, u"chats"_s }).exitCode, 3);
    // A wrong password is the server refusing, not "signed out" (3).
    const Run wrongPassword = cli(u"nobody"_s,
        { u"--server"_s, server, u"--json"_s, u"login"_s, u"--email"_s, u"nobody@example.com"_s },
        u"password1"_s);
    QCOMPARE(wrongPassword.exitCode, 2);
    QVERIFY(!wrongPassword.err.isEmpty());
    QCOMPARE(wrongPassword.json().object().value(u"status").toInt(), 401);
    QVERIFY(!wrongPassword.json().object().value(u"error").toString().isEmpty());
    const Run signedOut = cli(u"nobody"_s, { u"--server"_s, server, u"--json"_s, u"chats"_s });
    QCOMPARE(signedOut.exitCode, 3);
    QCOMPARE(signedOut.json().object().value(u"code").toString(), u"not_signed_in"_s);
    QCOMPARE(cli(u"nobody"_s,
                 { u"--server"_s, u"http://127.0.0.1:1"_s, u"login"_s, u"--email"_s,
                     u"nobody@example.com"_s },
                 u"password1"_s)
                 .exitCode,
        4);
    const auto carol = m_http->newUser(u"Carol"_s);
    QCOMPARE(cli(u"carol"_s, { u"--server"_s, server, u"login"_s, u"--email"_s, carol.email },
                 carol.password)
                 .exitCode,
        0);
    const Run refused = cli(u"carol"_s,
        { u"--json"_s, u"send"_s, u"00000000-0000-4000-8000-000000000000"_s, u"hello?"_s });
    QCOMPARE(refused.exitCode, 2);
    QCOMPARE(refused.json().object().value(u"status").toInt(), 404);
}

void TestCli::passwordNeverOnTheCommandLine()
{
    const QString server = m_server.url(u"/"_s).toString();
    const auto dora = m_http->newUser(u"Dora"_s);
    // Not a terminal: the first line of stdin is the password.
    const Run piped = cli(u"dora"_s,
        { u"--server"_s, server, u"--json"_s, u"login"_s, u"--email"_s, dora.email }, {},
        dora.password.toUtf8() + "\n");
    QVERIFY2(piped.exitCode == 0, piped.err.constData());
    QVERIFY(!piped.json().object().value(u"user_id").toString().isEmpty());
    // argv is visible to every user of the machine: no --password option.
    const Run inArgv = cli(u"dora"_s,
        { u"--server"_s, server, u"--json"_s, u"login"_s, u"--email"_s, dora.email, u"--password"_s,
            dora.password });
    QCOMPARE(inArgv.exitCode, 1);
    QCOMPARE(inArgv.json().object().value(u"code").toString(), u"usage_error"_s);
    // Nothing on stdin and no MESSENGER_PASSWORD: a usage error, no request.
    const Run none
        = cli(u"dora"_s, { u"--server"_s, server, u"login"_s, u"--email"_s, dora.email });
    QCOMPARE(none.exitCode, 1);
}

void TestCli::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    const QString chat = u"00000000-0000-4000-8000-000000000000"_s;
    QTest::newRow("unknown command") << QStringList { u"frobnicate"_s };
    QTest::newRow("unknown option") << QStringList { u"--frobnicate"_s, u"chats"_s };
    QTest::newRow("limit not a number")
        << QStringList { u"history"_s, chat, u"--limit"_s, u"ten"_s };
    QTest::newRow("limit zero") << QStringList { u"history"_s, chat, u"--limit"_s, u"0"_s };
    QTest::newRow("limit over 100") << QStringList { u"history"_s, chat, u"--limit"_s, u"101"_s };
    QTest::newRow("before not a number")
        << QStringList { u"history"_s, chat, u"--before"_s, u"12abc"_s };
    QTest::newRow("reply to no message id")
        << QStringList { u"send"_s, chat, u"hi"_s, u"--reply-to"_s, u"12"_s };
    QTest::newRow("react without an emoji") << QStringList { u"react"_s, chat };
    QTest::newRow("forward without --to") << QStringList { u"forward"_s, chat };
    QTest::newRow("forward to nothing") << QStringList { u"forward"_s, chat, u"--to"_s };
    QTest::newRow("forward no message id")
        << QStringList { u"forward"_s, u"12"_s, u"--to"_s, chat };
    QTest::newRow("pin without a message") << QStringList { u"pin"_s, chat };
    QTest::newRow("unpin with a message") << QStringList { u"unpin"_s, chat, chat };
    QTest::newRow("chat without an action") << QStringList { u"chat"_s, chat };
    QTest::newRow("chat unknown action") << QStringList { u"chat"_s, u"hide"_s, chat };
    QTest::newRow("chat mute for a week") << QStringList { u"chat"_s, u"mute"_s, chat, u"1w"_s };
    QTest::newRow("chat pin no chat id") << QStringList { u"chat"_s, u"pin"_s, u"12"_s };
    QTest::newRow("chat archive twice") << QStringList { u"chat"_s, u"archive"_s, chat, chat };
    QTest::newRow("react to no message id") << QStringList { u"react"_s, u"12"_s, u"x"_s };
    QTest::newRow("since negative") << QStringList { u"listen"_s, u"--since"_s, u"-1"_s };
    QTest::newRow("extra argument to chats") << QStringList { u"chats"_s, u"now"_s };
    QTest::newRow("extra argument to history") << QStringList { u"history"_s, chat, chat };
    QTest::newRow("send without text") << QStringList { u"send"_s, chat };
    QTest::newRow("unquoted text") << QStringList { u"send"_s, chat, u"two"_s, u"words"_s };
    QTest::newRow("search without words") << QStringList { u"search"_s };
    QTest::newRow("search limit over 100")
        << QStringList { u"search"_s, u"hello"_s, u"--limit"_s, u"101"_s };
}

void TestCli::usageErrors()
{
    QFETCH(QStringList, args);
    // Signed in, so a usage error is not mistaken for "not signed in".
    const auto erin = m_http->newUser(u"Erin"_s);
    const QString server = m_server.url(u"/"_s).toString();
    QCOMPARE(cli(u"erin"_s, { u"--server"_s, server, u"login"_s, u"--email"_s, erin.email },
                 erin.password)
                 .exitCode,
        0);
    const Run run = cli(u"erin"_s, QStringList { u"--json"_s } + args);
    QCOMPARE(run.exitCode, 1);
    QVERIFY(!run.err.isEmpty());
    const QJsonObject error = run.json().object();
    QCOMPARE(error.value(u"code").toString(), u"usage_error"_s);
    QVERIFY(!error.value(u"error").toString().isEmpty());
}

void TestCli::historyAndListenCarrySeq()
{
    const QString server = m_server.url(u"/"_s).toString();
    const auto fay = m_http->newUser(u"Fay"_s);
    const auto gus = m_http->newUser(u"Gus"_s);
    QCOMPARE(
        cli(u"fay"_s, { u"--server"_s, server, u"login"_s, u"--email"_s, fay.email }, fay.password)
            .exitCode,
        0);
    const QString chatId = m_http->personalChat(fay.token, gus.id);
    QVERIFY(!chatId.isEmpty());
    const Reply first = m_http->post(u"/api/v1/chats/messages"_s,
        { { u"chat_id"_s, chatId }, { u"text"_s, u"first"_s } }, gus.token);
    COMPARE_STATUS(first, 200);
    const qint64 firstSeq = first.object().value(u"seq").toInteger();
    const Reply second = m_http->post(u"/api/v1/chats/messages"_s,
        { { u"chat_id"_s, chatId }, { u"text"_s, u"second"_s } }, gus.token);
    COMPARE_STATUS(second, 200);

    const Run history = cli(u"fay"_s, { u"history"_s, chatId });
    QVERIFY2(history.exitCode == 0, history.err.constData());
    QVERIFY2(history.out.contains("#1 (seq %1)"_ba.replace("%1", QByteArray::number(firstSeq))),
        history.out.constData());
    QVERIFY2(history.out.contains("#2 (seq "), history.out.constData());
    // Each message's id under it: what react, pin, forward and --reply-to take.
    const QByteArray firstId = first.object().value(u"id").toString().toUtf8();
    QVERIFY2(
        history.out.contains(QByteArray("first\n  id " + firstId + "\n")), history.out.constData());
    // The personal chat is named after the other person, not both (2 unread).
    const Run chats = cli(u"fay"_s, { u"chats"_s });
    QVERIFY2(
        chats.out.contains(QByteArray(chatId.toUtf8() + "  Gus (2)\n")), chats.out.constData());

    // --since replays what happened while nobody listened, then goes live.
    QProcess listener;
    listener.setProcessEnvironment(environmentFor(u"fay"_s));
    listener.start(QStringLiteral(MESSENGER_CLI_BIN),
        { u"listen"_s, u"--since"_s, QString::number(firstSeq) });
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += listener.readAllStandardOutput(), out.contains('\n')), 15000);
    const QJsonObject replayed = QJsonDocument::fromJson(out.left(out.indexOf('\n'))).object();
    QCOMPARE(replayed.value(u"type").toString(), u"message"_s);
    QCOMPARE(replayed.value(u"data").toObject().value(u"text").toString(), u"second"_s);
    QVERIFY(replayed.value(u"data").toObject().value(u"chat_seq").toInteger() == 2);
    // The event's own seq, which a script passes to --since to resume.
    QCOMPARE(replayed.value(u"seq").toInteger(), second.object().value(u"seq").toInteger());
    listener.terminate();
    QVERIFY(listener.waitForFinished(10000));
    QCOMPARE(listener.readAllStandardError().count("Listening"), 1);
}

// `profile set-name` and `password`: the password change signs out the
// other devices and keeps the CLI's own session.
void TestCli::profileNameAndPassword()
{
    const QString server = m_server.url(u"/"_s).toString();
    const auto eve = m_http->newUser(u"Eve"_s);
    QCOMPARE(
        cli(u"eve"_s, { u"--server"_s, server, u"login"_s, u"--email"_s, eve.email }, eve.password)
            .exitCode,
        0);
    const Run renamed
        = cli(u"eve"_s, { u"--json"_s, u"profile"_s, u"set-name"_s, u"Eve Online"_s });
    QVERIFY2(renamed.exitCode == 0, renamed.err.constData());
    QCOMPARE(renamed.json().object().value(u"name").toString(), u"Eve Online"_s);
    QCOMPARE(m_http->get(u"/api/v1/users/me"_s, eve.token).object().value(u"name").toString(),
        u"Eve Online"_s);
    QCOMPARE(cli(u"eve"_s, { u"profile"_s, u"set-name"_s }).exitCode, 1);
    const Run empty = cli(u"eve"_s, { u"--json"_s, u"profile"_s, u"set-name"_s, u"  "_s });
    QCOMPARE(empty.exitCode, 2);
    QCOMPARE(empty.json().object().value(u"status").toInt(), 422);

    // A wrong current password: refused, nothing changes.
    const Run wrong
        = cli(u"eve"_s, { u"--json"_s, u"password"_s }, u"not-her-password"_s, "a new password\n");
    QCOMPARE(wrong.exitCode, 2);
    QCOMPARE(wrong.json().object().value(u"code").toString(), u"wrong_password"_s);
    COMPARE_STATUS(m_http->get(u"/api/v1/users/me"_s, eve.token), 200);

    // Both passwords from standard input, one line each.
    const Run changed = cli(
        u"eve"_s, { u"--json"_s, u"password"_s }, {}, eve.password.toUtf8() + "\na new password\n");
    QVERIFY2(changed.exitCode == 0, changed.err.constData());
    QCOMPARE(changed.json().object().value(u"password_changed").toBool(), true);
    // newUser's session (another device) ended; the CLI's goes on.
    COMPARE_STATUS(m_http->get(u"/api/v1/users/me"_s, eve.token), 401);
    QCOMPARE(cli(u"eve"_s, { u"chats"_s }).exitCode, 0);
    COMPARE_STATUS(m_http->post(u"/api/v1/auth/token"_s,
                       { { u"email"_s, eve.email }, { u"password"_s, u"a new password"_s } }),
        200);
}

// send --reply-to answers a message; history shows what a message answers.
void TestCli::replies()
{
    const QString server = m_server.url(u"/"_s).toString();
    const auto hal = m_http->newUser(u"Hal"_s);
    const auto ivy = m_http->newUser(u"Ivy"_s);
    QCOMPARE(
        cli(u"hal"_s, { u"--server"_s, server, u"login"_s, u"--email"_s, hal.email }, hal.password)
            .exitCode,
        0);
    const QString chatId = m_http->personalChat(hal.token, ivy.id);
    const Reply question = m_http->post(u"/api/v1/chats/messages"_s,
        { { u"chat_id"_s, chatId }, { u"text"_s, u"Coffee at ten?"_s } }, ivy.token);
    COMPARE_STATUS(question, 200);
    const QString questionId = question.object().value(u"id").toString();

    const Run sent
        = cli(u"hal"_s, { u"--json"_s, u"send"_s, chatId, u"Sure"_s, u"--reply-to"_s, questionId });
    QVERIFY2(sent.exitCode == 0, sent.out.constData());
    const QJsonObject replyTo = sent.json().object().value(u"reply_to").toObject();
    QCOMPARE(replyTo.value(u"id").toString(), questionId);
    QCOMPARE(replyTo.value(u"sender_name").toString(), u"Ivy"_s);
    QCOMPARE(replyTo.value(u"text").toString(), u"Coffee at ten?"_s);

    const Run history = cli(u"hal"_s, { u"history"_s, chatId });
    QVERIFY2(history.exitCode == 0, history.err.constData());
    QVERIFY2(history.out.contains("  > reply to Ivy: Coffee at ten?"), history.out.constData());

    // A refused reply exits 2 with the server's code.
    const Run refused = cli(u"hal"_s,
        { u"--json"_s, u"send"_s, chatId, u"?"_s, u"--reply-to"_s,
            u"00000000-0000-4000-8000-000000000000"_s });
    QCOMPARE(refused.exitCode, 2);
    QCOMPARE(refused.json().object().value(u"code").toString(), u"reply_target_not_found"_s);
    QCOMPARE(refused.json().object().value(u"status").toInt(), 404);
}

// search finds the caller's messages by word prefixes, with --chat and --json.
void TestCli::search()
{
    const QString server = m_server.url(u"/"_s).toString();
    const auto jan = m_http->newUser(u"Jan"_s);
    const auto kim = m_http->newUser(u"Kim"_s);
    QCOMPARE(
        cli(u"jan"_s, { u"--server"_s, server, u"login"_s, u"--email"_s, jan.email }, jan.password)
            .exitCode,
        0);
    const QString chatId = m_http->personalChat(jan.token, kim.id);
    for (const QString &text : { u"Привет, the deployment is done"_s, u"unrelated"_s }) {
        COMPARE_STATUS(m_http->post(u"/api/v1/chats/messages"_s,
                           { { u"chat_id"_s, chatId }, { u"text"_s, text } }, kim.token),
            200);
    }

    const Run found = cli(u"jan"_s, { u"search"_s, u"прив deploy"_s });
    QVERIFY2(found.exitCode == 0, found.err.constData());
    QVERIFY2(found.out.contains(u"Kim (chat %1)"_s.arg(chatId).toUtf8()), found.out.constData());
    QVERIFY2(found.out.contains(u"»Привет«, the »deployment« is done"_s.toUtf8()),
        found.out.constData());
    QVERIFY(!found.out.contains("unrelated"));

    const Run json = cli(u"jan"_s, { u"--json"_s, u"search"_s, u"DEPLOY"_s, u"--chat"_s, chatId });
    QVERIFY2(json.exitCode == 0, json.out.constData());
    const QJsonArray results = json.json().object().value(u"results").toArray();
    QCOMPARE(results.size(), 1);
    QCOMPARE(results.at(0).toObject().value(u"chat_id").toString(), chatId);

    const Run nothing = cli(u"jan"_s, { u"search"_s, u"absent"_s });
    QCOMPARE(nothing.exitCode, 0);
    QVERIFY(nothing.out.contains("Nothing found."));
}

// react / unreact change the caller's reaction; history shows reactions.
void TestCli::reactions()
{
    const QString server = m_server.url(u"/"_s).toString();
    const auto kim = m_http->newUser(u"Kim"_s);
    const auto lou = m_http->newUser(u"Lou"_s);
    QCOMPARE(
        cli(u"kim"_s, { u"--server"_s, server, u"login"_s, u"--email"_s, kim.email }, kim.password)
            .exitCode,
        0);
    const QString chatId = m_http->personalChat(kim.token, lou.id);
    const Reply news = m_http->post(u"/api/v1/chats/messages"_s,
        { { u"chat_id"_s, chatId }, { u"text"_s, u"Got the job!"_s } }, lou.token);
    COMPARE_STATUS(news, 200);
    const QString newsId = news.object().value(u"id").toString();
    const QString party = u"\U0001F389"_s;
    COMPARE_STATUS(m_http->request("PUT",
                       u"/api/v1/chats/messages/%1/reactions/%2"_s.arg(
                           newsId, QString::fromLatin1(QUrl::toPercentEncoding(party))),
                       {}, lou.token),
        200);

    const Run reacted = cli(u"kim"_s, { u"--json"_s, u"react"_s, newsId, party });
    QVERIFY2(reacted.exitCode == 0, reacted.out.constData());
    QCOMPARE(reacted.json().object().value(u"reactions").toArray(),
        (QJsonArray {
            QJsonObject { { u"emoji"_s, party }, { u"count"_s, 2 }, { u"me"_s, true } } }));

    const Run history = cli(u"kim"_s, { u"history"_s, chatId });
    QVERIFY2(history.exitCode == 0, history.err.constData());
    QVERIFY2(history.out.contains(
                 u"Got the job!\n  id %1\n  reactions: %2 2 (you)\n"_s.arg(newsId, party).toUtf8()),
        history.out.constData());

    const Run taken = cli(u"kim"_s, { u"unreact"_s, newsId, party });
    QVERIFY2(taken.exitCode == 0, taken.err.constData());
    const Run after = cli(u"kim"_s, { u"history"_s, chatId });
    QVERIFY2(after.out.contains(u"reactions: %1 1\n"_s.arg(party).toUtf8()), after.out.constData());

    // Not an emoji: the server refuses, exit 2 with its code.
    const Run refused = cli(u"kim"_s, { u"--json"_s, u"react"_s, newsId, u"ok"_s });
    QCOMPARE(refused.exitCode, 2);
    QCOMPARE(refused.json().object().value(u"code").toString(), u"invalid_emoji"_s);
    QCOMPARE(refused.json().object().value(u"status").toInt(), 422);
}

// forward copies messages into chats (history says whom from); pin and
// unpin change the chat's pinned message, which `chats` shows.
void TestCli::forwardAndPin()
{
    const QString server = m_server.url(u"/"_s).toString();
    const auto kim = m_http->newUser(u"Kim"_s);
    const auto lou = m_http->newUser(u"Lou"_s);
    const auto max = m_http->newUser(u"Max"_s);
    QCOMPARE(
        cli(u"kim"_s, { u"--server"_s, server, u"login"_s, u"--email"_s, kim.email }, kim.password)
            .exitCode,
        0);
    const QString source = m_http->personalChat(kim.token, lou.id);
    const QString first = m_http->personalChat(kim.token, max.id);
    const QString second
        = m_http
              ->post(u"/api/v1/chats/group"_s,
                  { { u"name"_s, u"Crew"_s }, { u"member_ids"_s, QJsonArray { lou.id, max.id } } },
                  kim.token)
              .object()
              .value(u"id")
              .toString();
    QStringList ids;
    for (const QString &text : { u"Plan A"_s, u"Plan B"_s }) {
        const Reply sent = m_http->post(u"/api/v1/chats/messages"_s,
            { { u"chat_id"_s, source }, { u"text"_s, text } }, lou.token);
        COMPARE_STATUS(sent, 200);
        ids.append(sent.object().value(u"id").toString());
    }

    const Run forwarded = cli(
        u"kim"_s, { u"--json"_s, u"forward"_s, ids.at(0), ids.at(1), u"--to"_s, first, second });
    QVERIFY2(forwarded.exitCode == 0, forwarded.out.constData());
    const QJsonArray copies = forwarded.json().object().value(u"messages").toArray();
    QCOMPARE(copies.size(), 4);
    QCOMPARE(copies.at(3).toObject().value(u"chat_id").toString(), second);
    QCOMPARE(copies.at(0).toObject().value(u"forwarded_from").toObject().value(u"sender_name"),
        lou.name);

    const Run history = cli(u"kim"_s, { u"history"_s, first });
    QVERIFY2(history.exitCode == 0, history.err.constData());
    QVERIFY2(history.out.contains("  forwarded from Lou"), history.out.constData());
    QVERIFY2(history.out.contains("Plan B"), history.out.constData());

    const QString copyId = copies.at(3).toObject().value(u"id").toString();
    const Run pinned = cli(u"kim"_s, { u"pin"_s, second, copyId });
    QVERIFY2(pinned.exitCode == 0, pinned.err.constData());
    const Run chats = cli(u"kim"_s, { u"chats"_s });
    QVERIFY2(chats.out.contains("pinned: Kim: Plan B"), chats.out.constData());
    const Run unpinned = cli(u"kim"_s, { u"--json"_s, u"unpin"_s, second });
    QVERIFY2(unpinned.exitCode == 0, unpinned.out.constData());
    QVERIFY(unpinned.json().object().value(u"pinned_message").isNull());
    const Run after = cli(u"kim"_s, { u"chats"_s });
    QVERIFY2(!after.out.contains("pinned:"), after.out.constData());
    // A message that is not in the chat: the server refuses, exit 2.
    const Run refused = cli(
        u"kim"_s, { u"--json"_s, u"pin"_s, second, u"00000000-0000-4000-8000-000000000000"_s });
    QCOMPARE(refused.exitCode, 2);
}

void TestCli::presence()
{
    const QString server = m_server.url(u"/"_s).toString();
    const auto max = m_http->newUser(u"Max"_s);
    const auto noa = m_http->newUser(u"Noa"_s);
    const auto stranger = m_http->newUser(u"Stranger"_s);
    QCOMPARE(
        cli(u"max"_s, { u"--server"_s, server, u"login"_s, u"--email"_s, max.email }, max.password)
            .exitCode,
        0);
    m_http->personalChat(max.token, noa.id);
    // Noa never connected: offline, never seen; the stranger shares no chat.
    const Run offline = cli(u"max"_s, { u"presence"_s, noa.id, stranger.id });
    QVERIFY2(offline.exitCode == 0, offline.err.constData());
    QVERIFY2(
        offline.out.contains(u"%1  offline\n"_s.arg(noa.id).toUtf8()), offline.out.constData());
    QVERIFY2(offline.out.contains(u"%1  unknown (no chat with you)"_s.arg(stranger.id).toUtf8()),
        offline.out.constData());

    WsClient noaOnline(m_server.webSocketUrl(u"/ws/user"_s, noa.token));
    QVERIFY(noaOnline.greeted());
    Run online;
    const auto seenOnline = [&] {
        online = cli(u"max"_s, { u"--json"_s, u"presence"_s, noa.id });
        const QJsonArray users = online.json().object().value(u"users"_s).toArray();
        return !users.isEmpty() && users.first().toObject().value(u"online"_s).toBool();
    };
    QTRY_VERIFY_WITH_TIMEOUT(seenOnline(), 10000);
    QCOMPARE(online.exitCode, 0);
    QCOMPARE(online.json().object().value(u"users"_s).toArray().size(), 1);
    const Run text = cli(u"max"_s, { u"presence"_s, noa.id });
    QVERIFY2(text.out.contains(u"%1  online"_s.arg(noa.id).toUtf8()), text.out.constData());

    const Run usage = cli(u"max"_s, { u"--json"_s, u"presence"_s, u"noa"_s });
    QCOMPARE(usage.exitCode, 1);
    QCOMPARE(cli(u"max"_s, { u"presence"_s }).exitCode, 1);
}

// chat mute/pin/unpin/archive/unarchive/mark-unread change your own settings
// of a chat; `chats` shows them.
void TestCli::chatSettings()
{
    const QString server = m_server.url(u"/"_s).toString();
    const auto nia = m_http->newUser(u"Nia"_s);
    const auto oz = m_http->newUser(u"Oz"_s);
    QCOMPARE(
        cli(u"nia"_s, { u"--server"_s, server, u"login"_s, u"--email"_s, nia.email }, nia.password)
            .exitCode,
        0);
    const QString chatId = m_http->personalChat(nia.token, oz.id);
    const Run plain = cli(u"nia"_s, { u"chats"_s });
    QVERIFY2(plain.exitCode == 0, plain.err.constData());
    QVERIFY2(!plain.out.contains("["), plain.out.constData());

    const Run muted = cli(u"nia"_s, { u"--json"_s, u"chat"_s, u"mute"_s, chatId, u"8h"_s });
    QVERIFY2(muted.exitCode == 0, muted.out.constData());
    const qint64 until = muted.json().object().value(u"muted_until").toInteger();
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QVERIFY2(until > now + 8 * 3600 - 60 && until <= now + 8 * 3600, muted.out.constData());
    const Run forever = cli(u"nia"_s, { u"chat"_s, u"mute"_s, chatId });
    QVERIFY2(forever.out.contains("Muted forever."), forever.out.constData());
    QCOMPARE(cli(u"nia"_s, { u"chat"_s, u"pin"_s, chatId }).exitCode, 0);
    QCOMPARE(cli(u"nia"_s, { u"chat"_s, u"archive"_s, chatId }).exitCode, 0);
    QCOMPARE(cli(u"nia"_s, { u"chat"_s, u"mark-unread"_s, chatId }).exitCode, 0);
    const Run flagged = cli(u"nia"_s, { u"chats"_s });
    QVERIFY2(flagged.out.contains("[pinned 1, muted, archived, marked unread]"),
        flagged.out.constData());
    const Run json = cli(u"nia"_s, { u"--json"_s, u"chats"_s });
    QCOMPARE(
        json.json().array().first().toObject().value(u"settings").toObject().value(u"archived"),
        true);

    QCOMPARE(cli(u"nia"_s, { u"chat"_s, u"mute"_s, chatId, u"off"_s }).exitCode, 0);
    QCOMPARE(cli(u"nia"_s, { u"chat"_s, u"unpin"_s, chatId }).exitCode, 0);
    const Run back = cli(u"nia"_s, { u"--json"_s, u"chat"_s, u"unarchive"_s, chatId });
    QCOMPARE(back.json().object(),
        (QJsonObject { { u"muted_until"_s, QJsonValue() }, { u"pinned_position"_s, QJsonValue() },
            { u"archived"_s, false }, { u"marked_unread"_s, true } }));
    const Run after = cli(u"nia"_s, { u"chats"_s });
    QVERIFY2(after.out.contains("[marked unread]"), after.out.constData());
    // Oz sees none of it.
    QCOMPARE(m_http->get(u"/api/v1/chats/"_s + chatId, oz.token)
                 .object()
                 .value(u"settings")
                 .toObject()
                 .value(u"marked_unread"),
        false);
    // A chat that is not hers: the server refuses, exit 2.
    const Run refused = cli(
        u"nia"_s, { u"--json"_s, u"chat"_s, u"pin"_s, u"00000000-0000-4000-8000-000000000000"_s });
    QCOMPARE(refused.exitCode, 2);
    QCOMPARE(refused.json().object().value(u"code").toString(), u"chat_not_found"_s);
}

// send --mention (repeatable) mentions members; history marks a message's
// mentions and the chat list the caller's unread ones.
void TestCli::mentions()
{
    const QString server = m_server.url(u"/"_s).toString();
    const auto pia = m_http->newUser(u"Pia"_s);
    const auto quin = m_http->newUser(u"Quin"_s);
    const auto rex = m_http->newUser(u"Rex"_s);
    QCOMPARE(
        cli(u"pia"_s, { u"--server"_s, server, u"login"_s, u"--email"_s, pia.email }, pia.password)
            .exitCode,
        0);
    const Reply group = m_http->post(u"/api/v1/chats/group"_s,
        { { u"name"_s, u"Crew"_s }, { u"type"_s, u"group"_s },
            { u"member_ids"_s, QJsonArray { quin.id, rex.id } } },
        pia.token);
    COMPARE_STATUS(group, 200);
    const QString chatId = group.object().value(u"id").toString();

    const Run sent = cli(u"pia"_s,
        { u"--json"_s, u"send"_s, chatId, u"@Quin @Rex standup"_s, u"--mention"_s, quin.id,
            u"--mention"_s, rex.id });
    QVERIFY2(sent.exitCode == 0, sent.out.constData());
    QCOMPARE(sent.json().object().value(u"mentions").toArray(), (QJsonArray { quin.id, rex.id }));

    const Run history = cli(u"pia"_s, { u"history"_s, chatId });
    QVERIFY2(history.exitCode == 0, history.err.constData());
    QVERIFY2(history.out.contains(u"@ mentions %1, %2"_s.arg(quin.id, rex.id).toUtf8()),
        history.out.constData());

    // Quin's chat list counts the unread mention.
    QCOMPARE(cli(u"quin"_s, { u"--server"_s, server, u"login"_s, u"--email"_s, quin.email },
                 quin.password)
                 .exitCode,
        0);
    const Run chats = cli(u"quin"_s, { u"chats"_s });
    QVERIFY2(chats.out.contains("Crew (1) @1"), chats.out.constData());

    // Not a user id: a usage error before anything is sent.
    const Run bad = cli(u"pia"_s, { u"send"_s, chatId, u"hi"_s, u"--mention"_s, u"quin"_s });
    QCOMPARE(bad.exitCode, 1);
    QVERIFY2(bad.err.contains("--mention"), bad.err.constData());
}

void TestCli::files()
{
    const QString server = m_server.url(u"/"_s).toString();
    const auto sam = m_http->newUser(u"Sam"_s);
    const auto tia = m_http->newUser(u"Tia"_s);
    QCOMPARE(
        cli(u"sam"_s, { u"--server"_s, server, u"login"_s, u"--email"_s, sam.email }, sam.password)
            .exitCode,
        0);
    const QString chatId = m_http->personalChat(sam.token, tia.id);
    QTemporaryDir folder;
    QByteArray content(1536 * 1024 + 3, Qt::Uninitialized);
    for (qsizetype i = 0; i < content.size(); ++i)
        content[i] = char((i * 7919) % 251);
    const QString report = folder.filePath(u"report.bin"_s);
    const QString notes = folder.filePath(u"notes.txt"_s);
    {
        QFile file(report);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
        QFile text(notes);
        QVERIFY(text.open(QIODevice::WriteOnly));
        text.write("remember the milk\n");
    }

    // Two files and no text: a caption-less message.
    const Run sent = cli(
        u"sam"_s, { u"--json"_s, u"send"_s, chatId, u"--file"_s, report, u"--file"_s, notes });
    QVERIFY2(sent.exitCode == 0, sent.err.constData());
    const QJsonArray attachments = sent.json().object().value(u"attachments").toArray();
    QCOMPARE(attachments.size(), 2);
    QCOMPARE(attachments.at(0).toObject().value(u"name").toString(), u"report.bin"_s);
    QCOMPARE(attachments.at(0).toObject().value(u"size").toInteger(), content.size());
    QCOMPARE(attachments.at(1).toObject().value(u"name").toString(), u"notes.txt"_s);
    QVERIFY2(sent.err.contains("Uploading report.bin: 100%"), sent.err.constData());
    const QString fileId = attachments.at(0).toObject().value(u"id").toString();

    // With a caption too.
    const Run captioned
        = cli(u"sam"_s, { u"--json"_s, u"send"_s, chatId, u"The notes"_s, u"--file"_s, notes });
    QVERIFY2(captioned.exitCode == 0, captioned.err.constData());
    QCOMPARE(captioned.json().object().value(u"text").toString(), u"The notes"_s);

    // history lists each file under its message: name, size, id.
    const Run history = cli(u"sam"_s, { u"history"_s, chatId });
    QVERIFY2(history.exitCode == 0, history.err.constData());
    QVERIFY2(history.out.contains(u"  file report.bin (1.5 MB) id %1"_s.arg(fileId).toUtf8()),
        history.out.constData());
    QVERIFY2(history.out.contains("  file notes.txt (18 bytes) id "), history.out.constData());

    // Tia downloads it: under its own name in the current folder, then
    // beside it with " (1)" rather than over it.
    QCOMPARE(
        cli(u"tia"_s, { u"--server"_s, server, u"login"_s, u"--email"_s, tia.email }, tia.password)
            .exitCode,
        0);
    QTemporaryDir downloads;
    m_workingDirectory = downloads.path();
    const Run first = cli(u"tia"_s, { u"--json"_s, u"download"_s, fileId });
    const Run second = cli(u"tia"_s, { u"download"_s, fileId });
    m_workingDirectory.clear();
    QVERIFY2(first.exitCode == 0, first.err.constData());
    QCOMPARE(first.json().object().value(u"path").toString(),
        QDir::toNativeSeparators(downloads.filePath(u"report.bin"_s)));
    QCOMPARE(first.json().object().value(u"size").toInteger(), content.size());
    QVERIFY2(second.exitCode == 0, second.err.constData());
    QVERIFY2(second.out.contains("report (1).bin"), second.out.constData());
    for (const QString &name : { u"report.bin"_s, u"report (1).bin"_s }) {
        QFile saved(downloads.filePath(name));
        QVERIFY2(saved.open(QIODevice::ReadOnly), qPrintable(name));
        QVERIFY(saved.readAll() == content);
    }
    // --output names the file.
    const QString chosen = downloads.filePath(u"chosen.dat"_s);
    const Run output = cli(u"tia"_s, { u"download"_s, fileId, u"--output"_s, chosen });
    QVERIFY2(output.exitCode == 0, output.err.constData());
    QCOMPARE(QFileInfo(chosen).size(), content.size());

    // Refusals: an unknown file, eleven files, a file that is not there.
    const Run unknown = cli(u"tia"_s, { u"--json"_s, u"download"_s, u"no-such-file"_s });
    QCOMPARE(unknown.exitCode, 2);
    QCOMPARE(unknown.json().object().value(u"status").toInt(), 404);
    QStringList eleven { u"send"_s, chatId };
    for (int i = 0; i < 11; ++i)
        eleven << u"--file"_s << notes;
    QCOMPARE(cli(u"sam"_s, eleven).exitCode, 1);
    const Run missing
        = cli(u"sam"_s, { u"send"_s, chatId, u"--file"_s, folder.filePath(u"none.bin"_s) });
    QCOMPARE(missing.exitCode, 1);
    QVERIFY2(missing.err.contains("none.bin"), missing.err.constData());
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
