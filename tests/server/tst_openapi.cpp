#include "auth/PasswordHasher.h"
#include "auth/SessionRegistry.h"
#include "cluster/EventFeed.h"
#include "db/Database.h"
#include "http/HttpApi.h"
#include "security/KnownUsers.h"
#include "security/RateLimiter.h"
#include "services/SendQueue.h"
#include "services/TokenService.h"

#include <QDirIterator>
#include <QFile>
#include <QHttpServer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Messenger::Server;

// resources/api/openapi.json against the routes the server really registers:
// none missing, none stale, every reference resolvable.
class TestOpenApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void everyRouteIsDocumented();
    void everyDocumentedOperationExists();
    void referencesResolve();
    void operationsDescribeTheirErrors();
    void everyOperationHasAnId();
    void everyErrorCodeIsDocumented();

private:
    QJsonObject m_document;
    // "GET /api/v1/chats/{chat_id}": the server names parameters as the document
    // does, since the path is also the route label of logs and metrics.
    QSet<QString> m_routes;
};

void TestOpenApi::initTestCase()
{
    QFile file(QStringLiteral(MESSENGER_SOURCE_DIR "/resources/api/openapi.json"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
    QVERIFY2(document.isObject(), qPrintable(error.errorString()));
    m_document = document.object();
    QCOMPARE(m_document.value(u"openapi").toString().left(3), u"3.0"_s);

    // The real HttpApi, registering on a real QHttpServer; nothing is started.
    QTemporaryDir dir;
    QString settingsError;
    const auto settings
        = DatabaseSettings::fromUrl(u"sqlite://"_s + dir.filePath(u"db.sqlite"_s), &settingsError);
    QVERIFY2(settings, qPrintable(settingsError));
    Database database(*settings);
    RateLimits limits({}, {}, {}, {});
    SendQueue sends(database, limits.messagesByUser);
    KnownUsers knownUsers(database);
    SessionRegistry sessions(database);
    PasswordHasher hasher(1);
    TokenService tokens("openapi-test-key", 30);
    EventFeed feed(database);
    HttpApi api(database, sends, limits, knownUsers, sessions, hasher, tokens, feed);
    QHttpServer server;
    api.registerRoutes(server);
    for (const HttpApi::Route &route : api.routes())
        m_routes.insert(QString::fromLatin1(route.method) + u' ' + route.path);
    QVERIFY(m_routes.size() > 20);
}

void TestOpenApi::everyRouteIsDocumented()
{
    QSet<QString> documented;
    const QJsonObject paths = m_document.value(u"paths").toObject();
    for (auto path = paths.begin(); path != paths.end(); ++path) {
        const QJsonObject operations = path.value().toObject();
        for (auto operation = operations.begin(); operation != operations.end(); ++operation)
            documented.insert(operation.key().toUpper() + u' ' + path.key());
    }
    for (const QString &route : std::as_const(m_routes))
        QVERIFY2(documented.contains(route), qPrintable(route + u" is not in openapi.json"_s));
}

void TestOpenApi::everyDocumentedOperationExists()
{
    const QJsonObject paths = m_document.value(u"paths").toObject();
    for (auto path = paths.begin(); path != paths.end(); ++path) {
        const QJsonObject operations = path.value().toObject();
        for (auto operation = operations.begin(); operation != operations.end(); ++operation) {
            const QString route = operation.key().toUpper() + u' ' + path.key();
            QVERIFY2(m_routes.contains(route), qPrintable(route + u" is documented, not served"_s));
        }
    }
}

void TestOpenApi::referencesResolve()
{
    // "#/components/schemas/Chat", "#/components/headers/RequestId": a path from the root.
    const auto resolves = [this](const QString &ref) {
        if (!ref.startsWith(u"#/"_s))
            return false;
        QJsonValue target = m_document;
        for (const QString &key : ref.mid(2).split(u'/'))
            target = target.toObject().value(key);
        return target.isObject();
    };
    QStringList missing;
    std::function<void(const QJsonValue &)> walk = [&](const QJsonValue &value) {
        if (value.isArray()) {
            for (const QJsonValue &item : value.toArray())
                walk(item);
        } else if (value.isObject()) {
            const QJsonObject object = value.toObject();
            const QString ref = object.value(u"$ref").toString();
            if (!ref.isEmpty() && !resolves(ref))
                missing.append(ref);
            for (const QJsonValue &child : object)
                walk(child);
        }
    };
    walk(m_document);
    QVERIFY2(missing.isEmpty(), qPrintable(missing.join(u", "_s)));
}

void TestOpenApi::operationsDescribeTheirErrors()
{
    // Every authenticated operation documents its 401; every one with a body, its 422.
    const QJsonObject paths = m_document.value(u"paths").toObject();
    for (auto path = paths.begin(); path != paths.end(); ++path) {
        const QJsonObject operations = path.value().toObject();
        for (auto operation = operations.begin(); operation != operations.end(); ++operation) {
            const QJsonObject spec = operation.value().toObject();
            const QJsonObject responses = spec.value(u"responses").toObject();
            const QString name = operation.key() + u' ' + path.key();
            QVERIFY2(!responses.isEmpty(), qPrintable(name));
            const bool authenticated = !spec.contains(u"security");
            if (authenticated)
                QVERIFY2(responses.contains(u"401"), qPrintable(name + u": no 401"_s));
            if (spec.contains(u"requestBody"))
                QVERIFY2(responses.contains(u"422"), qPrintable(name + u": no 422"_s));
        }
    }
}

void TestOpenApi::everyOperationHasAnId()
{
    // Code generators name their functions after operationId: unique, present.
    QSet<QString> ids;
    const QJsonObject paths = m_document.value(u"paths").toObject();
    for (auto path = paths.begin(); path != paths.end(); ++path) {
        const QJsonObject operations = path.value().toObject();
        for (auto operation = operations.begin(); operation != operations.end(); ++operation) {
            const QString id = operation.value().toObject().value(u"operationId").toString();
            const QString name = operation.key() + u' ' + path.key();
            QVERIFY2(!id.isEmpty(), qPrintable(name + u": no operationId"_s));
            QVERIFY2(!ids.contains(id), qPrintable(name + u": operationId used twice"_s));
            ids.insert(id);
        }
    }
}

void TestOpenApi::everyErrorCodeIsDocumented()
{
    // Every code the server's sources give an ApiError (or a raw error body)
    // is in the ErrorCode schema's enum, which REST error bodies and (in the
    // AsyncAPI document, checked equal by docs_asyncapi_parser) WebSocket error
    // frames use, and in the code table of both manuals.
    const QJsonObject schemas
        = m_document.value(u"components").toObject().value(u"schemas").toObject();
    QCOMPARE(schemas.value(u"Error")
                 .toObject()
                 .value(u"properties")
                 .toObject()
                 .value(u"code")
                 .toObject()
                 .value(u"$ref")
                 .toString(),
        u"#/components/schemas/ErrorCode"_s);
    const QJsonArray enumerated = schemas.value(u"ErrorCode").toObject().value(u"enum").toArray();
    QSet<QString> documented;
    for (const QJsonValue &code : enumerated)
        documented.insert(code.toString());
    QVERIFY(documented.size() > 20);

    static const QRegularExpression construction(
        uR"re((?:ApiError::\w+\(|ApiError \{\s*\d+,)\s*u"([a-z_]+)"_s|"code":"([a-z_]+)")re"_s);
    QSet<QString> emitted;
    QDirIterator sources(QStringLiteral(MESSENGER_SOURCE_DIR "/server"), { u"*.cpp"_s, u"*.h"_s },
        QDir::Files, QDirIterator::Subdirectories);
    while (sources.hasNext()) {
        QFile file(sources.next());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(file.readAll()).remove(u'\\');
        for (auto match = construction.globalMatch(text); match.hasNext();) {
            const auto found = match.next();
            emitted.insert(found.captured(1).isEmpty() ? found.captured(2) : found.captured(1));
        }
    }
    // notFound(u"Chat") and the like in HttpApi make <what>_not_found codes.
    QVERIFY(emitted.size() > 15);
    // It stops the server's start-up, never answers a request.
    emitted.remove(u"migration_failed"_s);
    // `messenger-server admin invite revoke` only, never an answer.
    emitted.remove(u"invite_not_found"_s);
    for (const QString &code : std::as_const(emitted))
        QVERIFY2(documented.contains(code), qPrintable(code + u" is not in ErrorCode's enum"_s));

    for (const char *manual : { "/API_DOCUMENTATION.md", "/API_DOCUMENTATION.ru.md" }) {
        QFile file(QStringLiteral(MESSENGER_SOURCE_DIR) + QString::fromLatin1(manual));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(file.readAll());
        for (const QString &code : std::as_const(documented))
            QVERIFY2(text.contains(u"| `"_s + code + u"` |"_s),
                qPrintable(
                    code + u" is not in the code table of "_s + QString::fromLatin1(manual)));
    }
}

QTEST_GUILESS_MAIN(TestOpenApi)
#include "tst_openapi.moc"
