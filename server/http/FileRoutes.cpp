// The files part of the REST API: tus 1.0 uploads under /uploads and
// downloads under /files (HttpApi's routes, kept in their own file).
#include "HttpApi.h"

#include "DownloadStream.h"
#include "HttpConnections.h"
#include "Routing.h"
#include "db/Database.h"
#include "files/FileLinks.h"
#include "files/FileService.h"
#include "files/ImageProcessing.h"
#include "shared/ApiPaths.h"
#include "shared/Limits.h"

#include <QDateTime>
#include <QHttpServer>
#include <QLocale>
#include <QLoggingCategory>
#include <QMutex>
#include <QTcpSocket>

#include <limits>

using namespace Qt::StringLiterals;
using Method = QHttpServerRequest::Method;

Q_DECLARE_LOGGING_CATEGORY(lcHttp)

namespace Messenger::Server {

namespace {

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

const ApiError uploadNotFound = ApiError::notFound(u"upload_not_found"_s, u"Upload not found"_s);
const ApiError fileNotFound = ApiError::notFound(u"file_not_found"_s, u"File not found"_s);

// Every tus answer says which protocol version it speaks.
HttpReply tus(HttpReply reply)
{
    reply.headers.append(qMakePair(QByteArray(Tus::resumableHeader), QByteArray(Tus::version)));
    return reply;
}

// An HTTP date (RFC 9110: IMF-fixdate) for Upload-Expires.
QByteArray httpDate(qint64 microseconds)
{
    const QDateTime time = QDateTime::fromMSecsSinceEpoch(microseconds / 1000, Qt::UTC);
    return QLocale::c().toString(time, u"ddd, dd MMM yyyy hh:mm:ss 'GMT'"_s).toLatin1();
}

HeaderList uploadHeaders(const Upload &upload)
{
    return { { Tus::offsetHeader, QByteArray::number(upload.offset) },
        { Tus::lengthHeader, QByteArray::number(upload.length) },
        { Tus::expiresHeader, httpDate(upload.expiresAt) }, { "Cache-Control", "no-store" } };
}

// A tus request must say it speaks our version (412 otherwise, with the
// versions we do speak); OPTIONS is exempt.
std::optional<HttpReply> versionRefused(const Request &request)
{
    if (request.header(Tus::resumableHeader) == Tus::version)
        return std::nullopt;
    HttpReply reply = HttpReply::error(ApiError { 412, u"tus_version_unsupported"_s,
        u"Tus-Resumable: %1 is required"_s.arg(QLatin1StringView(Tus::version)), {} });
    reply.headers.append(qMakePair(QByteArray(Tus::versionHeader), QByteArray(Tus::version)));
    return tus(reply);
}

// A non-negative decimal integer header (Upload-Length, Upload-Offset).
std::optional<qint64> integerHeader(const Request &request, QByteArrayView name)
{
    const QByteArray value = request.header(name).trimmed();
    if (value.isEmpty() || value.size() > 18
        || !std::all_of(value.cbegin(), value.cend(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    return value.toLongLong();
}

// Upload-Metadata: comma-separated "key base64value" pairs (a key alone has
// an empty value). nullopt when malformed.
std::optional<QHash<QString, QString>> uploadMetadata(const Request &request)
{
    QHash<QString, QString> metadata;
    const QByteArray header = request.header(Tus::metadataHeader);
    for (const QByteArray &pair : header.split(',')) {
        const QList<QByteArray> parts = pair.trimmed().split(' ');
        if (parts.isEmpty() || parts.size() > 2 || parts.first().isEmpty()) {
            if (header.trimmed().isEmpty())
                break;
            return std::nullopt;
        }
        QByteArray value;
        if (parts.size() == 2) {
            auto decoded = QByteArray::fromBase64Encoding(
                parts.at(1), QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded)
                return std::nullopt;
            value = *decoded;
        }
        metadata.insert(QString::fromUtf8(parts.first()), QString::fromUtf8(value));
    }
    return metadata;
}

// Downloads one user (and everyone) may have going at once: each holds up to
// DownloadStream's two pieces, so this bounds the memory downloads take.
class DownloadSlots
{
public:
    static constexpr int perUser = 8;
    static constexpr int total = 256;

    std::shared_ptr<void> acquire(const QString &userId)
    {
        QMutexLocker lock(&m_mutex);
        int &mine = m_byUser[userId];
        if (mine >= perUser || m_total >= total) {
            if (mine == 0)
                m_byUser.remove(userId);
            return {};
        }
        ++mine;
        ++m_total;
        // Not null (a null one would read as refused); the deleter frees nothing.
        return std::shared_ptr<void>(this, [this, userId](void *) {
            QMutexLocker released(&m_mutex);
            --m_total;
            if (--m_byUser[userId] <= 0)
                m_byUser.remove(userId);
        });
    }

private:
    QMutex m_mutex;
    QHash<QString, int> m_byUser;
    int m_total = 0;
};

DownloadSlots &downloadSlots()
{
    static DownloadSlots slots;
    return slots;
}

// `bytes=first-last`, `bytes=first-` or `bytes=-suffix` of a `size`-byte
// file, as [offset, length]. nullopt: not one satisfiable range (then
// `unsatisfiable` says whether to answer 416 rather than ignore the header,
// as RFC 9110 allows for several ranges or a syntax we do not serve).
struct ByteRange
{
    qint64 offset = 0;
    qint64 length = 0;
};
std::optional<ByteRange> parseRange(const QByteArray &header, qint64 size, bool *unsatisfiable)
{
    *unsatisfiable = false;
    const QByteArray spec = header.trimmed();
    if (!spec.startsWith("bytes=") || spec.contains(','))
        return std::nullopt;
    const QByteArray range = spec.mid(6).trimmed();
    const qsizetype dash = range.indexOf('-');
    if (dash < 0)
        return std::nullopt;
    const QByteArray first = range.left(dash).trimmed();
    const QByteArray last = range.mid(dash + 1).trimmed();
    const auto number = [](const QByteArray &text) -> std::optional<qint64> {
        if (text.isEmpty() || text.size() > 18
            || !std::all_of(
                text.cbegin(), text.cend(), [](char c) { return c >= '0' && c <= '9'; }))
            return std::nullopt;
        return text.toLongLong();
    };
    if (first.isEmpty()) {
        const auto suffix = number(last);
        if (!suffix)
            return std::nullopt;
        if (*suffix == 0 || size == 0) {
            *unsatisfiable = true;
            return std::nullopt;
        }
        const qint64 length = qMin(*suffix, size);
        return ByteRange { size - length, length };
    }
    const auto start = number(first);
    const std::optional<qint64> end
        = last.isEmpty() ? std::optional<qint64>(std::numeric_limits<qint64>::max()) : number(last);
    if (!start || !end || *end < *start)
        return std::nullopt;
    if (*start >= size) {
        *unsatisfiable = true;
        return std::nullopt;
    }
    return ByteRange { *start, qMin(*end, size - 1) - *start + 1 };
}

// Content-Disposition with the name in both forms (RFC 6266): an ASCII
// fallback and the UTF-8 original.
QByteArray contentDisposition(const QString &name, bool inlineImage)
{
    QByteArray fallback;
    for (const QChar c : name)
        fallback += (c.unicode() >= 0x20 && c.unicode() < 0x7f && c != u'"' && c != u'\\')
            ? char(c.unicode())
            : '_';
    return QByteArray(inlineImage ? "inline" : "attachment") + "; filename=\"" + fallback
        + "\"; filename*=UTF-8''" + QUrl::toPercentEncoding(name);
}

bool etagMatches(const QByteArray &header, const QByteArray &etag)
{
    if (header.trimmed() == "*")
        return true;
    for (QByteArray candidate : header.split(',')) {
        candidate = candidate.trimmed();
        if (candidate.startsWith("W/"))
            candidate = candidate.mid(2);
        if (candidate == etag)
            return true;
    }
    return false;
}

// The answer to GET or HEAD of a file the caller may see: the whole of it,
// a range of it (206), 304 when the client has it, 416 for a range past its
// end. Only images of the safe types are shown inline as themselves;
// anything else is a download of application/octet-stream, so no upload can
// become a page (HTML, SVG) in the server's origin.
HttpReply fileAnswer(const Request &request, const FileService::Download &download, bool head)
{
    const QByteArray etag = '"' + download.sha256 + '"';
    const bool inlineImage = Images::isSafeImageType(download.mimeType);
    HeaderList headers { { "ETag", etag }, { "Accept-Ranges", "bytes" },
        { "Cache-Control", "private, no-cache" }, { "X-Content-Type-Options", "nosniff" },
        { "Content-Security-Policy", "default-src 'none'; sandbox" },
        { "Content-Disposition", contentDisposition(download.name, inlineImage) } };
    HttpReply reply;
    reply.contentType = inlineImage ? download.mimeType.toLatin1()
                                    : QByteArrayLiteral("application/octet-stream");
    HttpReply::FileBody body { download.contentKey, 0, download.size, head, {} };
    if (etagMatches(request.header("if-none-match"), etag)) {
        reply.status = 304;
        body.length = 0;
        body.headOnly = true;
    } else if (request.hasHeader("range")
        && (!request.hasHeader("if-range") || request.header("if-range").trimmed() == etag)) {
        bool unsatisfiable = false;
        if (const auto range = parseRange(request.header("range"), download.size, &unsatisfiable)) {
            reply.status = 206;
            body.offset = range->offset;
            body.length = range->length;
            headers.append({ "Content-Range",
                "bytes " + QByteArray::number(range->offset) + '-'
                    + QByteArray::number(range->offset + range->length - 1) + '/'
                    + QByteArray::number(download.size) });
        } else if (unsatisfiable) {
            HttpReply refused = HttpReply::error(ApiError { 416, u"range_not_satisfiable"_s,
                u"The file has %1 bytes"_s.arg(download.size), {} });
            refused.headers.append(
                { "Content-Range", "bytes */" + QByteArray::number(download.size) });
            return refused;
        }
    }
    if (reply.status == 200 || reply.status == 206 || reply.status == 304)
        reply.headers = headers;
    reply.file = std::move(body);
    return reply;
}

} // namespace

void HttpApi::setFiles(FileStore *store, const FileSettings &settings, const FileLinks *links)
{
    m_fileStore = store;
    m_fileSettings = settings;
    m_fileLinks = links;
}

void HttpApi::addFileRoutes(QHttpServer &server)
{
    const auto auth = Access::Authenticated;
    const QString uploads = ApiPaths::uploads.toString();
    const QString upload = uploads + u"/{upload_id}"_s;

    // tus discovery, no token needed: the version, the extensions and the
    // limits (Tus-Max-Size; our Messenger-Max-Chunk-Size for a PATCH body).
    for (const QString &path : { uploads, upload }) {
        addRoute(server, path, Method::Options, Access::Public, [this](const Request &r) {
            HttpReply reply = HttpReply::noContent();
            reply.headers
                = { { Tus::versionHeader, Tus::version }, { Tus::extensionHeader, Tus::extensions },
                      { Tus::maxSizeHeader, QByteArray::number(m_fileSettings.maxFileBytes) },
                      { Tus::maxChunkHeader, QByteArray::number(Limits::uploadChunkMax) } };
            if (!r.origin.isEmpty())
                reply.headers.append(preflightHeaders());
            return ready(tus(reply));
        });
    }

    addRoute(server, uploads, Method::Post, auth, [this](const Request &r) {
        if (auto refused = versionRefused(r))
            return ready(*refused);
        if (r.hasHeader("upload-defer-length"))
            return ready(tus(HttpReply::error(ApiError::badRequest(u"defer_length_unsupported"_s,
                u"Upload-Length must be known when the upload is created"_s))));
        const auto length = integerHeader(r, Tus::lengthHeader);
        if (!length)
            return ready(tus(HttpReply::error(ApiError::badRequest(
                u"invalid_upload_length"_s, u"Upload-Length must be a whole number of bytes"_s))));
        const auto metadata = uploadMetadata(r);
        if (!metadata)
            return ready(tus(HttpReply::error(ApiError::badRequest(u"invalid_upload_metadata"_s,
                u"Upload-Metadata must be comma-separated keys with base64 values"_s))));
        const QString name = metadata->value(Tus::fileNameKey.toString());
        return m_db
            .run([this, user = r.userId, length = *length, name](Db &db) -> Result<Upload> {
                Result<Upload> created
                    = FileService::createUpload(db, m_fileSettings, user, length, name);
                if (created && length == 0) // nothing to wait for
                    return FileService::completeUpload(
                        db, *m_fileStore, m_fileSettings, created.value().id);
                return created;
            })
            .then([](const Result<Upload> &created) {
                if (!created)
                    return tus(HttpReply::error(created.error()));
                HttpReply reply = HttpReply::json(created.value().toJson(), 201);
                reply.headers = uploadHeaders(created.value());
                reply.headers.append(
                    { "Location", ApiPaths::upload(created.value().id).toLatin1() });
                return tus(reply);
            });
    });

    const auto uploadInfo = [this](bool head) {
        return [this, head](const Request &r) {
            if (head) {
                if (auto refused = versionRefused(r))
                    return ready(*refused);
            }
            return m_db
                .run([user = r.userId, id = r.args[0]](
                         Db &db) { return FileService::upload(db, user, id); })
                .then([head](const Result<Upload> &found) {
                    if (!found)
                        return tus(HttpReply::error(found.error()));
                    HttpReply reply = HttpReply::json(found.value().toJson());
                    if (head)
                        reply.body.clear();
                    reply.headers = uploadHeaders(found.value());
                    return tus(reply);
                });
        };
    };
    addRoute(server, upload, Method::Head, auth, { uploadNotFound }, uploadInfo(true));
    addRoute(server, upload, Method::Get, auth, { uploadNotFound }, uploadInfo(false));

    addRoute(server, upload, Method::Patch, auth, { uploadNotFound }, [this](const Request &r) {
        if (auto refused = versionRefused(r))
            return ready(*refused);
        if (r.contentType.split(';').first().trimmed().toLower() != Tus::patchContentType)
            return ready(tus(HttpReply::error(ApiError { 415, u"unsupported_media_type"_s,
                u"Content-Type must be %1"_s.arg(QLatin1StringView(Tus::patchContentType)), {} })));
        const auto offset = integerHeader(r, Tus::offsetHeader);
        if (!offset)
            return ready(tus(HttpReply::error(ApiError::badRequest(
                u"invalid_upload_offset"_s, u"Upload-Offset must be a whole number of bytes"_s))));
        return m_db
            .run([this, user = r.userId, id = r.args[0], offset = *offset, body = r.body](
                     Db &db) -> Result<Upload> {
                Result<Upload> appended
                    = FileService::appendToUpload(db, *m_fileStore, user, id, offset, body);
                // The last piece: the file is made before the answer, so the
                // client may send it at once.
                if (appended && appended.value().offset == appended.value().length)
                    return FileService::completeUpload(db, *m_fileStore, m_fileSettings, id);
                return appended;
            })
            .then([](const Result<Upload> &appended) {
                if (!appended)
                    return tus(HttpReply::error(appended.error()));
                HttpReply reply = HttpReply::noContent();
                reply.headers = uploadHeaders(appended.value());
                return tus(reply);
            });
    });

    addRoute(server, upload, Method::Delete, auth, { uploadNotFound }, [this](const Request &r) {
        if (auto refused = versionRefused(r))
            return ready(*refused);
        return m_db
            .run([this, user = r.userId, id = r.args[0]](
                     Db &db) { return FileService::terminate(db, *m_fileStore, user, id); })
            .then([](const Result<Empty> &removed) { return tus(toReply(removed)); });
    });

    // Downloads: with the bearer token, or through a signed link's query.
    const auto fileRoute = [this](bool thumbnail, bool head) {
        return [this, thumbnail, head](const Request &r) {
            const QString path
                = thumbnail ? ApiPaths::fileThumbnail(r.args[0]) : ApiPaths::file(r.args[0]);
            QString user = r.userId;
            if (user.isEmpty()) {
                const auto linked = m_fileLinks->verify(path, r.query);
                if (!linked)
                    return ready(ApiError::unauthorized(
                        u"invalid_link"_s, u"This link is not valid, or it expired"_s));
                user = *linked;
            }
            return m_db
                .run([user, id = r.args[0], thumbnail](
                         Db &db) { return FileService::download(db, user, id, thumbnail); })
                .then([r, head, user](const Result<FileService::Download> &download) {
                    if (!download)
                        return HttpReply::error(download.error());
                    HttpReply answer = fileAnswer(r, download.value(), head);
                    if (answer.file)
                        answer.file->userId = user;
                    return answer;
                });
        };
    };
    const QString file = ApiPaths::files.toString() + u"/{file_id}"_s;
    const QString thumbnail = file + u"/thumbnail"_s;
    addRoute(server, thumbnail, Method::Get, Access::BearerOrSignedLink, { fileNotFound },
        fileRoute(true, false));
    addRoute(server, thumbnail, Method::Head, Access::BearerOrSignedLink, { fileNotFound },
        fileRoute(true, true));
    addRoute(
        server, file + u"/link"_s, Method::Get, auth, { fileNotFound }, [this](const Request &r) {
            return m_db
                .run([user = r.userId, id = r.args[0]](
                         Db &db) { return FileService::download(db, user, id, false); })
                .then([this, user = r.userId, id = r.args[0]](
                          const Result<FileService::Download> &visible) {
                    if (!visible)
                        return HttpReply::error(visible.error());
                    const qint64 expires
                        = QDateTime::currentSecsSinceEpoch() + m_fileLinks->lifetimeSeconds();
                    FileLink link;
                    link.url = m_fileLinks->sign(ApiPaths::file(id), user, expires);
                    link.thumbnailUrl
                        = m_fileLinks->sign(ApiPaths::fileThumbnail(id), user, expires);
                    link.expiresAt = expires * 1000000;
                    return HttpReply::json(link.toJson());
                });
        });
    addRoute(server, file, Method::Get, Access::BearerOrSignedLink, { fileNotFound },
        fileRoute(false, false));
    addRoute(server, file, Method::Head, Access::BearerOrSignedLink, { fileNotFound },
        fileRoute(false, true));
}

int HttpApi::writeFileAnswer(QTcpSocket *socket, const HttpReply &answer, const HeaderList &extra)
{
    const HttpReply::FileBody &body = *answer.file;
    const bool streamed = !body.headOnly && body.length > 0;
    // Held by the stream until it is done (or its socket is gone).
    std::shared_ptr<void> slot;
    if (streamed) {
        slot = downloadSlots().acquire(body.userId);
        if (!slot) {
            const HttpReply refused
                = HttpReply::error(ApiError::tooManyRequests(u"too_many_downloads"_s, 1));
            socket->write(responseHead(refused.status, refused.contentType, refused.body.size(),
                              refused.headers + extra)
                + refused.body);
            answered(socket);
            return refused.status;
        }
    }
    socket->write(responseHead(answer.status, answer.contentType,
        answer.status == 304 ? std::nullopt : std::optional<qint64>(body.length),
        answer.headers + extra));
    if (!streamed) {
        answered(socket);
        return answer.status;
    }
    auto *stream = new DownloadStream(socket, m_db, *m_fileStore, body.contentKey, body.offset,
        body.length, m_downloadStallMs, [this, socket = QPointer<QTcpSocket>(socket), slot] {
            if (socket)
                answered(socket);
        });
    stream->start();
    return answer.status;
}

} // namespace Messenger::Server
