#include "Db.h"

#include "DbError.h"

#include <QLoggingCategory>
#include <QScopeGuard>
#include <QSqlDriver>

#include <libpq-fe.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcDb, "messenger.server.db")

namespace Messenger::Server {

namespace {

// libpq's notice processor: `message` is "SEVERITY:  text\n" (with DETAIL
// and HINT lines when the server sent them).
void logNotice(void *, const char *message)
{
    const QString text = QString::fromUtf8(message).trimmed();
    const QString severity = text.section(u':', 0, 0);
    const bool warning
        = severity == u"WARNING"_s || severity == u"ERROR"_s || severity == u"FATAL"_s;
    if (warning)
        qCWarning(lcDb).noquote() << "PostgreSQL:" << text;
    else
        qCInfo(lcDb).noquote() << "PostgreSQL:" << text;
}

} // namespace

void logPostgresNotices(const QSqlDatabase &db)
{
    const QVariant handle = db.driver() ? db.driver()->handle() : QVariant();
    // Qt's driver registers the handle's type as PGconn* or, by the struct's
    // own name, pg_conn*.
    if (!handle.isValid()
        || (qstrcmp(handle.typeName(), "PGconn*") != 0
            && qstrcmp(handle.typeName(), "pg_conn*") != 0))
        return;
    if (PGconn *connection = *static_cast<PGconn *const *>(handle.constData()))
        PQsetNoticeProcessor(connection, &logNotice, nullptr);
}

bool DbError::isConnectionError() const
{
    if (m_openFailed)
        return true;
    if (m_backend == Backend::Sqlite)
        return false;
    if (m_error.type() == QSqlError::ConnectionError)
        return true;
    // PostgreSQL reports a dropped server as a statement error with SQLSTATE
    // class 08 (connection exception) or 57P0x (admin shutdown), or none at all.
    const QString code = m_error.nativeErrorCode();
    return code.startsWith(u"08"_s) || code.startsWith(u"57P"_s)
        || m_error.databaseText().contains(u"server closed the connection"_s)
        || m_error.databaseText().contains(u"no connection to the server"_s);
}

bool DbError::isBusy() const
{
    // SQLITE_BUSY (5) and SQLITE_LOCKED (6), extended codes included.
    if (m_backend != Backend::Sqlite)
        return false;
    bool ok = false;
    const int code = m_error.nativeErrorCode().toInt(&ok) & 0xff;
    return ok && (code == 5 || code == 6);
}

QString DbError::logText() const
{
    constexpr qsizetype maxLength = 200;
    const QString databaseText = m_error.databaseText().trimmed();
    QString firstLine = databaseText.section(u'\n', 0, 0).trimmed();
    if (firstLine.size() > maxLength)
        firstLine = firstLine.left(maxLength) + u"..."_s;
    return u"[%1] %2 %3"_s.arg(m_error.nativeErrorCode(), m_error.driverText(), firstLine);
}

DbError DbError::connectionFailed(const QSqlError &error, Backend backend)
{
    DbError failed(error, backend);
    failed.m_openFailed = true;
    return failed;
}

Rows::Rows(std::vector<pg_result *> results)
    : m_results(std::move(results))
{ }

Rows::~Rows()
{
    if (m_query)
        m_query->finish();
    for (pg_result *each : m_results)
        PQclear(each);
}

bool Rows::next()
{
    if (m_query)
        return m_query->next();
    ++m_row;
    while (m_current < m_results.size() && m_row >= PQntuples(result())) {
        ++m_current;
        m_row = 0;
    }
    return m_current < m_results.size();
}

bool Rows::isNull(int column) const
{
    return m_query ? m_query->isNull(column) : PQgetisnull(result(), m_row, column) == 1;
}

QString Rows::string(int column) const
{
    return m_query ? m_query->value(column).toString()
                   : QString::fromUtf8(
                       PQgetvalue(result(), m_row, column), PQgetlength(result(), m_row, column));
}

QVariant Rows::value(int column) const
{
    if (m_query)
        return m_query->value(column);
    if (isNull(column))
        return QVariant();
    // Typed as QtSql types them, so that value().toBool() reads 'f' as false.
    constexpr Oid booleanType = 16, bigintType = 20, smallintType = 21, integerType = 23;
    switch (PQftype(result(), column)) {
    case booleanType:
        return boolean(column);
    case bigintType:
    case smallintType:
    case integerType:
        return integer(column);
    default:
        return string(column);
    }
}

qint64 Rows::integer(int column) const
{
    return m_query ? m_query->value(column).toLongLong()
                   : QByteArrayView(PQgetvalue(result(), m_row, column)).toLongLong();
}

bool Rows::boolean(int column) const
{
    // libpq's text format spells a boolean 't' or 'f'.
    return m_query ? m_query->value(column).toBool() : *PQgetvalue(result(), m_row, column) == 't';
}

int Rows::rowsAffected() const
{
    if (m_query)
        return m_query->numRowsAffected();
    return m_results.empty() ? 0 : QByteArray(PQcmdTuples(m_results.back())).toInt();
}

Db::Db(QSqlDatabase connection, Backend backend)
    : m_connection(std::move(connection))
    , m_backend(backend)
{ }

Rows Db::exec(const QString &sql, const QVariantList &values)
{
    auto it = m_statements.find(sql);
    if (it == m_statements.end()) {
        QSqlQuery query(m_connection);
        query.setForwardOnly(true);
        if (!query.prepare(sql)) {
            const DbError error(query.lastError(), m_backend);
            qCWarning(lcDb).noquote() << "prepare failed:" << error.logText() << sql.left(120);
            throw error;
        }
        it = m_statements.emplace(sql, std::move(query)).first;
    }
    QSqlQuery &query = it->second;
    query.finish();
    for (qsizetype i = 0; i < values.size(); ++i)
        query.bindValue(int(i), values.at(i));
    if (!query.exec()) {
        const DbError error(query.lastError(), m_backend);
        // The statement, not its values: they are message texts and e-mails.
        qCWarning(lcDb).noquote() << "statement failed:" << error.logText() << sql.left(120);
        // A statement that failed may have left the prepared handle unusable.
        m_statements.erase(it);
        throw error;
    }
    ++m_statementsSucceeded;
    return Rows(query);
}

void Db::execDirect(const QString &sql)
{
    QSqlQuery query(m_connection);
    if (!query.exec(sql)) {
        const DbError error(query.lastError(), m_backend);
        qCWarning(lcDb).noquote() << "statement failed:" << error.logText() << sql.left(120);
        throw error;
    }
    ++m_statementsSucceeded;
}

pg_conn *Db::postgresConnection()
{
    const QVariant handle = isPostgres() ? m_connection.driver()->handle() : QVariant();
    // Qt names the type by the struct PGconn is a typedef of.
    if (!handle.isValid()
        || (qstrcmp(handle.typeName(), "PGconn*") != 0
            && qstrcmp(handle.typeName(), "pg_conn*") != 0))
        throw DbError(
            QSqlError(u"not a PostgreSQL connection"_s, {}, QSqlError::ConnectionError), m_backend);
    return *static_cast<PGconn *const *>(handle.constData());
}

DbError Db::postgresError(pg_result *result, const QString &what)
{
    PGconn *conn = postgresConnection();
    const char *own = result ? PQresultErrorMessage(result) : "";
    const QString message = QString::fromUtf8(*own ? own : PQerrorMessage(conn)).trimmed();
    const char *state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    // The driver's text is logged: its first line only (DETAIL and CONTEXT
    // quote values, that is message texts and e-mails).
    const DbError error(QSqlError(message.section(u'\n', 0, 0), message,
                            PQstatus(conn) == CONNECTION_OK ? QSqlError::StatementError
                                                            : QSqlError::ConnectionError,
                            state ? QString::fromLatin1(state) : QString()),
        m_backend);
    qCWarning(lcDb).noquote() << what << "failed:" << error.logText();
    return error;
}

Rows Db::fetchAll(const QString &sql, const QVariantList &values)
{
    if (!isPostgres())
        return exec(sql, values);
    std::vector<Rows> results = pipeline(sql, { values });
    return std::move(results.front());
}

std::vector<Rows> Db::pipeline(const QString &sql, const QList<QVariantList> &batch)
{
    PGconn *conn = postgresConnection();
    std::vector<Rows> results;
    if (batch.isEmpty())
        return results;
    // QtSql reads forward-only results row by row (libpq's single-row mode)
    // and leaves what a statement did not read on the connection until its
    // next statement; nothing reads it any more (PQexec would discard it the
    // same way), and pipeline mode needs an idle connection.
    while (PGresult *unread = PQgetResult(conn))
        PQclear(unread);
    QByteArray name = m_pipelined.value(sql);
    const bool prepare = name.isEmpty();
    if (prepare) {
        name = "messenger_pipelined_" + QByteArray::number(m_pipelined.size() + 1);
        // libpq numbers its placeholders.
        QString numbered;
        int placeholder = 0;
        for (const QChar c : sql) {
            if (c == u'?')
                numbered += u'$' + QString::number(++placeholder);
            else
                numbered += c;
        }
        if (PQenterPipelineMode(conn) != 1
            || PQsendPrepare(conn, name.constData(), numbered.toUtf8().constData(), 0, nullptr)
                != 1)
            throw postgresError(nullptr, u"pipeline prepare"_s);
    } else if (PQenterPipelineMode(conn) != 1
        || PQsendDescribePrepared(conn, name.constData()) != 1) {
        // The first command queued inherits the single-row mode QtSql asked
        // for on its last statement (libpq 15 resets it only on moving to
        // the next command): the prepare or, once prepared, a describe of
        // the statement takes it, not the statement. A 500,000-row read came
        // back as 500,000 results of ~3 KB each, 1.6 GB at once.
        throw postgresError(nullptr, u"pipeline"_s);
    }
    // Whatever happens, the connection goes back to QtSql as it found it.
    auto leave = qScopeGuard([conn] { PQexitPipelineMode(conn); });
    for (const QVariantList &values : batch) {
        QList<QByteArray> texts;
        texts.reserve(values.size());
        QList<const char *> pointers;
        pointers.reserve(values.size());
        for (const QVariant &value : values) {
            if (!value.isValid() || value.isNull()) {
                texts.append(QByteArray());
                pointers.append(nullptr);
                continue;
            }
            texts.append(value.typeId() == QMetaType::Bool
                    ? QByteArray(value.toBool() ? "true" : "false")
                    : value.toString().toUtf8());
            pointers.append(texts.last().constData());
        }
        if (PQsendQueryPrepared(conn, name.constData(), int(values.size()), pointers.constData(),
                nullptr, nullptr, 0)
            != 1)
            throw postgresError(nullptr, u"pipeline send"_s);
    }
    if (PQpipelineSync(conn) != 1)
        throw postgresError(nullptr, u"pipeline sync"_s);
    // Every result is read before leaving pipeline mode, even after a failure.
    std::optional<DbError> failure;
    // One queued statement's results, up to the null that ends them; false
    // when none came (the connection is gone). libpq may hand a statement's
    // rows over one result each (single-row mode: QtSql asked for it on an
    // earlier statement and libpq 15 carries the request over).
    const auto take = [&](bool keep) {
        std::vector<PGresult *> kept;
        bool any = false;
        while (PGresult *result = PQgetResult(conn)) {
            any = true;
            const ExecStatusType status = PQresultStatus(result);
            if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK
                || status == PGRES_SINGLE_TUPLE) {
                kept.push_back(result);
                continue;
            }
            // The first failure says why; those after it were skipped
            // (PGRES_PIPELINE_ABORTED).
            if (!failure)
                failure = postgresError(result, u"pipelined statement"_s);
            PQclear(result);
        }
        if (!any) {
            if (!failure)
                failure = postgresError(nullptr, u"pipeline"_s);
            return false;
        }
        if (!kept.empty()) {
            // Once one statement answered, the batch may have committed
            // whatever comes after: never retried as if nothing had run. A
            // connection found dead before any answer is retried, as exec's
            // statements are.
            ++m_statementsSucceeded;
        }
        if (keep && !failure)
            results.emplace_back(std::move(kept));
        else
            for (PGresult *each : kept)
                PQclear(each);
        return true;
    };
    bool connected = take(false); // the prepare or the describe
    for (qsizetype i = 0; connected && i < batch.size(); ++i)
        connected = take(true);
    if (connected) {
        PGresult *sync = PQgetResult(conn);
        if ((!sync || PQresultStatus(sync) != PGRES_PIPELINE_SYNC) && !failure)
            failure = postgresError(sync, u"pipeline sync"_s);
        PQclear(sync);
    }
    if (failure) {
        // On a new connection the statement is not there: prepared again next time.
        if (failure->error().nativeErrorCode() == u"26000"_s)
            m_pipelined.clear();
        throw *failure;
    }
    if (prepare)
        m_pipelined.insert(sql, name);
    return results;
}

qint64 Db::nextSeq()
{
    // On PostgreSQL the transaction must own an xid before it draws a seq:
    // EventFeed relies on every in-flight seq belonging to a transaction that
    // a snapshot lists as running (nextval alone does not assign one).
    Rows rows = isPostgres()
        ? exec(u"WITH tx AS MATERIALIZED (SELECT pg_current_xact_id() AS id) "
               "SELECT nextval('global_seq') FROM tx"_s)
        : exec(
            u"UPDATE counters SET value = value + 1 WHERE name = 'global_seq' RETURNING value"_s);
    rows.next();
    return rows.integer(0);
}

QString Db::idSetSql() const
{
    return isPostgres()
        ? u"(SELECT CAST(value AS uuid) FROM json_array_elements_text(CAST(? AS json)) AS ids(value))"_s
        : u"(SELECT value FROM json_each(?))"_s;
}

void Db::resetStatements()
{
    m_statements.clear();
}

Transaction::Transaction(Db &db)
    : m_db(db)
{
    m_db.execDirect(db.isPostgres() ? u"BEGIN"_s : u"BEGIN IMMEDIATE"_s);
}

Transaction::Transaction(Db &db, const QString &beginStatement)
    : m_db(db)
{
    m_db.execDirect(beginStatement);
}

Transaction::~Transaction()
{
    if (!m_open)
        return;
    // Finish open cursors first: SQLite refuses to roll back under an active read.
    m_db.resetStatements();
    QSqlQuery rollback(m_db.connection());
    if (!rollback.exec(u"ROLLBACK"_s))
        qCWarning(lcDb).noquote() << "rollback failed:"
                                  << DbError(rollback.lastError(), m_db.backend()).logText();
}

void Transaction::commit()
{
    m_db.execDirect(u"COMMIT"_s);
    m_open = false;
}

} // namespace Messenger::Server
