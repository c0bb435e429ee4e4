#pragma once

#include "core/ApiError.h"

#include <QFuture>
#include <QObject>
#include <QSet>

namespace Messenger::Server {

class Database;

// Users whose existence the database confirmed. A token's valid signature
// proves we issued it, not that its user exists here (a database restored
// from an older backup, another deployment with the same key), so the first
// request naming each user id is checked against the database; users are
// never deleted, so a confirmed id stays confirmed and later requests cost
// nothing. Event-loop thread only.
class KnownUsers : public QObject
{
    Q_OBJECT
public:
    explicit KnownUsers(Database &database, QObject *parent = nullptr);

    bool contains(const QString &userId) const { return m_known.contains(userId); }
    void insert(const QString &userId);
    // Empty when the user exists; else 401 (unknown) or 503 (no database).
    QFuture<Result<Empty>> confirm(const QString &userId);

    // Bounds memory (about 100 bytes an id); past it the set starts over.
    static constexpr qsizetype maxKnown = 200000;

private:
    Database &m_db;
    QSet<QString> m_known;
};

} // namespace Messenger::Server
