#include "SchemaValidator.h"
#include "TestServer.h"
#include "WsClient.h"

#include <QFile>
#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;

// Real answers of a running server, for every route, checked against the
// schemas of resources/api/openapi.json, and real WebSocket frames against
// resources/api/asyncapi.json: a client generated from the documents can parse
// what the server sends, errors included. The schemas are checked by Ajv
// (SchemaValidator), which also refuses fields a schema does not declare.
class TestContract : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void everyRouteAnswersAsDocumented();
    void webSocketFramesAreAsDocumented();
    void validatorRefusesWhatIsNotDocumented();

private:
    // Queues a reply to `method pathTemplate` (e.g. "GET",
    // "/api/v1/chats/{chat_id}") for validation; failures are collected.
    void check(const QByteArray &method, const QString &pathTemplate, const Reply &reply);
    // Queues a WebSocket frame for validation against an AsyncAPI schema.
    void checkFrame(const QString &schemaName, const QJsonObject &frame);

    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
    QJsonObject m_document;
    QStringList m_failures;
    QSet<QString> m_checked;
    SchemaValidator m_validator;
};

void TestContract::initTestCase()
{
    QFile file(SchemaValidator::openApiPath());
    QVERIFY(file.open(QIODevice::ReadOnly));
    m_document = QJsonDocument::fromJson(file.readAll()).object();
    QVERIFY(!m_document.isEmpty());
    const QString unavailable = SchemaValidator::unavailableReason();
    QVERIFY2(unavailable.isEmpty(), qPrintable(unavailable));
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    m_http = std::make_unique<HttpClient>(m_server);
}

void TestContract::checkFrame(const QString &schemaName, const QJsonObject &frame)
{
    m_validator.check(u"frame "_s + schemaName, SchemaValidator::asyncApiPath(),
        SchemaValidator::schemaRef(schemaName), frame);
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
    m_validator.check(name, SchemaValidator::openApiPath(), schema, value);
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
    const Reply asyncApi = http.get(u"/asyncapi.json"_s);
    check("GET", u"/asyncapi.json"_s, asyncApi);
    QFile asyncApiFile(SchemaValidator::asyncApiPath());
    QVERIFY(asyncApiFile.open(QIODevice::ReadOnly));
    QCOMPARE(asyncApi.json, QJsonDocument::fromJson(asyncApiFile.readAll()));
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
    // A reply (reply_to filled in), and one to no message of the chat.
    const Reply reply = http.post(u"/api/v1/chats/messages"_s,
        { { u"chat_id"_s, groupId }, { u"text"_s, u"re: hello"_s },
            { u"reply_to_id"_s, messageId } },
        bob.token);
    QVERIFY(reply.object().value(u"reply_to").isObject());
    check("POST", u"/api/v1/chats/messages"_s, reply);
    check("POST", u"/api/v1/chats/messages"_s,
        http.post(u"/api/v1/chats/messages"_s,
            { { u"chat_id"_s, groupId }, { u"text"_s, u"re: nothing"_s },
                { u"reply_to_id"_s, u"00000000-0000-4000-8000-000000000000"_s } },
            bob.token));
    check("GET", u"/api/v1/chats"_s, http.get(u"/api/v1/chats"_s, ann));
    check("GET", u"/api/v1/presence"_s,
        http.get(u"/api/v1/presence?user_ids=%1,%2"_s.arg(bob.id, carol.id), ann));
    check("GET", u"/api/v1/presence"_s, http.get(u"/api/v1/presence?user_ids=bob"_s, ann));
    check("GET", u"/api/v1/users/me/privacy"_s, http.get(u"/api/v1/users/me/privacy"_s, ann));
    check("PUT", u"/api/v1/users/me/privacy"_s,
        http.request("PUT", u"/api/v1/users/me/privacy"_s,
            body({ { u"presence_visible"_s, u"nobody"_s } }), ann, json));
    check("PUT", u"/api/v1/users/me/privacy"_s,
        http.request("PUT", u"/api/v1/users/me/privacy"_s,
            body({ { u"presence_visible"_s, u"friends"_s } }), ann, json));
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
    check("GET", u"/api/v1/chats/{chat_id}/history"_s,
        http.get(u"/api/v1/chats/%1/history?before_seq=9&after_seq=1"_s.arg(groupId), ann));
    check("GET", u"/api/v1/chats/{chat_id}/history"_s,
        http.get(u"/api/v1/chats/%1/history?around_seq=%2&limit=3"_s.arg(groupId).arg(
                     sent.object().value(u"seq").toInteger()),
            ann));
    check("GET", u"/api/v1/chats/{chat_id}/history"_s,
        http.get(u"/api/v1/chats/%1/history?around_seq=9&offset=1"_s.arg(groupId), ann));
    check("POST", u"/api/v1/chats/messages"_s,
        http.request("POST", u"/api/v1/chats/messages"_s, "{\"chat_id\":", ann));
    check("POST", u"/api/v1/chats/messages"_s,
        http.request("POST", u"/api/v1/chats/messages"_s, "hello", ann, "text/plain"));
    check("POST", u"/api/v1/chats/messages"_s,
        http.request("POST", u"/api/v1/chats/messages"_s, QByteArray(1024 * 1024 + 10, ' '), ann));
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
    const QString forward = u"/api/v1/chats/messages/forward"_s;
    check("POST", forward,
        http.post(forward,
            { { u"message_ids"_s, QJsonArray { messageId } },
                { u"chat_ids"_s, QJsonArray { groupId } } },
            ann));
    check("POST", forward,
        http.post(forward,
            { { u"message_ids"_s, QJsonArray { messageId, messageId } },
                { u"chat_ids"_s, QJsonArray { groupId } } },
            ann));
    const QString pin = u"/api/v1/chats/{chat_id}/pin"_s;
    const QString groupPin = u"/api/v1/chats/%1/pin"_s.arg(groupId);
    check("PUT", pin,
        http.request("PUT", groupPin, body({ { u"message_id"_s, messageId } }), ann, json));
    check("PUT", pin,
        http.request("PUT", groupPin,
            body({ { u"message_id"_s, u"00000000-0000-4000-8000-000000000000"_s } }), ann, json));
    check("DELETE", pin, http.request("DELETE", groupPin, {}, ann));
    // Chat settings: a change, a 6th pin's neighbour (a bad body), a reorder.
    const QString settings = u"/api/v1/chats/{chat_id}/settings"_s;
    const QString groupSettings = u"/api/v1/chats/%1/settings"_s.arg(groupId);
    check("PATCH", settings,
        http.request("PATCH", groupSettings,
            body({ { u"pinned"_s, true }, { u"muted_until"_s, qint64(253402300799) } }), ann,
            json));
    check("PATCH", settings,
        http.request("PATCH", groupSettings, body({ { u"muted_until"_s, -1 } }), ann, json));
    check("PATCH", settings,
        http.request("PATCH", groupSettings, body({ { u"archived"_s, true } }), carol.token, json));
    const QString pinned = u"/api/v1/chats/pinned"_s;
    check("PUT", pinned,
        http.request(
            "PUT", pinned, body({ { u"chat_ids"_s, QJsonArray { groupId } } }), ann, json));
    check("PUT", pinned,
        http.request("PUT", pinned, body({ { u"chat_ids"_s, QJsonArray {} } }), ann, json));
    const QString reactions = u"/api/v1/chats/messages/{message_id}/reactions/{emoji}"_s;
    const QString thumbsUp = u"/api/v1/chats/messages/%1/reactions/%F0%9F%91%8D"_s.arg(messageId);
    check("PUT", reactions, http.request("PUT", thumbsUp, {}, bob.token));
    check("PUT", reactions,
        http.request(
            "PUT", u"/api/v1/chats/messages/%1/reactions/ok"_s.arg(messageId), {}, bob.token));
    check("DELETE", reactions, http.request("DELETE", thumbsUp, {}, bob.token));
    check("POST", u"/api/v1/chats/{chat_id}/members"_s,
        http.post(u"/api/v1/chats/%1/members"_s.arg(groupId),
            { { u"user_ids"_s, QJsonArray { carol.id } } }, ann));
    const QString personalId = personal.object().value(u"id").toString();
    check("POST", u"/api/v1/chats/{chat_id}/members"_s,
        http.post(u"/api/v1/chats/%1/members"_s.arg(personalId),
            { { u"user_ids"_s, QJsonArray { carol.id } } }, ann));
    check("PATCH", u"/api/v1/chats/{chat_id}"_s,
        http.request(
            "PATCH", u"/api/v1/chats/"_s + personalId, body({ { u"name"_s, u"X"_s } }), ann, json));
    check("DELETE", u"/api/v1/chats/{chat_id}/members/{user_id}"_s,
        http.request("DELETE", u"/api/v1/chats/%1/members/%2"_s.arg(personalId, bob.id), {}, ann));
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
    // The profile: Bob shares chats with Ann, so his updates below carry her
    // user_updated event.
    check("PATCH", u"/api/v1/users/me"_s,
        http.request(
            "PATCH", u"/api/v1/users/me"_s, body({ { u"name"_s, u"Ann Lee"_s } }), ann, json));
    check("PATCH", u"/api/v1/users/me"_s,
        http.request("PATCH", u"/api/v1/users/me"_s, body({ { u"name"_s, u" "_s } }), ann, json));
    check("POST", u"/api/v1/users/me/password"_s,
        http.post(u"/api/v1/users/me/password"_s,
            { { u"current_password"_s, u"nope"_s }, { u"new_password"_s, u"password2"_s } }, ann));
    check("POST", u"/api/v1/users/me/password"_s,
        http.post(u"/api/v1/users/me/password"_s,
            { { u"current_password"_s, u"password1"_s }, { u"new_password"_s, u"password2"_s } },
            ann));
    check("POST", u"/api/v1/sessions/revoke-others"_s,
        http.post(u"/api/v1/sessions/revoke-others"_s, {}, bob.token));
    check("POST", u"/api/v1/sessions/revoke-others"_s,
        http.post(u"/api/v1/sessions/revoke-others"_s, {}));
    QTRY_VERIFY_WITH_TIMEOUT(http.get(u"/api/v1/updates?since_seq=1&limit=500"_s, bob.token)
                                 .body.contains("user_updated"),
        5000);
    check("GET", u"/api/v1/updates"_s,
        http.get(u"/api/v1/updates?since_seq=1&limit=50"_s, bob.token));
    check("GET", u"/api/v1/updates"_s, http.get(u"/api/v1/updates?since_seq=1&limit=50"_s, ann));
    check("GET", u"/api/v1/updates"_s, http.get(u"/api/v1/updates"_s, ann));
    // Message search: results, one chat, a foreign chat, a blank query.
    check("GET", u"/api/v1/search/messages"_s, http.get(u"/api/v1/search/messages?q=hel"_s, ann));
    check("GET", u"/api/v1/search/messages"_s,
        http.get(u"/api/v1/search/messages?limit=1&q=re&chat_id="_s + groupId, bob.token));
    check("GET", u"/api/v1/search/messages"_s,
        http.get(u"/api/v1/search/messages?q=hello&chat_id="_s + groupId, carol.token));
    check("GET", u"/api/v1/search/messages"_s, http.get(u"/api/v1/search/messages?q=%20"_s, ann));
    // Files: tus discovery, an upload in pieces (and its errors), a message
    // carrying it, downloads, a thumbnail, a signed link, termination.
    check("OPTIONS", u"/api/v1/uploads"_s, http.request("OPTIONS", u"/api/v1/uploads"_s));
    const Reply created = http.createUpload(ann, 12, u"notes.txt"_s);
    check("POST", u"/api/v1/uploads"_s, created);
    check("POST", u"/api/v1/uploads"_s, http.request("POST", u"/api/v1/uploads"_s, {}, ann));
    const QString uploadPath = QString::fromLatin1(created.header("location"));
    const QString fileId = created.object().value(u"id").toString();
    const QString uploadTemplate = u"/api/v1/uploads/{upload_id}"_s;
    check("OPTIONS", uploadTemplate, http.request("OPTIONS", uploadPath));
    check("PATCH", uploadTemplate,
        http.tus("PATCH", uploadPath, ann, { { "Upload-Offset", "0" } }, "Meeting "));
    check("PATCH", uploadTemplate,
        http.tus("PATCH", uploadPath, ann, { { "Upload-Offset", "0" } }, "Meeting "));
    check("HEAD", uploadTemplate, http.tus("HEAD", uploadPath, ann));
    check("GET", uploadTemplate, http.get(uploadPath, ann));
    check("PATCH", uploadTemplate,
        http.tus("PATCH", uploadPath, ann, { { "Upload-Offset", "8" } }, "at 3"));
    check("GET", uploadTemplate, http.get(uploadPath, ann));
    check("GET", uploadTemplate, http.get(uploadPath, bob.token));
    // A 4x4 PNG: an image, so it has a thumbnail.
    const QString photoId = http.upload(ann, u"photo.png"_s,
        QByteArray::fromBase64(
            "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAEElEQVR42mOw6TkBRwzEcQC"
            "BkhkBbSYQjAAAAABJRU5ErkJggg=="));
    QVERIFY(!photoId.isEmpty());
    const Reply withFiles = http.post(u"/api/v1/chats/messages"_s,
        { { u"chat_id"_s, groupId }, { u"attachment_ids"_s, QJsonArray { fileId, photoId } } },
        ann);
    COMPARE_STATUS(withFiles, 200);
    check("POST", u"/api/v1/chats/messages"_s, withFiles);
    check("POST", u"/api/v1/chats/messages"_s,
        http.post(u"/api/v1/chats/messages"_s,
            { { u"chat_id"_s, groupId }, { u"attachment_ids"_s, QJsonArray { fileId } } },
            bob.token));
    check("GET", u"/api/v1/chats/with-last-message"_s,
        http.get(u"/api/v1/chats/with-last-message"_s, bob.token));
    const QString filePath = u"/api/v1/files/"_s + fileId;
    const QString fileTemplate = u"/api/v1/files/{file_id}"_s;
    const Reply whole = http.get(filePath, bob.token);
    check("GET", fileTemplate, whole);
    http.setHeader("Range", "bytes=0-3");
    check("GET", fileTemplate, http.get(filePath, bob.token));
    http.setHeader("Range", "bytes=100-");
    check("GET", fileTemplate, http.get(filePath, bob.token));
    http.setHeader("Range", {});
    http.setHeader("If-None-Match", whole.header("etag"));
    check("GET", fileTemplate, http.get(filePath, bob.token));
    http.setHeader("If-None-Match", {});
    check("GET", fileTemplate, http.get(filePath, carol.token));
    check("GET", fileTemplate, http.get(filePath));
    check("HEAD", fileTemplate, http.request("HEAD", filePath, {}, bob.token));
    const QString thumbnailTemplate = u"/api/v1/files/{file_id}/thumbnail"_s;
    check("GET", thumbnailTemplate,
        http.get(u"/api/v1/files/%1/thumbnail"_s.arg(photoId), bob.token));
    check(
        "GET", thumbnailTemplate, http.get(u"/api/v1/files/%1/thumbnail"_s.arg(fileId), bob.token));
    check("HEAD", thumbnailTemplate,
        http.request("HEAD", u"/api/v1/files/%1/thumbnail"_s.arg(photoId), {}, bob.token));
    const Reply link = http.get(u"/api/v1/files/%1/link"_s.arg(photoId), bob.token);
    check("GET", u"/api/v1/files/{file_id}/link"_s, link);
    check("GET", u"/api/v1/files/{file_id}/link"_s,
        http.get(u"/api/v1/files/%1/link"_s.arg(photoId), carol.token));
    check("GET", fileTemplate, http.get(link.object().value(u"url").toString()));
    QString tampered = link.object().value(u"url").toString();
    tampered.replace(u"signature="_s, u"signature=A"_s);
    check("GET", fileTemplate, http.get(tampered));
    // Profile and group photos, made from the PNG upload (and refused for the text).
    const QString myAvatar = u"/api/v1/users/me/avatar"_s;
    check("PUT", myAvatar,
        http.request("PUT", myAvatar, body({ { u"upload_id"_s, photoId } }), ann, json));
    check("PUT", myAvatar,
        http.request("PUT", myAvatar, body({ { u"upload_id"_s, fileId } }), ann, json));
    check("PUT", myAvatar,
        http.request("PUT", myAvatar,
            body({ { u"upload_id"_s, u"00000000-0000-4000-8000-000000000000"_s } }), ann, json));
    check("PUT", myAvatar, http.request("PUT", myAvatar, body({}), ann, json));
    check("GET", u"/api/v1/users/me"_s, http.get(u"/api/v1/users/me"_s, ann));
    check("GET", u"/api/v1/chats/{chat_id}"_s, http.get(u"/api/v1/chats/"_s + groupId, bob.token));
    check("DELETE", myAvatar, http.request("DELETE", myAvatar, {}, ann));
    const QString chatAvatar = u"/api/v1/chats/{chat_id}/avatar"_s;
    const QString groupAvatar = u"/api/v1/chats/%1/avatar"_s.arg(groupId);
    check("PUT", chatAvatar,
        http.request("PUT", groupAvatar, body({ { u"upload_id"_s, photoId } }), ann, json));
    check("PUT", chatAvatar,
        http.request("PUT", u"/api/v1/chats/%1/avatar"_s.arg(personalId),
            body({ { u"upload_id"_s, photoId } }), ann, json));
    check("PUT", chatAvatar,
        http.request("PUT", groupAvatar, body({ { u"upload_id"_s, photoId } }), bob.token, json));
    check("GET", u"/api/v1/chats"_s, http.get(u"/api/v1/chats"_s, bob.token));
    check("DELETE", chatAvatar, http.request("DELETE", groupAvatar, {}, bob.token));
    check("DELETE", chatAvatar, http.request("DELETE", groupAvatar, {}, ann));
    check("DELETE", uploadTemplate, http.tus("DELETE", uploadPath, ann));
    const Reply unfinished = http.createUpload(ann, 5, u"draft.txt"_s);
    const QString unfinishedPath = QString::fromLatin1(unfinished.header("location"));
    check("DELETE", uploadTemplate, http.tus("DELETE", unfinishedPath, ann));
    check("HEAD", uploadTemplate, http.tus("HEAD", unfinishedPath, ann));
    check("POST", u"/api/v1/auth/logout"_s,
        http.post(u"/api/v1/auth/logout"_s,
            { { u"refresh_token"_s, refreshed.object().value(u"refresh_token").toString() } },
            ann));

    m_failures += m_validator.run();
    QVERIFY2(m_failures.isEmpty(), qPrintable(m_failures.join(u'\n')));
    // Every documented operation was exercised at least once.
    int operations = 0;
    const QJsonObject paths = m_document.value(u"paths").toObject();
    for (const QJsonValue &path : paths)
        operations += int(path.toObject().size());
    QCOMPARE(m_checked.size(), operations);
}

void TestContract::webSocketFramesAreAsDocumented()
{
    HttpClient &http = *m_http;
    const auto ann = http.newUser(u"Ann"_s);
    const auto bob = http.newUser(u"Bob"_s);
    const QString chatId = http.personalChat(ann.token, bob.id);

    WsClient annSocket(m_server.webSocketUrl(u"/ws/user"_s, ann.token));
    WsClient bobSocket(m_server.webSocketUrl(u"/ws/user"_s, bob.token));
    QVERIFY(annSocket.greeted());
    QVERIFY(bobSocket.greeted());
    checkFrame(u"Greeting"_s, annSocket.frames.first());

    const QString clientId = u"6b1f7c1e-2a4d-4b8e-9f0a-1c2d3e4f5a6b"_s;
    annSocket.sendJson({ { u"type"_s, u"send"_s }, { u"chat_id"_s, chatId },
        { u"text"_s, u"over the socket"_s }, { u"client_id"_s, clientId } });
    QTRY_VERIFY(!annSocket.ofType(u"ack"_s).isEmpty());
    checkFrame(u"Ack"_s, annSocket.ofType(u"ack"_s).first());
    QTRY_VERIFY(!bobSocket.ofType(u"message"_s).isEmpty());
    const QJsonObject message = bobSocket.ofType(u"message"_s).first();
    checkFrame(u"MessageEvent"_s, message);
    // A reply over the socket: its ack and event carry reply_to.
    annSocket.sendJson(
        { { u"type"_s, u"send"_s }, { u"chat_id"_s, chatId }, { u"text"_s, u"replying"_s },
            { u"reply_to_id"_s, message.value(u"data").toObject().value(u"id") } });
    QTRY_COMPARE(annSocket.ofType(u"ack"_s).size(), 2);
    QVERIFY(
        annSocket.ofType(u"ack"_s).last().value(u"data").toObject().value(u"reply_to").isObject());
    checkFrame(u"Ack"_s, annSocket.ofType(u"ack"_s).last());
    QTRY_COMPARE(bobSocket.ofType(u"message"_s).size(), 2);
    checkFrame(u"MessageEvent"_s, bobSocket.ofType(u"message"_s).last());

    bobSocket.sendJson({ { u"type"_s, u"typing"_s }, { u"chat_id"_s, chatId } });
    QTRY_VERIFY(!annSocket.ofType(u"typing"_s).isEmpty());
    checkFrame(u"TypingEvent"_s, annSocket.ofType(u"typing"_s).first());

    bobSocket.sendJson({ { u"type"_s, u"read"_s }, { u"chat_id"_s, chatId },
        { u"message_id"_s, message.value(u"data").toObject().value(u"id") } });
    QTRY_VERIFY(!annSocket.ofType(u"read"_s).isEmpty());
    checkFrame(u"ReadEvent"_s, annSocket.ofType(u"read"_s).first());

    QVERIFY(bobSocket.answersPing());
    checkFrame(u"Pong"_s, bobSocket.ofType(u"pong"_s).first());

    // A blank text is refused: an error about that send.
    bobSocket.sendJson({ { u"type"_s, u"send"_s }, { u"chat_id"_s, chatId }, { u"text"_s, u" "_s },
        { u"client_id"_s, u"7c2e8d2f-3b5e-4c9f-8a1b-2d3e4f5a6b7c"_s } });
    // A send to a chat that does not exist: a service error about that send.
    bobSocket.sendJson({ { u"type"_s, u"send"_s },
        { u"chat_id"_s, u"00000000-0000-4000-8000-000000000000"_s }, { u"text"_s, u"hi"_s },
        { u"client_id"_s, u"8d3f9e3a-4c6f-4da0-9b2c-3e4f5a6b7c8d"_s } });
    bobSocket.sendJson({ { u"type"_s, u"dance"_s } });
    // A reply to no message of the chat.
    bobSocket.sendJson({ { u"type"_s, u"send"_s }, { u"chat_id"_s, chatId }, { u"text"_s, u"hi"_s },
        { u"reply_to_id"_s, u"00000000-0000-4000-8000-000000000000"_s },
        { u"client_id"_s, u"9e4a0f4b-5d7a-4eb1-8c3d-4f5a6b7c8d9e"_s } });
    // A client_id that is no UUID: refused, and echoed as sent.
    bobSocket.sendJson({ { u"type"_s, u"send"_s }, { u"chat_id"_s, chatId }, { u"text"_s, u"hi"_s },
        { u"client_id"_s, u"message-1"_s } });
    QTRY_COMPARE(bobSocket.ofType(u"error"_s).size(), 5);
    QCOMPARE(bobSocket.ofType(u"error"_s).last().value(u"client_id").toString(), u"message-1"_s);
    for (const QJsonObject &error : bobSocket.ofType(u"error"_s))
        checkFrame(u"ErrorFrame"_s, error);

    // Photos: a profile's (user_updated) and a group's (chat_updated).
    const QString groupId = http.newGroup(ann, u"Team"_s, { bob.id });
    const QString photo = http.upload(ann.token, u"p.png"_s,
        QByteArray::fromBase64(
            "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAEElEQVR42mOw6TkBRwzEcQC"
            "BkhkBbSYQjAAAAABJRU5ErkJggg=="));
    const QByteArray photoBody
        = QJsonDocument(QJsonObject { { u"upload_id"_s, photo } }).toJson(QJsonDocument::Compact);
    COMPARE_STATUS(http.request("PUT", u"/api/v1/users/me/avatar"_s, photoBody, ann.token), 200);
    COMPARE_STATUS(
        http.request("PUT", u"/api/v1/chats/%1/avatar"_s.arg(groupId), photoBody, ann.token), 200);
    COMPARE_STATUS(
        http.request("DELETE", u"/api/v1/chats/%1/avatar"_s.arg(groupId), {}, ann.token), 200);
    QTRY_VERIFY(!bobSocket.ofType(u"user_updated"_s).isEmpty());
    checkFrame(u"UserUpdatedEvent"_s, bobSocket.ofType(u"user_updated"_s).first());
    QTRY_COMPARE(bobSocket.ofType(u"chat_updated"_s).size(), 2);
    for (const QJsonObject &updated : bobSocket.ofType(u"chat_updated"_s))
        checkFrame(u"ChatUpdatedEvent"_s, updated);

    // The seed's socket: greeting with chat_id, the same message frames.
    WsClient seedSocket(m_server.webSocketUrl(u"/ws/"_s + chatId, bob.token));
    QVERIFY(seedSocket.greeted());
    checkFrame(u"ChatGreeting"_s, seedSocket.frames.first());
    seedSocket.sendJson({ { u"text"_s, u"from the seed's socket"_s } });
    QTRY_VERIFY(!seedSocket.ofType(u"message"_s).isEmpty());
    checkFrame(u"MessageEvent"_s, seedSocket.ofType(u"message"_s).first());
    seedSocket.sendJson({ { u"text"_s, u""_s } });
    QTRY_VERIFY(seedSocket.frames.last().contains(u"error"));
    checkFrame(u"RefusalFrame"_s, seedSocket.frames.last());

    const QStringList failures = m_validator.run();
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join(u'\n')));
}

void TestContract::validatorRefusesWhatIsNotDocumented()
{
    // The validator is what the two tests above rely on: it must fail.
    checkFrame(u"Pong"_s, { { u"type"_s, u"pong"_s }, { u"undocumented"_s, 1 } });
    checkFrame(u"Ack"_s, { { u"type"_s, u"ack"_s }, { u"client_id"_s, u"NOT-A-UUID"_s } });
    m_validator.check(u"event"_s, SchemaValidator::openApiPath(),
        SchemaValidator::schemaRef(u"UpdateEvent"_s),
        QJsonObject { { u"seq"_s, 1 }, { u"type"_s, u"read"_s },
            { u"data"_s, QJsonObject { { u"chat_id"_s, u"x"_s } } } });
    const QString failures = m_validator.run().join(u'\n');
    QVERIFY2(failures.contains(u"frame Pong: body: undocumented field undocumented"_s),
        qPrintable(failures));
    QVERIFY2(failures.contains(u"frame Ack: body/client_id"_s), qPrintable(failures));
    QVERIFY2(failures.contains(u"frame Ack: body: must have required property 'data'"_s),
        qPrintable(failures));
    QVERIFY2(failures.contains(u"event: body/data: must have required property 'user_id'"_s),
        qPrintable(failures));
}

QTEST_GUILESS_MAIN(TestContract)
#include "tst_contract.moc"
