#pragma once

#include "ApiResult.h"
#include "shared/Files.h"

#include <QFile>
#include <QObject>
#include <QPointer>
#include <QTimer>

class QNetworkReply;

namespace Messenger::Client {

class ApiClient;

// A size as people read it: "840 bytes", "1.2 MB" (the system's language).
QString formatFileSize(qint64 bytes);

// One file going up to the server or coming down from it, through an
// ApiClient (its token, refreshed on 401). A transfer survives a dropped
// connection or a server restart: after a network error or a 5xx it waits
// (longer each time) and carries on from where the server is, until it
// succeeds, fails for good (a 4xx), runs out of retries, or is canceled.
class FileTransfer : public QObject
{
    Q_OBJECT
public:
    // Retrying: the last attempt met a network error (or a 5xx); the next
    // one goes after a pause (retryDelay()).
    enum class State { Idle, Running, Retrying, Finished, Failed, Canceled };
    Q_ENUM(State)
    // Stops what is in flight (an upload the server holds stays there, to
    // resume or expire).
    ~FileTransfer() override;

    State state() const { return m_state; }
    bool isDone() const
    {
        return m_state == State::Finished || m_state == State::Failed || m_state == State::Canceled;
    }
    qint64 bytesDone() const { return m_done; }
    qint64 bytesTotal() const { return m_total; }
    // Why it failed (Failed), or what the last retried attempt met (Retrying).
    ApiError error() const { return m_error; }
    // Consecutive failed attempts tolerated before Failed; -1 (the default):
    // keep trying until canceled.
    void setMaxRetries(int retries) { m_maxRetries = retries; }
    // The first pause before a retry (doubled each time, up to 16 times it).
    void setRetryDelay(std::chrono::milliseconds delay) { m_retryDelay = delay; }
    // Tries again now (a connection came back) rather than after the pause.
    void retryNow();

    virtual void start() = 0;
    // Stops it; what the server holds of an upload is deleted, a download's
    // partial file removed. finished() follows (state Canceled).
    virtual void cancel() = 0;

Q_SIGNALS:
    void progress(qint64 done, qint64 total);
    void stateChanged(Messenger::Client::FileTransfer::State state);
    // Finished, Failed or Canceled: the transfer is over.
    void finished();

protected:
    explicit FileTransfer(ApiClient *api, QObject *parent);
    void setState(State state);
    void setProgress(qint64 done, qint64 total);
    void fail(const ApiError &error);
    // A network error or a 5xx: Retrying and `resume()` after the pause, or
    // Failed once the retries are used up.
    void retryLater(const ApiError &error);
    // Carries on from where the server is (after a pause or retryNow()).
    virtual void resume() = 0;
    // The error an answer is: the server's `detail` and `code` in the body.
    static ApiError errorOf(QNetworkReply *reply);
    static bool isTransient(const ApiError &error);
    // Aborts the request in flight without reporting it as a failure.
    void abortCurrent();

    ApiClient *m_api;
    QPointer<QNetworkReply> m_reply;

private:
    State m_state = State::Idle;
    qint64 m_done = 0;
    qint64 m_total = 0;
    ApiError m_error;
    int m_maxRetries = -1;
    int m_failures = 0;
    std::chrono::milliseconds m_retryDelay { 500 };
    QTimer m_retryTimer;
};

// Uploads a local file with tus: created by POST /uploads, sent in PATCHes of
// at most Limits::uploadChunkMax bytes read from the file one at a time
// (never the whole file in memory). Once the server holds an upload,
// uploadPath() names it: kept with the file's path, it lets a later run
// carry on (resumeFrom) after asking the server how much it has (HEAD).
class FileUpload : public FileTransfer
{
    Q_OBJECT
public:
    // A new upload of `localPath`; the server is told its file name.
    FileUpload(ApiClient *api, const QString &localPath, QObject *parent = nullptr);
    // Carries on with an upload created before (its uploadPath()).
    static FileUpload *resumeFrom(ApiClient *api, const QString &localPath,
        const QString &uploadPath, QObject *parent = nullptr);

    QString localPath() const { return m_file.fileName(); }
    QString uploadPath() const { return m_uploadPath; }
    // The file the upload became, once Finished.
    std::optional<Messenger::Attachment> attachment() const { return m_attachment; }

    void start() override;
    void cancel() override;

Q_SIGNALS:
    // The server holds the upload at `uploadPath` (keep it to resume later).
    void created(const QString &uploadPath);

protected:
    void resume() override;

private:
    bool openFile();
    void create();
    void askOffset();
    void sendPiece();
    // The upload is complete: its `file` is what it became.
    void fetchResult();
    // An answer that is not what was hoped for: retried, re-synchronized
    // (409) or failed.
    void handleRefusal(QNetworkReply *reply);

    QFile m_file;
    QString m_uploadPath;
    qint64 m_offset = 0;
    std::optional<Messenger::Attachment> m_attachment;
    bool m_canceling = false; // the server is being told
};

// Downloads a server file (an Attachment's url()) to `targetPath`, through
// `targetPath + ".part"`: a partial file from an interrupted attempt (this
// run's or an earlier one's) is continued with a Range request. The target
// appears only once complete.
class FileDownload : public FileTransfer
{
    Q_OBJECT
public:
    // `size`, when known (an Attachment's), shows progress before the answer comes.
    FileDownload(ApiClient *api, const QString &serverPath, const QString &targetPath,
        qint64 size = 0, QObject *parent = nullptr);

    QString targetPath() const { return m_targetPath; }
    QString partPath() const { return m_targetPath + QStringLiteral(".part"); }

    void start() override;
    void cancel() override;

protected:
    void resume() override;

private:
    void request();
    void onHeaders(QNetworkReply *reply);
    void complete();

    QString m_serverPath;
    QString m_targetPath;
    QFile m_part;
    // The attempt's answer is being written (200 from the start, 206 appended).
    bool m_writing = false;
};

} // namespace Messenger::Client
