#include "config/Config.h"
#include "db/DatabaseSettings.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSet>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Messenger::Server;

// The configuration table (Config::options()) is the one description of every
// option: --help, the README and the range checks must all agree with it.
class TestConfig : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void helpListsEveryOption();
    void readmeListsEveryOption();
    void numbersOutsideTheirRangeAreRefused_data();
    void numbersOutsideTheirRangeAreRefused();
    void defaultsAreWhatTheTableShows();
    void databaseUrlParametersAreChecked();
    void databaseUrlErrorsExitWith2();
    void seedVariablesKeepSpecialCharacters();
    void checkConfigChecksWhatStartChecks();
    void mismatchedTlsPairIsRefused();
    void ipv6AddressesArePrintedInBrackets();
    void eventDispatcherIsKnownBeforeStart();
    void unknownEventDispatcherIsRefused();
    void pidFileNamesTheRunningServer();
    void unwritablePidFileIsReported();
};

namespace {

// QCommandLineParser wraps help text; compare with whitespace runs collapsed.
QString collapsed(const QString &text)
{
    return text.simplified();
}

QStringList argumentsWith(const QStringList &more)
{
    return QStringList { u"messenger-server"_s } + more;
}

} // namespace

void TestConfig::helpListsEveryOption()
{
    QProcess server;
    server.start(QStringLiteral(MESSENGER_SERVER_BIN), { u"--help"_s });
    QVERIFY(server.waitForFinished(10000));
    QCOMPARE(server.exitCode(), 0);
    const QString help = collapsed(QString::fromUtf8(server.readAllStandardOutput()));
    QVERIFY(!Config::options().isEmpty());
    for (const ConfigOption &option : Config::options()) {
        const QString flag = u"--"_s + option.flag
            + (option.valueName.isEmpty() ? QString() : u" <"_s + option.valueName + u'>');
        QVERIFY2(help.contains(flag), qPrintable(flag));
        QVERIFY2(help.contains(collapsed(option.helpText())), qPrintable(option.helpText()));
    }
}

void TestConfig::readmeListsEveryOption()
{
    QFile readme(QStringLiteral(MESSENGER_SOURCE_DIR "/README.md"));
    QVERIFY(readme.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(readme.readAll());
    const qsizetype start = text.indexOf(u"\n## Configuration\n"_s);
    QVERIFY(start >= 0);
    const qsizetype end = text.indexOf(u"\n## "_s, start + 1);
    const QStringList lines = text.mid(start, end - start).split(u'\n');

    // Table rows: | flags | variables | default | meaning |
    QSet<QString> readmeFlags;
    QSet<QString> readmeVariables;
    static const QRegularExpression flagPattern(u"`--([a-z0-9-]+)`"_s);
    static const QRegularExpression variablePattern(u"`([A-Z][A-Z0-9_]+)`"_s);
    for (const QString &line : lines) {
        const QStringList cells = line.split(u'|');
        if (!line.startsWith(u'|') || cells.size() < 4)
            continue;
        for (const auto &match : flagPattern.globalMatch(cells[1]))
            readmeFlags.insert(match.captured(1));
        for (const auto &match : variablePattern.globalMatch(cells[2])) {
            if (!match.captured(1).startsWith(u"POSTGRES_"_s)) // the seed's, read with DATABASE_URL
                readmeVariables.insert(match.captured(1));
        }
    }

    QSet<QString> flags;
    QSet<QString> variables;
    for (const ConfigOption &option : Config::options()) {
        flags.insert(option.flag);
        if (!option.variable.isEmpty())
            variables.insert(option.variable);
    }
    QCOMPARE(readmeFlags, flags);
    QCOMPARE(readmeVariables, variables);
}

void TestConfig::numbersOutsideTheirRangeAreRefused_data()
{
    QTest::addColumn<QString>("flag");
    QTest::addColumn<int>("min");
    QTest::addColumn<int>("max");
    static const QRegularExpression range(u"^(\\d+) to (\\d+)$"_s);
    for (const ConfigOption &option : Config::options()) {
        const auto match = range.match(option.accepted);
        if (match.hasMatch()) {
            QTest::newRow(qPrintable(option.flag))
                << option.flag << match.captured(1).toInt() << match.captured(2).toInt();
        }
    }
}

void TestConfig::numbersOutsideTheirRangeAreRefused()
{
    QFETCH(QString, flag);
    QFETCH(int, min);
    QFETCH(int, max);
    const QString option = u"--"_s + flag;
    QString error;
    // --flag=value: "--port -1" would read -1 as an option.
    const auto given
        = [&](const QString &value) { return argumentsWith({ option + u'=' + value }); };
    QVERIFY2(Config::load(given(QString::number(min)), &error), qPrintable(error));
    QVERIFY2(Config::load(given(QString::number(max)), &error), qPrintable(error));
    for (const QString &bad :
        { QString::number(qint64(max) + 1), QString::number(qint64(min) - 1), u"ten"_s }) {
        error.clear();
        QVERIFY2(!Config::load(given(bad), &error), qPrintable(bad));
        QVERIFY2(error.contains(u"must be a number from %1 to %2"_s.arg(min).arg(max)),
            qPrintable(error));
    }
}

void TestConfig::defaultsAreWhatTheTableShows()
{
    // Nothing set: the numbers and rates the table advertises as defaults.
    QString error;
    const auto config = Config::load(argumentsWith({}), &error);
    QVERIFY2(config, qPrintable(error));
    const auto shown = [](const QString &flag) {
        for (const ConfigOption &option : Config::options()) {
            if (option.flag == flag)
                return option.defaultText;
        }
        return QString();
    };
    QCOMPARE(shown(u"port"_s), QString::number(config->port));
    QCOMPARE(shown(u"port"_s), u"8000"_s);
    QCOMPARE(shown(u"ws-max-outbound-kib"_s), QString::number(config->wsMaxOutboundBytes / 1024));
    QCOMPARE(shown(u"ws-max-outbound-kib"_s), u"4096"_s);
    QCOMPARE(shown(u"login-rate"_s), config->failedLoginRate.toString());
    QCOMPARE(shown(u"login-rate"_s), u"0.17/3"_s);
    QCOMPARE(shown(u"host"_s), config->host);
    QCOMPARE(shown(u"log-level"_s), u"info"_s);
}

namespace {

struct Run
{
    int exitCode = -1;
    QString output;
};

// messenger-server with `arguments` on SQLite in a folder of its own, until it exits.
Run runServer(const QStringList &arguments)
{
    QTemporaryDir data;
    QProcess server;
    server.setProcessChannelMode(QProcess::MergedChannels);
    // MESSENGER_TEST_SERVER_BIN: another build's server, as TestServer takes it.
    server.start(
        qEnvironmentVariable("MESSENGER_TEST_SERVER_BIN", QStringLiteral(MESSENGER_SERVER_BIN)),
        QStringList { u"--data-dir"_s, data.path(), u"--database-url"_s,
            u"sqlite://"_s + data.filePath(u"m.db"_s) }
            + arguments);
    if (!server.waitForFinished(30000)) {
        server.kill();
        server.waitForFinished(5000);
        return { -1, u"still running: "_s + QString::fromUtf8(server.readAll()) };
    }
    return { server.exitCode(), QString::fromUtf8(server.readAll()) };
}

// A self-signed EC certificate and its key in `folder` (openssl, from the test packages).
bool selfSigned(const QString &folder, const QString &name)
{
    QProcess openssl;
    openssl.setProcessChannelMode(QProcess::MergedChannels);
    openssl.start(u"openssl"_s,
        { u"req"_s, u"-x509"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s,
            u"ec_paramgen_curve:prime256v1"_s, u"-nodes"_s, u"-keyout"_s,
            folder + u'/' + name + u".key"_s, u"-out"_s, folder + u'/' + name + u".crt"_s,
            u"-days"_s, u"2"_s, u"-subj"_s, u"/CN=localhost"_s });
    return openssl.waitForFinished(30000) && openssl.exitCode() == 0;
}

} // namespace

void TestConfig::databaseUrlParametersAreChecked()
{
    QString error;
    // Percent-encoded user, password and database name are decoded.
    auto settings = DatabaseSettings::fromUrl(
        u"postgres://us%40er:p%40ss%3Aword%2F%25%3F%23@db.example.com:6432/my%20db"
        "?sslmode=verify-full&sslrootcert=/etc/ca%20file.pem&connect_timeout=3"
        "&application_name=chat&keepalives_idle=30&target_session_attrs=read-write"_s,
        &error);
    QVERIFY2(settings, qPrintable(error));
    QCOMPARE(settings->user, u"us@er"_s);
    QCOMPARE(settings->password, u"p@ss:word/%?#"_s);
    QCOMPARE(settings->name, u"my db"_s);
    QCOMPARE(settings->port, 6432);
    QCOMPARE(settings->sslMode(), u"verify-full"_s);
    QCOMPARE(settings->parameters.value(1),
        (QPair<QString, QString> { u"sslrootcert"_s, u"/etc/ca file.pem"_s }));
    QVERIFY(settings->describe().contains(u"sslmode=verify-full"_s));
    QVERIFY(!settings->describe().contains(u"p@ss"_s));
    QVERIFY(!settings->describe().contains(u"p%40ss"_s));
    // Unset, libpq's default applies and is shown.
    settings = DatabaseSettings::fromUrl(u"postgres://u:secret@[::1]/db"_s, &error);
    QVERIFY2(settings, qPrintable(error));
    QCOMPARE(settings->describe(), u"postgres://u@[::1]:5432/db?sslmode=prefer"_s);

    const QList<QPair<QString, QString>> refused {
        { u"postgres://u@h/db?foo=bar"_s, u"unknown parameter 'foo'"_s },
        { u"postgres://u@h/db?sslmode=verify"_s, u"sslmode must be one of"_s },
        { u"postgres://u@h/db?sslmode=require&sslmode=disable"_s, u"sslmode is given twice"_s },
        { u"postgres://u@h/db?connect_timeout=soon"_s,
            u"connect_timeout must be a whole number"_s },
        { u"postgres://u@h/db?sslrootcert=/a%3Bb"_s, u"sslrootcert cannot contain ';'"_s },
        { u"postgres://u@h/db?sslcert="_s, u"sslcert needs a value"_s },
        // Not percent-encoded: said so, without quoting the password.
        { u"postgres://u:pa%ss@h/db"_s, u"percent-encode"_s },
        { u"postgres://u:pa#ss@h/db"_s, u"percent-encode"_s },
    };
    for (const auto &[url, expected] : refused) {
        error.clear();
        QVERIFY2(!DatabaseSettings::fromUrl(url, &error), qPrintable(url));
        QVERIFY2(error.contains(expected), qPrintable(url + u": "_s + error));
        QVERIFY2(!error.contains(u"pa%ss"_s) && !error.contains(u"pa#ss"_s), qPrintable(error));
    }
}

void TestConfig::seedVariablesKeepSpecialCharacters()
{
    // The seed's POSTGRES_* variables are plain text: Config builds the URL,
    // and what the server connects with is what was given.
    const QByteArray password = "p@ss:w/rd%?# 'x'\\";
    qputenv("POSTGRES_HOST", "db.example.com");
    qputenv("POSTGRES_USER", "chat@ops");
    qputenv("POSTGRES_PASSWORD", password);
    qputenv("POSTGRES_DB", "chat db");
    const auto cleanup = qScopeGuard([] {
        for (const char *name :
            { "POSTGRES_HOST", "POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB" })
            qunsetenv(name);
    });
    QString error;
    const auto config = Config::load(argumentsWith({}), &error);
    QVERIFY2(config, qPrintable(error));
    const auto settings = DatabaseSettings::fromUrl(config->databaseUrl, &error);
    QVERIFY2(settings, qPrintable(error));
    QCOMPARE(settings->password, QString::fromUtf8(password));
    QCOMPARE(settings->user, u"chat@ops"_s);
    QCOMPARE(settings->name, u"chat db"_s);
    QCOMPARE(settings->host, u"db.example.com"_s);
}

void TestConfig::databaseUrlErrorsExitWith2()
{
    // Used to be ignored: the server connected as if the query were not there.
    for (const QStringList &more : { QStringList {}, QStringList { u"--check-config"_s } }) {
        const Run run = runServer(QStringList { u"--database-url"_s,
                                      u"postgres://u:pw@127.0.0.1:1/db?sslmode=require&foo=bar"_s }
            + more);
        QVERIFY2(run.exitCode == 2, qPrintable(run.output));
        QVERIFY2(run.output.contains(u"unknown parameter 'foo'"_s), qPrintable(run.output));
    }
}

void TestConfig::checkConfigChecksWhatStartChecks()
{
    QTemporaryDir dir;
    const auto check = [](const QStringList &more) {
        return runServer(QStringList { u"--check-config"_s } + more);
    };
    const Run fine = check({ u"--port"_s, u"0"_s });
    QVERIFY2(fine.exitCode == 0, qPrintable(fine.output));
    QVERIFY2(fine.output.contains(u"configuration OK"_s), qPrintable(fine.output));

    // Configuration that cannot be right anywhere: 2, named.
    Run run = check({ u"--host"_s, u"chat.example.com"_s });
    QVERIFY2(run.exitCode == 2 && run.output.contains(u"HOST must be an IP address"_s),
        qPrintable(run.output));
    run = check({ u"--cors-origins"_s, u"https://app.example.com,https://web.example.com/"_s });
    QVERIFY2(
        run.exitCode == 2 && run.output.contains(u"https://web.example.com/ is not an origin"_s),
        qPrintable(run.output));
    run = check({ u"--cors-origins"_s, u"app.example.com"_s });
    QVERIFY2(run.exitCode == 2, qPrintable(run.output));
    run = check({ u"--cors-origins"_s, u"https://app.example.com:8443,*"_s, u"--port"_s, u"0"_s });
    QVERIFY2(run.exitCode == 0, qPrintable(run.output));

    // Valid, but not here: 1. A port someone else listens on.
    QTcpServer taken;
    QVERIFY(taken.listen(QHostAddress::LocalHost));
    run = check({ u"--port"_s, QString::number(taken.serverPort()) });
    QVERIFY2(run.exitCode == 1 && run.output.contains(u"ERROR cannot listen there"_s),
        qPrintable(run.output));
    // A data folder under a file cannot be created (whoever runs the test, root too).
    QFile blocker(dir.filePath(u"not-a-folder"_s));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    run = check({ u"--port"_s, u"0"_s, u"--data-dir"_s, blocker.fileName() + u"/data"_s });
    QVERIFY2(run.exitCode == 1 && run.output.contains(u"cannot be written or created"_s),
        qPrintable(run.output));
    // A folder that can be created is fine, and checking does not create it.
    run = check({ u"--port"_s, u"0"_s, u"--data-dir"_s, dir.filePath(u"fresh/data"_s) });
    QVERIFY2(run.exitCode == 0, qPrintable(run.output));
    QVERIFY(!QFileInfo::exists(dir.filePath(u"fresh"_s)));
}

void TestConfig::mismatchedTlsPairIsRefused()
{
    QTemporaryDir dir;
    QVERIFY(selfSigned(dir.path(), u"one"_s));
    QVERIFY(selfSigned(dir.path(), u"two"_s));
    const QStringList matching { u"--port"_s, u"0"_s, u"--tls-cert"_s, dir.filePath(u"one.crt"_s),
        u"--tls-key"_s, dir.filePath(u"one.key"_s) };
    Run run = runServer(QStringList { u"--check-config"_s } + matching);
    QVERIFY2(run.exitCode == 0, qPrintable(run.output));
    const QStringList mismatched { u"--port"_s, u"0"_s, u"--tls-cert"_s, dir.filePath(u"one.crt"_s),
        u"--tls-key"_s, dir.filePath(u"two.key"_s) };
    run = runServer(QStringList { u"--check-config"_s } + mismatched);
    QVERIFY2(run.exitCode == 2 && run.output.contains(u"do not make a working pair"_s),
        qPrintable(run.output));
    // Start-up refuses it the same way instead of failing every handshake.
    run = runServer(mismatched);
    QVERIFY2(run.exitCode == 2 && run.output.contains(u"do not make a working pair"_s),
        qPrintable(run.output));
}

void TestConfig::ipv6AddressesArePrintedInBrackets()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHostIPv6))
        QSKIP("no IPv6 loopback here");
    probe.close();
    const Run check
        = runServer({ u"--check-config"_s, u"--host"_s, u"::1"_s, u"--port"_s, u"0"_s });
    QVERIFY2(check.exitCode == 0 && check.output.contains(u"listen:   [::1]:0"_s),
        qPrintable(check.output));

    QTemporaryDir data;
    QProcess server;
    server.setProcessChannelMode(QProcess::MergedChannels);
    server.start(QStringLiteral(MESSENGER_SERVER_BIN),
        { u"--host"_s, u"::1"_s, u"--port"_s, u"0"_s, u"--data-dir"_s, data.path() });
    QByteArray output;
    const bool listening = QTest::qWaitFor(
        [&] {
            server.waitForReadyRead(100);
            output += server.readAll();
            return output.contains("Listening on");
        },
        20000);
    server.kill();
    server.waitForFinished(5000);
    QVERIFY2(listening, output.constData());
    QVERIFY2(output.contains("Listening on http://[::1]:"), output.constData());
}

void TestConfig::eventDispatcherIsKnownBeforeStart()
{
    // main() installs the dispatcher before QCoreApplication (and so before
    // load()): the command line wins over the environment there too.
    qunsetenv("EVENT_DISPATCHER");
    QCOMPARE(Config::eventDispatcherBeforeStart(argumentsWith({})), u"epoll"_s);
    QCOMPARE(
        Config::eventDispatcherBeforeStart(argumentsWith({ u"--event-dispatcher=QT"_s })), u"qt"_s);
    QCOMPARE(Config::eventDispatcherBeforeStart(
                 argumentsWith({ u"--port"_s, u"1"_s, u"--event-dispatcher"_s, u"qt"_s })),
        u"qt"_s);
    qputenv("EVENT_DISPATCHER", "qt");
    QCOMPARE(Config::eventDispatcherBeforeStart(argumentsWith({})), u"qt"_s);
    QCOMPARE(Config::eventDispatcherBeforeStart(argumentsWith({ u"--event-dispatcher=epoll"_s })),
        u"epoll"_s);
    QString error;
    const auto config = Config::load(argumentsWith({}), &error);
    QVERIFY2(config, qPrintable(error));
    QCOMPARE(config->eventDispatcher, u"qt"_s);
    qunsetenv("EVENT_DISPATCHER");
}

void TestConfig::unknownEventDispatcherIsRefused()
{
    QProcess server;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"EVENT_DISPATCHER"_s, u"select"_s);
    server.setProcessEnvironment(env);
    server.start(QStringLiteral(MESSENGER_SERVER_BIN), { u"--check-config"_s });
    QVERIFY(server.waitForFinished(10000));
    QCOMPARE(server.exitCode(), 2);
    const QString output = QString::fromUtf8(server.readAllStandardError());
    QVERIFY2(output.contains(u"EVENT_DISPATCHER must be epoll or qt"_s), qPrintable(output));
}

void TestConfig::pidFileNamesTheRunningServer()
{
    // logrotate's postrotate signals the pid in PID_FILE (packaging/): it must
    // be there while the server runs and gone once it stopped.
    QTemporaryDir data;
    const QString pidFile = data.filePath(u"run/server.pid"_s);
    QProcess server;
    server.setProcessChannelMode(QProcess::MergedChannels);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"PID_FILE"_s, pidFile); // as the unit's EnvironmentFile sets it
    server.setProcessEnvironment(env);
    server.start(QStringLiteral(MESSENGER_SERVER_BIN),
        { u"--port"_s, u"0"_s, u"--data-dir"_s, data.path() });
    QByteArray output;
    const bool listening = QTest::qWaitFor(
        [&] {
            server.waitForReadyRead(100);
            output += server.readAll();
            return output.contains("Listening on") && QFileInfo::exists(pidFile);
        },
        20000);
    const auto stop = qScopeGuard([&] {
        server.kill();
        server.waitForFinished(5000);
    });
    QVERIFY2(listening, output.constData());
    QFile file(pidFile);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray::number(server.processId()) + '\n');
    file.close();

    server.terminate(); // SIGTERM, as systemctl stop sends
    QVERIFY(server.waitForFinished(20000));
    QCOMPARE(server.exitStatus(), QProcess::NormalExit);
    QCOMPARE(server.exitCode(), 0);
    QVERIFY(!QFileInfo::exists(pidFile));
}

void TestConfig::unwritablePidFileIsReported()
{
    QTemporaryDir dir;
    QFile blocker(dir.filePath(u"not-a-folder"_s));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    const QString pidFile = blocker.fileName() + u"/server.pid"_s;
    Run run = runServer({ u"--check-config"_s, u"--port"_s, u"0"_s, u"--pid-file"_s, pidFile });
    QVERIFY2(run.exitCode == 1 && run.output.contains(u"pid file: "_s + pidFile)
            && run.output.contains(u"its folder cannot be written or created"_s),
        qPrintable(run.output));
    // Start-up refuses it too, rather than run without the file logrotate needs.
    run = runServer({ u"--port"_s, u"0"_s, u"--pid-file"_s, pidFile });
    QVERIFY2(run.exitCode == 1 && run.output.contains(u"cannot write PID_FILE"_s),
        qPrintable(run.output));
}

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
