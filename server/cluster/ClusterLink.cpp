#include "ClusterLink.h"

#include "db/Db.h"
#include "observability/Metrics.h"
#include "shared/Json.h"

#include <QLoggingCategory>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>

#include <chrono>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcCluster, "messenger.server.cluster")

namespace Messenger::Server {

namespace {
const QString channel = u"messenger_events"_s;
const QString ephemeralChannel = u"messenger_ephemeral"_s;
constexpr qsizetype notifyPayloadMax = 7900; // PostgreSQL's limit is 8000 bytes
constexpr int healthCheckMs = 2000;
// A here goes out with every health check; an instance unheard for this
// long is taken to be gone.
constexpr qint64 othersForgottenAfterMs = 5 * healthCheckMs;
// Payloads that only say an instance listens, then its id: a hello (sent on
// starting to listen) asks every other instance to answer at once with a
// here (also sent with every health check), which nobody answers.
const QString helloPrefix = u"hello "_s;
const QString herePrefix = u"here "_s;

qint64 steadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now().time_since_epoch())
        .count();
}
} // namespace

ClusterLink::ClusterLink(DatabaseSettings settings, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_connectionName(u"messenger-cluster-link-"_s + newUuid())
    , m_instanceId(newUuid())
{
    m_healthCheck = new QTimer(this);
    m_healthCheck->setInterval(healthCheckMs);
    connect(m_healthCheck, &QTimer::timeout, this, &ClusterLink::checkConnection);
    QMetaObject::invokeMethod(this, &ClusterLink::connectAndListen, Qt::QueuedConnection);
}

ClusterLink::~ClusterLink()
{
    Metrics::global().clusterLinkConnected = 0;
    m_notifyQuery.reset();
    if (QSqlDatabase::contains(m_connectionName)) {
        QSqlDatabase::database(m_connectionName, false).close();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

void ClusterLink::connectAndListen()
{
    m_healthCheck->start();
    m_notifyQuery.reset(); // before its connection closes
    QSqlDatabase db = m_settings.connection(m_connectionName, u"messenger-cluster-link"_s);
    db.close();
    if (!db.open()) {
        qCWarning(lcCluster) << "LISTEN connection failed, retrying:" << db.lastError().text();
        setListening(false);
        return;
    }
    logPostgresNotices(db);
    QObject::disconnect(db.driver(), nullptr, this, nullptr);
    connect(db.driver(), &QSqlDriver::notification, this,
        [this](const QString &name, QSqlDriver::NotificationSource, const QVariant &payload) {
            const QString text = payload.toString();
            const bool ours = text == m_instanceId || text.startsWith(m_instanceId + u' ')
                || text == helloPrefix + m_instanceId || text == herePrefix + m_instanceId;
            if (ours)
                return;
            m_otherHeardAtMs = steadyMs();
            const bool hello = name == channel && text.startsWith(helloPrefix);
            if (hello) {
                // Answered after the driver has handed over its notifications.
                QMetaObject::invokeMethod(
                    this, [this] { notify(channel, herePrefix + m_instanceId); },
                    Qt::QueuedConnection);
            }
            if (name == channel && !hello && !text.startsWith(herePrefix))
                Q_EMIT remoteCommitted();
            if (name == ephemeralChannel)
                Q_EMIT remoteEphemeral(text.mid(m_instanceId.size() + 1).toUtf8());
        });
    if (!db.driver()->subscribeToNotification(channel)
        || !db.driver()->subscribeToNotification(ephemeralChannel)) {
        qCWarning(lcCluster) << "LISTEN failed:" << db.driver()->lastError().text();
        db.close();
        setListening(false);
        return;
    }
    const bool wasDown = !m_listening;
    m_notifyQuery.emplace(db);
    m_notifyQuery->prepare(u"SELECT pg_notify(?, ?)"_s);
    setListening(true);
    qCInfo(lcCluster) << "listening for other instances' events";
    // Queued: a failing NOTIFY reconnects (here), which must not recurse.
    QMetaObject::invokeMethod(this, &ClusterLink::sayHello, Qt::QueuedConnection);
    if (wasDown)
        Q_EMIT remoteCommitted(); // backfill whatever happened while we were deaf
}

void ClusterLink::setListening(bool listening)
{
    m_listening = listening;
    Metrics::global().clusterLinkConnected = listening ? 1 : 0;
}

void ClusterLink::checkConnection()
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery probe(db);
    if (m_listening && db.isOpen() && probe.exec(u"SELECT 1"_s)) {
        notify(channel, herePrefix + m_instanceId);
        return;
    }
    if (m_listening)
        qCWarning(lcCluster) << "LISTEN connection lost, reconnecting";
    setListening(false);
    connectAndListen();
}

void ClusterLink::sayHello()
{
    notify(channel, helloPrefix + m_instanceId);
}

bool ClusterLink::othersListen() const
{
    return steadyMs() - m_otherHeardAtMs < othersForgottenAfterMs;
}

void ClusterLink::announce()
{
    if (!othersListen())
        return;
    if (!m_notifyQueued.exchange(true))
        QMetaObject::invokeMethod(this, &ClusterLink::sendNotify, Qt::QueuedConnection);
}

void ClusterLink::sendNotify()
{
    m_notifyQueued = false;
    notify(channel, m_instanceId);
}

void ClusterLink::announceCommit(Db &db)
{
    // No instance has this id, so every one polls its feed.
    db.exec(u"SELECT pg_notify(?, ?)"_s, { channel, u"admin"_s });
}

void ClusterLink::broadcastEphemeral(const QByteArray &frame)
{
    if (frame.size() + m_instanceId.size() + 1 > notifyPayloadMax || !othersListen())
        return;
    QMetaObject::invokeMethod(
        this, "sendEphemeral", Qt::QueuedConnection, Q_ARG(QByteArray, frame));
}

void ClusterLink::sendEphemeral(const QByteArray &frame)
{
    // The sender's id first, so an instance can skip its own frames.
    notify(ephemeralChannel, QString(m_instanceId + u' ' + QString::fromUtf8(frame)));
}

void ClusterLink::notify(const QString &channelName, const QString &payload)
{
    // While we are deaf the others' safety-net polls cover our commits; a
    // failed NOTIFY means the connection died, so reconnect now rather than at
    // the next health check, and try once more.
    for (int attempt = 0; attempt < 2 && m_listening && m_notifyQuery; ++attempt) {
        // Prepared once per connection: preparing it for every NOTIFY cost
        // three statements (prepare, execute, deallocate) per send batch.
        m_notifyQuery->bindValue(0, channelName);
        m_notifyQuery->bindValue(1, payload);
        if (m_notifyQuery->exec()) {
            m_notifyQuery->finish();
            return;
        }
        qCWarning(lcCluster) << "NOTIFY failed, reconnecting:" << m_notifyQuery->lastError().text();
        setListening(false);
        connectAndListen();
    }
}

} // namespace Messenger::Server
