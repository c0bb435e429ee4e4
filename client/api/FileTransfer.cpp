#include "FileTransfer.h"

#include "ApiClient.h"
#include "shared/ApiPaths.h"
#include "shared/Limits.h"

#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QLoggingCategory>
#include <QMimeDatabase>
#include <QNetworkReply>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcTransfer, "messenger.client.transfer")

namespace Messenger::Client {

namespace {

ApiError localFileError(const QFile &file)
{
    return ApiError { ApiError::Kind::LocalFile, 0,
        QCoreApplication::translate("Messenger::Client::FileTransfer", "%1: %2")
            .arg(QDir::toNativeSeparators(file.fileName()), file.errorString()),
        {} };
}

int statusOf(QNetworkReply *reply)
{
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}

// A decimal header (Upload-Offset); nullopt when missing or not a number.
std::optional<qint64> integerHeader(QNetworkReply *reply, const char *name)
{
    bool ok = false;
    const qint64 value = reply->rawHeader(name).trimmed().toLongLong(&ok);
    return ok && value >= 0 ? std::optional(value) : std::nullopt;
}

ApiClient::RawHeaders tusHeaders(ApiClient::RawHeaders more = {})
{
    more.prepend({ Tus::resumableHeader, Tus::version });
    return more;
}

} // namespace

QString formatFileSize(qint64 bytes)
{
    // Qt's own "bytes" does not agree with the number in every language
    // ("6 байты"): below a kilobyte the plural is ours.
    if (bytes < 1024) {
        const QString own = FileTransfer::tr("%n byte(s)", nullptr, int(bytes));
        // Without the app's catalogue (the CLI) the source text comes back;
        // Qt's English below is right then.
        if (!own.endsWith(u"(s)"_s))
            return own;
    }
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

// ---- FileTransfer ----

FileTransfer::FileTransfer(ApiClient *api, QObject *parent)
    : QObject(parent)
    , m_api(api)
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, [this] {
        setState(State::Running);
        resume();
    });
}

FileTransfer::~FileTransfer()
{
    abortCurrent();
}

void FileTransfer::setState(State state)
{
    if (state == m_state)
        return;
    m_state = state;
    if (state == State::Running)
        m_error = {};
    Q_EMIT stateChanged(state);
    if (isDone()) {
        m_retryTimer.stop();
        Q_EMIT finished();
    }
}

void FileTransfer::setProgress(qint64 done, qint64 total)
{
    if (done == m_done && total == m_total)
        return;
    // Bytes moved: the connection works again.
    if (done > m_done)
        m_failures = 0;
    m_done = done;
    m_total = total;
    Q_EMIT progress(done, total);
}

void FileTransfer::fail(const ApiError &error)
{
    qCInfo(lcTransfer) << "transfer failed:" << error.detail;
    m_error = error;
    abortCurrent();
    setState(State::Failed);
}

void FileTransfer::retryLater(const ApiError &error)
{
    ++m_failures;
    if (m_maxRetries >= 0 && m_failures > m_maxRetries) {
        fail(error);
        return;
    }
    m_error = error;
    const auto delay = m_retryDelay * (1 << qMin(m_failures - 1, 4));
    qCInfo(lcTransfer) << "retrying in" << delay.count() << "ms after:" << error.detail;
    setState(State::Retrying);
    m_retryTimer.start(delay);
}

void FileTransfer::retryNow()
{
    if (m_state != State::Retrying)
        return;
    m_retryTimer.stop();
    setState(State::Running);
    resume();
}

void FileTransfer::abortCurrent()
{
    // Forgotten first: its finished() then belongs to nobody.
    if (QNetworkReply *reply = std::exchange(m_reply, nullptr))
        reply->abort();
    m_retryTimer.stop();
}

ApiError FileTransfer::errorOf(QNetworkReply *reply)
{
    const int status = statusOf(reply);
    if (status == 0)
        return ApiError { ApiError::Kind::Network, 0, reply->errorString(), {} };
    QJsonParseError parseError {};
    return ApiError::fromHttp(status, QJsonDocument::fromJson(reply->readAll(), &parseError));
}

bool FileTransfer::isTransient(const ApiError &error)
{
    return error.kind == ApiError::Kind::Network
        || (error.kind == ApiError::Kind::Http && error.status >= 500);
}

// ---- FileUpload ----

FileUpload::FileUpload(ApiClient *api, const QString &localPath, QObject *parent)
    : FileTransfer(api, parent)
    , m_file(localPath)
{ }

FileUpload *FileUpload::resumeFrom(
    ApiClient *api, const QString &localPath, const QString &uploadPath, QObject *parent)
{
    auto *upload = new FileUpload(api, localPath, parent);
    upload->m_uploadPath = uploadPath;
    return upload;
}

bool FileUpload::openFile()
{
    if (m_file.isOpen())
        return true;
    if (!m_file.open(QIODevice::ReadOnly)) {
        fail(localFileError(m_file));
        return false;
    }
    setProgress(m_offset, m_file.size());
    return true;
}

void FileUpload::start()
{
    if (state() != State::Idle)
        return;
    setState(State::Running);
    if (openFile())
        resume();
}

void FileUpload::resume()
{
    if (m_uploadPath.isEmpty())
        create();
    else
        askOffset();
}

void FileUpload::create()
{
    const QString name = QFileInfo(m_file.fileName()).fileName();
    const QString type = QMimeDatabase().mimeTypeForFile(m_file.fileName()).name();
    const QByteArray metadata = Tus::fileNameKey.toLatin1() + ' ' + name.toUtf8().toBase64() + ','
        + Tus::fileTypeKey.toLatin1() + ' ' + type.toUtf8().toBase64();
    m_api->sendRaw(
        this, "POST", ApiPaths::uploads.toString(),
        tusHeaders({ { Tus::lengthHeader, QByteArray::number(m_file.size()) },
            { Tus::metadataHeader, metadata } }),
        {}, [this](QNetworkReply *reply) { m_reply = reply; },
        [this](QNetworkReply *reply) {
            if (reply != m_reply)
                return;
            m_reply = nullptr;
            if (statusOf(reply) != 201) {
                handleRefusal(reply);
                return;
            }
            const auto upload
                = Upload::fromJson(QJsonDocument::fromJson(reply->readAll()).object());
            const QString location = QString::fromUtf8(reply->rawHeader("Location"));
            if (!upload || location.isEmpty()) {
                fail(ApiError { ApiError::Kind::Protocol, 201,
                    u"the server did not say where the upload is"_s, {} });
                return;
            }
            m_uploadPath = QUrl(location).path();
            Q_EMIT created(m_uploadPath);
            if (upload.value().file) { // an empty file is complete at once
                m_attachment = upload.value().file;
                setState(State::Finished);
                return;
            }
            m_offset = upload.value().offset;
            sendPiece();
        });
}

void FileUpload::askOffset()
{
    if (!openFile())
        return;
    m_api->sendRaw(
        this, "HEAD", m_uploadPath, tusHeaders(), {},
        [this](QNetworkReply *reply) { m_reply = reply; },
        [this](QNetworkReply *reply) {
            if (reply != m_reply)
                return;
            m_reply = nullptr;
            const auto offset = integerHeader(reply, Tus::offsetHeader);
            if (statusOf(reply) != 200 || !offset) {
                handleRefusal(reply);
                return;
            }
            m_offset = *offset;
            setProgress(m_offset, m_file.size());
            if (m_offset >= m_file.size())
                fetchResult(); // the last piece arrived; its answer did not
            else
                sendPiece();
        });
}

void FileUpload::sendPiece()
{
    if (!m_file.seek(m_offset)) {
        fail(localFileError(m_file));
        return;
    }
    const QByteArray piece = m_file.read(qMin(Limits::uploadChunkMax, m_file.size() - m_offset));
    if (piece.isEmpty() && m_offset < m_file.size()) {
        fail(localFileError(m_file));
        return;
    }
    const qint64 pieceOffset = m_offset;
    m_api->sendRaw(
        this, "PATCH", m_uploadPath,
        tusHeaders({ { Tus::offsetHeader, QByteArray::number(pieceOffset) },
            { "Content-Type", Tus::patchContentType } }),
        piece,
        [this, pieceOffset](QNetworkReply *reply) {
            m_reply = reply;
            connect(reply, &QNetworkReply::uploadProgress, this,
                [this, reply, pieceOffset](qint64 sent, qint64 pieceSize) {
                    // (0, 0) when over: the answer says what the server took.
                    if (reply == m_reply && pieceSize > 0)
                        setProgress(pieceOffset + sent, m_file.size());
                });
        },
        [this](QNetworkReply *reply) {
            if (reply != m_reply)
                return;
            m_reply = nullptr;
            const auto offset = integerHeader(reply, Tus::offsetHeader);
            if (statusOf(reply) != 204 || !offset) {
                handleRefusal(reply);
                return;
            }
            m_offset = *offset;
            setProgress(m_offset, m_file.size());
            if (m_offset >= m_file.size())
                fetchResult();
            else
                sendPiece();
        });
}

void FileUpload::fetchResult()
{
    m_api->sendRaw(
        this, "GET", m_uploadPath, tusHeaders(), {},
        [this](QNetworkReply *reply) { m_reply = reply; },
        [this](QNetworkReply *reply) {
            if (reply != m_reply)
                return;
            m_reply = nullptr;
            if (statusOf(reply) != 200) {
                handleRefusal(reply);
                return;
            }
            const auto upload
                = Upload::fromJson(QJsonDocument::fromJson(reply->readAll()).object());
            if (!upload || !upload.value().file) {
                fail(ApiError { ApiError::Kind::Protocol, 200,
                    u"the server did not say what the upload became"_s, {} });
                return;
            }
            m_attachment = upload.value().file;
            m_file.close();
            setState(State::Finished);
        });
}

void FileUpload::handleRefusal(QNetworkReply *reply)
{
    const ApiError error = errorOf(reply);
    if (isTransient(error))
        retryLater(error);
    else if (error.status == 409) // offset_mismatch: ask where the server is
        askOffset();
    else
        fail(error);
}

void FileUpload::cancel()
{
    if (isDone() || m_canceling)
        return;
    m_canceling = true;
    abortCurrent();
    m_file.close();
    if (m_uploadPath.isEmpty()) {
        setState(State::Canceled);
        return;
    }
    // Over once the server has let go of what it holds (or cannot be told).
    m_api->sendRaw(
        this, "DELETE", m_uploadPath, tusHeaders(), {}, [](QNetworkReply *) {},
        [this](QNetworkReply *) { setState(State::Canceled); });
}

// ---- FileDownload ----

FileDownload::FileDownload(ApiClient *api, const QString &serverPath, const QString &targetPath,
    qint64 size, QObject *parent)
    : FileTransfer(api, parent)
    , m_serverPath(serverPath)
    , m_targetPath(targetPath)
    , m_part(partPath())
{
    setProgress(0, size);
}

void FileDownload::start()
{
    if (state() != State::Idle)
        return;
    setState(State::Running);
    request();
}

void FileDownload::resume()
{
    request();
}

void FileDownload::request()
{
    m_part.close();
    if (!m_part.open(QIODevice::WriteOnly | QIODevice::Append)) {
        fail(localFileError(m_part));
        return;
    }
    const qint64 have = m_part.size();
    setProgress(have, qMax(bytesTotal(), have));
    ApiClient::RawHeaders headers;
    // The bytes of a file id never change: what is there is the start of it.
    if (have > 0)
        headers.append({ "Range", "bytes=" + QByteArray::number(have) + '-' });
    m_writing = false;
    m_api->sendRaw(
        this, "GET", m_serverPath, headers, {},
        [this](QNetworkReply *reply) {
            m_reply = reply;
            connect(reply, &QNetworkReply::metaDataChanged, this, [this, reply] {
                if (reply == m_reply)
                    onHeaders(reply);
            });
            connect(reply, &QNetworkReply::readyRead, this, [this, reply] {
                if (reply != m_reply || !m_writing)
                    return;
                const QByteArray bytes = reply->readAll();
                if (m_part.write(bytes) != bytes.size()) {
                    fail(localFileError(m_part));
                    return;
                }
                setProgress(m_part.size(), qMax(bytesTotal(), m_part.size()));
            });
        },
        [this](QNetworkReply *reply) {
            if (reply != m_reply)
                return;
            m_reply = nullptr;
            const int status = statusOf(reply);
            if (m_writing && reply->error() == QNetworkReply::NoError) {
                const QByteArray rest = reply->readAll();
                if (m_part.write(rest) != rest.size()) {
                    fail(localFileError(m_part));
                    return;
                }
                complete();
                return;
            }
            m_part.flush();
            const ApiError error = errorOf(reply);
            if (status == 416) {
                // More here than the file has: not its start after all.
                m_part.resize(0);
                retryLater(error);
            } else if (m_writing || isTransient(error)) {
                retryLater(error); // cut off midway: the next attempt continues
            } else {
                fail(error);
            }
        });
}

void FileDownload::onHeaders(QNetworkReply *reply)
{
    const int status = statusOf(reply);
    if (status == 200) {
        m_part.resize(0); // the whole file comes
        m_writing = true;
        const qint64 length = reply->header(QNetworkRequest::ContentLengthHeader).toLongLong();
        setProgress(0, length);
    } else if (status == 206) {
        m_writing = true;
        // Content-Range: bytes first-last/size
        const QByteArray range = reply->rawHeader("Content-Range");
        const qint64 size = range.mid(range.lastIndexOf('/') + 1).toLongLong();
        setProgress(m_part.size(), qMax(size, m_part.size()));
    }
}

void FileDownload::complete()
{
    m_part.close();
    QFile::remove(m_targetPath);
    if (!m_part.rename(m_targetPath)) {
        fail(localFileError(m_part));
        return;
    }
    setProgress(QFileInfo(m_targetPath).size(), QFileInfo(m_targetPath).size());
    setState(State::Finished);
}

void FileDownload::cancel()
{
    if (isDone())
        return;
    abortCurrent();
    m_part.close();
    m_part.remove();
    setState(State::Canceled);
}

} // namespace Messenger::Client
