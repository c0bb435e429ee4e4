#include "SessionStore.h"

#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QPromise>
#include <QSaveFile>
#include <QSettings>
#include <QStandardPaths>

#include <qt6keychain/keychain.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcStore, "messenger.client.session-store")

namespace Messenger::Client {

namespace {
const QString keychainService = u"Messenger"_s;
} // namespace

SessionStore::SessionStore(QObject *parent)
    : QObject(parent)
    , m_fallbackFile(
          QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + u"/session-token"_s)
{ }

QString SessionStore::serverUrl() const
{
    return QSettings().value(u"server/url"_s).toString();
}

void SessionStore::saveServerUrl(const QString &url)
{
    QSettings().setValue(u"server/url"_s, url);
}

QString SessionStore::userId() const
{
    return QSettings().value(u"account/user-id"_s).toString();
}

void SessionStore::saveUserId(const QString &userId)
{
    QSettings().setValue(u"account/user-id"_s, userId);
}

QFuture<QString> SessionStore::loadRefreshToken()
{
    auto promise = std::make_shared<QPromise<QString>>();
    promise->start();
    const QString fromFile = readFallback();
    if (!m_keychainEnabled || !fromFile.isEmpty()) {
        promise->addResult(fromFile);
        promise->finish();
        return promise->future();
    }
    auto *job = new QKeychain::ReadPasswordJob(keychainService, this);
    job->setKey(m_keychainKey);
    connect(job, &QKeychain::Job::finished, this, [promise, job] {
        promise->addResult(job->error() == QKeychain::NoError ? job->textData() : QString());
        promise->finish();
    });
    job->start();
    return promise->future();
}

void SessionStore::saveRefreshToken(const QString &token)
{
    const quint64 generation = ++m_generation;
    if (!m_keychainEnabled) {
        writeFallback(token);
        Q_EMIT saved(false);
        return;
    }
    auto *job = new QKeychain::WritePasswordJob(keychainService, this);
    job->setKey(m_keychainKey);
    job->setTextData(token);
    connect(job, &QKeychain::Job::finished, this, [this, job, token, generation] {
        if (generation != m_generation)
            return; // a newer save or a clear came after us
        if (job->error() == QKeychain::NoError) {
            QFile::remove(m_fallbackFile); // never two copies
            Q_EMIT saved(true);
            return;
        }
        qCWarning(lcStore) << "no system keychain (" << job->errorString()
                           << "); keeping the session in" << m_fallbackFile
                           << "readable only by you";
        writeFallback(token);
        Q_EMIT saved(false);
    });
    job->start();
}

void SessionStore::clear()
{
    ++m_generation;
    QSettings().remove(u"account/user-id"_s);
    QFile::remove(m_fallbackFile);
    if (!m_keychainEnabled)
        return;
    auto *job = new QKeychain::DeletePasswordJob(keychainService, this);
    job->setKey(m_keychainKey);
    job->start();
}

QString SessionStore::readFallback() const
{
    QFile file(m_fallbackFile);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll()).trimmed();
}

bool SessionStore::writeFallback(const QString &token) const
{
    QDir().mkpath(QFileInfo(m_fallbackFile).absolutePath());
    QSaveFile file(m_fallbackFile);
    // Owner-only from the first byte: the permissions are set before writing.
    if (!file.open(QIODevice::WriteOnly)
        || !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        qCWarning(lcStore) << "cannot write" << m_fallbackFile << file.errorString();
        return false;
    }
    file.write(token.toUtf8());
    return file.commit();
}

} // namespace Messenger::Client
