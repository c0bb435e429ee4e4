#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

// Validates JSON instances against schemas of the API documents
// (resources/api/openapi.json, asyncapi.json) with Ajv, through
// tests/tools/validate.mjs (installed by `npm ci --prefix tests`). Stricter
// than the documents alone: an object may hold only the fields its schema
// declares. Checks are queued and run in one node process.
class SchemaValidator
{
public:
    static QString openApiPath();
    static QString asyncApiPath();
    // Why validation cannot run here (no node, no tests/node_modules), or empty.
    static QString unavailableReason();
    // {"$ref": "#/components/schemas/<name>"}
    static QJsonObject schemaRef(const QString &name);

    // Queues `instance` for validation against `schema`, a schema object of
    // the document at `documentPath` (its $refs resolve in that document).
    void check(const QString &name, const QString &documentPath, const QJsonObject &schema,
        const QJsonValue &instance);
    // Runs the queued checks: the failures, "name: body/where: what".
    QStringList run();

private:
    QJsonArray m_queued;
};
