#include "ProtocolSamples.h"
#include "SchemaValidator.h"

#include <QFile>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Messenger;

// resources/api/asyncapi.json checked against the shared/ protocol types: the
// JSON every DTO writes (each command, each server frame, each event in its
// envelope) is valid under its schema, with Ajv (SchemaValidator); a schema
// requires exactly what the DTO always writes and declares exactly what it can
// write; every frame and event type named in shared/WsEvents.h has a schema, in
// a channel. The /updates page is checked against openapi.json the same way.
class TestProtocolSchema : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void everyFrameIsValidUnderItsSchema();
    void updatesPageIsValidUnderItsSchema();
    void schemasRequireWhatIsAlwaysSent_data();
    void schemasRequireWhatIsAlwaysSent();
    void everyTypeInWsEventsHasASchema();
    void validatorRefusesAFrameItsSchemaDoesNot();

private:
    QJsonObject asyncApiSchema(const QString &name) const;

    QJsonObject m_asyncApi;
    QJsonObject m_openApi;
};

namespace {

enum class Direction { Command, ServerFrame };

// One frame of the protocol as its DTO writes it, and the AsyncAPI schema
// that describes it. `full` has every optional field, `minimal` none.
struct Frame
{
    QString label;
    QString schema;
    Direction direction;
    QJsonObject full;
    QJsonObject minimal;
};

QList<Frame> protocolFrames()
{
    namespace S = ProtocolSamples;
    QJsonObject seedSend = S::send().toJson();
    seedSend.remove(u"type"_s); // /ws/{chat_id} takes the text, the chat from the path
    seedSend.remove(u"chat_id"_s);
    QJsonObject seedSendMinimal = S::send(false).toJson();
    seedSendMinimal.remove(u"type"_s);
    seedSendMinimal.remove(u"chat_id"_s);
    QList<Frame> frames {
        { u"send"_s, u"SendCommand"_s, Direction::Command, S::send().toJson(),
            S::send(false).toJson() },
        { u"send on /ws/{chat_id}"_s, u"SeedSendCommand"_s, Direction::Command, seedSend,
            seedSendMinimal },
        { u"typing"_s, u"TypingCommand"_s, Direction::Command, S::typing().toJson(),
            S::typing(false).toJson() },
        { u"read"_s, u"ReadCommand"_s, Direction::Command, S::read().toJson(),
            S::read(false).toJson() },
        { u"ping"_s, u"PingCommand"_s, Direction::Command, PingCommand {}.toJson(),
            PingCommand {}.toJson() },
        { u"auth"_s, u"AuthCommand"_s, Direction::Command, S::auth().toJson(), S::auth().toJson() },
        { u"greeting"_s, u"Greeting"_s, Direction::ServerFrame, S::greeting().toJson(),
            S::greeting().toJson() },
        { u"greeting on /ws/{chat_id}"_s, u"ChatGreeting"_s, Direction::ServerFrame,
            S::greeting(true).toJson(), S::greeting(true).toJson() },
        { u"ack"_s, u"Ack"_s, Direction::ServerFrame, S::ack().toJson(), S::ack(false).toJson() },
        { u"error"_s, u"ErrorFrame"_s, Direction::ServerFrame, S::error().toJson(),
            S::error(false).toJson() },
        { u"pong"_s, u"Pong"_s, Direction::ServerFrame, Pong {}.toJson(), Pong {}.toJson() },
        { u"authenticated"_s, u"Authenticated"_s, Direction::ServerFrame,
            S::authenticated().toJson(), S::authenticated().toJson() },
        { u"refusal"_s, u"RefusalFrame"_s, Direction::ServerFrame, S::refusal().toJson(),
            S::refusal().toJson() },
        { u"typing event"_s, u"TypingEvent"_s, Direction::ServerFrame,
            Event::of(std::nullopt, WsEvents::typing, S::typingNotice()).toJson(),
            Event::of(std::nullopt, WsEvents::typing, S::typingNotice()).toJson() },
        { u"presence event"_s, u"PresenceEvent"_s, Direction::ServerFrame,
            Event::of(std::nullopt, WsEvents::presence, S::presence()).toJson(),
            Event::of(std::nullopt, WsEvents::presence, S::presence(false)).toJson() },
    };
    // The stored events, as the sockets push them: "message" → "MessageEvent".
    QList<Event> minimalEvents = S::storedEvents();
    minimalEvents[0].data = MessageEvent { S::message(false) }.toJson();
    minimalEvents[1].data = S::message(false).toJson();
    minimalEvents[4].data = S::personal().toJson();
    for (qsizetype i = 0; i < minimalEvents.size(); ++i) {
        const Event full = S::storedEvents().at(i);
        QString schema;
        for (const QString &word : full.type.split(u'_'))
            schema += word.left(1).toUpper() + word.mid(1);
        frames.append({ full.type + u" event"_s, schema + u"Event"_s, Direction::ServerFrame,
            full.toJson(), minimalEvents.at(i).toJson() });
    }
    return frames;
}

QJsonObject readJson(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

QSet<QString> keysOf(const QJsonObject &object)
{
    const QStringList keys = object.keys();
    return { keys.begin(), keys.end() };
}

QSet<QString> stringsOf(const QJsonArray &array)
{
    QSet<QString> strings;
    for (const QJsonValue &value : array)
        strings.insert(value.toString());
    return strings;
}

QString sorted(const QSet<QString> &set)
{
    QStringList list(set.begin(), set.end());
    list.sort();
    return list.join(u", "_s);
}

// The frame and event names of shared/WsEvents.h, read from its source (the
// header is the list: a name added there without a schema fails here).
QStringList wsEventNames()
{
    QFile file(QStringLiteral(MESSENGER_SOURCE_DIR "/shared/WsEvents.h"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QString text = QString::fromUtf8(file.readAll());
    const qsizetype begin = text.indexOf(u"namespace Messenger::WsEvents {"_s);
    const qsizetype end = text.indexOf(u"} // namespace Messenger::WsEvents"_s);
    if (begin < 0 || end < begin)
        return {};
    static const QRegularExpression name(
        uR"re(inline constexpr QStringView \w+ = u"([a-z_]+)";)re"_s);
    QStringList names;
    for (auto match = name.globalMatch(text.mid(begin, end - begin)); match.hasNext();)
        names.append(match.next().captured(1));
    return names;
}

} // namespace

void TestProtocolSchema::initTestCase()
{
    const QString unavailable = SchemaValidator::unavailableReason();
    QVERIFY2(unavailable.isEmpty(), qPrintable(unavailable));
    m_asyncApi = readJson(SchemaValidator::asyncApiPath());
    m_openApi = readJson(SchemaValidator::openApiPath());
    QVERIFY(!m_asyncApi.isEmpty());
    QVERIFY(!m_openApi.isEmpty());
}

QJsonObject TestProtocolSchema::asyncApiSchema(const QString &name) const
{
    return m_asyncApi.value(u"components").toObject().value(u"schemas").toObject()[name].toObject();
}

void TestProtocolSchema::everyFrameIsValidUnderItsSchema()
{
    SchemaValidator validator;
    const QList<Frame> frames = protocolFrames();
    for (const Frame &frame : frames) {
        const QJsonObject schema = SchemaValidator::schemaRef(frame.schema);
        validator.check(frame.label, SchemaValidator::asyncApiPath(), schema, frame.full);
        validator.check(
            frame.label + u" (minimal)"_s, SchemaValidator::asyncApiPath(), schema, frame.minimal);
    }
    // An error frame echoes a client_id as the command sent it, UUID or not.
    ErrorFrame refusedClientId = ProtocolSamples::error(false);
    refusedClientId.code = u"validation_error"_s;
    refusedClientId.clientId = u"message-1"_s;
    validator.check(u"error echoing a client_id that is no UUID"_s, SchemaValidator::asyncApiPath(),
        SchemaValidator::schemaRef(u"ErrorFrame"_s), refusedClientId.toJson());
    const QStringList failures = validator.run();
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join(u'\n')));
}

void TestProtocolSchema::updatesPageIsValidUnderItsSchema()
{
    // The schema GET /api/v1/updates answers 200 with, as openapi.json says.
    const QJsonObject schema = m_openApi.value(u"paths")
                                   .toObject()
                                   .value(u"/api/v1/updates")
                                   .toObject()
                                   .value(u"get")
                                   .toObject()
                                   .value(u"responses")
                                   .toObject()
                                   .value(u"200")
                                   .toObject()
                                   .value(u"content")
                                   .toObject()
                                   .value(u"application/json")
                                   .toObject()
                                   .value(u"schema")
                                   .toObject();
    QVERIFY(!schema.isEmpty());
    const UpdatesPage page = ProtocolSamples::updatesPage();
    // One of each stored type (chat_pinned, chat_settings and chat_updated twice).
    QCOMPARE(page.events.size(), 18);
    SchemaValidator validator;
    validator.check(u"updates page"_s, SchemaValidator::openApiPath(), schema, page.toJson());
    validator.check(u"empty updates page"_s, SchemaValidator::openApiPath(), schema,
        UpdatesPage { {}, false, 0 }.toJson());
    const QStringList failures = validator.run();
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join(u'\n')));
}

void TestProtocolSchema::schemasRequireWhatIsAlwaysSent_data()
{
    QTest::addColumn<QString>("schema");
    QTest::addColumn<QJsonObject>("full");
    QTest::addColumn<QJsonObject>("minimal");
    for (const Frame &frame : protocolFrames())
        QTest::addRow("%s", qPrintable(frame.label)) << frame.schema << frame.full << frame.minimal;
}

// A client generated from the document may rely on what is required, and
// must expect what is declared: required = what the DTO always writes,
// properties = what it can write.
void TestProtocolSchema::schemasRequireWhatIsAlwaysSent()
{
    QFETCH(QString, schema);
    QFETCH(QJsonObject, full);
    QFETCH(QJsonObject, minimal);
    const QJsonObject described = asyncApiSchema(schema);
    QVERIFY2(!described.isEmpty(), qPrintable(schema + u" is not in asyncapi.json"_s));
    const QSet<QString> required = stringsOf(described.value(u"required").toArray());
    const QSet<QString> declared = keysOf(described.value(u"properties").toObject());
    QVERIFY2(required == keysOf(minimal),
        qPrintable(
            u"required: "_s + sorted(required) + u"; always sent: "_s + sorted(keysOf(minimal))));
    QVERIFY2(declared == keysOf(full),
        qPrintable(u"declared: "_s + sorted(declared) + u"; sent: "_s + sorted(keysOf(full))));
}

void TestProtocolSchema::everyTypeInWsEventsHasASchema()
{
    const QStringList names = wsEventNames();
    QVERIFY(names.size() > 15);

    // The messages of each direction, as the channels list them.
    QSet<QString> published;
    QSet<QString> subscribed;
    const QJsonObject channels = m_asyncApi.value(u"channels").toObject();
    for (const QJsonValue &channel : channels) {
        for (const auto &[operation, into] :
            { std::pair { u"publish"_s, &published }, std::pair { u"subscribe"_s, &subscribed } }) {
            const QJsonArray messages = channel.toObject()
                                            .value(operation)
                                            .toObject()
                                            .value(u"message")
                                            .toObject()
                                            .value(u"oneOf")
                                            .toArray();
            for (const QJsonValue &message : messages)
                into->insert(message.toObject().value(u"$ref").toString().section(u'/', -1));
        }
    }
    // Which schema each message carries.
    QHash<QString, QSet<QString>> messagesOfSchema;
    const QJsonObject messages
        = m_asyncApi.value(u"components").toObject().value(u"messages").toObject();
    for (auto message = messages.begin(); message != messages.end(); ++message) {
        const QString schema = message.value()
                                   .toObject()
                                   .value(u"payload")
                                   .toObject()
                                   .value(u"$ref")
                                   .toString()
                                   .section(u'/', -1);
        messagesOfSchema[schema].insert(message.key());
    }

    QSet<QString> typesWithASchema;
    for (const Frame &frame : protocolFrames()) {
        const QSet<QString> &channelMessages
            = frame.direction == Direction::Command ? published : subscribed;
        QVERIFY2(messagesOfSchema.value(frame.schema).intersects(channelMessages),
            qPrintable(frame.label + u": no channel "_s
                + (frame.direction == Direction::Command ? u"publishes"_s : u"subscribes to"_s)
                + u" a message of schema "_s + frame.schema));
        const QString type = frame.full.value(u"type").toString();
        if (type.isEmpty())
            continue; // greetings, refusals and the seed's send have no type
        const QJsonArray documented = asyncApiSchema(frame.schema)
                                          .value(u"properties")
                                          .toObject()
                                          .value(u"type")
                                          .toObject()
                                          .value(u"enum")
                                          .toArray();
        QVERIFY2(documented == QJsonArray { type },
            qPrintable(frame.schema + u"'s type is not \""_s + type + u'"'));
        typesWithASchema.insert(type);
    }
    for (const QString &name : names)
        QVERIFY2(typesWithASchema.contains(name),
            qPrintable(
                name + u" (shared/WsEvents.h) has no frame here, so no schema is checked"_s));
}

void TestProtocolSchema::validatorRefusesAFrameItsSchemaDoesNot()
{
    // What the tests above rely on: a frame that breaks its schema fails.
    SchemaValidator validator;
    QJsonObject withoutCode = ProtocolSamples::error().toJson();
    withoutCode.remove(u"code"_s);
    validator.check(u"no code"_s, SchemaValidator::asyncApiPath(),
        SchemaValidator::schemaRef(u"ErrorFrame"_s), withoutCode);
    QJsonObject unknownCode = ProtocolSamples::error().toJson();
    unknownCode.insert(u"code"_s, u"unknown_command"_s);
    validator.check(u"unknown code"_s, SchemaValidator::asyncApiPath(),
        SchemaValidator::schemaRef(u"ErrorFrame"_s), unknownCode);
    validator.check(u"typing as read"_s, SchemaValidator::asyncApiPath(),
        SchemaValidator::schemaRef(u"ReadCommand"_s), ProtocolSamples::typing().toJson());
    const QString failures = validator.run().join(u'\n');
    QVERIFY2(failures.contains(u"no code: body: must have required property 'code'"_s),
        qPrintable(failures));
    QVERIFY2(failures.contains(u"unknown code: body/code: must be equal to one of the allowed"_s),
        qPrintable(failures));
    QVERIFY2(failures.contains(u"typing as read: body/type"_s), qPrintable(failures));
}

QTEST_GUILESS_MAIN(TestProtocolSchema)
#include "tst_protocol_schema.moc"
