#include "LocalCache.h"

#include "shared/Json.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPromise>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QThread>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcCache, "messenger.client.cache")

namespace Messenger::Client {

namespace {

// A burst of changes (a page of history, a replay after reconnecting) is one commit.
constexpr int commitDelayMs = 200;
constexpr auto userKey = "user"_L1;

QString jsonText(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

template <typename T> std::optional<T> fromJsonText(const QString &text)
{
    Parsed<T> parsed = T::fromJson(parseJson(text.toUtf8()).object());
    if (!parsed)
        return std::nullopt; // a row an older version wrote: skipped, the server has it
    return std::move(parsed).value();
}

bool exec(QSqlQuery &query)
{
    if (query.exec())
        return true;
    qCWarning(lcCache) << "cache query failed:" << query.lastError().text();
    return false;
}

bool exec(QSqlDatabase &db, const QString &sql)
{
    QSqlQuery query(db);
    if (query.exec(sql))
        return true;
    qCWarning(lcCache) << "cache query failed:" << query.lastError().text() << sql;
    return false;
}

// Bumped when the tables change: a cache of another version is dropped and
// filled again from the server (only unsent work in it would be lost).
constexpr int schemaVersion = 1;

void createSchema(QSqlDatabase &db)
{
    exec(db, u"PRAGMA journal_mode=WAL"_s);
    exec(db, u"PRAGMA synchronous=NORMAL"_s);
    QSqlQuery version(db);
    if (version.exec(u"PRAGMA user_version"_s) && version.next()) {
        const int found = version.value(0).toInt();
        if (found != 0 && found != schemaVersion) {
            qCInfo(lcCache) << "dropping a cache of schema version" << found;
            for (const QString &table : db.tables())
                exec(db, u"DROP TABLE \"%1\""_s.arg(table));
        }
    }
    exec(db, u"PRAGMA user_version = %1"_s.arg(schemaVersion));
    exec(db, u"CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"_s);
    exec(db, u"CREATE TABLE IF NOT EXISTS chats (id TEXT PRIMARY KEY, json TEXT NOT NULL)"_s);
    exec(db,
        u"CREATE TABLE IF NOT EXISTS messages (chat_id TEXT NOT NULL, id TEXT NOT NULL,"
        " seq INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY (chat_id, id))"_s);
    exec(db, u"CREATE INDEX IF NOT EXISTS messages_by_seq ON messages (chat_id, seq)"_s);
    exec(db, u"CREATE TABLE IF NOT EXISTS drafts (chat_id TEXT PRIMARY KEY, text TEXT NOT NULL)"_s);
    // Oldest first by rowid: the order the user did things in.
    exec(db,
        u"CREATE TABLE IF NOT EXISTS pending (key TEXT PRIMARY KEY, kind INTEGER NOT NULL,"
        " chat_id TEXT, message_id TEXT, text TEXT, mentions TEXT)"_s);
    // A cache written before sends carried mentions keeps its unsent work.
    // ... and one written before sends carried files.
    QSqlQuery columns(db);
    bool hasMentions = false;
    bool hasFiles = false;
    if (columns.exec(u"PRAGMA table_info(pending)"_s)) {
        while (columns.next()) {
            hasMentions = hasMentions || columns.value(1).toString() == "mentions"_L1;
            hasFiles = hasFiles || columns.value(1).toString() == "files"_L1;
        }
    }
    if (!hasMentions)
        exec(db, u"ALTER TABLE pending ADD COLUMN mentions TEXT"_s);
    if (!hasFiles)
        exec(db, u"ALTER TABLE pending ADD COLUMN files TEXT"_s);
}

QString idListText(const QStringList &ids)
{
    return ids.isEmpty()
        ? QString()
        : QString::fromUtf8(
            QJsonDocument(QJsonArray::fromStringList(ids)).toJson(QJsonDocument::Compact));
}

QStringList idListFromText(const QString &text)
{
    QStringList ids;
    for (const QJsonValue &id : parseJson(text.toUtf8()).array())
        ids.append(id.toString());
    return ids;
}

// A send's files as one list of strings: path, upload, id of each in turn.
QString filesText(const QList<LocalCache::PendingOperation::File> &files)
{
    QStringList flat;
    for (const auto &file : files)
        flat << file.localPath << file.uploadPath << file.fileId;
    return idListText(flat);
}

QList<LocalCache::PendingOperation::File> filesFromText(const QString &text)
{
    const QStringList flat = idListFromText(text);
    QList<LocalCache::PendingOperation::File> files;
    for (qsizetype i = 0; i + 2 < flat.size(); i += 3)
        files.append({ flat.at(i), flat.at(i + 1), flat.at(i + 2) });
    return files;
}

} // namespace

LocalCache::LocalCache(const QString &path, QObject *parent)
    : QObject(parent)
    , m_path(path)
    , m_connectionName(u"messenger-cache-"_s + newUuid())
    , m_thread(new QThread(this))
    , m_worker(new QObject)
{
    m_thread->setObjectName(u"LocalCache"_s);
    m_worker->moveToThread(m_thread);
    m_thread->start();
    m_commitTimer.setSingleShot(true);
    m_commitTimer.setInterval(commitDelayMs);
    connect(&m_commitTimer, &QTimer::timeout, this, &LocalCache::flush);
    QMetaObject::invokeMethod(
        m_worker,
        [path, name = m_connectionName] {
            QDir().mkpath(QFileInfo(path).absolutePath());
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
            db.setDatabaseName(path);
            if (!db.open()) {
                qCWarning(lcCache) << "cannot open the cache" << path << db.lastError().text();
                return;
            }
            createSchema(db);
        },
        Qt::QueuedConnection);
}

LocalCache::~LocalCache()
{
    flush();
    // The thread stops from its own queue, after every write asked for before
    // (QThread::quit() from here would drop whatever it has not reached yet).
    QMetaObject::invokeMethod(
        m_worker,
        [name = m_connectionName] {
            QSqlDatabase::database(name, false).close();
            QSqlDatabase::removeDatabase(name);
            QThread::currentThread()->quit();
        },
        Qt::QueuedConnection);
    m_thread->wait();
    delete m_worker;
}

QString LocalCache::directory()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + u"/cache"_s;
}

QString LocalCache::pathFor(const QString &serverUrl, const QString &userId)
{
    // The same user id on two servers is two accounts.
    const QByteArray server
        = QCryptographicHash::hash(serverUrl.toUtf8(), QCryptographicHash::Sha1).toHex().left(12);
    const QString safeId = QString::fromLatin1(
        QCryptographicHash::hash(userId.toUtf8(), QCryptographicHash::Sha1).toHex().left(24));
    return directory() + u'/' + safeId + u'-' + QString::fromLatin1(server) + u".sqlite"_s;
}

void LocalCache::enqueue(Write write)
{
    if (m_erased)
        return;
    m_writes.append(std::move(write));
    if (!m_commitTimer.isActive())
        m_commitTimer.start();
}

void LocalCache::flush()
{
    m_commitTimer.stop();
    if (m_writes.isEmpty() || m_erased)
        return;
    QMetaObject::invokeMethod(
        m_worker,
        [writes = std::exchange(m_writes, {}), name = m_connectionName] {
            QSqlDatabase db = QSqlDatabase::database(name, false);
            if (!db.isOpen())
                return;
            db.transaction();
            for (const Write &write : writes)
                write(db);
            if (!db.commit())
                qCWarning(lcCache) << "cache commit failed:" << db.lastError().text();
        },
        Qt::QueuedConnection);
}

template <typename T> QFuture<T> LocalCache::read(std::function<T(QSqlDatabase &)> work)
{
    flush();
    auto promise = std::make_shared<QPromise<T>>();
    QFuture<T> future = promise->future();
    promise->start();
    if (m_erased) {
        promise->addResult(T {});
        promise->finish();
        return future;
    }
    QMetaObject::invokeMethod(
        m_worker,
        [promise, work = std::move(work), name = m_connectionName] {
            QSqlDatabase db = QSqlDatabase::database(name, false);
            promise->addResult(db.isOpen() ? work(db) : T {});
            promise->finish();
        },
        Qt::QueuedConnection);
    return future;
}

LocalCache::Account LocalCache::loadAccount()
{
    return read<Account>([](QSqlDatabase &db) {
        Account account;
        QSqlQuery query(db);
        query.prepare(u"SELECT value FROM meta WHERE key = ?"_s);
        query.addBindValue(QString(userKey));
        if (exec(query) && query.next())
            account.user = fromJsonText<User>(query.value(0).toString());
        if (query.exec(u"SELECT json FROM chats"_s)) {
            while (query.next()) {
                if (auto chat = fromJsonText<ChatSummary>(query.value(0).toString()))
                    account.chats.append(*chat);
            }
        }
        if (query.exec(u"SELECT chat_id, text FROM drafts"_s)) {
            while (query.next())
                account.drafts.insert(query.value(0).toString(), query.value(1).toString());
        }
        if (query.exec(u"SELECT key, kind, chat_id, message_id, text, mentions, files FROM pending"
                       " ORDER BY rowid"_s)) {
            while (query.next()) {
                account.pending.append({ PendingOperation::Kind(query.value(1).toInt()),
                    query.value(0).toString(), query.value(2).toString(), query.value(3).toString(),
                    query.value(4).toString(), idListFromText(query.value(5).toString()),
                    filesFromText(query.value(6).toString()) });
            }
        }
        return account;
    }).result();
}

QList<Message> LocalCache::messages(const QString &chatId)
{
    return read<QList<Message>>([chatId](QSqlDatabase &db) {
        QList<Message> messages;
        QSqlQuery query(db);
        query.prepare(u"SELECT json FROM messages WHERE chat_id = ? ORDER BY seq"_s);
        query.addBindValue(chatId);
        if (exec(query)) {
            while (query.next()) {
                if (auto message = fromJsonText<Message>(query.value(0).toString()))
                    messages.append(*message);
            }
        }
        return messages;
    }).result();
}

void LocalCache::saveUser(const User &user)
{
    enqueue([json = jsonText(user.toJson())](QSqlDatabase &db) {
        QSqlQuery query(db);
        query.prepare(u"INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"_s);
        query.addBindValue(QString(userKey));
        query.addBindValue(json);
        exec(query);
    });
}

void LocalCache::saveChats(const QList<ChatSummary> &chats)
{
    // Copied as values and turned into JSON on the cache's thread, not the GUI's.
    enqueue([chats](QSqlDatabase &db) {
        exec(db, u"DELETE FROM chats"_s);
        QSqlQuery insert(db);
        insert.prepare(u"INSERT INTO chats (id, json) VALUES (?, ?)"_s);
        for (const ChatSummary &chat : chats) {
            insert.addBindValue(chat.chat.id);
            insert.addBindValue(jsonText(chat.toJson()));
            exec(insert);
        }
        // A chat the user left or lost: its history and draft go with it.
        exec(db, u"DELETE FROM messages WHERE chat_id NOT IN (SELECT id FROM chats)"_s);
        exec(db, u"DELETE FROM drafts WHERE chat_id NOT IN (SELECT id FROM chats)"_s);
    });
}

void LocalCache::saveMessages(const QString &chatId, const QList<Message> &messages)
{
    const qsizetype kept = std::min<qsizetype>(messages.size(), m_messagesPerChat);
    enqueue([chatId, newest = messages.sliced(messages.size() - kept)](QSqlDatabase &db) {
        QSqlQuery query(db);
        query.prepare(u"DELETE FROM messages WHERE chat_id = ?"_s);
        query.addBindValue(chatId);
        exec(query);
        query.prepare(u"INSERT INTO messages (chat_id, id, seq, json) VALUES (?, ?, ?, ?)"_s);
        for (const Message &message : newest) {
            query.addBindValue(chatId);
            query.addBindValue(message.id);
            query.addBindValue(message.seq);
            query.addBindValue(jsonText(message.toJson()));
            exec(query);
        }
    });
}

void LocalCache::saveDraft(const QString &chatId, const QString &text)
{
    enqueue([chatId, text](QSqlDatabase &db) {
        QSqlQuery query(db);
        if (text.isEmpty()) {
            query.prepare(u"DELETE FROM drafts WHERE chat_id = ?"_s);
            query.addBindValue(chatId);
        } else {
            query.prepare(u"INSERT OR REPLACE INTO drafts (chat_id, text) VALUES (?, ?)"_s);
            query.addBindValue(chatId);
            query.addBindValue(text);
        }
        exec(query);
    });
}

void LocalCache::addPending(const PendingOperation &operation)
{
    enqueue([operation](QSqlDatabase &db) {
        QSqlQuery query(db);
        query.prepare(u"INSERT OR REPLACE INTO pending (key, kind, chat_id, message_id, text, "
                      u"mentions, files)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?)"_s);
        query.addBindValue(operation.key);
        query.addBindValue(int(operation.kind));
        query.addBindValue(operation.chatId);
        query.addBindValue(operation.messageId);
        query.addBindValue(operation.text);
        query.addBindValue(idListText(operation.mentions));
        query.addBindValue(filesText(operation.files));
        exec(query);
    });
    // The user may quit any moment: what is not sent yet is on disk at once.
    flush();
}

void LocalCache::removePending(const QString &key)
{
    enqueue([key](QSqlDatabase &db) {
        QSqlQuery query(db);
        query.prepare(u"DELETE FROM pending WHERE key = ?"_s);
        query.addBindValue(key);
        exec(query);
    });
}

void LocalCache::erase()
{
    if (m_erased)
        return;
    m_writes.clear();
    m_commitTimer.stop();
    m_erased = true;
    QMetaObject::invokeMethod(
        m_worker,
        [path = m_path, name = m_connectionName] {
            QSqlDatabase::database(name, false).close();
            QSqlDatabase::removeDatabase(name);
            for (const QString &suffix : { u""_s, u"-wal"_s, u"-shm"_s, u"-journal"_s })
                QFile::remove(path + suffix);
        },
        Qt::QueuedConnection);
}

} // namespace Messenger::Client
