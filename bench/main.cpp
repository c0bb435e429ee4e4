// messenger-bench: load scenarios against a running messenger-server.
#include "ReportKeys.h"
#include "Scenarios.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QTextStream>

#include <cstdio>

using namespace Qt::StringLiterals;
using namespace Messenger::Bench;

namespace {

bool isLoopback(const QUrl &url)
{
    const QString host = url.host();
    return host == u"localhost"_s || QHostAddress(host).isLoopback();
}

// The scenario name that runs them all.
constexpr QStringView allScenarios = u"all";

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"messenger-bench"_s);
    QString help = u"Load scenarios against a messenger-server. Each creates its own users and "
                   "chats through the public API, then measures.\n\nScenarios:\n"_s;
    for (const Scenario &scenario : scenarios())
        help += u"  %1\n      %2\n"_s.arg(scenario.name, scenario.description);
    help += u"  "_s + allScenarios + u"\n      every scenario above, in order"_s;
    QCommandLineParser parser;
    parser.setApplicationDescription(help);
    parser.addHelpOption();
    parser.addPositionalArgument(
        u"scenario"_s, u"Scenarios to run (see above)."_s, u"scenario..."_s);
    const QCommandLineOption url(u"url"_s,
        u"Server address; repeat it for several instances of one cluster (clients are spread over them, setup uses the first). Default http://127.0.0.1:8000."_s,
        u"url"_s);
    const QCommandLineOption allowRemote(u"allow-remote"_s,
        u"Allow a target that is not on this machine (it is refused otherwise)."_s);
    const QCommandLineOption threads(u"threads"_s, u"Worker threads. Default 2."_s, u"n"_s);
    const QCommandLineOption concurrency(
        u"concurrency"_s, u"Simultaneous clients (mixed: online accounts). Default 10."_s, u"n"_s);
    const QCommandLineOption seconds(
        u"seconds"_s, u"Duration of timed scenarios. Default 10."_s, u"s"_s);
    const QCommandLineOption count(
        u"count"_s, u"Operations per scenario instead of a duration."_s, u"n"_s);
    const QCommandLineOption chats(
        u"chats"_s, u"chat-list: chats of the user. Default 200."_s, u"n"_s);
    const QCommandLineOption messages(
        u"messages"_s, u"history: messages in the chat. Default 20000."_s, u"n"_s);
    const QCommandLineOption members(u"members"_s, u"fanout: group size. Default 50."_s, u"n"_s);
    const QCommandLineOption idle(u"idle"_s,
        u"mixed: further online users who only hold a /ws/user socket. Default 0."_s, u"n"_s);
    const QCommandLineOption readers(u"readers"_s,
        u"mixed: users paging history meanwhile, one page of 50 a second each. Default 5."_s,
        u"n"_s);
    const QCommandLineOption nonMembers(
        u"non-members"_s, u"fanout: connected outsiders. Default 10."_s, u"n"_s);
    const QCommandLineOption rate(
        u"rate"_s, u"fanout: messages per second. Default 100."_s, u"n"_s);
    const QCommandLineOption connections(u"connections"_s,
        u"idle-connections: sockets; mixed: active users. Default 1000."_s, u"n"_s);
    const QCommandLineOption fileMb(
        u"file-mb"_s, u"files: MiB each client uploads and downloads back. Default 20."_s, u"n"_s);
    const QCommandLineOption serverPid(
        u"server-pid"_s, u"The server's process id, for its memory and CPU."_s, u"pid"_s);
    const QCommandLineOption bulk(u"bulk-database-url"_s,
        u"history: fill the chat straight into this PostgreSQL database (postgres://...), for "
        "chats of a million messages."_s,
        u"url"_s);
    const QCommandLineOption json(u"json"_s, u"Print a JSON summary instead of tables."_s);
    parser.addOptions({ url, allowRemote, threads, concurrency, seconds, count, chats, messages,
        members, nonMembers, rate, connections, idle, readers, fileMb, serverPid, bulk, json });
    parser.process(app);

    Options options;
    for (const QString &each : parser.values(url))
        options.urls.append(QUrl(each));
    if (!options.urls.isEmpty())
        options.url = options.urls.first();
    const auto number = [&](const QCommandLineOption &option, auto fallback) {
        return parser.isSet(option) ? decltype(fallback)(parser.value(option).toDouble())
                                    : fallback;
    };
    options.threads = std::max(1, number(threads, options.threads));
    options.concurrency = std::max(1, number(concurrency, options.concurrency));
    options.seconds = number(seconds, options.seconds);
    options.count = number(count, options.count);
    options.chats = number(chats, options.chats);
    options.messages = number(messages, options.messages);
    options.members = std::max(2, number(members, options.members));
    options.nonMembers = number(nonMembers, options.nonMembers);
    options.rate = std::max(0.1, number(rate, options.rate));
    options.connections = number(connections, options.connections);
    options.idle = std::max(0, number(idle, options.idle));
    options.readers = std::max(0, number(readers, options.readers));
    options.fileMb = std::max(1, number(fileMb, options.fileMb));
    options.serverPid = number(serverPid, options.serverPid);
    options.bulkDatabaseUrl = parser.value(bulk);
    for (const QUrl &target : options.urls.isEmpty() ? QList<QUrl> { options.url } : options.urls) {
        if (!isLoopback(target) && !parser.isSet(allowRemote)) {
            std::fprintf(stderr, "refusing %s: not this machine (use --allow-remote)\n",
                qPrintable(target.toString()));
            return 2;
        }
    }
    QStringList wanted = parser.positionalArguments();
    if (wanted.isEmpty() || wanted.contains(allScenarios)) {
        wanted.clear();
        for (const Scenario &scenario : scenarios())
            wanted.append(scenario.name);
    }

    QTextStream out(stdout);
    QJsonArray summary;
    int status = 0;
    for (const QString &name : wanted) {
        const auto all = scenarios();
        const auto it = std::find_if(all.cbegin(), all.cend(),
            [&name](const Scenario &scenario) { return scenario.name == name; });
        if (it == all.cend()) {
            std::fprintf(stderr, "unknown scenario %s (see --help)\n", qPrintable(name));
            return 2;
        }
        const QList<Result> results = it->run(options);
        for (const Result &result : results) {
            QJsonObject entry = result.stats.toJson();
            entry.insert(ReportKeys::scenario, result.name);
            for (auto extra = result.extra.constBegin(); extra != result.extra.constEnd(); ++extra)
                entry.insert(extra.key(), extra.value());
            if (options.serverPid > 0)
                entry.insert(ReportKeys::serverRssMb,
                    double(serverResidentBytes(options.serverPid)) / 1048576.0);
            if (result.isFailure() || result.stats.operations == 0)
                status = 1;
            summary.append(entry);
            if (parser.isSet(json))
                continue;
            out << result.name << '\n';
            out << QString(result.name.size(), u'-') << '\n';
            for (auto field = entry.constBegin(); field != entry.constEnd(); ++field) {
                if (field.key() == ReportKeys::scenario)
                    continue;
                const QJsonValue raw = field.value();
                const QString value = raw.isDouble() ? QString::number(raw.toDouble(), 'f', 2)
                    : raw.isObject()                 ? QString::fromUtf8(
                                          QJsonDocument(raw.toObject()).toJson(QJsonDocument::Compact))
                                     : raw.toVariant().toString();
                out << "  " << field.key().leftJustified(24) << value << '\n';
            }
            out << '\n';
            out.flush();
        }
    }
    if (parser.isSet(json))
        out << QJsonDocument(summary).toJson(QJsonDocument::Indented);
    return status;
}
