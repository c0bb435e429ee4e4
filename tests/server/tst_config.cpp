#include "config/Config.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
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
    void eventDispatcherIsKnownBeforeStart();
    void unknownEventDispatcherIsRefused();
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

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
