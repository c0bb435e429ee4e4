#include "ClusterLink.h"

#include "db/Db.h"
#include "observability/Metrics.h"
#include "shared/Json.h"

#include <QLoggingCategory>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcCluster, "messenger.server.cluster")

namespace Messenger::Server {

namespace {
const QString channel = u"messenger_events"_s;
const QString ephemeralChannel = u"messenger_ephemeral"_s;
constexpr qsizetype notifyPayloadMax = 7900; // PostgreSQL's limit is 8000 bytes
constexpr int healthCheckMs = 2000;
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
    if (QSqlDatabase::contains(m_connectionName)) {
        QSqlDatabase::database(m_connectionName, false).close();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

void ClusterLink::connectAndListen()
{
    m_healthCheck->start();
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
            if (name == channel && text != m_instanceId)
                Q_EMIT remoteCommitted();
            if (name == ephemeralChannel && !text.startsWith(m_instanceId))
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
    setListening(true);
    qCInfo(lcCluster) << "listening for other instances' events";
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
    if (m_listening && db.isOpen() && probe.exec(u"SELECT 1"_s))
        return;
    if (m_listening)
        qCWarning(lcCluster) << "LISTEN connection lost, reconnecting";
    setListening(false);
    connectAndListen();
}

void ClusterLink::announce()
{
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
    if (frame.size() + m_instanceId.size() + 1 > notifyPayloadMax)
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
    for (int attempt = 0; attempt < 2 && m_listening; ++attempt) {
        QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
        query.prepare(u"SELECT pg_notify(?, ?)"_s);
        query.addBindValue(channelName);
        query.addBindValue(payload);
        if (query.exec())
            return;
        qCWarning(lcCluster) << "NOTIFY failed, reconnecting:" << query.lastError().text();
        setListening(false);
        connectAndListen();
    }
}

} // namespace Messenger::Server
