#include "SchemaValidator.h"

#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace {

const QString sourceDir = QStringLiteral(MESSENGER_SOURCE_DIR);

QString nodePath()
{
    return QStandardPaths::findExecutable(u"node"_s);
}

} // namespace

QString SchemaValidator::openApiPath()
{
    return sourceDir + u"/resources/api/openapi.json"_s;
}

QString SchemaValidator::asyncApiPath()
{
    return sourceDir + u"/resources/api/asyncapi.json"_s;
}

QString SchemaValidator::unavailableReason()
{
    if (nodePath().isEmpty())
        return u"node is not on PATH"_s;
    if (!QFile::exists(sourceDir + u"/tests/node_modules/ajv"_s))
        return u"tests/node_modules is missing: run npm ci --prefix tests (scripts/test.sh does)"_s;
    return {};
}

QJsonObject SchemaValidator::schemaRef(const QString &name)
{
    return { { u"$ref"_s, QString(u"#/components/schemas/"_s + name) } };
}

void SchemaValidator::check(const QString &name, const QString &documentPath,
    const QJsonObject &schema, const QJsonValue &instance)
{
    m_queued.append(QJsonObject { { u"name"_s, name }, { u"document"_s, documentPath },
        { u"schema"_s, schema }, { u"instance"_s, instance } });
}

QStringList SchemaValidator::run()
{
    const QJsonArray checks = std::exchange(m_queued, {});
    QProcess node;
    node.start(nodePath(), { sourceDir + u"/tests/tools/validate.mjs"_s });
    if (!node.waitForStarted())
        return { u"the validator did not start: "_s + node.errorString() };
    node.write(
        QJsonDocument(QJsonObject { { u"checks"_s, checks } }).toJson(QJsonDocument::Compact));
    node.closeWriteChannel();
    if (!node.waitForFinished(120000))
        return { u"the validator did not finish"_s };
    const QByteArray output = node.readAllStandardOutput();
    const QJsonObject result = QJsonDocument::fromJson(output).object();
    if (result.value(u"checked").toInt() != checks.size())
        return { u"the validator failed: "_s + QString::fromUtf8(output)
            + QString::fromUtf8(node.readAllStandardError()) };
    QStringList failures;
    for (const QJsonValue &failure : result.value(u"failures").toArray())
        failures.append(failure.toString());
    return failures;
}
