#include "FileCache.h"

#include "client/api/ApiClient.h"
#include "client/api/FileTransfer.h"
#include "shared/ApiPaths.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QImageReader>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStandardPaths>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Messenger::Client {

namespace {

// The largest side of a preview made from a local file (as the server's thumbnails).
constexpr int previewSide = 320;

qint64 imageCost(const QImage &image)
{
    return qMax<qint64>(1, image.sizeInBytes());
}

} // namespace

FileCache::FileCache(ApiClient *api, const QString &folder, QObject *parent)
    : QObject(parent)
    , m_api(api)
    , m_folder(folder)
{ }

QString FileCache::folderFor(const QString &userId)
{
    return QStandardPaths::writableLocation(QStandardPaths::CacheLocation) + u'/' + userId
        + u"/files"_s;
}

void FileCache::eraseFor(const QString &userId)
{
    const QString folder = folderFor(userId);
    QDir(folder).removeRecursively();
    QDir(QDir::cleanPath(folder + u"/../avatars"_s)).removeRecursively();
}

QImage FileCache::thumbnail(const Attachment &file, const QString &localPath)
{
    const QString key = file.id.isEmpty() ? u"local:"_s + localPath : file.id;
    if (const QImage *cached = m_thumbnails.object(key))
        return *cached;
    if (file.id.isEmpty()) {
        if (localPath.isEmpty())
            return {};
        // Small enough to read now; the reader scales while decoding.
        QImageReader reader(localPath);
        reader.setAutoTransform(true);
        QSize size = reader.size();
        if (reader.transformation() & QImageIOHandler::TransformationRotate90)
            size.transpose();
        if (size.isValid() && (size.width() > previewSide || size.height() > previewSide))
            reader.setScaledSize(size.scaled(previewSide, previewSide, Qt::KeepAspectRatio));
        const QImage image = reader.read();
        if (image.isNull())
            return {};
        m_thumbnails.insert(key, new QImage(image), imageCost(image));
        return image;
    }
    if (!file.isImage() || m_thumbnailsLoading.contains(key) || !m_api)
        return {};
    m_thumbnailsLoading.insert(key, true);
    // A small image may have no thumbnail: then it is its own.
    const QString path = file.thumbnailUrl().value_or(file.url());
    m_api->sendRaw(
        this, "GET", path, {}, {}, [](QNetworkReply *) {},
        [this, key](QNetworkReply *reply) {
            m_thumbnailsLoading.remove(key);
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            QImage image;
            if (status == 200)
                image.loadFromData(reply->readAll());
            if (image.isNull())
                return; // asked again the next time it is painted
            m_thumbnails.insert(key, new QImage(image), imageCost(image));
            Q_EMIT thumbnailReady(key);
        });
    return {};
}

QString FileCache::avatarPathFor(const QString &avatarUrl) const
{
    // ApiPaths::file: only an id made of safe characters names a file here.
    static const QRegularExpression fileUrl(u'^'
        + QRegularExpression::escape(ApiPaths::files.toString()) + u"/([A-Za-z0-9_-]{1,64})$"_s);
    const QRegularExpressionMatch match = fileUrl.match(avatarUrl);
    if (!match.hasMatch())
        return {};
    return QDir::cleanPath(m_folder + u"/../avatars/"_s) + u'/' + match.captured(1) + u".jpg"_s;
}

QImage FileCache::avatar(const QString &avatarUrl)
{
    if (avatarUrl.isEmpty())
        return {};
    if (const QImage *cached = m_avatars.object(avatarUrl))
        return *cached;
    if (m_avatarsLoading.contains(avatarUrl) || m_avatarsGone.contains(avatarUrl))
        return {};
    const QString path = avatarPathFor(avatarUrl);
    if (!path.isEmpty()) {
        const QImage kept(path);
        if (!kept.isNull()) {
            // Used now: the last to be pruned.
            QFile(path).setFileTime(
                QDateTime::currentDateTime(), QFileDevice::FileModificationTime);
            m_avatars.insert(avatarUrl, new QImage(kept), imageCost(kept));
            return kept;
        }
    }
    if (!m_api)
        return {};
    m_avatarsLoading.insert(avatarUrl);
    m_api->sendRaw(
        this, "GET", avatarUrl + u"/thumbnail"_s, {}, {}, [](QNetworkReply *) {},
        [this, avatarUrl, path](QNetworkReply *reply) {
            m_avatarsLoading.remove(avatarUrl);
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (status == 404 || status == 403) {
                m_avatarsGone.insert(avatarUrl);
                return;
            }
            const QByteArray bytes = status == 200 ? reply->readAll() : QByteArray();
            QImage image;
            if (!image.loadFromData(bytes))
                return; // asked again the next time it is painted
            if (!path.isEmpty() && QDir().mkpath(QFileInfo(path).path())) {
                QSaveFile file(path);
                if (file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size()
                    && file.commit())
                    pruneAvatars();
            }
            m_avatars.insert(avatarUrl, new QImage(image), imageCost(image));
            Q_EMIT avatarReady(avatarUrl);
        });
    return {};
}

void FileCache::pruneAvatars()
{
    const QString folder = QDir::cleanPath(m_folder + u"/../avatars"_s);
    QFileInfoList kept = QDir(folder).entryInfoList(QDir::Files, QDir::Time); // newest first
    while (kept.size() > avatarsKeptMax)
        QFile::remove(kept.takeLast().absoluteFilePath());
}

QString FileCache::pathFor(const Attachment &file) const
{
    // Only a name: never a path the server chose.
    QString name = QFileInfo(QString(file.name).replace(u'\\', u'_')).fileName();
    if (name.isEmpty() || name == u"."_s || name == u".."_s)
        name = file.id;
    return m_folder + u'/' + file.id + u'/' + name;
}

QString FileCache::localPath(const Attachment &file) const
{
    if (file.id.isEmpty())
        return {};
    const QString path = pathFor(file);
    const QFileInfo info(path);
    if (!info.isFile() || info.size() != file.size)
        return {};
    // Used now: the last to be pruned.
    QFile(path).setFileTime(QDateTime::currentDateTime(), QFileDevice::FileModificationTime);
    return path;
}

void FileCache::download(const Attachment &file)
{
    if (file.id.isEmpty() || m_downloads.contains(file.id) || !m_api)
        return;
    const QString target = pathFor(file);
    if (!localPath(file).isEmpty()) {
        Q_EMIT downloadFinished(file.id, target);
        return;
    }
    QDir().mkpath(QFileInfo(target).path());
    auto *transfer = new FileDownload(m_api, file.url(), target, file.size, this);
    m_downloads.insert(file.id, transfer);
    const QString fileId = file.id;
    connect(transfer, &FileTransfer::progress, this,
        [this, fileId] { Q_EMIT downloadProgressChanged(fileId); });
    connect(transfer, &FileTransfer::finished, this, [this, transfer, fileId, target] {
        transfer->deleteLater();
        m_downloads.remove(fileId);
        switch (transfer->state()) {
        case FileTransfer::State::Finished:
            prune(target);
            Q_EMIT downloadFinished(fileId, target);
            break;
        case FileTransfer::State::Canceled:
            Q_EMIT downloadProgressChanged(fileId);
            break;
        default:
            Q_EMIT downloadFailed(fileId, transfer->error().message());
            break;
        }
    });
    transfer->start();
}

void FileCache::cancelDownload(const QString &fileId)
{
    if (const QPointer<FileDownload> transfer = m_downloads.value(fileId))
        transfer->cancel();
}

double FileCache::downloadProgress(const QString &fileId) const
{
    const QPointer<FileDownload> transfer = m_downloads.value(fileId);
    if (!transfer)
        return -1;
    return transfer->bytesTotal() > 0
        ? double(transfer->bytesDone()) / double(transfer->bytesTotal())
        : 0.0;
}

qint64 FileCache::usedBytes() const
{
    qint64 used = 0;
    for (QDirIterator it(m_folder, QDir::Files, QDirIterator::Subdirectories); it.hasNext();)
        used += it.nextFileInfo().size();
    return used;
}

void FileCache::prune(const QString &keep)
{
    QList<QFileInfo> files;
    qint64 used = 0;
    for (QDirIterator it(m_folder, QDir::Files, QDirIterator::Subdirectories); it.hasNext();) {
        const QFileInfo info = it.nextFileInfo();
        files.append(info);
        used += info.size();
    }
    if (used <= m_limit)
        return;
    std::sort(files.begin(), files.end(),
        [](const QFileInfo &a, const QFileInfo &b) { return a.lastModified() < b.lastModified(); });
    for (const QFileInfo &file : std::as_const(files)) {
        if (used <= m_limit)
            break;
        if (file.absoluteFilePath() == QFileInfo(keep).absoluteFilePath())
            continue;
        if (QFile::remove(file.absoluteFilePath())) {
            used -= file.size();
            QDir().rmdir(file.absolutePath()); // its id's folder, once empty
        }
    }
}

} // namespace Messenger::Client
