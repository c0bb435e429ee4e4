#include "TestServer.h"
#include "config/Config.h"

#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

// The container files as an operator relies on them, without a container
// engine (none runs here): docker/Dockerfile copies only what the build needs
// before building and follows PORT and TLS in its HEALTHCHECK; .dockerignore
// lets in what it copies; docker-compose.yml refuses to start without secrets,
// stops gently and starts nginx after healthy instances.
class TestContainer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void dockerfileBuildsFromWhatItCopies();
    void dockerignoreLetsInEveryCopySource();
    void healthcheckFollowsPortAndTls();
    void composeRefusesToStartWithoutSecrets();
    void composeStopsGentlyAndStartsInOrder();

private:
    // Dockerfile instructions, continuation lines joined, comments dropped.
    QStringList m_instructions;
    QString m_dockerfileText;
};

namespace {

QString sourceFile(const QString &path)
{
    return QStringLiteral(MESSENGER_SOURCE_DIR "/") + path;
}

QString readText(const QString &path)
{
    QFile file(sourceFile(path));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

struct Run
{
    int exitCode = -1;
    QString output;
};

Run run(const QString &program, const QStringList &arguments, const QProcessEnvironment &env)
{
    QProcess process;
    process.setProcessEnvironment(env);
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
    if (!process.waitForStarted(10000))
        return { -1, program + u" did not start (scripts/install-deps.sh test)"_s };
    process.waitForFinished(60000);
    return { process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
        QString::fromUtf8(process.readAll()) };
}

// The environment without the variables the compose file interpolates.
QProcessEnvironment cleanEnvironment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &name : env.keys()) {
        if (name.startsWith(u"POSTGRES_"_s) || name == u"SECRET_KEY"_s)
            env.remove(name);
    }
    return env;
}

// "20s", "1m30s", "500ms" as compose reads them, in milliseconds; -1 otherwise.
qint64 durationMs(const QString &text)
{
    static const QRegularExpression part(u"(\\d+)(ms|h|m|s)"_s);
    qint64 total = 0;
    qsizetype consumed = 0;
    for (const auto &match : part.globalMatch(text)) {
        if (match.capturedStart() != consumed)
            return -1;
        consumed = match.capturedEnd();
        const qint64 value = match.captured(1).toLongLong();
        const QString unit = match.captured(2);
        total += unit == u"ms"_s ? value
            : unit == u"s"_s     ? value * 1000
            : unit == u"m"_s     ? value * 60000
                                 : value * 3600000;
    }
    return consumed == text.size() && consumed > 0 ? total : -1;
}

} // namespace

void TestContainer::initTestCase()
{
    m_dockerfileText = readText(u"docker/Dockerfile"_s);
    QVERIFY(!m_dockerfileText.isEmpty());
    QString current;
    for (const QString &line : m_dockerfileText.split(u'\n')) {
        const QString trimmed = line.trimmed();
        if (trimmed.startsWith(u'#') || (trimmed.isEmpty() && current.isEmpty()))
            continue;
        if (trimmed.endsWith(u'\\')) {
            current += trimmed.chopped(1) + u' ';
            continue;
        }
        current += trimmed;
        if (!current.isEmpty())
            m_instructions.append(current.simplified());
        current.clear();
    }
    QVERIFY(m_instructions.size() > 10);
}

void TestContainer::dockerfileBuildsFromWhatItCopies()
{
    // BuildKit reads the cache-mount syntax from this header (buildah needs none).
    QVERIFY(m_dockerfileText.startsWith(u"# syntax=docker/dockerfile:1\n"_s));
    // One base image for both stages, a build argument (pinnable by digest).
    const qsizetype firstFrom = m_instructions.indexOf(
        QRegularExpression(u"^FROM .*"_s, QRegularExpression::CaseInsensitiveOption));
    QVERIFY(firstFrom > 0);
    QVERIFY2(m_instructions.first().startsWith(u"ARG BASE_IMAGE=debian:bookworm-slim"_s),
        qPrintable(m_instructions.first()));
    int froms = 0;
    for (const QString &instruction : m_instructions) {
        if (instruction.startsWith(u"FROM "_s)) {
            ++froms;
            QVERIFY2(instruction.startsWith(u"FROM ${BASE_IMAGE}"_s), qPrintable(instruction));
        }
    }
    QCOMPARE(froms, 2);

    // The build: the server preset, ccache kept in a cache mount.
    qsizetype build = -1;
    for (qsizetype i = 0; i < m_instructions.size(); ++i) {
        if (m_instructions[i].startsWith(u"RUN "_s)
            && m_instructions[i].contains(u"scripts/build.sh server"_s))
            build = i;
    }
    QVERIFY2(build > firstFrom, "no RUN of scripts/build.sh server");
    QVERIFY2(
        m_instructions[build].startsWith(u"RUN --mount=type=cache,target=/root/.cache/ccache "_s),
        qPrintable(m_instructions[build]));
    QVERIFY(m_instructions.contains(u"ENV CCACHE_DIR=/root/.cache/ccache"_s));

    // Before the build, only what it reads: never the whole context, never
    // documentation; after it, documentation may come (it rebuilds nothing).
    static const QRegularExpression docs(u"\\.md\\b|(^|\\s)docs/"_s);
    for (qsizetype i = 0; i < m_instructions.size(); ++i) {
        const QString &instruction = m_instructions[i];
        if (!instruction.startsWith(u"COPY "_s) && !instruction.startsWith(u"ADD "_s))
            continue;
        QVERIFY2(!instruction.contains(QRegularExpression(u"^(COPY|ADD) (\\. |\\./ )"_s)),
            qPrintable(instruction));
        if (i < build) {
            QVERIFY2(!docs.match(instruction).hasMatch(), qPrintable(instruction));
            QVERIFY2(!instruction.contains(u"client/"_s) && !instruction.contains(u"tests/"_s),
                qPrintable(instruction));
        }
    }
    QVERIFY2(
        m_dockerfileText.indexOf(u"COPY README.md"_s) > m_dockerfileText.indexOf(u"--from=build"_s),
        "the documentation comes after the binary");

    // The runtime stage: not root, SIGTERM (the server drains on it), curl for the check.
    QVERIFY(m_instructions.contains(u"STOPSIGNAL SIGTERM"_s));
    const QStringList users = m_instructions.filter(QRegularExpression(u"^USER "_s));
    QCOMPARE(users.size(), 1);
    QVERIFY2(
        users.first() != u"USER root"_s && users.first() != u"USER 0"_s, qPrintable(users.first()));
    const QString packages = readText(u"scripts/install-deps.sh"_s);
    static const QRegularExpression runtimeList(u"\\nruntime=\\(([^)]*)\\)"_s);
    const auto runtime = runtimeList.match(packages);
    QVERIFY(runtime.hasMatch());
    QVERIFY2(runtime.captured(1).split(QRegularExpression(u"\\s+"_s)).contains(u"curl"_s),
        qPrintable(runtime.captured(1)));
}

// A COPY whose source .dockerignore keeps out fails the build (or copies less).
void TestContainer::dockerignoreLetsInEveryCopySource()
{
    const QStringList patterns = readText(u".dockerignore"_s).split(u'\n');
    QStringList allowed;
    QStringList excluded;
    for (const QString &line : patterns) {
        const QString pattern = line.trimmed();
        if (pattern.isEmpty() || pattern.startsWith(u'#'))
            continue;
        if (pattern.startsWith(u'!'))
            allowed.append(pattern.mid(1));
        else
            excluded.append(pattern);
    }
    // An allowlist: everything is out unless let in.
    QCOMPARE(excluded.value(0), u"*"_s);
    for (const QString &never : { u"**/build/"_s, u"**/data/"_s, u"**/.git/"_s,
             u"**/node_modules/"_s, u"**/.cache/"_s, u"**/*.user"_s }) {
        QVERIFY2(excluded.contains(never), qPrintable(never));
    }
    // Docker and buildah drop a pattern's trailing slash, so "**/build*/"
    // keeps out the file scripts/build.sh too (the image then fails to build):
    // every "never" pattern, matched against each name in every copied path.
    QList<std::pair<QString, QRegularExpression>> neverNames;
    for (const QString &pattern : excluded.mid(1)) {
        QVERIFY2(pattern.startsWith(u"**/"_s), qPrintable(pattern));
        QString name = pattern.mid(3);
        while (name.endsWith(u'/'))
            name.chop(1);
        QVERIFY2(!name.contains(u'/'), qPrintable(pattern));
        neverNames.append({ pattern, QRegularExpression::fromWildcard(name, Qt::CaseSensitive) });
    }
    const auto keptOutBy = [&](const QString &path) -> QString {
        for (const QString &name : path.split(u'/', Qt::SkipEmptyParts)) {
            for (const auto &[pattern, never] : std::as_const(neverNames)) {
                if (never.match(name).hasMatch())
                    return pattern;
            }
        }
        return {};
    };

    int sources = 0;
    for (const QString &instruction : std::as_const(m_instructions)) {
        if (!instruction.startsWith(u"COPY "_s) || instruction.contains(u"--from="_s))
            continue;
        QStringList words = instruction.split(u' ', Qt::SkipEmptyParts);
        words.removeFirst(); // COPY
        words.removeLast(); // the destination
        for (QString source : std::as_const(words)) {
            if (source.startsWith(u"--"_s))
                continue;
            ++sources;
            QVERIFY2(QFile::exists(sourceFile(source)), qPrintable(source));
            // Let in by its own line or by a folder above it.
            bool letIn = false;
            for (const QString &folderOrFile : std::as_const(allowed)) {
                letIn = letIn || source == folderOrFile
                    || (folderOrFile.endsWith(u'/') && source.startsWith(folderOrFile));
            }
            QVERIFY2(letIn, qPrintable(source + u" is not let in by .dockerignore"_s));
            QStringList copied { source };
            if (QFileInfo(sourceFile(source)).isDir()) {
                QDirIterator files(
                    sourceFile(source), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
                while (files.hasNext())
                    copied.append(files.next().mid(sourceFile({}).size()));
            }
            for (const QString &path : std::as_const(copied)) {
                const QString never = keptOutBy(path);
                QVERIFY2(never.isEmpty(), qPrintable(path + u" is kept out by "_s + never));
            }
        }
    }
    QVERIFY(sources > 8);
}

// The HEALTHCHECK's own command, run against real servers: plain on PORT, and
// https when TLS_CERT is set (the image sets PORT; TLS is the operator's).
void TestContainer::healthcheckFollowsPortAndTls()
{
    const QStringList checks = m_instructions.filter(QRegularExpression(u"^HEALTHCHECK "_s));
    QCOMPARE(checks.size(), 1);
    const qsizetype cmd = checks.first().indexOf(u" CMD "_s);
    QVERIFY(cmd > 0);
    const QString command = checks.first().mid(cmd + 5);
    QVERIFY2(!command.startsWith(u'['), "a shell command: it reads PORT and TLS_CERT");
    const auto check = [&](quint16 port, const QString &tlsCert) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"PORT"_s, QString::number(port));
        env.remove(u"TLS_CERT"_s);
        if (!tlsCert.isEmpty())
            env.insert(u"TLS_CERT"_s, tlsCert);
        return run(u"sh"_s, { u"-c"_s, command }, env);
    };

    TestServer plain;
    QVERIFY2(plain.start(), qPrintable(plain.error()));
    const quint16 plainPort = quint16(plain.url(u"/"_s).port());
    const Run healthy = check(plainPort, {});
    QVERIFY2(healthy.exitCode == 0, qPrintable(healthy.output));
    QTcpServer probe; // a port nobody listens on
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const quint16 closedPort = probe.serverPort();
    probe.close();
    QCOMPARE(check(closedPort, {}).exitCode, 1);

    QTemporaryDir dir;
    const QString certificate = dir.filePath(u"cert.pem"_s);
    const QString key = dir.filePath(u"key.pem"_s);
    const Run openssl = run(u"openssl"_s,
        { u"req"_s, u"-x509"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s,
            u"ec_paramgen_curve:prime256v1"_s, u"-nodes"_s, u"-days"_s, u"1"_s, u"-subj"_s,
            u"/CN=messenger.example.com"_s, u"-keyout"_s, key, u"-out"_s, certificate },
        QProcessEnvironment::systemEnvironment());
    QVERIFY2(openssl.exitCode == 0, qPrintable(openssl.output));
    TestServer tls;
    QVERIFY2(
        tls.start({ u"--tls-cert"_s, certificate, u"--tls-key"_s, key }), qPrintable(tls.error()));
    const quint16 tlsPort = quint16(tls.url(u"/"_s).port());
    const Run secure = check(tlsPort, certificate);
    QVERIFY2(secure.exitCode == 0, qPrintable(secure.output));
    // Without TLS_CERT the check speaks plain HTTP, which a TLS server refuses:
    // the scheme really follows the variable.
    QCOMPARE(check(tlsPort, {}).exitCode, 1);
}

// A SECRET_KEY everyone knows signs anyone's tokens: no defaults for secrets.
// Debian's docker-compose validates the file without an engine.
void TestContainer::composeRefusesToStartWithoutSecrets()
{
    const QString compose = sourceFile(u"docker/docker-compose.yml"_s);
    const QString text = readText(u"docker/docker-compose.yml"_s);
    static const QRegularExpression secretUse(u"\\$\\{(SECRET_KEY|POSTGRES_PASSWORD)([^}]*)\\}"_s);
    int uses = 0;
    for (const auto &match : secretUse.globalMatch(text)) {
        ++uses;
        QVERIFY2(match.captured(2).startsWith(u":?"_s), qPrintable(match.captured(0)));
    }
    QVERIFY(uses >= 3);

    QProcessEnvironment env = cleanEnvironment();
    const QStringList config { u"-f"_s, compose, u"config"_s, u"-q"_s };
    env.insert(u"POSTGRES_PASSWORD"_s, u"pg-secret"_s);
    const Run noKey = run(u"docker-compose"_s, config, env);
    QVERIFY2(noKey.exitCode != 0 && noKey.output.contains(u"set SECRET_KEY"_s),
        qPrintable(noKey.output));
    env.remove(u"POSTGRES_PASSWORD"_s);
    env.insert(u"SECRET_KEY"_s, u"0123456789abcdef0123456789abcdef"_s);
    const Run noPassword = run(u"docker-compose"_s, config, env);
    QVERIFY2(noPassword.exitCode != 0 && noPassword.output.contains(u"set POSTGRES_PASSWORD"_s),
        qPrintable(noPassword.output));
    env.insert(u"POSTGRES_PASSWORD"_s, u"pg-secret"_s);
    const Run both = run(u"docker-compose"_s, config, env);
    QVERIFY2(both.exitCode == 0, qPrintable(both.output));
}

void TestContainer::composeStopsGentlyAndStartsInOrder()
{
    // The file as YAML (anchors and merge keys resolved), as JSON for Qt.
    const Run yaml = run(u"/usr/bin/python3"_s,
        { u"-c"_s,
            u"import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)"_s,
            sourceFile(u"docker/docker-compose.yml"_s) },
        QProcessEnvironment::systemEnvironment());
    QVERIFY2(yaml.exitCode == 0, qPrintable(yaml.output));
    const QJsonObject file = QJsonDocument::fromJson(yaml.output.toUtf8()).object();
    QVERIFY(!file.isEmpty());
    // Obsolete in the Compose Specification (docker compose warns about it).
    QVERIFY(!file.contains(u"version"_s));
    const QJsonObject services = file.value(u"services"_s).toObject();

    const QJsonObject postgres = services.value(u"postgres"_s).toObject();
    const QJsonArray test = postgres.value(u"healthcheck"_s).toObject().value(u"test"_s).toArray();
    QVERIFY2(test.last().toString().startsWith(u"pg_isready"_s),
        QJsonDocument(test).toJson().constData());

    const qint64 graceMs = qint64(Messenger::Server::Config {}.shutdownGraceSeconds) * 1000;
    QStringList instances;
    for (auto service = services.begin(); service != services.end(); ++service) {
        const QJsonObject definition = service.value().toObject();
        if (!definition.contains(u"build"_s))
            continue;
        instances.append(service.key());
        const QJsonObject environment = definition.value(u"environment"_s).toObject();
        QVERIFY2(!environment.contains(u"SHUTDOWN_GRACE"_s),
            "the grace below is checked against the default only");
        // docker stop waits this long before SIGKILL: the drain must fit in it.
        const qint64 stopMs = durationMs(definition.value(u"stop_grace_period"_s).toString());
        QVERIFY2(stopMs > graceMs, qPrintable(service.key()));
        QCOMPARE(definition.value(u"depends_on"_s)
                     .toObject()
                     .value(u"postgres"_s)
                     .toObject()
                     .value(u"condition"_s)
                     .toString(),
            u"service_healthy"_s);
    }
    QCOMPARE(instances.size(), 2);

    const QJsonObject nginxNeeds
        = services.value(u"nginx"_s).toObject().value(u"depends_on"_s).toObject();
    QCOMPARE(nginxNeeds.size(), instances.size());
    for (const QString &instance : std::as_const(instances)) {
        QCOMPARE(nginxNeeds.value(instance).toObject().value(u"condition"_s).toString(),
            u"service_healthy"_s);
    }
}

QTEST_GUILESS_MAIN(TestContainer)
#include "tst_container.moc"
