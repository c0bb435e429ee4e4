#include "PresenceService.h"

#include "ChatAccess.h"

using namespace Qt::StringLiterals;

namespace Messenger::Server::PresenceService {

namespace {

QString upsertSql()
{
    return u"INSERT INTO presence (user_id, instance_id, expires_at) VALUES (?, ?, ?) "
           "ON CONFLICT (user_id, instance_id) DO UPDATE SET expires_at = excluded.expires_at"_s;
}

// Presence as a watcher may see it.
PresenceEntry visibleEntry(
    const QString &userId, bool online, std::optional<qint64> lastSeenAt, const QString &visible)
{
    if (visible == PrivacySettings::nobody)
        return { userId, false, std::nullopt };
    return { userId, online, online ? std::nullopt : lastSeenAt };
}

QString onlineSql()
{
    return u"EXISTS (SELECT 1 FROM presence p WHERE p.user_id = u.id AND p.expires_at > ?)"_s;
}

} // namespace

Result<Empty> apply(Db &db, const QString &instanceId, const QList<SocketChange> &changes,
    qint64 now, qint64 expiresAt)
{
    Transaction transaction(db);
    for (const SocketChange &change : changes) {
        if (change.online) {
            db.exec(upsertSql(), { change.userId, instanceId, expiresAt });
        } else {
            db.exec(u"DELETE FROM presence WHERE user_id = ? AND instance_id = ?"_s,
                { change.userId, instanceId });
            db.exec(u"UPDATE users SET last_seen_at = ? WHERE id = ?"_s, { now, change.userId });
        }
    }
    transaction.commit();
    return Empty {};
}

Result<Heartbeat> heartbeat(Db &db, const QString &instanceId, const QStringList &localUsers,
    qint64 now, qint64 timeoutSeconds)
{
    Heartbeat beat;
    {
        // The instance's rows become exactly its online users: renewed,
        // restored when swept while this heartbeat was late, and removed
        // when a failed write left one behind.
        Transaction transaction(db);
        QSet<QString> renewed;
        {
            Rows rows = db.exec(
                u"UPDATE presence SET expires_at = ? WHERE instance_id = ? RETURNING user_id"_s,
                { now + timeoutSeconds, instanceId });
            while (rows.next())
                renewed.insert(rows.string(0));
        }
        for (const QString &userId : localUsers) {
            if (!renewed.remove(userId)) {
                db.exec(upsertSql(), { userId, instanceId, now + timeoutSeconds });
                beat.restored.append(userId);
            }
        }
        for (const QString &userId : std::as_const(renewed)) {
            db.exec(u"DELETE FROM presence WHERE user_id = ? AND instance_id = ?"_s,
                { userId, instanceId });
            db.exec(u"UPDATE users SET last_seen_at = ? WHERE id = ?"_s, { now, userId });
            beat.restored.append(userId);
        }
        transaction.commit();
    }
    // Then, apart, the rows of instances that stopped renewing. Rows another
    // instance is sweeping (or renewing) at the same moment are skipped, so
    // two sweeps never wait for each other.
    Transaction transaction(db);
    QList<QPair<QString, qint64>> expired;
    {
        Rows rows = db.exec(db.isPostgres()
                ? u"DELETE FROM presence WHERE (user_id, instance_id) IN (SELECT user_id, "
                  "instance_id FROM presence WHERE expires_at <= ? FOR UPDATE SKIP LOCKED) "
                  "RETURNING user_id, expires_at"_s
                : u"DELETE FROM presence WHERE expires_at <= ? RETURNING user_id, expires_at"_s,
            { now });
        while (rows.next())
            expired.append({ rows.string(0), rows.integer(1) });
    }
    for (const auto &[userId, expiresAt] : std::as_const(expired)) {
        // Last confirmed online at the dead instance's last heartbeat.
        db.exec(u"UPDATE users SET last_seen_at = ? WHERE id = ? "
                "AND (last_seen_at IS NULL OR last_seen_at < ?)"_s,
            { expiresAt - timeoutSeconds, userId, expiresAt - timeoutSeconds });
        if (!beat.expired.contains(userId))
            beat.expired.append(userId);
    }
    transaction.commit();
    return beat;
}

Result<QStringList> leave(Db &db, const QString &instanceId, qint64 now)
{
    Transaction transaction(db);
    QStringList users;
    {
        Rows rows = db.exec(
            u"DELETE FROM presence WHERE instance_id = ? RETURNING user_id"_s, { instanceId });
        while (rows.next())
            users.append(rows.string(0));
    }
    for (const QString &userId : std::as_const(users))
        db.exec(u"UPDATE users SET last_seen_at = ? WHERE id = ?"_s, { now, userId });
    transaction.commit();
    return users;
}

Result<Audience> audience(Db &db, const QStringList &userIds, qint64 now)
{
    Audience audience;
    QHash<QString, qsizetype> entryOf;
    const QString ids = ChatAccess::idArray(userIds);
    {
        Rows rows = db.exec(u"SELECT u.id, u.last_seen_at, u.presence_visible, "_s + onlineSql()
                + u" FROM users u WHERE u.id IN "_s + db.idSetSql(),
            { now, ids });
        while (rows.next()) {
            entryOf.insert(rows.string(0), audience.entries.size());
            audience.entries.append(visibleEntry(rows.string(0), rows.value(3).toBool(),
                rows.isNull(1) ? std::nullopt : std::optional(rows.integer(1)), rows.string(2)));
        }
    }
    audience.chatsOf.resize(audience.entries.size());
    QHash<QString, qsizetype> chatOf;
    {
        Rows rows = db.fetchAll(
            u"SELECT user_id, chat_id FROM chat_members WHERE user_id IN "_s + db.idSetSql(),
            { ids });
        while (rows.next()) {
            const auto entry = entryOf.constFind(rows.string(0));
            if (entry == entryOf.constEnd())
                continue;
            const QString chatId = rows.string(1);
            auto chat = chatOf.constFind(chatId);
            if (chat == chatOf.constEnd()) {
                chat = chatOf.insert(chatId, audience.watchersOf.size());
                audience.watchersOf.append(QStringList());
            }
            audience.chatsOf[*entry].append(*chat);
        }
    }
    Rows rows = db.fetchAll(u"SELECT m.chat_id, m.user_id FROM chat_members m "
                            "JOIN users w ON w.id = m.user_id "
                            "WHERE w.presence_visible = 'everyone' AND m.chat_id IN "
                            "(SELECT chat_id FROM chat_members WHERE user_id IN "_s
            + db.idSetSql() + u")"_s,
        { ids });
    while (rows.next()) {
        const auto chat = chatOf.constFind(rows.string(0));
        if (chat != chatOf.constEnd())
            audience.watchersOf[*chat].append(rows.string(1));
    }
    return audience;
}

Result<PresenceList> read(Db &db, const QString &callerId, const QStringList &userIds, qint64 now)
{
    PresenceList list;
    QString callerVisible;
    {
        Rows rows = db.exec(u"SELECT presence_visible FROM users WHERE id = ?"_s, { callerId });
        if (!rows.next())
            return ApiError::unauthorized(u"invalid_token"_s, u"Could not validate credentials"_s);
        callerVisible = rows.string(0);
    }
    Rows rows = db.exec(u"SELECT u.id, u.last_seen_at, u.presence_visible, "_s + onlineSql()
            + u" FROM users u WHERE u.id IN "_s + db.idSetSql()
            + u" AND u.id <> ? AND EXISTS (SELECT 1 FROM chat_members mine "
              "JOIN chat_members other ON other.chat_id = mine.chat_id "
              "WHERE mine.user_id = ? AND other.user_id = u.id)"_s,
        { now, ChatAccess::idArray(userIds), callerId, callerId });
    while (rows.next()) {
        // Who hides their own presence sees nobody's.
        list.users.append(visibleEntry(rows.string(0), rows.value(3).toBool(),
            rows.isNull(1) ? std::nullopt : std::optional(rows.integer(1)),
            callerVisible == PrivacySettings::nobody ? callerVisible : rows.string(2)));
    }
    return list;
}

Result<PrivacySettings> privacy(Db &db, const QString &userId)
{
    Rows rows = db.exec(u"SELECT presence_visible FROM users WHERE id = ?"_s, { userId });
    if (!rows.next())
        return ApiError::unauthorized(u"invalid_token"_s, u"Could not validate credentials"_s);
    return PrivacySettings { rows.string(0) };
}

Result<PrivacySettings> setPrivacy(Db &db, const QString &userId, const PrivacySettings &settings)
{
    Rows rows = db.exec(u"UPDATE users SET presence_visible = ? WHERE id = ? RETURNING id"_s,
        { settings.presenceVisible, userId });
    if (!rows.next())
        return ApiError::unauthorized(u"invalid_token"_s, u"Could not validate credentials"_s);
    return settings;
}

} // namespace Messenger::Server::PresenceService
