#include "ProtocolSamples.h"
#include "shared/AuthDtos.h"
#include "shared/Chat.h"
#include "shared/ErrorBody.h"
#include "shared/Events.h"
#include "shared/Limits.h"
#include "shared/Presence.h"
#include "shared/Requests.h"
#include "shared/Validation.h"
#include "shared/WsFrames.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Messenger;

namespace {

QJsonObject parseObject(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

// toJson → fromJson gives the same value.
template <typename Dto> void checkRoundTrip(const Dto &value)
{
    const Parsed<Dto> parsed = Dto::fromJson(value.toJson());
    QVERIFY2(parsed, qPrintable(QString::fromUtf8(compactJson(value.toJson()))));
    QVERIFY2(parsed.value() == value, qPrintable(QString::fromUtf8(compactJson(value.toJson()))));
}

// The same through the envelope: the event, then its data as `Payload`.
template <typename Payload> void checkEventRoundTrip(const Event &event)
{
    const Parsed<Event> parsed = Event::fromJson(event.toJson());
    QVERIFY(parsed);
    QCOMPARE(parsed.value(), event);
    const Parsed<Payload> payload = parsed->payload<Payload>();
    QVERIFY2(payload, qPrintable(event.type));
    QCOMPARE(payload->toJson(), event.data);
}

User alice()
{
    return { u"8e48adf2-db6c-4164-9c1a-d640ef9d0972"_s, u"alice@example.com"_s, u"Алиса 👋"_s };
}

Message sampleMessage()
{
    Message message;
    message.id = u"96dbe9c8-b7eb-4533-a097-a29224763a83"_s;
    message.chatId = u"966c7a93-c284-404e-b621-1a6f42eb8a0f"_s;
    message.senderId = alice().id;
    message.sender = alice();
    message.text = u"Привет, мир! 🌍 مرحبا"_s;
    message.timestamp = 1795485101922790;
    message.isRead = true;
    message.seq = 42;
    message.chatSeq = 7;
    message.clientId = u"0b6b2f0e-6a43-4f7e-8d7e-2c1f3f0c9a11"_s;
    message.editedAt = 1795485102000001;
    return message;
}

} // namespace

class TestDto : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void timestampFormat_data();
    void timestampFormat();
    void timestampMatchesQDateTime();
    void jsonWriterEscapesText_data();
    void jsonWriterEscapesText();
    void chatSummaryWrittenAsDocumented();
    void messageWrittenAsDocumented();
    void presenceFrameOfWrittenEntries();
    void timestampParseRejects_data();
    void timestampParseRejects();
    void userRoundTrip();
    void messageRoundTrip();
    void chatSummaryRoundTrip();
    void groupChangeEvents();
    void tokenResponseRoundTrip();
    void historyPageRoundTrip();
    void registerValidation_data();
    void registerValidation();
    void sendMessageValidation_data();
    void sendMessageValidation();
    void chatRequests_data();
    void chatRequests();
    void emailSyntax_data();
    void emailSyntax();
    void errorBodyShapes();
    void parseJsonKeepsZeroWidthNoBreakSpace();
    void fuzzRegressions_data();
    void fuzzRegressions();
    void protocolRoundTrip();
    void protocolRejects_data();
    void protocolRejects();
};

void TestDto::timestampFormat_data()
{
    QTest::addColumn<qint64>("micros");
    QTest::addColumn<QString>("text");
    QTest::addRow("epoch") << qint64(0) << u"1970-01-01T00:00:00.000000Z"_s;
    QTest::addRow("micros") << qint64(1795485101922790) << u"2026-11-24T01:51:41.922790Z"_s;
    QTest::addRow("leading zeros") << qint64(1795485101000007) << u"2026-11-24T01:51:41.000007Z"_s;
    QTest::addRow("leap day") << qint64(1709251199999999) << u"2024-02-29T23:59:59.999999Z"_s;
    QTest::addRow("century, no leap day")
        << qint64(4107542400000000) << u"2100-03-01T00:00:00.000000Z"_s;
    QTest::addRow("last of year 9999")
        << qint64(253402300799999999) << u"9999-12-31T23:59:59.999999Z"_s;
}

// writeTimestamp's arithmetic spells every instant as QDateTime does.
void TestDto::timestampMatchesQDateTime()
{
    const auto byQDateTime = [](qint64 micros) -> QString {
        return QDateTime::fromMSecsSinceEpoch(micros / 1000, Qt::UTC)
                   .toString(u"yyyy-MM-ddTHH:mm:ss.zzz")
            + QString::number(micros % 1000).rightJustified(3, u'0') + u'Z';
    };
    QRandomGenerator random(20261201);
    for (int i = 0; i < 20000; ++i) {
        const qint64 micros = qint64(random.bounded(quint64(253402300800000000)));
        QCOMPARE(formatTimestamp(micros), byQDateTime(micros));
    }
}

void TestDto::jsonWriterEscapesText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("read");
    QString controls;
    for (char16_t code = 0; code < 0x20; ++code)
        controls.append(QChar(code));
    QTest::addRow("control characters") << controls << controls;
    QTest::addRow("quotes and backslashes") << u"\"a\\b\\\"/"_s << u"\"a\\b\\\"/"_s;
    QTest::addRow("two- and three-byte UTF-8")
        << u"Привет, ünïcödé 中文 \u2028"_s << u"Привет, ünïcödé 中文 \u2028"_s;
    QTest::addRow("surrogate pair") << u"👋🏽 𝄞"_s << u"👋🏽 𝄞"_s;
    QTest::addRow("zero-width no-break spaces") << u"\ufeffhello\ufeff"_s << u"\ufeffhello\ufeff"_s;
    QTest::addRow("unpaired surrogates")
        << (u"a"_s + QChar(0xd83d) + u"b"_s + QChar(0xdc4b) + QChar(0xd83d))
        << (u"a"_s + QChar(QChar::ReplacementCharacter) + u"b"_s
               + QChar(QChar::ReplacementCharacter) + QChar(QChar::ReplacementCharacter));
}

void TestDto::jsonWriterEscapesText()
{
    QFETCH(QString, text);
    QFETCH(QString, read);
    JsonWriter writer;
    writer.beginArray().value(text).value(qint64(-9007199254740993)).value(false).null().endArray();
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(writer.bytes(), &error);
    QVERIFY2(error.error == QJsonParseError::NoError, writer.bytes().constData());
    QCOMPARE(document.array().at(0).toString(), read);
    QVERIFY(writer.bytes().endsWith(",-9007199254740993,false,null]"));
    // Nothing below U+0020 travels raw (RFC 8259, section 7).
    for (char byte : writer.bytes())
        QVERIFY(uchar(byte) >= 0x20);
}

// The chat list's rows, written by JsonWriter, are exactly what
// API_DOCUMENTATION.md shows: every key, in this shape.
void TestDto::chatSummaryWrittenAsDocumented()
{
    ChatSummary summary;
    summary.chat = ProtocolSamples::group();
    summary.chat.settings = ChatSettings { 1795485200, 2, false, true };
    summary.lastMessage = LastMessage::fromMessage(ProtocolSamples::message());
    summary.unreadCount = 3;
    summary.lastReadSeq = 40;
    summary.unreadMentions = 1;
    const QJsonObject expected = parseObject(R"({
        "id": "966c7a93-c284-404e-b621-1a6f42eb8a0f", "name": "Команда", "type": "group",
        "members": [
            {"id": "8e48adf2-db6c-4164-9c1a-d640ef9d0972", "email": "alice@example.com",
             "name": "Алиса 👋", "avatar_url": "/api/v1/files/7d0e5c4b-3a29-4f18-8e07-d6c5b4a39281"},
            {"id": "5e2edab1-be4f-4d9e-8609-e5226df118ef", "email": "bob@example.com",
             "name": "Bob", "avatar_url": null}],
        "created_by": "8e48adf2-db6c-4164-9c1a-d640ef9d0972",
        "created_at": "2026-11-24T01:51:41.000000Z",
        "pinned_message": {"id": "3f1c2b7a-5d4e-4f60-8a9b-0c1d2e3f4a5b", "seq": 41,
            "sender_id": "5e2edab1-be4f-4d9e-8609-e5226df118ef", "sender_name": "Bob",
            "text": "Как дела? 🙂"},
        "avatar_url": "/api/v1/files/1b2c3d4e-5f60-4718-893a-4b5c6d7e8f90",
        "settings": {"muted_until": 1795485200, "pinned_position": 2, "archived": false,
            "marked_unread": true},
        "unread_count": 3, "last_read_seq": 40, "unread_mentions": 1})"_ba);
    QJsonObject written = summary.toJson();
    const QJsonObject lastMessage = written.take(u"last_message").toObject();
    QCOMPARE(written, expected);
    QCOMPARE(LastMessage::fromJson(lastMessage).value(), *summary.lastMessage);
    const QJsonObject attachment = lastMessage.value(u"attachments").toArray().at(0).toObject();
    QCOMPARE(attachment.keys(),
        QStringList({ u"height"_s, u"id"_s, u"mime_type"_s, u"name"_s, u"size"_s,
            u"thumbnail_url"_s, u"url"_s, u"width"_s }));
}

void TestDto::timestampFormat()
{
    QFETCH(qint64, micros);
    QFETCH(QString, text);
    QCOMPARE(formatTimestamp(micros), text);
    QCOMPARE(parseTimestamp(text), std::optional<qint64>(micros));
}

// A message as history pages and events carry it, written by JsonWriter.
void TestDto::messageWrittenAsDocumented()
{
    const Message full = ProtocolSamples::message();
    QJsonObject written = full.toJson();
    QCOMPARE(written.keys(),
        QStringList({ u"attachments"_s, u"chat_id"_s, u"chat_seq"_s, u"client_id"_s, u"deleted"_s,
            u"edited_at"_s, u"forwarded_from"_s, u"id"_s, u"is_read"_s, u"mentions"_s,
            u"reactions"_s, u"reply_to"_s, u"sender"_s, u"sender_id"_s, u"seq"_s, u"text"_s,
            u"timestamp"_s }));
    QCOMPARE(written.value(u"edited_at"), QJsonValue(u"2026-11-24T01:51:42.000001Z"_s));
    QCOMPARE(written.value(u"reactions"),
        parseObject(R"({"r": [{"emoji": "👍", "count": 2, "me": true},
                               {"emoji": "🇺🇦", "count": 1, "me": false}]})"_ba)
            .value(u"r"));
    QCOMPARE(written.value(u"forwarded_from"),
        QJsonValue(parseObject(R"({"sender_id": "5e2edab1-be4f-4d9e-8609-e5226df118ef",
                                   "sender_name": "Bob"})"_ba)));
    // Without the optional parts: nulls, empty lists, no client_id.
    written = ProtocolSamples::message(false).toJson();
    QVERIFY(!written.contains(u"client_id"));
    QVERIFY(written.value(u"edited_at").isNull());
    QVERIFY(written.value(u"reply_to").isNull());
    QVERIFY(written.value(u"forwarded_from").isNull());
    QCOMPARE(written.value(u"reactions"), QJsonValue(QJsonArray()));
    QCOMPARE(written.value(u"attachments"), QJsonValue(QJsonArray()));
    // An event's reactions leave out `me`.
    QCOMPARE(full.reactions.first().toJson(false).keys(), QStringList({ u"count"_s, u"emoji"_s }));
}

void TestDto::presenceFrameOfWrittenEntries()
{
    const QList<PresenceEntry> entries {
        { u"5e2edab1-be4f-4d9e-8609-e5226df118ef"_s, true, std::nullopt },
        { u"b85b2de2-e2fa-4e5f-ace3-08f9fcca9574"_s, false, 1764567890 },
        { u"de6a63f3-8ac4-4cdb-bca3-c18e63f00263"_s, false, std::nullopt },
    };
    QCOMPARE(entries.at(1).toJson(),
        parseObject(R"({"user_id": "b85b2de2-e2fa-4e5f-ace3-08f9fcca9574", "online": false,
                        "last_seen_at": 1764567890})"_ba));
    QList<QByteArray> written;
    for (const PresenceEntry &entry : entries) {
        JsonWriter writer;
        writer.write(entry);
        written.append(writer.take());
    }
    // The frame of a chosen few, in the order chosen, is the event the
    // DTOs make, byte for byte.
    const QList<QList<qsizetype>> selections { { 0, 1, 2 }, { 2, 0 }, { 1 }, {} };
    for (const QList<qsizetype> &which : selections) {
        PresenceList list;
        for (const qsizetype index : which)
            list.users.append(entries.at(index));
        const QByteArray frame = presenceFrame(written, which);
        QCOMPARE(frame, compactJson(Event::of(std::nullopt, WsEvents::presence, list).toJson()));
        QVERIFY(isPresenceFrame(QString::fromUtf8(frame)));
        const auto event = Event::fromJson(parseObject(frame));
        QVERIFY(event);
        QCOMPARE(event->payload<PresenceList>().value(), list);
    }
    QVERIFY(!isPresenceFrame(QString::fromUtf8(
        compactJson(Event::of(42, WsEvents::message, ProtocolSamples::message()).toJson()))));
}

void TestDto::timestampParseRejects_data()
{
    QTest::addColumn<QString>("text");
    QTest::addRow("empty") << QString();
    QTest::addRow("no zone") << u"2026-11-24T01:51:41.922790"_s;
    QTest::addRow("other zone") << u"2026-11-24T01:51:41+03:00"_s;
    QTest::addRow("garbage") << u"yesterday"_s;
    QTest::addRow("bad fraction") << u"2026-11-24T01:51:41.12a4Z"_s;
    QTest::addRow("month 13") << u"2026-13-24T01:51:41Z"_s;
}

void TestDto::timestampParseRejects()
{
    QFETCH(QString, text);
    QVERIFY(!parseTimestamp(text));
}

void TestDto::userRoundTrip()
{
    const auto parsed = User::fromJson(alice().toJson());
    QVERIFY(parsed);
    QCOMPARE(parsed.value(), alice());
    const auto missing = User::fromJson(parseObject(R"({"id": "not-a-uuid", "name": 5})"));
    QVERIFY(!missing);
    QCOMPARE(missing.errors().size(), 3);
    QCOMPARE(missing.errors().at(0).loc, QStringList { u"id"_s });
    QCOMPARE(missing.errors().at(1).type, u"missing"_s);
    QCOMPARE(missing.errors().at(2).type, u"string_type"_s);
}

void TestDto::messageRoundTrip()
{
    const Message message = sampleMessage();
    const QJsonObject json = message.toJson();
    QCOMPARE(json.value(u"timestamp").toString(), u"2026-11-24T01:51:41.922790Z"_s);
    QCOMPARE(json.value(u"sender").toObject().value(u"name").toString(), alice().name);
    const auto parsed = Message::fromJson(json);
    QVERIFY(parsed);
    QCOMPARE(parsed.value(), message);

    QJsonObject broken = json;
    broken.insert(u"sender"_s, QJsonObject { { u"id"_s, u"x"_s } });
    const auto bad = Message::fromJson(broken);
    QVERIFY(!bad);
    QCOMPARE(bad.errors().first().loc, (QStringList { u"sender"_s, u"id"_s }));
}

// The members_added and chat_renamed events: only what changed, read back whole.
void TestDto::groupChangeEvents()
{
    const MembersAdded added { sampleMessage().chatId, { alice() } };
    const QJsonObject addedJson = added.toJson();
    QCOMPARE(addedJson.keys(), (QStringList { u"chat_id"_s, u"members"_s }));
    const auto addedBack = MembersAdded::fromJson(addedJson);
    QVERIFY(addedBack);
    QCOMPARE(addedBack.value(), added);
    const ChatRenamed renamed { sampleMessage().chatId, u"\ufeffКоманда"_s };
    const auto renamedBack = ChatRenamed::fromJson(renamed.toJson());
    QVERIFY(renamedBack);
    QCOMPARE(renamedBack.value(), renamed);
    // A member without an id is reported where it is.
    QJsonObject broken = addedJson;
    broken.insert(u"members"_s, QJsonArray { QJsonObject { { u"name"_s, u"x"_s } } });
    const auto refused = MembersAdded::fromJson(broken);
    QVERIFY(!refused);
    QCOMPARE(refused.errors().first().loc.mid(0, 2), (QStringList { u"members"_s, u"0"_s }));
}

void TestDto::chatSummaryRoundTrip()
{
    ChatSummary summary;
    summary.chat.id = sampleMessage().chatId;
    summary.chat.type = ChatType::Group;
    summary.chat.name = u"Команда"_s;
    summary.chat.members = { alice() };
    summary.chat.createdBy = alice().id;
    summary.chat.createdAt = 1795485101000000;
    summary.lastMessage = LastMessage::fromMessage(sampleMessage());
    summary.unreadCount = 3;
    summary.lastReadSeq = 40;
    const QJsonObject json = summary.toJson();
    QCOMPARE(json.value(u"type").toString(), u"group"_s);
    QCOMPARE(json.value(u"last_message").toObject().value(u"sender_name").toString(), alice().name);
    const auto parsed = ChatSummary::fromJson(json);
    QVERIFY(parsed);
    QCOMPARE(parsed.value(), summary);

    ChatSummary empty = summary;
    empty.lastMessage.reset();
    empty.chat.type = ChatType::Personal;
    empty.chat.name.reset();
    empty.chat.createdBy.reset();
    QVERIFY(empty.toJson().value(u"last_message").isNull());
    QVERIFY(empty.toJson().value(u"name").isNull());
    QCOMPARE(ChatSummary::fromJson(empty.toJson()).value(), empty);
}

void TestDto::tokenResponseRoundTrip()
{
    TokenResponse response { u"a.b.c"_s, u"bearer"_s, alice().id, alice().name, u"refresh"_s,
        1800 };
    const auto parsed = TokenResponse::fromJson(response.toJson());
    QVERIFY(parsed);
    QCOMPARE(parsed->accessToken, response.accessToken);
    QCOMPARE(parsed->expiresIn, 1800);
    QCOMPARE(response.toJson().value(u"token_type").toString(), u"bearer"_s);
}

void TestDto::historyPageRoundTrip()
{
    HistoryPage page { { sampleMessage(), sampleMessage() }, 120, true };
    const auto parsed = HistoryPage::fromJson(page.toJson());
    QVERIFY(parsed);
    QCOMPARE(parsed->messages.size(), 2);
    QCOMPARE(parsed->total, 120);
    QVERIFY(parsed->hasMore);
}

void TestDto::registerValidation_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("failingField"); // empty: valid
    QTest::addColumn<QString>("errorType");
    const QByteArray longName = QByteArray(Limits::userNameMax + 1, 'n');
    const QByteArray longPassword = QByteArray(Limits::passwordMax + 1, 'p');
    QTest::addRow("valid") << R"({"email":"a@b.io","name":"A","password":"12345678"})"_ba
                           << QString() << QString();
    QTest::addRow("valid cyrillic")
        << R"({"email":"a@b.io","name":"Иван","password":"пароль-длинный"})"_ba << QString()
        << QString();
    QTest::addRow("missing email")
        << R"({"name":"A","password":"12345678"})"_ba << u"email"_s << u"missing"_s;
    QTest::addRow("bad email") << R"({"email":"a@b","name":"A","password":"12345678"})"_ba
                               << u"email"_s << u"value_error"_s;
    QTest::addRow("email number") << R"({"email":5,"name":"A","password":"12345678"})"_ba
                                  << u"email"_s << u"string_type"_s;
    QTest::addRow("blank name") << R"({"email":"a@b.io","name":"   ","password":"12345678"})"_ba
                                << u"name"_s << u"string_too_short"_s;
    QTest::addRow("long name") << (R"({"email":"a@b.io","password":"12345678","name":")" + longName
        + R"("})") << u"name"_s << u"string_too_long"_s;
    QTest::addRow("short password") << R"({"email":"a@b.io","name":"A","password":"1234567"})"_ba
                                    << u"password"_s << u"string_too_short"_s;
    QTest::addRow("long password")
        << (R"({"email":"a@b.io","name":"A","password":")" + longPassword + R"("})")
        << u"password"_s << u"string_too_long"_s;
}

void TestDto::registerValidation()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, failingField);
    QFETCH(QString, errorType);
    const auto parsed = RegisterRequest::fromJson(parseObject(json));
    if (failingField.isEmpty()) {
        QVERIFY(parsed);
        return;
    }
    QVERIFY(!parsed);
    QCOMPARE(parsed.errors().first().loc, (QStringList { u"body"_s, failingField }));
    QCOMPARE(parsed.errors().first().type, errorType);
}

void TestDto::sendMessageValidation_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("stored");
    QTest::addRow("plain") << u"hi"_s << true << u"hi"_s;
    QTest::addRow("trimmed") << u"  hi \n"_s << true << u"hi"_s;
    QTest::addRow("whitespace only") << u" \n\t "_s << false << QString();
    QTest::addRow("empty") << QString() << false << QString();
    QTest::addRow("max") << QString(Limits::messageTextMax, u'x') << true
                         << QString(Limits::messageTextMax, u'x');
    QTest::addRow("max after trim") << (u"  "_s + QString(Limits::messageTextMax, u'x') + u"  "_s)
                                    << true << QString(Limits::messageTextMax, u'x');
    QTest::addRow("too long") << QString(Limits::messageTextMax + 1, u'x') << false << QString();
}

void TestDto::sendMessageValidation()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(QString, stored);
    const QJsonObject json { { u"chat_id"_s, sampleMessage().chatId }, { u"text"_s, text } };
    const auto parsed = SendMessageRequest::fromJson(json);
    QCOMPARE(parsed.ok(), valid);
    if (valid)
        QCOMPARE(parsed->text, stored);
    else
        QCOMPARE(parsed.errors().first().loc, (QStringList { u"body"_s, u"text"_s }));
}

void TestDto::chatRequests_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("group");
    QTest::addColumn<bool>("valid");
    const QByteArray id = "\"966c7a93-c284-404e-b621-1a6f42eb8a0f\"";
    QTest::addRow("personal") << (R"({"type":"personal","member_ids":[)" + id + "]}") << false
                              << true;
    QTest::addRow("personal no type") << (R"({"member_ids":[)" + id + "]}") << false << true;
    QTest::addRow("personal wrong type")
        << (R"({"type":"group","member_ids":[)" + id + "]}") << false << false;
    QTest::addRow("personal two ids")
        << (R"({"member_ids":[)" + id + "," + id.toUpper() + "]}") << false << false;
    QTest::addRow("personal none") << R"({"member_ids":[]})"_ba << false << false;
    QTest::addRow("personal bad uuid") << R"({"member_ids":["nope"]})"_ba << false << false;
    QTest::addRow("group") << (R"({"name":"G","type":"group","member_ids":[)" + id + "]}") << true
                           << true;
    QTest::addRow("group no members") << R"({"name":"G","type":"group"})"_ba << true << true;
    QTest::addRow("group blank name") << R"({"name":" ","member_ids":[]})"_ba << true << false;
    QTest::addRow("group long name")
        << (R"({"name":")" + QByteArray(Limits::groupNameMax + 1, 'g') + R"("})") << true << false;
    QTest::addRow("group ids not list") << R"({"name":"G","member_ids":"x"})"_ba << true << false;
}

void TestDto::chatRequests()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, group);
    QFETCH(bool, valid);
    const QJsonObject object = parseObject(json);
    QCOMPARE(group ? CreateGroupChatRequest::fromJson(object).ok()
                   : CreatePersonalChatRequest::fromJson(object).ok(),
        valid);
}

void TestDto::emailSyntax_data()
{
    QTest::addColumn<QString>("email");
    QTest::addColumn<bool>("valid");
    QTest::addRow("simple") << u"a@b.io"_s << true;
    QTest::addRow("plus and dots") << u"first.last+tag@mail.example.com"_s << true;
    QTest::addRow("idn") << u"иван@пример.рф"_s << true;
    QTest::addRow("no at") << u"ab.io"_s << false;
    QTest::addRow("two ats") << u"a@b@c.io"_s << false;
    QTest::addRow("no tld") << u"a@localhost"_s << false;
    QTest::addRow("space") << u"a b@c.io"_s << false;
    QTest::addRow("double dot") << u"a..b@c.io"_s << false;
    QTest::addRow("long local") << (QString(65, u'a') + u"@b.io"_s) << false;
    QTest::addRow("too long") << (u"a@"_s + QString(250, u'b') + u".io"_s) << false;
}

void TestDto::emailSyntax()
{
    QFETCH(QString, email);
    QFETCH(bool, valid);
    QCOMPARE(Validation::isValidEmail(email), valid);
}

// Qt's parser drops a U+FEFF at the start of each raw UTF-8 run in a string;
// parseJson keeps every one (item 9 of issue 13).
void TestDto::parseJsonKeepsZeroWidthNoBreakSpace()
{
    const auto text
        = [](const QByteArray &json) { return parseJson(json).object().value(u"t").toString(); };
    const QByteArray bom("\xEF\xBB\xBF");
    QCOMPARE(QJsonDocument::fromJson("{\"t\":\"" + bom + "hi\"}").object().value(u"t").toString(),
        u"hi"_s); // what Qt 6.4 does, and why parseJson exists
    QCOMPARE(text("{\"t\":\"" + bom + "hi\"}"), u"\ufeffhi"_s);
    QCOMPARE(text("{\"t\":\"a\\n" + bom + bom + "b" + bom + "\"}"), u"a\n\ufeff\ufeffb\ufeff"_s);
    QCOMPARE(text(bom + "{\"t\":\"x\"}"), u"x"_s); // a document's byte order mark is skipped
    QCOMPARE(text("{\"t\":\"\\\\" + bom + "\"}"), u"\\\ufeff"_s); // after an escaped backslash
    QJsonParseError error {};
    parseJson("{\"t\":\"\\" + bom + "\"}", &error); // "\<U+FEFF>" is no escape
    QVERIFY(error.error != QJsonParseError::NoError);
    parseJson("{" + bom + "\"t\":1}", &error); // nor is one between tokens JSON
    QVERIFY(error.error != QJsonParseError::NoError);
    // A body of nothing else is read in one pass.
    const QByteArray many = "{\"t\":\"" + bom.repeated(300000) + "\"}";
    QCOMPARE(text(many), QString(300000, QChar(0xfeff)));
}

void TestDto::errorBodyShapes()
{
    const ErrorBody plain { u"Chat not found"_s, u"chat_not_found"_s, {} };
    QCOMPARE(plain.toJson(),
        (QJsonObject { { u"detail"_s, u"Chat not found"_s }, { u"code"_s, u"chat_not_found"_s } }));
    const ErrorBody validation { {}, {},
        { { { u"body"_s, u"email"_s }, u"Field required"_s, u"missing"_s } } };
    const QJsonObject json = validation.toJson();
    QVERIFY(json.value(u"detail").isArray());
    QCOMPARE(json.value(u"detail").toArray().first().toObject().value(u"loc").toArray(),
        (QJsonArray { u"body"_s, u"email"_s }));
    const ErrorBody back = ErrorBody::fromJson(json);
    QCOMPARE(back.fieldErrors, validation.fieldErrors);
    QCOMPARE(back.detail, u"Field required"_s);
}

void TestDto::fuzzRegressions_data()
{
    QTest::addColumn<QByteArray>("input");
    // fuzz/fuzz_requests found this: a seq of 6.8e68 was converted to
    // qint64 before it was checked (undefined behaviour).
    QTest::addRow("seq beyond 64 bits")
        << QByteArray(R"({"id":"5b0c5c5e-8f9b-4d3a-9c55-0f7f8e8b1a2c","text":"hi","seq":)"
                      "677777777777777777777777777777777777777777777777777777777777777777777}");
    QTest::addRow("negative beyond 64 bits") << QByteArray(R"({"seq":-1e300,"chat_seq":1e19})");
    QTest::addRow("2^63 exactly") << QByteArray(R"({"seq":9223372036854775808})");
}

// Inputs the fuzzers found, kept: every parser refuses them cleanly.
void TestDto::fuzzRegressions()
{
    QFETCH(QByteArray, input);
    const QJsonObject json = QJsonDocument::fromJson(input).object();
    QVERIFY(!json.isEmpty());
    const auto message = Message::fromJson(json);
    QVERIFY(!message);
    QVERIFY(!HistoryPage::fromJson(json));
    QVERIFY(!ReadState::fromJson(json));
    QVERIFY(!exactInteger(json.value(u"seq")));
    QCOMPARE(exactInteger(QJsonValue(9007199254740992.0)), std::optional<qint64>(9007199254740992));
    QCOMPARE(exactInteger(QJsonValue(-42)), std::optional<qint64>(-42));
}

// Every DTO of the WebSocket protocol and /updates, with and without its
// optional fields.
void TestDto::protocolRoundTrip()
{
    namespace S = ProtocolSamples;
    for (const bool full : { true, false }) {
        checkRoundTrip(S::send(full));
        checkRoundTrip(S::typing(full));
        checkRoundTrip(S::read(full));
        checkRoundTrip(S::greeting(/*chatSocket=*/full));
        checkRoundTrip(S::ack(full));
        checkRoundTrip(S::error(full));
    }
    checkRoundTrip(PingCommand {});
    checkRoundTrip(S::auth());
    checkRoundTrip(Pong {});
    checkRoundTrip(S::authenticated());
    checkRoundTrip(S::refusal());
    checkRoundTrip(S::updatesPage());

    // Any command read as a ClientCommand is that command; on /ws/{chat_id}
    // a frame is a send to the socket's chat.
    for (const ClientCommand &command : { ClientCommand { S::send() },
             ClientCommand { S::typing() }, ClientCommand { S::read(false) },
             ClientCommand { PingCommand {} }, ClientCommand { S::auth() } }) {
        const auto parsed = ClientCommand::fromJson(command.toJson());
        QVERIFY2(parsed, qPrintable(QString::fromUtf8(compactJson(command.toJson()))));
        QVERIFY(parsed.value() == command);
    }
    const auto seedSend = ClientCommand::fromJson(
        { { u"text"_s, u"hello"_s }, { u"client_id"_s, S::clientId },
            { u"reply_to_id"_s, S::repliedToId }, { u"mentions"_s, QJsonArray { S::alice().id } },
            { u"attachment_ids"_s, QJsonArray { S::attachment().id } } },
        S::chatId);
    QVERIFY(seedSend);
    QVERIFY(seedSend.value() == ClientCommand { S::send() });
    const auto seedAuth = ClientCommand::fromJson(S::auth().toJson(), S::chatId);
    QVERIFY(seedAuth);
    QVERIFY(seedAuth.value() == ClientCommand { S::auth() });

    const QList<Event> events = S::storedEvents();
    checkEventRoundTrip<MessageEvent>(events.at(0));
    checkEventRoundTrip<Message>(events.at(1));
    checkEventRoundTrip<MessageDeleted>(events.at(2));
    checkEventRoundTrip<ReadReceipt>(events.at(3));
    checkEventRoundTrip<Chat>(events.at(4));
    checkEventRoundTrip<MembersAdded>(events.at(5));
    checkEventRoundTrip<ChatRenamed>(events.at(6));
    checkEventRoundTrip<MemberLeft>(events.at(7));
    checkEventRoundTrip<ChatRemoved>(events.at(8));
    checkEventRoundTrip<SessionRevoked>(events.at(9));
    checkEventRoundTrip<User>(events.at(10));
    checkEventRoundTrip<MessageReactions>(events.at(11));
    checkEventRoundTrip<ChatPinned>(events.at(12));
    checkEventRoundTrip<ChatPinned>(events.at(13));
    checkEventRoundTrip<ChatSettingsChanged>(events.at(14));
    checkEventRoundTrip<ChatSettingsChanged>(events.at(15));
    checkEventRoundTrip<ChatUpdated>(events.at(16));
    checkEventRoundTrip<ChatUpdated>(events.at(17));
    // A photo as a path; none as null (and absent, from an older server, as none).
    QCOMPARE(S::alice().toJson().value(u"avatar_url").toString(), S::avatarUrl);
    QVERIFY(S::bob().toJson().value(u"avatar_url").isNull());
    QVERIFY(events.at(17).data.value(u"avatar_url").isNull());
    QJsonObject olderUser = S::bob().toJson();
    olderUser.remove(u"avatar_url"_s);
    QVERIFY(User::fromJson(olderUser).value() == S::bob());
    checkEventRoundTrip<Typing>(Event::of(std::nullopt, WsEvents::typing, S::typingNotice()));
    checkEventRoundTrip<PresenceList>(Event::of(std::nullopt, WsEvents::presence, S::presence()));
    checkEventRoundTrip<PresenceList>(
        Event::of(std::nullopt, WsEvents::presence, S::presence(false)));
    checkEventRoundTrip<MessageEvent>(
        Event::of(1, WsEvents::message, MessageEvent { S::message(false) }));
    // `message` data carries sender_name beside the message.
    QCOMPARE(events.at(0).data.value(u"sender_name").toString(), S::alice().name);
}

void TestDto::protocolRejects_data()
{
    namespace S = ProtocolSamples;
    QTest::addColumn<QString>("dto");
    QTest::addColumn<QJsonObject>("json");
    QTest::addColumn<QStringList>("loc");
    QTest::addColumn<QString>("type");
    const auto without = [](QJsonObject json, const QString &key) {
        json.remove(key);
        return json;
    };
    const auto with = [](QJsonObject json, const QString &key, const QJsonValue &value) {
        json.insert(key, value);
        return json;
    };
    // Commands, as the server reads them (ClientCommand).
    // Text is required of a send without files.
    const QJsonObject textOnly = without(S::send().toJson(), u"attachment_ids"_s);
    QTest::addRow("send without text") << u"command"_s << without(textOnly, u"text"_s)
                                       << QStringList { u"text"_s } << u"missing"_s;
    QTest::addRow("send with a blank text") << u"command"_s << with(textOnly, u"text"_s, u"  "_s)
                                            << QStringList { u"text"_s } << u"string_too_short"_s;
    QTest::addRow("send with a numeric client_id")
        << u"command"_s << with(S::send().toJson(), u"client_id"_s, 7)
        << QStringList { u"client_id"_s } << u"uuid_parsing"_s;
    QTest::addRow("typing with a bad chat_id")
        << u"command"_s << with(S::typing().toJson(), u"chat_id"_s, u"chat-1"_s)
        << QStringList { u"chat_id"_s } << u"uuid_parsing"_s;
    QTest::addRow("read without message_id")
        << u"command"_s << without(S::read().toJson(), u"message_id"_s)
        << QStringList { u"message_id"_s } << u"missing"_s;
    QTest::addRow("read with a bad client_id")
        << u"command"_s << with(S::read().toJson(), u"client_id"_s, u"r-1"_s)
        << QStringList { u"client_id"_s } << u"uuid_parsing"_s;
    QTest::addRow("auth with an empty token")
        << u"command"_s << with(S::auth().toJson(), u"token"_s, u""_s) << QStringList { u"token"_s }
        << u"string_too_short"_s;
    QTest::addRow("unknown type") << u"command"_s << QJsonObject { { u"type"_s, u"dance"_s } }
                                  << QStringList { u"type"_s } << u"literal_error"_s;
    // Server frames, as clients read them.
    QTest::addRow("greeting without seq")
        << u"greeting"_s << without(S::greeting().toJson(), u"seq"_s) << QStringList { u"seq"_s }
        << u"missing"_s;
    QTest::addRow("greeting of another status")
        << u"greeting"_s << with(S::greeting().toJson(), u"status"_s, u"closed"_s)
        << QStringList { u"status"_s } << u"literal_error"_s;
    QJsonObject ackWithoutMessageId = S::ack().toJson();
    ackWithoutMessageId.insert(u"data"_s, without(S::message().toJson(), u"id"_s));
    QTest::addRow("ack of a message without id")
        << u"ack"_s << ackWithoutMessageId << QStringList { u"data"_s, u"id"_s } << u"missing"_s;
    QTest::addRow("error without code") << u"error"_s << without(S::error().toJson(), u"code"_s)
                                        << QStringList { u"code"_s } << u"missing"_s;
    QTest::addRow("error with a numeric detail")
        << u"error"_s << with(S::error().toJson(), u"detail"_s, 404) << QStringList { u"detail"_s }
        << u"string_type"_s;
    QTest::addRow("authenticated with a text expires_in")
        << u"authenticated"_s << with(S::authenticated().toJson(), u"expires_in"_s, u"1800"_s)
        << QStringList { u"expires_in"_s } << u"int_type"_s;
    // Events: the envelope, then the payload under "data".
    QTest::addRow("event with a list as data")
        << u"event"_s << with(S::storedEvents().at(2).toJson(), u"data"_s, QJsonArray {})
        << QStringList { u"data"_s } << u"dict_type"_s;
    QTest::addRow("message_deleted without chat_seq")
        << u"message_deleted"_s
        << with(S::storedEvents().at(2).toJson(), u"data"_s,
               without(S::messageDeleted().toJson(), u"chat_seq"_s))
        << QStringList { u"data"_s, u"chat_seq"_s } << u"missing"_s;
    QTest::addRow("read with a bad user_id")
        << u"read"_s
        << with(S::storedEvents().at(3).toJson(), u"data"_s,
               with(S::readReceipt().toJson(), u"user_id"_s, u"bob"_s))
        << QStringList { u"data"_s, u"user_id"_s } << u"uuid_parsing"_s;
    QTest::addRow("session_revoked without session_id")
        << u"session_revoked"_s << with(S::storedEvents().at(9).toJson(), u"data"_s, QJsonObject {})
        << QStringList { u"data"_s, u"session_id"_s } << u"missing"_s;
    QTest::addRow("typing without name")
        << u"typing"_s
        << with(Event::of(std::nullopt, WsEvents::typing, S::typingNotice()).toJson(), u"data"_s,
               without(S::typingNotice().toJson(), u"name"_s))
        << QStringList { u"data"_s, u"name"_s } << u"missing"_s;
    // The /updates page: an event's errors are located in the list.
    QJsonObject page = S::updatesPage().toJson();
    QJsonArray events = page.value(u"events"_s).toArray();
    events.replace(1, without(events.at(1).toObject(), u"type"_s));
    QTest::addRow("updates page with an event without type")
        << u"updates"_s << with(page, u"events"_s, events)
        << QStringList { u"events"_s, u"1"_s, u"type"_s } << u"missing"_s;
    QTest::addRow("updates page with a text has_more")
        << u"updates"_s << with(S::updatesPage().toJson(), u"has_more"_s, u"yes"_s)
        << QStringList { u"has_more"_s } << u"bool_type"_s;
}

// fromJson refuses a missing or mistyped field, naming where it is.
void TestDto::protocolRejects()
{
    QFETCH(QString, dto);
    QFETCH(QJsonObject, json);
    QFETCH(QStringList, loc);
    QFETCH(QString, type);
    const auto errorsOf
        = [](const auto &parsed) { return parsed ? QList<FieldError> {} : parsed.errors(); };
    const QHash<QString, std::function<QList<FieldError>(const QJsonObject &)>> parsers {
        { u"command"_s,
            [&](const QJsonObject &j) { return errorsOf(ClientCommand::fromJson(j)); } },
        { u"greeting"_s, [&](const QJsonObject &j) { return errorsOf(Greeting::fromJson(j)); } },
        { u"ack"_s, [&](const QJsonObject &j) { return errorsOf(Ack::fromJson(j)); } },
        { u"error"_s, [&](const QJsonObject &j) { return errorsOf(ErrorFrame::fromJson(j)); } },
        { u"authenticated"_s,
            [&](const QJsonObject &j) { return errorsOf(Authenticated::fromJson(j)); } },
        { u"event"_s, [&](const QJsonObject &j) { return errorsOf(Event::fromJson(j)); } },
        { u"message_deleted"_s,
            [&](const QJsonObject &j) {
                return errorsOf(Event::fromJson(j)->payload<MessageDeleted>());
            } },
        { u"read"_s,
            [&](const QJsonObject &j) {
                return errorsOf(Event::fromJson(j)->payload<ReadReceipt>());
            } },
        { u"session_revoked"_s,
            [&](const QJsonObject &j) {
                return errorsOf(Event::fromJson(j)->payload<SessionRevoked>());
            } },
        { u"typing"_s,
            [&](const QJsonObject &j) { return errorsOf(Event::fromJson(j)->payload<Typing>()); } },
        { u"updates"_s, [&](const QJsonObject &j) { return errorsOf(UpdatesPage::fromJson(j)); } },
    };
    QVERIFY2(parsers.contains(dto), qPrintable(dto));
    const QList<FieldError> errors = parsers.value(dto)(json);
    QVERIFY2(!errors.isEmpty(), qPrintable(QString::fromUtf8(compactJson(json))));
    QCOMPARE(errors.first().loc, loc);
    QCOMPARE(errors.first().type, type);
}

QTEST_GUILESS_MAIN(TestDto)
#include "tst_dto.moc"
