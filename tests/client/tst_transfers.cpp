#include "ClientTestSupport.h"
#include "TestServer.h"
#include "client/api/ApiClient.h"
#include "client/api/FileTransfer.h"
#include "shared/ApiPaths.h"

#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>

using namespace Qt::StringLiterals;
using namespace Messenger;
using namespace Messenger::Client;

// File uploads (tus) and downloads of the api layer against a real server:
// whole round trips, a server killed in the middle, cancels, partial files.
class TestTransfers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void uploadThenDownloadIsByteIdentical();
    void uploadResumesAfterTheServerIsKilled();
    void uploadResumesInALaterRunFromItsPath();
    void cancelDeletesTheUpload();
    void downloadContinuesAPartialFile();
    void downloadOfAnUnknownFileFails();
    void missingLocalFileFails();

private:
    std::unique_ptr<ApiClient> signedIn();
    // A file of `size` random bytes in the test's folder.
    QString writeRandomFile(const QString &name, qint64 size, QByteArray *content);
    // Runs `transfer` to its end; false on a timeout.
    static bool runToEnd(FileTransfer &transfer, int timeoutMs = 30000);
    QByteArray download(ApiClient &api, const Attachment &file);

    TestServer m_server;
    QTemporaryDir m_dir;
    int m_users = 0;
};

void TestTransfers::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    QVERIFY(m_dir.isValid());
}

std::unique_ptr<ApiClient> TestTransfers::signedIn()
{
    auto client = std::make_unique<ApiClient>();
    client->setBaseUrl(m_server.url(u"/"_s));
    const QString email = u"files.%1@example.com"_s.arg(++m_users);
    if (!await(client->registerUser(u"Files"_s, email, u"password-1"_s))
        || !await(client->login(email, u"password-1"_s)))
        return nullptr;
    return client;
}

QString TestTransfers::writeRandomFile(const QString &name, qint64 size, QByteArray *content)
{
    content->resize(size);
    QRandomGenerator generator { quint32(size) };
    for (qsizetype i = 0; i < content->size(); ++i)
        (*content)[i] = char(generator.bounded(256));
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(*content) != size)
        return {};
    return path;
}

bool TestTransfers::runToEnd(FileTransfer &transfer, int timeoutMs)
{
    if (transfer.state() == FileTransfer::State::Idle)
        transfer.start();
    return QTest::qWaitFor([&transfer] { return transfer.isDone(); }, timeoutMs);
}

QByteArray TestTransfers::download(ApiClient &api, const Attachment &file)
{
    const QString target = m_dir.filePath(u"download-"_s + file.id);
    FileDownload download(&api, file.url(), target, file.size);
    if (!runToEnd(download) || download.state() != FileTransfer::State::Finished) {
        qWarning() << "download failed:" << download.error().detail;
        return {};
    }
    QFile saved(target);
    if (!saved.open(QIODevice::ReadOnly))
        return {};
    return saved.readAll();
}

void TestTransfers::uploadThenDownloadIsByteIdentical()
{
    const auto api = signedIn();
    QVERIFY(api);
    QByteArray content;
    const QString path = writeRandomFile(u"report.bin"_s, 3 * 1024 * 1024 + 17, &content);
    QVERIFY(!path.isEmpty());

    FileUpload upload(api.get(), path);
    QSignalSpy progress(&upload, &FileTransfer::progress);
    QSignalSpy created(&upload, &FileUpload::created);
    QVERIFY(runToEnd(upload));
    QVERIFY2(upload.state() == FileTransfer::State::Finished, qPrintable(upload.error().detail));
    QCOMPARE(created.size(), 1);
    QVERIFY(upload.uploadPath().startsWith(ApiPaths::uploads));
    const Attachment file = *upload.attachment();
    QCOMPARE(file.name, u"report.bin"_s);
    QCOMPARE(file.size, content.size());
    QVERIFY(!file.isImage());
    // Four pieces at most 1 MiB each, the progress rising to the whole.
    QVERIFY(progress.size() >= 4);
    qint64 previous = -1;
    for (const auto &step : progress) {
        QVERIFY(step.at(0).toLongLong() >= previous);
        previous = step.at(0).toLongLong();
    }
    QCOMPARE(progress.last().at(0).toLongLong(), content.size());
    QCOMPARE(progress.last().at(1).toLongLong(), content.size());

    FileDownload download(api.get(), file.url(), m_dir.filePath(u"copy.bin"_s), file.size);
    QSignalSpy downloaded(&download, &FileTransfer::progress);
    QVERIFY(runToEnd(download));
    QVERIFY2(
        download.state() == FileTransfer::State::Finished, qPrintable(download.error().detail));
    QFile copy(download.targetPath());
    QVERIFY(copy.open(QIODevice::ReadOnly));
    QVERIFY(copy.readAll() == content);
    QVERIFY(!QFile::exists(download.partPath()));
    QCOMPARE(downloaded.last().at(0).toLongLong(), content.size());
}

void TestTransfers::uploadResumesAfterTheServerIsKilled()
{
    const auto api = signedIn();
    QVERIFY(api);
    QByteArray content;
    const QString path = writeRandomFile(u"resumed.bin"_s, 3 * 1024 * 1024, &content);
    FileUpload upload(api.get(), path);
    upload.setRetryDelay(std::chrono::milliseconds(100));
    QSignalSpy created(&upload, &FileUpload::created);
    bool killed = false;
    // The server dies (SIGKILL) once the first megabyte is on its way.
    connect(&upload, &FileTransfer::progress, this, [&](qint64 done, qint64) {
        if (!killed && done >= 1024 * 1024) {
            killed = true;
            m_server.kill();
        }
    });
    upload.start();
    QTRY_VERIFY_WITH_TIMEOUT(killed, 15000);
    // The next attempt meets a closed port: the upload waits and retries.
    QTRY_COMPARE_WITH_TIMEOUT(upload.state(), FileTransfer::State::Retrying, 15000);
    QCOMPARE(upload.error().kind, ApiError::Kind::Network);
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    QVERIFY(runToEnd(upload));
    QVERIFY2(upload.state() == FileTransfer::State::Finished, qPrintable(upload.error().detail));
    // The same upload carried on (HEAD, then the rest): no second creation.
    QCOMPARE(created.size(), 1);
    QCOMPARE(download(*api, *upload.attachment()), content);
}

void TestTransfers::uploadResumesInALaterRunFromItsPath()
{
    const auto api = signedIn();
    QVERIFY(api);
    QByteArray content;
    const QString path = writeRandomFile(u"later.bin"_s, 2 * 1024 * 1024 + 5, &content);
    QString uploadPath;
    {
        // The first run ends (the app quits) after its first piece.
        FileUpload first(api.get(), path);
        connect(&first, &FileUpload::created, this, [&](const QString &at) { uploadPath = at; });
        first.start();
        QTRY_VERIFY_WITH_TIMEOUT(first.bytesDone() >= 1024 * 1024, 15000);
    }
    QVERIFY(!uploadPath.isEmpty());
    HttpClient http(m_server);
    const Reply before = http.tus("HEAD", uploadPath, api->accessToken());
    QCOMPARE(before.status, 200);
    QVERIFY(before.header("Upload-Offset").toLongLong() < content.size());

    std::unique_ptr<FileUpload> later(FileUpload::resumeFrom(api.get(), path, uploadPath));
    QSignalSpy created(later.get(), &FileUpload::created);
    QSignalSpy progress(later.get(), &FileTransfer::progress);
    QVERIFY(runToEnd(*later));
    QVERIFY2(later->state() == FileTransfer::State::Finished, qPrintable(later->error().detail));
    QCOMPARE(created.size(), 0);
    // It started where the server was, not from zero.
    QCOMPARE(progress.first().at(0).toLongLong(), 0); // the file opened
    QVERIFY(progress.at(1).at(0).toLongLong() >= before.header("Upload-Offset").toLongLong());
    QCOMPARE(download(*api, *later->attachment()), content);
}

void TestTransfers::cancelDeletesTheUpload()
{
    const auto api = signedIn();
    QVERIFY(api);
    QByteArray content;
    const QString path = writeRandomFile(u"canceled.bin"_s, 3 * 1024 * 1024, &content);
    FileUpload upload(api.get(), path);
    QSignalSpy finished(&upload, &FileTransfer::finished);
    connect(&upload, &FileTransfer::progress, this, [&](qint64 done, qint64) {
        if (done >= 1024 * 1024)
            upload.cancel();
    });
    QVERIFY(runToEnd(upload));
    QCOMPARE(upload.state(), FileTransfer::State::Canceled);
    QCOMPARE(finished.size(), 1);
    QVERIFY(!upload.attachment());
    // The server let go of it.
    HttpClient http(m_server);
    COMPARE_STATUS(http.tus("HEAD", upload.uploadPath(), api->accessToken()), 404);
}

void TestTransfers::downloadContinuesAPartialFile()
{
    const auto api = signedIn();
    QVERIFY(api);
    QByteArray content;
    const QString path = writeRandomFile(u"partial.bin"_s, 1536 * 1024, &content);
    FileUpload upload(api.get(), path);
    QVERIFY(runToEnd(upload));
    const Attachment file = *upload.attachment();

    // An earlier attempt left 1000 bytes. Zeros, so the result shows they
    // were kept: only the rest was asked for (Range: bytes=1000-).
    const QString target = m_dir.filePath(u"partial-copy.bin"_s);
    QFile part(target + u".part"_s);
    QVERIFY(part.open(QIODevice::WriteOnly));
    part.write(QByteArray(1000, '\0'));
    part.close();
    FileDownload download(api.get(), file.url(), target, file.size);
    QSignalSpy progress(&download, &FileTransfer::progress);
    QVERIFY(runToEnd(download));
    QVERIFY2(
        download.state() == FileTransfer::State::Finished, qPrintable(download.error().detail));
    QFile saved(target);
    QVERIFY(saved.open(QIODevice::ReadOnly));
    const QByteArray bytes = saved.readAll();
    QCOMPARE(bytes.size(), content.size());
    QVERIFY(bytes.left(1000) == QByteArray(1000, '\0'));
    QVERIFY(bytes.mid(1000) == content.mid(1000));
    QCOMPARE(progress.first().at(0).toLongLong(), 1000);

    // A cancel removes what came so far.
    FileDownload canceled(api.get(), file.url(), m_dir.filePath(u"canceled-copy.bin"_s));
    connect(&canceled, &FileTransfer::progress, this, [&](qint64 done, qint64) {
        if (done > 0)
            canceled.cancel();
    });
    QVERIFY(runToEnd(canceled));
    QCOMPARE(canceled.state(), FileTransfer::State::Canceled);
    QVERIFY(!QFile::exists(canceled.partPath()));
    QVERIFY(!QFile::exists(canceled.targetPath()));
}

void TestTransfers::downloadOfAnUnknownFileFails()
{
    const auto api = signedIn();
    QVERIFY(api);
    FileDownload download(api.get(), ApiPaths::file(u"no-such-file"), m_dir.filePath(u"none"_s));
    QVERIFY(runToEnd(download));
    QCOMPARE(download.state(), FileTransfer::State::Failed);
    QCOMPARE(download.error().status, 404);
    QVERIFY(!download.error().code.isEmpty());
    QVERIFY(!QFile::exists(download.targetPath()));
}

void TestTransfers::missingLocalFileFails()
{
    const auto api = signedIn();
    QVERIFY(api);
    FileUpload upload(api.get(), m_dir.filePath(u"not-there.bin"_s));
    QVERIFY(runToEnd(upload));
    QCOMPARE(upload.state(), FileTransfer::State::Failed);
    QCOMPARE(upload.error().kind, ApiError::Kind::LocalFile);
    QVERIFY(upload.error().message().contains(u"not-there.bin"_s));
}

QTEST_MAIN(TestTransfers)
#include "tst_transfers.moc"
