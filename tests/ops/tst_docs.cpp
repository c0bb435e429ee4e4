#include "TestServer.h"

#include <QFile>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

// /docs as a person sees it: headless Chromium loads the page from a real
// server, Swagger UI (served by the server itself, nothing from the internet)
// renders /openapi.json, and every documented path is on the page.
class TestDocs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void docsPageListsEveryEndpoint();
};

void TestDocs::docsPageListsEveryEndpoint()
{
    const QString chromium = QStandardPaths::findExecutable(u"chromium"_s);
    QVERIFY2(!chromium.isEmpty(), "chromium is not installed (scripts/install-deps.sh test)");
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    QTemporaryDir profile;
    QProcess browser;
    browser.start(chromium,
        { u"--headless=new"_s, u"--no-sandbox"_s, u"--disable-gpu"_s,
            u"--user-data-dir="_s + profile.path(), u"--virtual-time-budget=15000"_s,
            u"--dump-dom"_s, server.url(u"/docs"_s).toString() });
    QVERIFY(browser.waitForFinished(90000));
    const QByteArray dom = browser.readAllStandardOutput();
    QVERIFY2(dom.contains("swagger-ui"), dom.left(500).constData());

    QFile file(QStringLiteral(MESSENGER_SOURCE_DIR "/resources/api/openapi.json"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject paths
        = QJsonDocument::fromJson(file.readAll()).object().value(u"paths").toObject();
    QVERIFY(paths.size() > 20);
    for (auto path = paths.begin(); path != paths.end(); ++path) {
        // Swagger UI breaks long paths with zero-width spaces; compare without them.
        const QByteArray shown = QByteArray(dom).replace("\u200b", "").replace("&#8203;", "");
        QVERIFY2(shown.contains(path.key().toUtf8()), qPrintable(path.key() + u" not on /docs"_s));
        const QJsonObject operations = path.value().toObject();
        for (const QJsonValue &operation : operations) {
            const QString summary = operation.toObject().value(u"summary").toString();
            QVERIFY2(QString::fromUtf8(dom).contains(summary.toHtmlEscaped()),
                qPrintable(summary + u" not on /docs"_s));
        }
    }
}

QTEST_GUILESS_MAIN(TestDocs)
#include "tst_docs.moc"
