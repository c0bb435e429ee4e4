#include "ChatSettingsService.h"

#include "ChatAccess.h"
#include "EventLog.h"
#include "shared/Limits.h"
#include "shared/WsEvents.h"

#include <QDateTime>
#include <QHash>
#include <QSet>

using namespace Qt::StringLiterals;

namespace Messenger::Server::ChatSettingsService {

namespace {

qint64 nowSeconds()
{
    return QDateTime::currentSecsSinceEpoch();
}

// The row as stored (an expired mute kept as it is), to tell whether a
// change changes anything.
struct StoredSettings
{
    QVariant mutedUntil;
    QVariant pinPosition;
    bool archived = false;
    bool markedUnread = false;
    bool operator==(const StoredSettings &) const = default;
};

StoredSettings readStored(const Rows &rows, int first)
{
    return { rows.value(first), rows.value(first + 1), rows.boolean(first + 2),
        rows.boolean(first + 3) };
}

ChatSettings normalised(const StoredSettings &stored, qint64 now)
{
    ChatSettings settings;
    if (!stored.mutedUntil.isNull() && stored.mutedUntil.toLongLong() > now)
        settings.mutedUntil = stored.mutedUntil.toLongLong();
    if (!stored.pinPosition.isNull())
        settings.pinnedPosition = stored.pinPosition.toLongLong();
    settings.archived = stored.archived;
    settings.markedUnread = stored.markedUnread;
    return settings;
}

// Tells the user's devices (all of them, on every instance) through the log.
void announce(Db &db, const QString &userId, const QString &chatId, const ChatSettings &settings)
{
    EventLog::append(
        db, {}, userId, WsEvents::chatSettings, ChatSettingsChanged { chatId, settings }.toJson());
}

// Pin changes of one user take turns: on PostgreSQL two concurrent pins would
// each count the pinned chats without the other's and together pass the cap.
// (SQLite's write transactions take turns already.)
void lockUser(Db &db, const QString &userId)
{
    if (db.isPostgres())
        db.exec(u"SELECT id FROM users WHERE id = ? FOR UPDATE"_s, { userId });
}

const QString returnedColumns
    = u"RETURNING user_id, chat_id, muted_until, pin_position, archived, marked_unread"_s;

struct ChangedRow
{
    QString userId;
    QString chatId;
    ChatSettings settings;
};

// The rows an UPDATE ... returnedColumns changed (the statement finished on return).
QList<ChangedRow> changedRows(Rows rows)
{
    QList<ChangedRow> changed;
    const qint64 now = nowSeconds();
    while (rows.next())
        changed.append({ rows.string(0), rows.string(1), read(rows, 2, now) });
    return changed;
}

void announceAll(Db &db, const QList<ChangedRow> &changed)
{
    for (const ChangedRow &row : changed)
        announce(db, row.userId, row.chatId, row.settings);
}

} // namespace

ChatSettings read(const Rows &rows, int first, qint64 now)
{
    return normalised(readStored(rows, first), now);
}

std::optional<ChatSettings> load(Db &db, const QString &chatId, const QString &userId)
{
    Rows rows = db.exec(
        u"SELECT "_s + columns + u" FROM chat_members me WHERE me.chat_id = ? AND me.user_id = ?"_s,
        { chatId, userId });
    if (!rows.next())
        return std::nullopt;
    return read(rows, 0, nowSeconds());
}

Result<ChatSettings> update(Db &db, const QString &callerId, const QString &chatId,
    const UpdateChatSettingsRequest &request)
{
    Transaction transaction(db);
    lockUser(db, callerId);
    const auto membership = ChatAccess::requireMember(db, chatId, callerId);
    if (!membership)
        return membership.error();
    StoredSettings before;
    {
        Rows rows = db.exec(u"SELECT "_s + columns
                + u" FROM chat_members me WHERE me.chat_id = ? AND me.user_id = ?"_s,
            { chatId, callerId });
        if (!rows.next())
            return ApiError::internal();
        before = readStored(rows, 0);
    }
    StoredSettings after = before;
    if (request.mutedUntil)
        after.mutedUntil = *request.mutedUntil ? QVariant(**request.mutedUntil) : QVariant();
    if (request.pinned && *request.pinned && before.pinPosition.isNull()) {
        Rows rows = db.exec(u"SELECT COUNT(*), COALESCE(MAX(pin_position), 0) FROM chat_members "
                            "WHERE user_id = ? AND pin_position IS NOT NULL"_s,
            { callerId });
        rows.next();
        if (rows.integer(0) >= Limits::pinnedChatsMax)
            return ApiError::conflict(u"pinned_chats_limit"_s,
                u"At most %1 chats can be pinned"_s.arg(Limits::pinnedChatsMax));
        after.pinPosition = rows.integer(1) + 1;
    } else if (request.pinned && !*request.pinned) {
        after.pinPosition = QVariant();
    }
    if (request.archived)
        after.archived = *request.archived;
    if (request.markedUnread)
        after.markedUnread = *request.markedUnread;
    const ChatSettings settings = normalised(after, nowSeconds());
    if (after != before) {
        db.exec(u"UPDATE chat_members SET muted_until = ?, pin_position = ?, archived = ?, "
                "marked_unread = ? WHERE chat_id = ? AND user_id = ?"_s,
            { after.mutedUntil, after.pinPosition, after.archived, after.markedUnread, chatId,
                callerId });
        announce(db, callerId, chatId, settings);
    }
    transaction.commit();
    return settings;
}

Result<QList<ChatSettingsChanged>> reorderPinned(
    Db &db, const QString &callerId, const ReorderPinnedChatsRequest &request)
{
    Transaction transaction(db);
    lockUser(db, callerId);
    QHash<QString, ChatSettings> pinned;
    {
        Rows rows = db.exec(u"SELECT me.chat_id, "_s + columns
                + u" FROM chat_members me WHERE me.user_id = ? AND me.pin_position IS NOT NULL"_s,
            { callerId });
        const qint64 now = nowSeconds();
        while (rows.next())
            pinned.insert(rows.string(0), read(rows, 1, now));
    }
    const QSet<QString> wanted(request.chatIds.cbegin(), request.chatIds.cend());
    if (wanted.size() != pinned.size()
        || !std::all_of(wanted.cbegin(), wanted.cend(),
            [&pinned](const QString &id) { return pinned.contains(id); }))
        return ApiError { 422, u"pinned_chats_mismatch"_s,
            u"chat_ids must name exactly the chats pinned now"_s, {} };
    QList<ChatSettingsChanged> answer;
    for (qsizetype index = 0; index < request.chatIds.size(); ++index) {
        const QString &chatId = request.chatIds.at(index);
        ChatSettings settings = pinned.value(chatId);
        const qint64 position = index + 1;
        if (settings.pinnedPosition != position) {
            settings.pinnedPosition = position;
            db.exec(u"UPDATE chat_members SET pin_position = ? WHERE chat_id = ? AND user_id = ?"_s,
                { position, chatId, callerId });
            announce(db, callerId, chatId, settings);
        }
        answer.append({ chatId, settings });
    }
    transaction.commit();
    return answer;
}

void applyNewMessage(Db &db, const QString &chatId, const QString &senderId)
{
    announceAll(db,
        changedRows(
            db.exec(u"UPDATE chat_members SET archived = ? WHERE chat_id = ? AND user_id <> ? "
                    "AND archived = ? AND (muted_until IS NULL OR muted_until <= ?) "_s
                    + returnedColumns,
                { false, chatId, senderId, true, nowSeconds() })));
    applyRead(db, chatId, senderId);
}

void applyRead(Db &db, const QString &chatId, const QString &userId)
{
    announceAll(db,
        changedRows(db.exec(u"UPDATE chat_members SET marked_unread = ? "
                            "WHERE chat_id = ? AND user_id = ? AND marked_unread = ? "_s
                + returnedColumns,
            { false, chatId, userId, true })));
}

} // namespace Messenger::Server::ChatSettingsService
