#include "ImageFixtures.h"
#include "TestServer.h"
#include "WsClient.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDirIterator>
#include <QImage>
#include <QImageWriter>
#include <QJsonArray>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QTcpSocket>
#include <QTest>
#include <QUrlQuery>

#include <memory>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

// Files (issue 17): tus 1.0 uploads under /api/v1/uploads, messages that
// carry them (`attachment_ids`, Message.attachments), downloads under
// /api/v1/files/{id} for the chat's members only, with Range, ETag and signed
// links; images measured, thumbnailed and cleaned of metadata; limits; expiry;
// one stored copy per content. On SQLite the bytes are in the data folder's
// `files`, on PostgreSQL in the database (each backend's default store).
class TestFiles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void discoveryNeedsNoToken();
    void browsersMayUploadFromAllowedOrigins();
    void uploadInPiecesAndDownloadIdentical();
    void protocolErrors();
    void emptyFileIsAFileToo();
    void simultaneousPatchesTakeTurns();
    void downloadsPerUserAreCappedAndStalledOnesDropped();
    void headAnswersCarryNoBody();
    void othersCannotTouchAnUpload();
    void sendWithAttachmentsReachesMembersOnly();
    void attachmentIdsAreChecked();
    void webSocketSendCarriesFiles();
    void rangesAndConditionalRequests();
    void onlySafeImagesAreShownInline();
    void imagesAreMeasuredThumbnailedAndCleaned();
    void photosAreTurnedUprightAndLoseTheirExif();
    void removedMemberLosesAccess();
    void signedLinksWorkWithoutTokenAndExpire();
    void forwardSharesTheFileAndSameBytesAreStoredOnce();
    void deletingTheMessageRemovesItsFiles();
    void terminationRemovesAnUnfinishedUpload();
    void uploadResumesAfterARestart();
    void limitsRefuseWithClearErrors();
    void simultaneousCreationsCannotPassTheQuota();
    void abandonedUploadsExpire();

private:
    // Contents (distinct pieces of stored bytes) the store holds now.
    static bool storeHolds(TestServer &server, int contents);

    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

namespace {

using Headers = QList<QPair<QByteArray, QByteArray>>;

QByteArray pseudoRandom(qint64 size, quint32 seed)
{
    QRandomGenerator generator(seed);
    QByteArray bytes(size, Qt::Uninitialized);
    for (qint64 i = 0; i < size; ++i)
        bytes[i] = char(generator.generate() & 0xff);
    return bytes;
}

Reply getWith(HttpClient &http, const QString &path, const QString &token, const Headers &headers,
    const QByteArray &method = "GET")
{
    for (const auto &[name, value] : headers)
        http.setHeader(name, value);
    const Reply reply = http.request(method, path, {}, token);
    for (const auto &[name, value] : headers)
        http.setHeader(name, {});
    return reply;
}

Reply sendFiles(HttpClient &http, const QString &token, const QString &chatId,
    const QStringList &fileIds, const QString &text = {})
{
    return http.sendMessage(
        token, chatId, text, { { u"attachment_ids"_s, QJsonArray::fromStringList(fileIds) } });
}

QByteArray png(const QImage &image, const QList<QPair<QString, QString>> &texts = {})
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, "png");
    for (const auto &[key, value] : texts)
        writer.setText(key, value);
    writer.write(image);
    return bytes;
}

QImage gradient(int width, int height)
{
    QImage image(width, height, QImage::Format_RGB32);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            image.setPixel(x, y, qRgb(x % 256, y % 256, (x + y) % 256));
    return image;
}

QJsonObject firstAttachment(const Reply &sent)
{
    return sent.object().value(u"attachments").toArray().first().toObject();
}

} // namespace

void TestFiles::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    m_http = std::make_unique<HttpClient>(m_server);
}

bool TestFiles::storeHolds(TestServer &server, int contents)
{
    if (server.isPostgres())
        return server.execInDatabase(
            u"DO $$ BEGIN IF (SELECT COUNT(DISTINCT content_id) FROM file_chunks) <> %1 "
            "THEN RAISE EXCEPTION 'different'; END IF; END $$"_s.arg(contents));
    int files = 0;
    QDirIterator it(server.dataDir() + u"/files"_s, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        ++files;
    }
    return files == contents;
}

void TestFiles::discoveryNeedsNoToken()
{
    const Reply options = m_http->request("OPTIONS", u"/api/v1/uploads"_s);
    COMPARE_STATUS(options, 204);
    QCOMPARE(options.header("tus-resumable"), "1.0.0");
    QCOMPARE(options.header("tus-version"), "1.0.0");
    QCOMPARE(options.header("tus-extension"), "creation,expiration,termination");
    QCOMPARE(options.header("tus-max-size"), QByteArray::number(100 * 1024 * 1024));
    QCOMPARE(options.header("messenger-max-chunk-size"), QByteArray::number(1024 * 1024));
}

void TestFiles::browsersMayUploadFromAllowedOrigins()
{
    TestServer server;
    QVERIFY2(server.start({ u"--cors-origins"_s, u"https://app.example"_s }),
        qPrintable(server.error()));
    HttpClient http(server);
    const auto ann = http.newUser(u"Ann"_s);
    // A browser's preflight for a tus PATCH: the tus headers may be sent...
    http.setHeader("Origin", "https://app.example");
    http.setHeader("Access-Control-Request-Method", "PATCH");
    http.setHeader("Access-Control-Request-Headers", "tus-resumable, upload-offset, content-type");
    const Reply preflight = http.request(
        "OPTIONS", u"/api/v1/uploads/%1"_s.arg(QUuid::createUuid().toString(QUuid::WithoutBraces)));
    http.setHeader("Access-Control-Request-Method", {});
    http.setHeader("Access-Control-Request-Headers", {});
    COMPARE_STATUS(preflight, 204);
    QCOMPARE(preflight.header("access-control-allow-origin"), "https://app.example");
    for (const QByteArray &header : { "Tus-Resumable"_ba, "Upload-Offset"_ba, "Upload-Length"_ba,
             "Upload-Metadata"_ba, "Authorization"_ba })
        QVERIFY2(
            preflight.header("access-control-allow-headers").contains(header), header.constData());
    QVERIFY(preflight.header("access-control-allow-methods").contains("PATCH"));
    // ...and a script may read the answers' Location and Upload-Offset.
    const Reply created = http.createUpload(ann.token, 10, u"a.txt"_s);
    COMPARE_STATUS(created, 201);
    QCOMPARE(created.header("access-control-allow-origin"), "https://app.example");
    for (const QByteArray &header : { "Location"_ba, "Upload-Offset"_ba, "Tus-Resumable"_ba })
        QVERIFY2(
            created.header("access-control-expose-headers").contains(header), header.constData());
    // Another origin gets no grant.
    http.setHeader("Origin", "https://evil.example");
    const Reply other = http.createUpload(ann.token, 10, u"b.txt"_s);
    QVERIFY(other.header("access-control-allow-origin").isEmpty());
    http.setHeader("Origin", {});
}

void TestFiles::uploadInPiecesAndDownloadIdentical()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const QByteArray content = pseudoRandom(2'500'000, 1);
    const Reply created = m_http->createUpload(ann.token, content.size(), u"report.bin"_s);
    COMPARE_STATUS(created, 201);
    const QString location = QString::fromLatin1(created.header("location"));
    const QString id = created.object().value(u"id").toString();
    QCOMPARE(location, u"/api/v1/uploads/"_s + id);
    QCOMPARE(created.header("upload-offset"), "0");
    QVERIFY(created.header("upload-expires").endsWith(" GMT"));
    QCOMPARE(created.object().value(u"name").toString(), u"report.bin"_s);
    QVERIFY(created.object().value(u"file").isNull());

    qint64 offset = 0;
    for (const qint64 piece : { 1024 * 1024, 1024 * 1024, 2'500'000 - 2 * 1024 * 1024 }) {
        const Reply head = m_http->tus("HEAD", location, ann.token);
        COMPARE_STATUS(head, 200);
        QCOMPARE(head.header("upload-offset"), QByteArray::number(offset));
        QCOMPARE(head.header("upload-length"), "2500000");
        QCOMPARE(head.header("cache-control"), "no-store");
        const Reply patched = m_http->tus("PATCH", location, ann.token,
            { { "Upload-Offset", QByteArray::number(offset) } }, content.mid(offset, piece));
        COMPARE_STATUS(patched, 204);
        offset += piece;
        QCOMPARE(patched.header("upload-offset"), QByteArray::number(offset));
    }
    const Reply info = m_http->get(location, ann.token);
    COMPARE_STATUS(info, 200);
    const QJsonObject file = info.object().value(u"file").toObject();
    QCOMPARE(file.value(u"id").toString(), id);
    QCOMPARE(file.value(u"size").toInteger(), 2'500'000);
    QCOMPARE(file.value(u"mime_type").toString(), u"application/octet-stream"_s);
    QCOMPARE(file.value(u"url").toString(), u"/api/v1/files/"_s + id);
    QVERIFY(file.value(u"thumbnail_url").isNull());
    QVERIFY(file.value(u"width").isNull());

    // The uploader may fetch their own file before sending it.
    const Reply downloaded = m_http->get(u"/api/v1/files/"_s + id, ann.token);
    COMPARE_STATUS(downloaded, 200);
    QCOMPARE(downloaded.body.size(), content.size());
    QVERIFY(downloaded.body == content);
    QCOMPARE(downloaded.header("content-type"), "application/octet-stream");
    QCOMPARE(downloaded.header("etag"),
        '"' + QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex() + '"');
    const Reply head = getWith(*m_http, u"/api/v1/files/"_s + id, ann.token, {}, "HEAD");
    COMPARE_STATUS(head, 200);
    QCOMPARE(head.header("content-length"), "2500000");
    QVERIFY(head.body.isEmpty());
}

void TestFiles::protocolErrors()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    // Without Tus-Resumable: 412 and the versions we speak.
    const Reply noVersion = m_http->request("POST", u"/api/v1/uploads"_s, {}, ann.token);
    COMPARE_STATUS(noVersion, 412);
    QCOMPARE(noVersion.header("tus-version"), "1.0.0");
    QCOMPARE(noVersion.object().value(u"code").toString(), u"tus_version_unsupported"_s);
    COMPARE_STATUS(m_http->tus("POST", u"/api/v1/uploads"_s, ann.token), 400);
    COMPARE_STATUS(
        m_http->tus("POST", u"/api/v1/uploads"_s, ann.token, { { "Upload-Length", "-5" } }), 400);
    COMPARE_STATUS(m_http->tus("POST", u"/api/v1/uploads"_s, ann.token,
                       { { "Upload-Length", "10" }, { "Upload-Metadata", "filename ***" } }),
        400);
    COMPARE_STATUS(
        m_http->tus("POST", u"/api/v1/uploads"_s, ann.token, { { "Upload-Defer-Length", "1" } }),
        400);
    COMPARE_STATUS(
        m_http->tus("POST", u"/api/v1/uploads"_s, {}, { { "Upload-Length", "10" } }), 401);

    const Reply created = m_http->createUpload(ann.token, 10, u"a.txt"_s);
    const QString location = QString::fromLatin1(created.header("location"));
    // The wrong offset, a body past the length, the wrong type, no offset.
    const Reply wrongOffset
        = m_http->tus("PATCH", location, ann.token, { { "Upload-Offset", "3" } }, "abc");
    COMPARE_STATUS(wrongOffset, 409);
    QCOMPARE(wrongOffset.object().value(u"code").toString(), u"offset_mismatch"_s);
    const Reply tooLong
        = m_http->tus("PATCH", location, ann.token, { { "Upload-Offset", "0" } }, "0123456789ab");
    COMPARE_STATUS(tooLong, 400);
    QCOMPARE(tooLong.object().value(u"code").toString(), u"upload_length_exceeded"_s);
    m_http->setHeader("Tus-Resumable", "1.0.0");
    m_http->setHeader("Upload-Offset", "0");
    COMPARE_STATUS(m_http->request("PATCH", location, "abc", ann.token, "text/plain"), 415);
    m_http->setHeader("Upload-Offset", {});
    m_http->setHeader("Tus-Resumable", {});
    COMPARE_STATUS(m_http->tus("PATCH", location, ann.token, {}, "abc"), 400);
    // A body over the chunk limit: 413, and nothing of it stored.
    const Reply big = m_http->createUpload(ann.token, 3 * 1024 * 1024, u"big.bin"_s);
    const QString bigLocation = QString::fromLatin1(big.header("location"));
    COMPARE_STATUS(m_http->tus("PATCH", bigLocation, ann.token, { { "Upload-Offset", "0" } },
                       QByteArray(1024 * 1024 + 1, 'x')),
        413);
    QCOMPARE(m_http->tus("HEAD", bigLocation, ann.token).header("upload-offset"), "0");
    // Once complete, no more bytes.
    COMPARE_STATUS(
        m_http->tus("PATCH", location, ann.token, { { "Upload-Offset", "0" } }, "0123456789"), 204);
    const Reply complete
        = m_http->tus("PATCH", location, ann.token, { { "Upload-Offset", "10" } }, "x");
    COMPARE_STATUS(complete, 409);
    QCOMPARE(complete.object().value(u"code").toString(), u"upload_complete"_s);
    // A malformed id is an unknown upload.
    COMPARE_STATUS(m_http->tus("HEAD", u"/api/v1/uploads/not-an-id"_s, ann.token), 404);
}

void TestFiles::emptyFileIsAFileToo()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const Reply created = m_http->createUpload(ann.token, 0, u"empty.txt"_s);
    COMPARE_STATUS(created, 201);
    const QJsonObject file = created.object().value(u"file").toObject();
    QCOMPARE(file.value(u"size").toInteger(), 0);
    const Reply sent = sendFiles(*m_http, ann.token, m_http->personalChat(ann.token, bob.id),
        { created.object().value(u"id").toString() });
    COMPARE_STATUS(sent, 200);
    const Reply downloaded = m_http->get(file.value(u"url").toString(), bob.token);
    COMPARE_STATUS(downloaded, 200);
    QVERIFY(downloaded.body.isEmpty());
    QCOMPARE(downloaded.header("content-length"), "0");
}

void TestFiles::simultaneousPatchesTakeTurns()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const Reply created = m_http->createUpload(ann.token, 100, u"race.bin"_s);
    const QString location = QString::fromLatin1(created.header("location"));
    // Five PATCHes of the same first bytes, all in flight at once: one is
    // stored, the others find the offset moved.
    QNetworkAccessManager network;
    QList<QNetworkReply *> replies;
    for (int i = 0; i < 5; ++i) {
        QNetworkRequest request(m_server.url(location));
        request.setRawHeader("Authorization", "Bearer " + ann.token.toLatin1());
        request.setRawHeader("Tus-Resumable", "1.0.0");
        request.setRawHeader("Upload-Offset", "0");
        request.setRawHeader("Content-Type", "application/offset+octet-stream");
        replies.append(network.sendCustomRequest(request, "PATCH", QByteArray(60, char('a' + i))));
    }
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(replies.cbegin(), replies.cend(),
                                 [](QNetworkReply *reply) { return reply->isFinished(); }),
        30000);
    int stored = 0;
    for (QNetworkReply *reply : std::as_const(replies)) {
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        QVERIFY2(status == 204 || status == 409, qPrintable(QString::number(status)));
        stored += status == 204;
        reply->deleteLater();
    }
    QCOMPARE(stored, 1);
    QCOMPARE(m_http->tus("HEAD", location, ann.token).header("upload-offset"), "60");
}

void TestFiles::downloadsPerUserAreCappedAndStalledOnesDropped()
{
    TestServer server;
    QVERIFY2(server.start({ u"--http-idle-timeout"_s, u"6"_s }), qPrintable(server.error()));
    HttpClient http(server);
    const auto ann = http.newUser(u"Ann"_s);
    // Bigger than what the kernel's socket buffers take in for a client
    // that reads nothing.
    const QByteArray content = pseudoRandom(24 * 1024 * 1024, 8);
    const QString id = http.upload(ann.token, u"big.bin"_s, content);
    QVERIFY(!id.isEmpty());
    // Eight downloads whose clients stop reading: each holds a slot. Their
    // receive buffers are small (as a slow phone's are), so the server's
    // writes back up at once instead of filling megabytes of kernel buffer.
    QList<int> stalled;
    const auto closeAll = qScopeGuard([&stalled] {
        for (const int fd : std::as_const(stalled))
            ::close(fd);
    });
    for (int i = 0; i < 8; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        QVERIFY(fd >= 0);
        stalled.append(fd);
        const int small = 4096;
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
        sockaddr_in address {};
        address.sin_family = AF_INET;
        address.sin_port = htons(quint16(server.url({}).port()));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        QCOMPARE(::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address), 0);
        const QByteArray request = "GET /api/v1/files/" + id.toLatin1()
            + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ann.token.toLatin1() + "\r\n\r\n";
        QCOMPARE(::send(fd, request.constData(), size_t(request.size()), 0), request.size());
        // Its answer has begun (so it holds a slot) before the next one asks.
        const timeval wait { 10, 0 };
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
        char start[12] = {};
        QCOMPARE(::recv(fd, start, sizeof start, MSG_WAITALL), ssize_t(sizeof start));
        QCOMPARE(QByteArray(start, sizeof start), "HTTP/1.1 200");
    }
    // A ninth is refused while they hold on...
    const Reply ninth
        = getWith(http, u"/api/v1/files/"_s + id, ann.token, { { "Range", "bytes=0-1048575" } });
    COMPARE_STATUS(ninth, 429);
    QCOMPARE(ninth.object().value(u"code").toString(), u"too_many_downloads"_s);
    // ...and the stalled ones are closed once they took nothing for the idle
    // timeout, which frees their slots.
    QTRY_COMPARE_WITH_TIMEOUT(
        getWith(http, u"/api/v1/files/"_s + id, ann.token, { { "Range", "bytes=0-1048575" } })
            .status,
        206, 30000);
}

void TestFiles::headAnswersCarryNoBody()
{
    // Pipelined on one connection: a HEAD that fails, a HEAD of a file, then
    // a GET. Were the first answer followed by its JSON body, the client would
    // read that body as the second answer's status line.
    const auto ann = m_http->newUser(u"Ann"_s);
    const QString id = m_http->upload(ann.token, u"h.txt"_s, "hello");
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, quint16(m_server.url({}).port()));
    QVERIFY(socket.waitForConnected(5000));
    const QByteArray auth = "Authorization: Bearer " + ann.token.toLatin1() + "\r\n";
    socket.write("HEAD /api/v1/uploads/" + QUuid::createUuid().toByteArray(QUuid::WithoutBraces)
        + " HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\n" + auth + "\r\n" + "HEAD /api/v1/files/"
        + id.toLatin1() + " HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n"
        + "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    QByteArray received;
    QTRY_VERIFY_WITH_TIMEOUT(
        (received += socket.readAll()).count("HTTP/1.1 ") >= 3 && received.endsWith("}"), 10000);
    QVERIFY2(received.startsWith("HTTP/1.1 404"), received.constData());
    // Each answer starts right after the blank line ending the one before.
    const qsizetype second = received.indexOf("\r\n\r\n") + 4;
    QVERIFY2(received.mid(second).startsWith("HTTP/1.1 200"), received.constData());
    const QByteArray secondHead
        = received.mid(second, received.indexOf("\r\n\r\n", second) - second);
    QVERIFY(secondHead.contains("Content-Length: 5"));
    const qsizetype third = received.indexOf("\r\n\r\n", second) + 4;
    QVERIFY2(received.mid(third).startsWith("HTTP/1.1 200"), received.constData());
}

void TestFiles::othersCannotTouchAnUpload()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto eve = m_http->newUser(u"Eve"_s);
    const Reply created = m_http->createUpload(ann.token, 10, u"a.txt"_s);
    const QString location = QString::fromLatin1(created.header("location"));
    COMPARE_STATUS(m_http->tus("HEAD", location, eve.token), 404);
    COMPARE_STATUS(m_http->get(location, eve.token), 404);
    COMPARE_STATUS(
        m_http->tus("PATCH", location, eve.token, { { "Upload-Offset", "0" } }, "0123456789"), 404);
    COMPARE_STATUS(m_http->tus("DELETE", location, eve.token), 404);
    QCOMPARE(m_http->tus("HEAD", location, ann.token).header("upload-offset"), "0");
    // A finished file of Ann's is not Eve's to fetch until a chat shares it.
    const QString id = m_http->upload(ann.token, u"b.txt"_s, "secret");
    QVERIFY(!id.isEmpty());
    COMPARE_STATUS(m_http->get(u"/api/v1/files/"_s + id, eve.token), 404);
    COMPARE_STATUS(m_http->get(u"/api/v1/files/"_s + id), 401);
}

void TestFiles::sendWithAttachmentsReachesMembersOnly()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto eve = m_http->newUser(u"Eve"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QByteArray notes = "Meeting notes\n";
    const QString first = m_http->upload(ann.token, u"notes.txt"_s, notes);
    const QString second = m_http->upload(ann.token, u"data.bin"_s, pseudoRandom(5000, 2));
    QVERIFY(!first.isEmpty() && !second.isEmpty());

    // A caption is optional.
    const Reply sent = sendFiles(*m_http, ann.token, chatId, { first, second });
    COMPARE_STATUS(sent, 200);
    QCOMPARE(sent.object().value(u"text").toString(), QString());
    const QJsonArray attachments = sent.object().value(u"attachments").toArray();
    QCOMPARE(attachments.size(), 2);
    const QJsonObject expected { { u"id"_s, first }, { u"name"_s, u"notes.txt"_s },
        { u"size"_s, qint64(notes.size()) }, { u"mime_type"_s, u"text/plain"_s },
        { u"width"_s, QJsonValue() }, { u"height"_s, QJsonValue() },
        { u"thumbnail_url"_s, QJsonValue() }, { u"url"_s, QString(u"/api/v1/files/"_s + first) } };
    QCOMPARE(attachments.at(0).toObject(), expected);
    QCOMPARE(attachments.at(1).toObject().value(u"id").toString(), second);

    // History, the chat list and the other member's download.
    const Reply history = m_http->get(u"/api/v1/chats/%1/history"_s.arg(chatId), bob.token);
    const QJsonObject stored = history.object().value(u"messages").toArray().first().toObject();
    QCOMPARE(stored.value(u"attachments").toArray(), attachments);
    const Reply list = m_http->get(u"/api/v1/chats/with-last-message"_s, bob.token);
    QCOMPARE(list.json.array()
                 .first()
                 .toObject()
                 .value(u"last_message")
                 .toObject()
                 .value(u"attachments")
                 .toArray(),
        attachments);
    const Reply fetched = m_http->get(u"/api/v1/files/"_s + first, bob.token);
    COMPARE_STATUS(fetched, 200);
    QCOMPARE(fetched.body, notes);
    // Eve is in no chat that carries it.
    const Reply refused = m_http->get(u"/api/v1/files/"_s + first, eve.token);
    COMPARE_STATUS(refused, 404);
    QCOMPARE(refused.object().value(u"code").toString(), u"file_not_found"_s);
    // Text and files together.
    const QString third = m_http->upload(ann.token, u"c.txt"_s, "c");
    const Reply captioned = sendFiles(*m_http, ann.token, chatId, { third }, u"  Here  "_s);
    COMPARE_STATUS(captioned, 200);
    QCOMPARE(captioned.object().value(u"text").toString(), u"Here"_s);
}

void TestFiles::attachmentIdsAreChecked()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString bobsFile = m_http->upload(bob.token, u"b.txt"_s, "bob");
    const Reply notMine = sendFiles(*m_http, ann.token, chatId, { bobsFile });
    COMPARE_STATUS(notMine, 404);
    QCOMPARE(notMine.object().value(u"code").toString(), u"attachment_not_found"_s);
    COMPARE_STATUS(sendFiles(*m_http, ann.token, chatId,
                       { QUuid::createUuid().toString(QUuid::WithoutBraces) }),
        404);
    const Reply unfinished = m_http->createUpload(ann.token, 10, u"u.txt"_s);
    const Reply incomplete
        = sendFiles(*m_http, ann.token, chatId, { unfinished.object().value(u"id").toString() });
    COMPARE_STATUS(incomplete, 409);
    QCOMPARE(incomplete.object().value(u"code").toString(), u"upload_incomplete"_s);
    // At most ten; no text and no files is no message.
    QStringList eleven;
    for (int i = 0; i < 11; ++i)
        eleven.append(QUuid::createUuid().toString(QUuid::WithoutBraces));
    COMPARE_STATUS(sendFiles(*m_http, ann.token, chatId, eleven), 422);
    COMPARE_STATUS(sendFiles(*m_http, ann.token, chatId, {}), 422);
    // Nothing was stored by the refusals.
    const Reply history = m_http->get(u"/api/v1/chats/%1/history"_s.arg(chatId), ann.token);
    QCOMPARE(history.object().value(u"messages").toArray().size(), 0);
}

void TestFiles::webSocketSendCarriesFiles()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString id = m_http->upload(ann.token, u"song.ogg"_s, pseudoRandom(3000, 9));
    WsClient annLive(m_server.webSocketUrl(u"/ws/user"_s, ann.token));
    WsClient bobLive(m_server.webSocketUrl(u"/ws/user"_s, bob.token));
    QVERIFY(annLive.greeted());
    QVERIFY(bobLive.greeted());
    // A file with no caption at all.
    annLive.sendJson({ { u"type"_s, u"send"_s }, { u"chat_id"_s, chatId },
        { u"client_id"_s, QUuid::createUuid().toString(QUuid::WithoutBraces) },
        { u"attachment_ids"_s, QJsonArray { id } } });
    QTRY_COMPARE_WITH_TIMEOUT(annLive.ofType(u"ack"_s).size(), 1, 10000);
    const QJsonArray acked = annLive.lastData(u"ack"_s).value(u"attachments").toArray();
    QCOMPARE(acked.size(), 1);
    QCOMPARE(acked.first().toObject().value(u"name").toString(), u"song.ogg"_s);
    QTRY_COMPARE_WITH_TIMEOUT(bobLive.ofType(u"message"_s).size(), 1, 10000);
    QCOMPARE(bobLive.lastData(u"message"_s).value(u"attachments").toArray(), acked);
    // Someone else's file over the socket: an error frame, nothing stored.
    const QString bobs = m_http->upload(bob.token, u"b.bin"_s, "b");
    annLive.sendJson({ { u"type"_s, u"send"_s }, { u"chat_id"_s, chatId },
        { u"client_id"_s, QUuid::createUuid().toString(QUuid::WithoutBraces) },
        { u"text"_s, u"his"_s }, { u"attachment_ids"_s, QJsonArray { bobs } } });
    QTRY_COMPARE_WITH_TIMEOUT(annLive.ofType(u"error"_s).size(), 1, 10000);
    QCOMPARE(
        annLive.ofType(u"error"_s).first().value(u"code").toString(), u"attachment_not_found"_s);
}

void TestFiles::rangesAndConditionalRequests()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const QByteArray content = pseudoRandom(1000, 3);
    const QString id = m_http->upload(ann.token, u"r.bin"_s, content);
    const QString path = u"/api/v1/files/"_s + id;

    const Reply whole = m_http->get(path, ann.token);
    QCOMPARE(whole.header("accept-ranges"), "bytes");
    const QByteArray etag = whole.header("etag");
    QVERIFY(!etag.isEmpty());

    const Reply first = getWith(*m_http, path, ann.token, { { "Range", "bytes=0-9" } });
    COMPARE_STATUS(first, 206);
    QCOMPARE(first.body, content.left(10));
    QCOMPARE(first.header("content-range"), "bytes 0-9/1000");
    const Reply tail = getWith(*m_http, path, ann.token, { { "Range", "bytes=990-" } });
    COMPARE_STATUS(tail, 206);
    QCOMPARE(tail.body, content.mid(990));
    const Reply suffix = getWith(*m_http, path, ann.token, { { "Range", "bytes=-5" } });
    COMPARE_STATUS(suffix, 206);
    QCOMPARE(suffix.body, content.right(5));
    QCOMPARE(suffix.header("content-range"), "bytes 995-999/1000");
    const Reply past = getWith(*m_http, path, ann.token, { { "Range", "bytes=5000-" } });
    COMPARE_STATUS(past, 416);
    QCOMPARE(past.header("content-range"), "bytes */1000");
    QCOMPARE(past.object().value(u"code").toString(), u"range_not_satisfiable"_s);
    // Several ranges, or a unit we do not serve: the whole file.
    const Reply several = getWith(*m_http, path, ann.token, { { "Range", "bytes=0-1,5-6" } });
    COMPARE_STATUS(several, 200);
    QCOMPARE(several.body, content);

    const Reply cached = getWith(*m_http, path, ann.token, { { "If-None-Match", etag } });
    COMPARE_STATUS(cached, 304);
    QVERIFY(cached.body.isEmpty());
    QCOMPARE(cached.header("etag"), etag);
    COMPARE_STATUS(getWith(*m_http, path, ann.token, { { "If-None-Match", "\"other\"" } }), 200);
    // If-Range: the range only while the file is the one the client has.
    COMPARE_STATUS(
        getWith(*m_http, path, ann.token, { { "Range", "bytes=0-9" }, { "If-Range", etag } }), 206);
    COMPARE_STATUS(getWith(*m_http, path, ann.token,
                       { { "Range", "bytes=0-9" }, { "If-Range", "\"other\"" } }),
        200);
}

void TestFiles::onlySafeImagesAreShownInline()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    // A page and a drawing that claim to be pictures: downloads, never pages.
    const QString page = m_http->upload(ann.token, u"cat.png"_s,
        "<!DOCTYPE html><html><body><script>alert(1)</script></body></html>");
    const QString drawing = m_http->upload(ann.token, u"logo.svg"_s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>");
    for (const QString &id : { page, drawing }) {
        const Reply reply = m_http->get(u"/api/v1/files/"_s + id, ann.token);
        COMPARE_STATUS(reply, 200);
        QCOMPARE(reply.header("content-type"), "application/octet-stream");
        QVERIFY(reply.header("content-disposition").startsWith("attachment;"));
        QCOMPARE(reply.header("x-content-type-options"), "nosniff");
        QVERIFY(reply.header("content-security-policy").contains("sandbox"));
    }
    const QJsonObject info
        = m_http->get(u"/api/v1/uploads/"_s + page, ann.token).object().value(u"file").toObject();
    QCOMPARE(info.value(u"mime_type").toString(), u"text/html"_s);
    QVERIFY(info.value(u"width").isNull());
    // A name with quotes and non-ASCII letters survives in both forms.
    const QString picture = m_http->upload(ann.token, u"Фото \"1\".png"_s, png(gradient(4, 4)));
    const Reply image = m_http->get(u"/api/v1/files/"_s + picture, ann.token);
    QCOMPARE(image.header("content-type"), "image/png");
    QCOMPARE(image.header("content-disposition"),
        "inline; filename=\"____ _1_.png\"; "
        "filename*=UTF-8''%D0%A4%D0%BE%D1%82%D0%BE%20%221%22.png");
}

void TestFiles::imagesAreMeasuredThumbnailedAndCleaned()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QImage source = gradient(1200, 600);
    const QByteArray original
        = png(source, { { u"GPS"_s, u"Location: 55.75,37.61"_s }, { u"Author"_s, u"Ann"_s } });
    QVERIFY(original.contains("Location: 55.75"));
    const QString id = m_http->upload(ann.token, u"photo.png"_s, original);
    const Reply sent = sendFiles(*m_http, ann.token, chatId, { id }, u"Look"_s);
    COMPARE_STATUS(sent, 200);
    const QJsonObject attachment = firstAttachment(sent);
    QCOMPARE(attachment.value(u"mime_type").toString(), u"image/png"_s);
    QCOMPARE(attachment.value(u"width").toInt(), 1200);
    QCOMPARE(attachment.value(u"height").toInt(), 600);
    QCOMPARE(
        attachment.value(u"thumbnail_url").toString(), u"/api/v1/files/%1/thumbnail"_s.arg(id));

    const Reply served = m_http->get(u"/api/v1/files/"_s + id, bob.token);
    COMPARE_STATUS(served, 200);
    QVERIFY(!served.body.contains("Location"));
    QVERIFY(!served.body.contains("Author"));
    QCOMPARE(QImage::fromData(served.body).convertToFormat(QImage::Format_RGB32), source);
    QCOMPARE(attachment.value(u"size").toInteger(), served.body.size());

    const Reply thumbnail = m_http->get(attachment.value(u"thumbnail_url").toString(), bob.token);
    COMPARE_STATUS(thumbnail, 200);
    QCOMPARE(thumbnail.header("content-type"), "image/jpeg");
    QCOMPARE(QImage::fromData(thumbnail.body).size(), QSize(320, 160));
    QVERIFY(thumbnail.header("content-disposition").startsWith("inline;"));
    // A file that is no image has none.
    const QString text = m_http->upload(ann.token, u"t.txt"_s, "text");
    const Reply none = m_http->get(u"/api/v1/files/%1/thumbnail"_s.arg(text), ann.token);
    COMPARE_STATUS(none, 404);
    QCOMPARE(none.object().value(u"code").toString(), u"thumbnail_not_found"_s);
    // A "PNG" that does not decode is kept as a plain file.
    QByteArray broken = png(gradient(50, 50));
    broken.truncate(60);
    const QString brokenId = m_http->upload(ann.token, u"broken.png"_s, broken);
    const QJsonObject brokenInfo = m_http->get(u"/api/v1/uploads/"_s + brokenId, ann.token)
                                       .object()
                                       .value(u"file")
                                       .toObject();
    QCOMPARE(brokenInfo.value(u"mime_type").toString(), u"application/octet-stream"_s);
    QVERIFY(brokenInfo.value(u"thumbnail_url").isNull());
}

void TestFiles::photosAreTurnedUprightAndLoseTheirExif()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    // A phone's photo: stored 400x200, EXIF says "turn 90° clockwise", with
    // the camera, a GPS position and a comment.
    QByteArray jpeg;
    {
        QBuffer buffer(&jpeg);
        buffer.open(QIODevice::WriteOnly);
        QImageWriter(&buffer, "jpeg").write(gradient(400, 200));
    }
    const QByteArray photo = ImageFixtures::withJpegMetadata(jpeg, 6);
    QVERIFY(photo.contains(ImageFixtures::cameraMake));
    const QString id = m_http->upload(ann.token, u"IMG_0001.jpg"_s, photo);
    const QJsonObject file
        = m_http->get(u"/api/v1/uploads/"_s + id, ann.token).object().value(u"file").toObject();
    QCOMPARE(file.value(u"mime_type").toString(), u"image/jpeg"_s);
    QCOMPARE(file.value(u"width").toInt(), 200);
    QCOMPARE(file.value(u"height").toInt(), 400);
    const Reply served = m_http->get(u"/api/v1/files/"_s + id, ann.token);
    COMPARE_STATUS(served, 200);
    for (const QByteArray &secret :
        { "Exif"_ba, ImageFixtures::cameraMake, ImageFixtures::secretComment, "xmpmeta"_ba })
        QVERIFY2(!served.body.contains(secret), secret.constData());
    // Upright as stored: a viewer that ignores EXIF shows it right.
    QCOMPARE(QImage::fromData(served.body).size(), QSize(200, 400));
    const Reply thumbnail = m_http->get(file.value(u"thumbnail_url").toString(), ann.token);
    QCOMPARE(QImage::fromData(thumbnail.body).size(), QSize(160, 320));
    QVERIFY(!thumbnail.body.contains(ImageFixtures::cameraMake));
}

void TestFiles::removedMemberLosesAccess()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString groupId = m_http->newGroup(ann, u"Team"_s, { bob.id });
    const QString id = m_http->upload(ann.token, u"plan.txt"_s, "plan");
    COMPARE_STATUS(sendFiles(*m_http, ann.token, groupId, { id }), 200);
    COMPARE_STATUS(m_http->get(u"/api/v1/files/"_s + id, bob.token), 200);
    const Reply link = m_http->get(u"/api/v1/files/%1/link"_s.arg(id), bob.token);
    COMPARE_STATUS(link, 200);
    COMPARE_STATUS(m_http->request("DELETE", u"/api/v1/chats/%1/members/%2"_s.arg(groupId, bob.id),
                       {}, ann.token),
        204);
    COMPARE_STATUS(m_http->get(u"/api/v1/files/"_s + id, bob.token), 404);
    // Nor does a link made while he was a member still work.
    COMPARE_STATUS(m_http->get(link.object().value(u"url").toString()), 404);
    COMPARE_STATUS(m_http->get(u"/api/v1/files/%1/link"_s.arg(id), bob.token), 404);
}

void TestFiles::signedLinksWorkWithoutTokenAndExpire()
{
    TestServer server;
    QVERIFY2(server.start({ u"--file-link-lifetime"_s, u"2"_s }), qPrintable(server.error()));
    HttpClient http(server);
    const auto ann = http.newUser(u"Ann"_s);
    const QByteArray picture = png(gradient(400, 100));
    const QString id = http.upload(ann.token, u"p.png"_s, picture);
    const Reply link = http.get(u"/api/v1/files/%1/link"_s.arg(id), ann.token);
    COMPARE_STATUS(link, 200);
    const QString url = link.object().value(u"url").toString();
    const QString thumbnailUrl = link.object().value(u"thumbnail_url").toString();
    QVERIFY(url.startsWith(u"/api/v1/files/"_s + id + u"?"_s));
    QVERIFY(link.object().value(u"expires_at").toString().endsWith(u'Z'));

    const Reply viaLink = http.get(url);
    COMPARE_STATUS(viaLink, 200);
    QCOMPARE(QImage::fromData(viaLink.body).size(), QSize(400, 100));
    COMPARE_STATUS(http.get(thumbnailUrl), 200);
    // The thumbnail's signature is not the file's, and a changed one is none.
    QUrlQuery query(QUrl(thumbnailUrl).query());
    COMPARE_STATUS(
        http.get(u"/api/v1/files/%1?%2"_s.arg(id, query.toString(QUrl::FullyEncoded))), 401);
    QString tampered = url;
    tampered.replace(u"signature="_s, u"signature=A"_s);
    const Reply refused = http.get(tampered);
    COMPARE_STATUS(refused, 401);
    QCOMPARE(refused.object().value(u"code").toString(), u"invalid_link"_s);
    // It stops working once it expires.
    QTRY_COMPARE_WITH_TIMEOUT(http.get(url).status, 401, 10000);
}

void TestFiles::forwardSharesTheFileAndSameBytesAreStoredOnce()
{
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    HttpClient http(server);
    const auto ann = http.newUser(u"Ann"_s);
    const auto bob = http.newUser(u"Bob"_s);
    const auto cid = http.newUser(u"Cid"_s);
    const QString annBob = http.personalChat(ann.token, bob.id);
    const QString bobCid = http.personalChat(bob.token, cid.id);
    const QByteArray content = pseudoRandom(300'000, 4);
    const QString id = http.upload(ann.token, u"movie.bin"_s, content);
    const Reply sent = sendFiles(http, ann.token, annBob, { id });
    COMPARE_STATUS(sent, 200);
    const Reply forwarded = http.post(u"/api/v1/chats/messages/forward"_s,
        { { u"message_ids"_s, QJsonArray { sent.object().value(u"id") } },
            { u"chat_ids"_s, QJsonArray { bobCid } } },
        bob.token);
    COMPARE_STATUS(forwarded, 200);
    QCOMPARE(forwarded.object()
                 .value(u"messages")
                 .toArray()
                 .first()
                 .toObject()
                 .value(u"attachments")
                 .toArray(),
        sent.object().value(u"attachments").toArray());
    const Reply cidGets = http.get(u"/api/v1/files/"_s + id, cid.token);
    COMPARE_STATUS(cidGets, 200);
    QVERIFY(cidGets.body == content);
    // The same bytes uploaded again by someone else: a file of their own, one copy stored.
    const QString again = http.upload(cid.token, u"copy.bin"_s, content);
    QVERIFY(!again.isEmpty() && again != id);
    QVERIFY(http.get(u"/api/v1/files/"_s + again, cid.token).body == content);
    QVERIFY(storeHolds(server, 1));
}

void TestFiles::deletingTheMessageRemovesItsFiles()
{
    TestServer server;
    QVERIFY2(server.start({ u"--upload-expiry"_s, u"2"_s }), qPrintable(server.error()));
    HttpClient http(server);
    const auto ann = http.newUser(u"Ann"_s);
    const auto bob = http.newUser(u"Bob"_s);
    const QString chatId = http.personalChat(ann.token, bob.id);
    const QString id = http.upload(ann.token, u"old.bin"_s, pseudoRandom(10'000, 5));
    const Reply sent = sendFiles(http, ann.token, chatId, { id }, u"See"_s);
    COMPARE_STATUS(sent, 200);
    // Attached, it outlives the expiry of unattached uploads: a later upload
    // that is never sent expires, this one stays.
    const QString unsent = http.upload(ann.token, u"unsent.bin"_s, "never sent");
    QTRY_COMPARE_WITH_TIMEOUT(http.get(u"/api/v1/files/"_s + unsent, ann.token).status, 404, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(storeHolds(server, 1), 30000);
    COMPARE_STATUS(http.get(u"/api/v1/files/"_s + id, bob.token), 200);

    const QString messageId = sent.object().value(u"id").toString();
    const Reply deleted = http.request("DELETE", u"/api/v1/messages/"_s + messageId, {}, ann.token);
    COMPARE_STATUS(deleted, 200);
    QCOMPARE(deleted.object().value(u"attachments").toArray().size(), 0);
    COMPARE_STATUS(http.get(u"/api/v1/files/"_s + id, bob.token), 404);
    const Reply history = http.get(u"/api/v1/chats/%1/history"_s.arg(chatId), bob.token);
    QCOMPARE(history.object()
                 .value(u"messages")
                 .toArray()
                 .first()
                 .toObject()
                 .value(u"attachments")
                 .toArray()
                 .size(),
        0);
    QTRY_VERIFY_WITH_TIMEOUT(storeHolds(server, 0), 30000);
}

void TestFiles::terminationRemovesAnUnfinishedUpload()
{
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    HttpClient http(server);
    const auto ann = http.newUser(u"Ann"_s);
    const auto bob = http.newUser(u"Bob"_s);
    const Reply created = http.createUpload(ann.token, 100, u"x.bin"_s);
    const QString location = QString::fromLatin1(created.header("location"));
    COMPARE_STATUS(
        http.tus("PATCH", location, ann.token, { { "Upload-Offset", "0" } }, QByteArray(50, 'x')),
        204);
    QVERIFY(storeHolds(server, 1));
    if (!server.isPostgres()) {
        // On the server's disk, people's files are the server's user's alone.
        // (Qt's "User" bits repeat the owner's for the owner: left out.)
        const QFileDevice::Permissions ownerGroupOther(0x7077);
        const QString folder = server.dataDir() + u"/files"_s;
        QCOMPARE(QFileInfo(folder).permissions() & ownerGroupOther,
            QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        QDirIterator it(folder, QDir::Files, QDirIterator::Subdirectories);
        QVERIFY(it.hasNext());
        it.next();
        QCOMPARE(it.fileInfo().permissions() & ownerGroupOther,
            QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        QCOMPARE(QFileInfo(it.fileInfo().path()).permissions() & ownerGroupOther,
            QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    }
    const Reply terminated = http.tus("DELETE", location, ann.token);
    COMPARE_STATUS(terminated, 204);
    QCOMPARE(terminated.header("tus-resumable"), "1.0.0");
    COMPARE_STATUS(http.tus("HEAD", location, ann.token), 404);
    QVERIFY(storeHolds(server, 0));
    // A file a message carries is the message's: deleting the message removes it.
    const QString id = http.upload(ann.token, u"y.bin"_s, "yy");
    COMPARE_STATUS(sendFiles(http, ann.token, http.personalChat(ann.token, bob.id), { id }), 200);
    const Reply attached = http.tus("DELETE", u"/api/v1/uploads/"_s + id, ann.token);
    COMPARE_STATUS(attached, 409);
    QCOMPARE(attached.object().value(u"code").toString(), u"file_attached"_s);
}

void TestFiles::uploadResumesAfterARestart()
{
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    HttpClient http(server);
    const auto ann = http.newUser(u"Ann"_s);
    const QByteArray content = pseudoRandom(1'500'000, 6);
    const Reply created = http.createUpload(ann.token, content.size(), u"long.bin"_s);
    const QString location = QString::fromLatin1(created.header("location"));
    COMPARE_STATUS(http.tus("PATCH", location, ann.token, { { "Upload-Offset", "0" } },
                       content.left(1024 * 1024)),
        204);
    server.kill();
    QVERIFY2(server.start(), qPrintable(server.error()));
    const Reply head = http.tus("HEAD", location, ann.token);
    COMPARE_STATUS(head, 200);
    QCOMPARE(head.header("upload-offset"), QByteArray::number(1024 * 1024));
    COMPARE_STATUS(
        http.tus("PATCH", location, ann.token,
            { { "Upload-Offset", QByteArray::number(1024 * 1024) } }, content.mid(1024 * 1024)),
        204);
    const Reply downloaded
        = http.get(u"/api/v1/files/"_s + created.object().value(u"id").toString(), ann.token);
    QVERIFY(downloaded.body == content);
}

void TestFiles::limitsRefuseWithClearErrors()
{
    TestServer server;
    QVERIFY2(server.start({ u"--upload-max-mb"_s, u"2"_s, u"--storage-quota-mb"_s, u"3"_s,
                 u"--uploads-in-progress-max"_s, u"2"_s }),
        qPrintable(server.error()));
    HttpClient http(server);
    const auto ann = http.newUser(u"Ann"_s);
    const Reply options = http.request("OPTIONS", u"/api/v1/uploads"_s);
    QCOMPARE(options.header("tus-max-size"), QByteArray::number(2 * 1024 * 1024));
    const Reply tooLarge = http.createUpload(ann.token, 2 * 1024 * 1024 + 1);
    COMPARE_STATUS(tooLarge, 413);
    QCOMPARE(tooLarge.object().value(u"code").toString(), u"file_too_large"_s);
    QCOMPARE(tooLarge.header("tus-resumable"), "1.0.0");

    COMPARE_STATUS(http.createUpload(ann.token, 10), 201);
    COMPARE_STATUS(http.createUpload(ann.token, 10), 201);
    const Reply third = http.createUpload(ann.token, 10);
    COMPARE_STATUS(third, 429);
    QCOMPARE(third.object().value(u"code").toString(), u"too_many_uploads"_s);

    const auto bob = http.newUser(u"Bob"_s);
    QVERIFY(!http.upload(bob.token, u"a.bin"_s, QByteArray(2 * 1024 * 1024, 'a')).isEmpty());
    const Reply overQuota = http.createUpload(bob.token, 1024 * 1024 + 1);
    COMPARE_STATUS(overQuota, 413);
    QCOMPARE(overQuota.object().value(u"code").toString(), u"storage_quota_exceeded"_s);
    COMPARE_STATUS(http.createUpload(bob.token, 1024 * 1024), 201);
}

void TestFiles::simultaneousCreationsCannotPassTheQuota()
{
    TestServer server;
    QVERIFY2(
        server.start({ u"--storage-quota-mb"_s, u"1"_s, u"--uploads-in-progress-max"_s, u"100"_s }),
        qPrintable(server.error()));
    HttpClient http(server);
    const auto ann = http.newUser(u"Ann"_s);
    // Twenty creations of 100 KiB in flight at once: ten fit in 1 MiB.
    QNetworkAccessManager network;
    QList<QNetworkReply *> replies;
    for (int i = 0; i < 20; ++i) {
        QNetworkRequest request(server.url(u"/api/v1/uploads"_s));
        request.setRawHeader("Authorization", "Bearer " + ann.token.toLatin1());
        request.setRawHeader("Tus-Resumable", "1.0.0");
        request.setRawHeader("Upload-Length", QByteArray::number(100 * 1024));
        replies.append(network.post(request, QByteArray()));
    }
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(replies.cbegin(), replies.cend(),
                                 [](QNetworkReply *reply) { return reply->isFinished(); }),
        30000);
    int created = 0;
    for (QNetworkReply *reply : std::as_const(replies)) {
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        QVERIFY2(status == 201 || status == 413, qPrintable(QString::number(status)));
        created += status == 201;
        reply->deleteLater();
    }
    QCOMPARE(created, 10);
}

void TestFiles::abandonedUploadsExpire()
{
    TestServer server;
    QVERIFY2(server.start({ u"--upload-expiry"_s, u"2"_s }), qPrintable(server.error()));
    HttpClient http(server);
    const auto ann = http.newUser(u"Ann"_s);
    const Reply created = http.createUpload(ann.token, 100, u"x.bin"_s);
    const QString location = QString::fromLatin1(created.header("location"));
    COMPARE_STATUS(
        http.tus("PATCH", location, ann.token, { { "Upload-Offset", "0" } }, QByteArray(40, 'x')),
        204);
    QVERIFY(storeHolds(server, 1));
    QTRY_COMPARE_WITH_TIMEOUT(http.tus("HEAD", location, ann.token).status, 404, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(storeHolds(server, 0), 30000);
    // Its bytes no longer count against anything: a new upload is welcome.
    COMPARE_STATUS(http.createUpload(ann.token, 100), 201);
}

QTEST_GUILESS_MAIN(TestFiles)
#include "tst_files.moc"
