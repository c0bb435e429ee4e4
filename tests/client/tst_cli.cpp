#include "TestServer.h"

#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

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

private:
    struct Run
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
        QJsonDocument json() const { return QJsonDocument::fromJson(out.trimmed()); }
    };
    // One run of the CLI as `who` (each person has a session of their own).
    Run cli(const QString &who, const QStringList &args, const QString &password = {});
    QProcessEnvironment environmentFor(const QString &who) const;

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

TestCli::Run TestCli::cli(const QString &who, const QStringList &args, const QString &password)
{
    QProcess process;
    QProcessEnvironment env = environmentFor(who);
    if (!password.isEmpty())
        env.insert(u"MESSENGER_PASSWORD"_s, password);
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(MESSENGER_CLI_BIN), args);
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
    const Run wrongPassword = cli(u"nobody"_s,
        { u"--server"_s, server, u"login"_s, u"--email"_s, u"nobody@example.com"_s },
        u"password1"_s);
    QCOMPARE(wrongPassword.exitCode, 3);
    QVERIFY(!wrongPassword.err.isEmpty());
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

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
