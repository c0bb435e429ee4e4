#pragma once

#include "shared/Files.h"

#include <QCache>
#include <QHash>
#include <QImage>
#include <QObject>
#include <QPointer>
#include <QSet>

namespace Messenger::Client {

class ApiClient;
class FileDownload;

// One account's files on this machine, for the timeline: images'
// thumbnails (asked for with the token, kept in memory) and downloaded files,
// kept in a folder of their own (`folder`/<file id>/<name>) that stays under
// a size limit, the least recently used going first. Profile and group
// photos' thumbnails are kept beside it (`folder`/../avatars/<file id>.jpg),
// so an offline start shows them: a photo's file never changes (a new photo
// is a new file), so what is kept stays true.
class FileCache : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 defaultLimitBytes = 500LL * 1024 * 1024;

    FileCache(ApiClient *api, const QString &folder, QObject *parent = nullptr);
    // QStandardPaths::CacheLocation/<userId>/files.
    static QString folderFor(const QString &userId);
    // Deletes what is kept for the account: downloads and photos (signing out).
    static void eraseFor(const QString &userId);
    QString folder() const { return m_folder; }
    void setLimit(qint64 bytes) { m_limit = bytes; }

    // An image's thumbnail, or a null image until it has come (then
    // thumbnailReady). A pending send's image has no id yet: its preview is
    // made from `localPath`, the file itself.
    QImage thumbnail(const Messenger::Attachment &file, const QString &localPath = {});

    // A profile or group photo (User::avatarUrl, Chat::avatarUrl) as its
    // square thumbnail, or a null image until it has come (then avatarReady).
    QImage avatar(const QString &avatarUrl);
    // Photos kept on disk at most; the least recently used go first.
    static constexpr int avatarsKeptMax = 2000;

    // Where the downloaded file is; empty until it is downloaded.
    QString localPath(const Messenger::Attachment &file) const;
    // Downloads the file into the cache (a second call joins the first);
    // downloadFinished or downloadFailed follows, with progress meanwhile.
    void download(const Messenger::Attachment &file);
    void cancelDownload(const QString &fileId);
    bool isDownloading(const QString &fileId) const { return m_downloads.contains(fileId); }
    // How much of a download in progress has come, 0 to 1; -1 when none.
    double downloadProgress(const QString &fileId) const;
    // The bytes the cached files take now.
    qint64 usedBytes() const;

Q_SIGNALS:
    void thumbnailReady(const QString &fileId);
    void avatarReady(const QString &avatarUrl);
    void downloadProgressChanged(const QString &fileId);
    void downloadFinished(const QString &fileId, const QString &path);
    void downloadFailed(const QString &fileId, const QString &message);

private:
    QString pathFor(const Messenger::Attachment &file) const;
    // Removes the least recently used files until the rest fit the limit,
    // never `keep` (the one just downloaded).
    void prune(const QString &keep);
    // Where a photo's thumbnail is kept; empty for a URL that is not a file's.
    QString avatarPathFor(const QString &avatarUrl) const;
    void pruneAvatars();

    QPointer<ApiClient> m_api;
    QString m_folder;
    qint64 m_limit = defaultLimitBytes;
    // Thumbnails by file id (or local path), their cost in bytes.
    QCache<QString, QImage> m_thumbnails { 64 * 1024 * 1024 };
    QHash<QString, bool> m_thumbnailsLoading;
    QCache<QString, QImage> m_avatars { 16 * 1024 * 1024 };
    QSet<QString> m_avatarsLoading;
    // Photos the server no longer has (replaced since): not asked for again.
    QSet<QString> m_avatarsGone;
    QHash<QString, QPointer<FileDownload>> m_downloads;
};

} // namespace Messenger::Client
