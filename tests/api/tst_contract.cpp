#include "TestServer.h"

#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;

// Real answers of a running server, for every route, checked against the
// schemas of resources/api/openapi.json: a client generated from the document
// can parse what the server sends, errors included.
class TestContract : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void everyRouteAnswersAsDocumented();

private:
    // Validates a reply to `method pathTemplate` (e.g. "GET",
    // "/api/v1/chats/{chat_id}"); failures are collected, not fatal.
    void check(const QByteArray &method, const QString &pathTemplate, const Reply &reply);
    // `partOfAllOf`: one part of an allOf, where the other parts' fields are not extra.
    QStringList validate(const QJsonValue &value, const QJsonObject &schema, const QString &where,
        bool partOfAllOf = false);
    QJsonObject resolve(const QJsonObject &schema) const;

    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
    QJsonObject m_document;
    QStringList m_failures;
    QSet<QString> m_checked;
};

void TestContract::initTestCase()
{
    QFile file(QStringLiteral(MESSENGER_SOURCE_DIR "/resources/api/openapi.json"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    m_document = QJsonDocument::fromJson(file.readAll()).object();
    QVERIFY(!m_document.isEmpty());
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    m_http = std::make_unique<HttpClient>(m_server);
}

QJsonObject TestContract::resolve(const QJsonObject &schema) const
{
    const QString ref = schema.value(u"$ref").toString();
    if (ref.isEmpty())
        return schema;
    return m_document.value(u"components")
        .toObject()
        .value(u"schemas")
        .toObject()
        .value(ref.section(u'/', -1))
        .toObject();
}

// The subset of JSON Schema the document uses: type, nullable, properties,
// required, items, enum, allOf, oneOf, $ref, formats uuid and date-time.
QStringList TestContract::validate(
    const QJsonValue &value, const QJsonObject &rawSchema, const QString &where, bool partOfAllOf)
{
    const QJsonObject schema = resolve(rawSchema);
    QStringList errors;
    if (value.isNull() && schema.value(u"nullable").toBool())
        return errors;
    if (schema.contains(u"allOf")) {
        QSet<QString> known;
        for (const QJsonValue &part : schema.value(u"allOf").toArray()) {
            errors += validate(value, part.toObject(), where, true);
            const QJsonObject properties = resolve(part.toObject()).value(u"properties").toObject();
            for (auto it = properties.begin(); it != properties.end(); ++it)
                known.insert(it.key());
        }
        if (value.isObject() && !known.isEmpty()) {
            const QJsonObject object = value.toObject();
            for (auto it = object.begin(); it != object.end(); ++it) {
                if (!known.contains(it.key()))
                    errors.append(where + u": undocumented field "_s + it.key());
            }
        }
        return errors;
    }
    if (schema.contains(u"oneOf")) {
        int matching = 0;
        for (const QJsonValue &part : schema.value(u"oneOf").toArray())
            matching += validate(value, part.toObject(), where).isEmpty() ? 1 : 0;
        if (matching != 1)
            errors.append(where + u": matches %1 of oneOf"_s.arg(matching));
        return errors;
    }
    const QString type = schema.value(u"type").toString();
    const auto wrongType = [&] { errors.append(where + u": not a "_s + type); };
    if (type == u"object") {
        if (!value.isObject()) {
            wrongType();
            return errors;
        }
        const QJsonObject object = value.toObject();
        for (const QJsonValue &required : schema.value(u"required").toArray()) {
            if (!object.contains(required.toString()))
                errors.append(where + u": missing "_s + required.toString());
        }
        const QJsonObject properties = schema.value(u"properties").toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (properties.contains(it.key()))
                errors += validate(
                    it.value(), properties.value(it.key()).toObject(), where + u'.' + it.key());
            else if (!partOfAllOf && !properties.isEmpty())
                errors.append(where + u": undocumented field "_s + it.key());
        }
    } else if (type == u"array") {
        if (!value.isArray()) {
            wrongType();
            return errors;
        }
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i)
            errors += validate(array[i], schema.value(u"items").toObject(),
                where + u'[' + QString::number(i) + u']');
    } else if (type == u"string") {
        if (!value.isString()) {
            wrongType();
            return errors;
        }
        static const QRegularExpression uuid(
            u"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"_s);
        static const QRegularExpression dateTime(
            u"^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z$"_s);
        const QString format = schema.value(u"format").toString();
        if (format == u"uuid" && !uuid.match(value.toString()).hasMatch())
            errors.append(where + u": not a uuid"_s);
        if (format == u"date-time" && !dateTime.match(value.toString()).hasMatch())
            errors.append(where + u": not a date-time"_s);
    } else if (type == u"integer") {
        if (!value.isDouble() || value.toDouble() != double(value.toInteger()))
            wrongType();
    } else if (type == u"boolean") {
        if (!value.isBool())
            wrongType();
    }
    if (schema.contains(u"enum") && !schema.value(u"enum").toArray().contains(value))
        errors.append(where + u": not one of the enum"_s);
    return errors;
}

void TestContract::check(const QByteArray &method, const QString &pathTemplate, const Reply &reply)
{
    const QString name
        = QString::fromLatin1(method) + u' ' + pathTemplate + u' ' + QString::number(reply.status);
    m_checked.insert(QString::fromLatin1(method) + u' ' + pathTemplate);
    const QJsonObject operation = m_document.value(u"paths")
                                      .toObject()
                                      .value(pathTemplate)
                                      .toObject()
                                      .value(QString::fromLatin1(method).toLower())
                                      .toObject();
    if (operation.isEmpty()) {
        m_failures.append(name + u": not in the document"_s);
        return;
    }
    const QJsonObject response
        = operation.value(u"responses").toObject().value(QString::number(reply.status)).toObject();
    if (response.isEmpty()) {
        m_failures.append(name + u": status not documented"_s);
        return;
    }
    const QJsonObject content = response.value(u"content").toObject();
    if (content.isEmpty()) {
        if (!reply.body.isEmpty())
            m_failures.append(name + u": a body where none is documented"_s);
        return;
    }
    const QJsonObject schema
        = content.value(u"application/json").toObject().value(u"schema").toObject();
    if (schema.isEmpty())
        return; // not JSON (metrics)
    QJsonParseError error;
    const QJsonDocument body = QJsonDocument::fromJson(reply.body, &error);
    if (error.error != QJsonParseError::NoError) {
        m_failures.append(name + u": body is not JSON"_s);
        return;
    }
    const QJsonValue value = body.isArray() ? QJsonValue(body.array()) : QJsonValue(body.object());
    for (const QString &problem : validate(value, schema, u"body"_s))
        m_failures.append(name + u": "_s + problem);
}

void TestContract::everyRouteAnswersAsDocumented()
{
    HttpClient &http = *m_http;
    const QByteArray json = "application/json";
    const auto body = [](const QJsonObject &object) {
        return QJsonDocument(object).toJson(QJsonDocument::Compact);
    };
    check("GET", u"/health"_s, http.get(u"/health"_s));
    check("GET", u"/openapi.json"_s, http.get(u"/openapi.json"_s));
    check("GET", u"/metrics"_s, http.get(u"/metrics"_s));
    for (const QString &page :
        { u"/docs"_s, u"/docs/swagger-ui-bundle.js"_s, u"/docs/swagger-ui.css"_s }) {
        const Reply served = http.get(page);
        QVERIFY2(served.body.size() > 300, qPrintable(page));
        check("GET", page, served);
    }

    const QString email = u"contract.%1@example.com"_s.arg(QDateTime::currentMSecsSinceEpoch());
    const Reply registered = http.post(u"/api/v1/auth/register"_s,
        { { u"email"_s, email }, { u"name"_s, u"Ann"_s }, { u"password"_s, u"password1"_s } });
    check("POST", u"/api/v1/auth/register"_s, registered);
    check("POST", u"/api/v1/auth/register"_s,
        http.post(u"/api/v1/auth/register"_s,
            { { u"email"_s, email }, { u"name"_s, u"Ann"_s }, { u"password"_s, u"password1"_s } }));
    check("POST", u"/api/v1/auth/register"_s,
        http.post(u"/api/v1/auth/register"_s, { { u"email"_s, u"bad"_s } }));
    const Reply token = http.post(
        u"/api/v1/auth/token"_s, { { u"email"_s, email }, { u"password"_s, u"password1"_s } });
    check("POST", u"/api/v1/auth/token"_s, token);
    check("POST", u"/api/v1/auth/token"_s,
        http.post(
            u"/api/v1/auth/token"_s, { { u"email"_s, email }, { u"password"_s, u"nope"_s } }));
    check("POST", u"/api/v1/auth/token"_s,
        http.request("POST", u"/api/v1/auth/token"_s, "email=a", {}, "text/plain"));
    const Reply refreshed = http.post(u"/api/v1/auth/refresh"_s,
        { { u"refresh_token"_s, token.object().value(u"refresh_token").toString() } });
    check("POST", u"/api/v1/auth/refresh"_s, refreshed);
    check("POST", u"/api/v1/auth/refresh"_s,
        http.post(u"/api/v1/auth/refresh"_s, { { u"refresh_token"_s, u"stale"_s } }));
    const QString ann = refreshed.object().value(u"access_token").toString();
    const auto bob = http.newUser(u"Bob"_s);
    const auto carol = http.newUser(u"Carol"_s);

    check("GET", u"/api/v1/users/me"_s, http.get(u"/api/v1/users/me"_s, ann));
    check("GET", u"/api/v1/users/me"_s, http.get(u"/api/v1/users/me"_s));
    check("GET", u"/api/v1/users"_s, http.get(u"/api/v1/users?query=bob"_s, ann));
    check("GET", u"/api/v1/users"_s, http.get(u"/api/v1/users?query="_s, ann));
    const Reply personal = http.post(
        u"/api/v1/chats/personal"_s, { { u"member_ids"_s, QJsonArray { bob.id } } }, ann);
    check("POST", u"/api/v1/chats/personal"_s, personal);
    const Reply group = http.post(u"/api/v1/chats/group"_s,
        { { u"name"_s, u"Team"_s }, { u"member_ids"_s, QJsonArray { bob.id } } }, ann);
    check("POST", u"/api/v1/chats/group"_s, group);
    check("POST", u"/api/v1/chats/group"_s,
        http.post(u"/api/v1/chats/group"_s, { { u"name"_s, u""_s } }, ann));
    const QString groupId = group.object().value(u"id").toString();
    const Reply sent = http.post(u"/api/v1/chats/messages"_s,
        { { u"chat_id"_s, groupId }, { u"text"_s, u"hello"_s },
            { u"client_id"_s, u"3f1c1a52-5f7e-4d36-9c39-3f8d6c1f2a10"_s } },
        ann);
    check("POST", u"/api/v1/chats/messages"_s, sent);
    check("POST", u"/api/v1/chats/messages"_s,
        http.post(u"/api/v1/chats/messages"_s,
            { { u"chat_id"_s, groupId }, { u"text"_s, u"intruder"_s } }, carol.token));
    check("POST", u"/api/v1/chats/messages"_s,
        http.post(u"/api/v1/chats/messages"_s, { { u"chat_id"_s, groupId } }, ann));
    const QString messageId = sent.object().value(u"id").toString();
    check("GET", u"/api/v1/chats"_s, http.get(u"/api/v1/chats"_s, ann));
    check("GET", u"/api/v1/chats/with-last-message"_s,
        http.get(u"/api/v1/chats/with-last-message"_s, ann));
    check("GET", u"/api/v1/chats/{chat_id}"_s, http.get(u"/api/v1/chats/"_s + groupId, ann));
    check(
        "GET", u"/api/v1/chats/{chat_id}"_s, http.get(u"/api/v1/chats/"_s + groupId, carol.token));
    check("GET", u"/api/v1/chats/{chat_id}"_s,
        http.get(u"/api/v1/chats/00000000-0000-4000-8000-000000000000"_s, ann));
    check("PATCH", u"/api/v1/chats/{chat_id}"_s,
        http.request(
            "PATCH", u"/api/v1/chats/"_s + groupId, body({ { u"name"_s, u"Crew"_s } }), ann, json));
    check("GET", u"/api/v1/chats/{chat_id}/history"_s,
        http.get(u"/api/v1/chats/%1/history?limit=10"_s.arg(groupId), ann));
    check("GET", u"/api/v1/chats/{chat_id}/history"_s,
        http.get(u"/api/v1/chats/%1/history?limit=0"_s.arg(groupId), ann));
    check("POST", u"/api/v1/chats/{chat_id}/read"_s,
        http.post(u"/api/v1/chats/%1/read"_s.arg(groupId), { { u"message_id"_s, messageId } },
            bob.token));
    check("POST", u"/api/v1/chats/messages/{message_id}/read"_s,
        http.request("POST", u"/api/v1/chats/messages/%1/read"_s.arg(messageId), {}, bob.token));
    check("PATCH", u"/api/v1/messages/{message_id}"_s,
        http.request("PATCH", u"/api/v1/messages/"_s + messageId,
            body({ { u"text"_s, u"edited"_s } }), ann, json));
    check("PATCH", u"/api/v1/messages/{message_id}"_s,
        http.request("PATCH", u"/api/v1/messages/"_s + messageId,
            body({ { u"text"_s, u"not mine"_s } }), bob.token, json));
    check("POST", u"/api/v1/chats/{chat_id}/members"_s,
        http.post(u"/api/v1/chats/%1/members"_s.arg(groupId),
            { { u"user_ids"_s, QJsonArray { carol.id } } }, ann));
    check("DELETE", u"/api/v1/chats/{chat_id}/members/{user_id}"_s,
        http.request("DELETE", u"/api/v1/chats/%1/members/%2"_s.arg(groupId, carol.id), {}, ann));
    check("DELETE", u"/api/v1/messages/{message_id}"_s,
        http.request("DELETE", u"/api/v1/messages/"_s + messageId, {}, ann));
    check("GET", u"/api/v1/users"_s, http.get(u"/api/v1/users?query=bo"_s, ann));
    check("GET", u"/api/v1/sessions"_s, http.get(u"/api/v1/sessions"_s, ann));
    check("GET", u"/api/v1/sessions"_s, http.get(u"/api/v1/sessions"_s));
    const Reply bobAgain = http.post(u"/api/v1/auth/token"_s,
        { { u"email"_s, bob.email }, { u"password"_s, bob.password },
            { u"device_name"_s, u"Bob's phone"_s } });
    check("POST", u"/api/v1/auth/token"_s, bobAgain);
    const QString bobPhone = QJsonDocument::fromJson(
        QByteArray::fromBase64(
            bobAgain.object().value(u"access_token").toString().section(u'.', 1, 1).toLatin1(),
            QByteArray::Base64UrlEncoding))
                                 .object()
                                 .value(u"sid")
                                 .toString();
    check("DELETE", u"/api/v1/sessions/{session_id}"_s,
        http.request("DELETE", u"/api/v1/sessions/"_s + bobPhone, {}, bob.token));
    check("DELETE", u"/api/v1/sessions/{session_id}"_s,
        http.request("DELETE", u"/api/v1/sessions/"_s + bobPhone, {}, bob.token));
    check("GET", u"/api/v1/updates"_s,
        http.get(u"/api/v1/updates?since_seq=1&limit=50"_s, bob.token));
    check("GET", u"/api/v1/updates"_s, http.get(u"/api/v1/updates?since_seq=1&limit=50"_s, ann));
    check("GET", u"/api/v1/updates"_s, http.get(u"/api/v1/updates"_s, ann));
    check("POST", u"/api/v1/auth/logout"_s,
        http.post(u"/api/v1/auth/logout"_s,
            { { u"refresh_token"_s, refreshed.object().value(u"refresh_token").toString() } },
            ann));

    QVERIFY2(m_failures.isEmpty(), qPrintable(m_failures.join(u'\n')));
    // Every documented operation was exercised at least once.
    int operations = 0;
    const QJsonObject paths = m_document.value(u"paths").toObject();
    for (const QJsonValue &path : paths)
        operations += int(path.toObject().size());
    QCOMPARE(m_checked.size(), operations);
}

QTEST_GUILESS_MAIN(TestContract)
#include "tst_contract.moc"
