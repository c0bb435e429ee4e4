#include "TestServer.h"
#include "WsClient.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;

using Client = WsClient;

namespace {

// Every presence entry a client was sent about `userId`, oldest first.
QList<QJsonObject> entriesAbout(const Client &client, const QString &userId)
{
    QList<QJsonObject> entries;
    for (const QJsonObject &frame : client.ofType(u"presence"_s)) {
        for (const QJsonValue &entry :
            frame.value(u"data"_s).toObject().value(u"users"_s).toArray()) {
            if (entry.toObject().value(u"user_id"_s).toString() == userId)
                entries.append(entry.toObject());
        }
    }
    return entries;
}

// The last thing the client was told about `userId`: 1 online, 0 offline, -1 nothing.
int lastOnline(const Client &client, const QString &userId)
{
    const auto entries = entriesAbout(client, userId);
    if (entries.isEmpty())
        return -1;
    return entries.last().value(u"online"_s).toBool() ? 1 : 0;
}

} // namespace

class TestPresence : public QObject
{
    Q_OBJECT

private:
    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;

    QUrl wsUrl(const HttpClient::Account &account) const
    {
        return m_server.webSocketUrl(u"/ws/user"_s, account.token);
    }
    QJsonArray presenceFor(const HttpClient::Account &caller, const QStringList &ids)
    {
        const Reply reply
            = m_http->get(u"/api/v1/presence?user_ids="_s + ids.join(u','), caller.token);
        if (reply.status != 200)
            qWarning() << reply.status << reply.body;
        return reply.object().value(u"users"_s).toArray();
    }
    QString groupChat(const HttpClient::Account &owner, const QStringList &memberIds)
    {
        const Reply reply = m_http->post(u"/api/v1/chats/group"_s,
            { { u"name"_s, u"Group"_s },
                { u"member_ids"_s, QJsonArray::fromStringList(memberIds) } },
            owner.token);
        return reply.object().value(u"id"_s).toString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        // Short enough for a test (every server of it inherits them); the
        // rules are the same as with the defaults.
        qputenv("PRESENCE_GRACE", "1");
        qputenv("PRESENCE_TIMEOUT", "3");
        QVERIFY2(m_server.start(), qPrintable(m_server.error()));
        m_http = std::make_unique<HttpClient>(m_server);
    }

    void cleanupTestCase() { m_server.stop(); }

    void onlineThenOfflineAfterTheGrace()
    {
        const auto alice = m_http->newUser(u"Alice"_s);
        const auto bob = m_http->newUser(u"Bob"_s);
        m_http->personalChat(alice.token, bob.id);
        Client a(wsUrl(alice));
        QVERIFY(a.greeted());
        // Alice is online for Bob from the REST endpoint.
        QTRY_VERIFY_WITH_TIMEOUT(!presenceFor(bob, { alice.id }).isEmpty()
                && presenceFor(bob, { alice.id }).first().toObject().value(u"online"_s).toBool(),
            10000);
        {
            Client b(wsUrl(bob));
            QVERIFY(b.greeted());
            QTRY_COMPARE_WITH_TIMEOUT(lastOnline(a, bob.id), 1, 10000);
            const QJsonObject online = entriesAbout(a, bob.id).last();
            QVERIFY(online.value(u"last_seen_at"_s).isNull());
            const QJsonArray read = presenceFor(alice, { bob.id });
            QCOMPARE(read.size(), 1);
            QCOMPARE(read.first().toObject().value(u"online"_s).toBool(), true);
            // Never about yourself.
            QVERIFY(entriesAbout(b, bob.id).isEmpty());
        }
        const qint64 closedAt = QDateTime::currentSecsSinceEpoch();
        QTRY_COMPARE_WITH_TIMEOUT(lastOnline(a, bob.id), 0, 10000);
        const QJsonObject offline = entriesAbout(a, bob.id).last();
        QVERIFY(offline.value(u"last_seen_at"_s).toInteger() >= closedAt);
        QCOMPARE(entriesAbout(a, bob.id).size(), 2);
        const QJsonObject read = presenceFor(alice, { bob.id }).first().toObject();
        QCOMPARE(read.value(u"online"_s).toBool(), false);
        QCOMPARE(read.value(u"last_seen_at"_s).toInteger(),
            offline.value(u"last_seen_at"_s).toInteger());
        // Ephemeral: nothing of it in the stored feed.
        const Reply updates = m_http->get(u"/api/v1/updates?since_seq=0"_s, alice.token);
        QCOMPARE(updates.status, 200);
        for (const QJsonValue &event : updates.object().value(u"events"_s).toArray())
            QVERIFY(event.toObject().value(u"type"_s).toString() != u"presence"_s);
    }

    void strangersSeeNothing()
    {
        const auto alice = m_http->newUser(u"Alice"_s);
        const auto bob = m_http->newUser(u"Bob"_s);
        const auto carol = m_http->newUser(u"Carol"_s);
        const auto dave = m_http->newUser(u"Dave"_s);
        m_http->personalChat(alice.token, bob.id);
        m_http->personalChat(carol.token, dave.id);
        Client a(wsUrl(alice));
        Client c(wsUrl(carol));
        QVERIFY(a.greeted() && c.greeted());
        Client b(wsUrl(bob));
        QVERIFY(b.greeted());
        QTRY_COMPARE_WITH_TIMEOUT(lastOnline(a, bob.id), 1, 10000);
        // Dave comes online after Bob: once Carol hears of Dave, she would
        // have heard of Bob.
        Client d(wsUrl(dave));
        QVERIFY(d.greeted());
        QTRY_COMPARE_WITH_TIMEOUT(lastOnline(c, dave.id), 1, 10000);
        QVERIFY(entriesAbout(c, bob.id).isEmpty());
        // Nor from the endpoint, for Bob or an id nobody has: both omitted.
        QVERIFY(
            presenceFor(carol, { bob.id, u"00000000-0000-4000-8000-000000000000"_s }).isEmpty());
        QCOMPARE(presenceFor(carol, { dave.id }).size(), 1);
    }

    void badQueries()
    {
        const auto alice = m_http->newUser(u"Alice"_s);
        COMPARE_STATUS(m_http->get(u"/api/v1/presence"_s, alice.token), 422);
        COMPARE_STATUS(m_http->get(u"/api/v1/presence?user_ids=abc"_s, alice.token), 422);
        QStringList many;
        for (int i = 0; i < 101; ++i)
            many.append(u"00000000-0000-4000-8000-%1"_s.arg(i, 12, 10, QChar(u'0')));
        const Reply tooMany
            = m_http->get(u"/api/v1/presence?user_ids="_s + many.join(u','), alice.token);
        QCOMPARE(tooMany.status, 422);
        QVERIFY(!tooMany.object().value(u"detail"_s).isUndefined());
        COMPARE_STATUS(m_http->get(u"/api/v1/presence?user_ids="_s + alice.id), 401);
        COMPARE_STATUS(m_http->request("PUT", u"/api/v1/users/me/privacy"_s,
                           R"({"presence_visible":"friends"})", alice.token),
            422);
    }

    void nobodyHidesBothWays()
    {
        const auto alice = m_http->newUser(u"Alice"_s);
        const auto bob = m_http->newUser(u"Bob"_s);
        const auto dave = m_http->newUser(u"Dave"_s);
        m_http->personalChat(alice.token, bob.id);
        m_http->personalChat(alice.token, dave.id);
        const Reply set = m_http->request(
            "PUT", u"/api/v1/users/me/privacy"_s, R"({"presence_visible":"nobody"})", bob.token);
        QCOMPARE(set.status, 200);
        QCOMPARE(set.object().value(u"presence_visible"_s).toString(), u"nobody"_s);
        QCOMPARE(m_http->get(u"/api/v1/users/me/privacy"_s, bob.token)
                     .object()
                     .value(u"presence_visible"_s)
                     .toString(),
            u"nobody"_s);
        Client a(wsUrl(alice));
        QVERIFY(a.greeted());
        Client b(wsUrl(bob));
        QVERIFY(b.greeted());
        Client d(wsUrl(dave));
        QVERIFY(d.greeted());
        // Dave came online after Bob: Alice hears of Dave, and of Bob only
        // that he is hidden (the frame his choice sends: offline, never seen).
        QTRY_COMPARE_WITH_TIMEOUT(lastOnline(a, dave.id), 1, 10000);
        for (const QJsonObject &entry : entriesAbout(a, bob.id)) {
            QCOMPARE(entry.value(u"online"_s).toBool(), false);
            QVERIFY(entry.value(u"last_seen_at"_s).isNull());
        }
        const QJsonObject hidden = presenceFor(alice, { bob.id }).first().toObject();
        QCOMPARE(hidden.value(u"online"_s).toBool(), false);
        QVERIFY(hidden.value(u"last_seen_at"_s).isNull());
        // Bob sees nobody's presence either: Alice is online, he is not told.
        QCOMPARE(lastOnline(b, alice.id), -1);
        const QJsonObject ofAlice = presenceFor(bob, { alice.id }).first().toObject();
        QCOMPARE(ofAlice.value(u"online"_s).toBool(), false);
        QVERIFY(ofAlice.value(u"last_seen_at"_s).isNull());

        // Showing it again tells Alice at once.
        COMPARE_STATUS(m_http->request("PUT", u"/api/v1/users/me/privacy"_s,
                           R"({"presence_visible":"everyone"})", bob.token),
            200);
        QTRY_COMPARE_WITH_TIMEOUT(lastOnline(a, bob.id), 1, 10000);
    }

    void aBurstIsAnnouncedOnce()
    {
        const auto alice = m_http->newUser(u"Alice"_s);
        const auto bob = m_http->newUser(u"Bob"_s);
        m_http->personalChat(alice.token, bob.id);
        Client a(wsUrl(alice));
        QVERIFY(a.greeted());
        for (int i = 0; i < 20; ++i) {
            Client b(wsUrl(bob));
            QVERIFY(b.greeted());
            b.socket.close();
            QTRY_VERIFY_WITH_TIMEOUT(
                b.closed() || b.socket.state() == QAbstractSocket::UnconnectedState, 5000);
        }
        QTRY_COMPARE_WITH_TIMEOUT(lastOnline(a, bob.id), 0, 15000);
        // Online once, offline once (a reconnect within the grace changes nothing).
        QVERIFY2(entriesAbout(a, bob.id).size() <= 3,
            qPrintable(QString::number(entriesAbout(a, bob.id).size())));
        QVERIFY(a.ofType(u"presence"_s).size() <= 3);
    }

    // Members of a group coming online together (a restart, a morning): each
    // one's frame lists every other member but not themself, so the frames
    // differ; they are put together from entries written once and sent a
    // slice at a time (a 1,000-member group stalled the server for a second).
    // Ten watchers already online each share a different share of the
    // subjects (a group each) and must be told exactly about theirs.
    void aGroupComingOnlineTogether()
    {
        constexpr int watcherCount = 10;
        constexpr int subjectCount = 30;
        QList<HttpClient::Account> watchers;
        QList<HttpClient::Account> subjects;
        for (int i = 0; i < watcherCount; ++i)
            watchers.append(m_http->newUser(u"Watcher %1"_s.arg(i)));
        for (int i = 0; i < subjectCount; ++i)
            subjects.append(m_http->newUser(u"Subject %1"_s.arg(i)));
        QStringList subjectIds;
        for (const auto &subject : subjects)
            subjectIds.append(subject.id);
        QVERIFY(!groupChat(subjects.first(), subjectIds.mid(1)).isEmpty());
        // Watcher k shares a group with the subjects whose index % 10 <= k.
        QList<QSet<QString>> shareOf(watcherCount);
        for (int k = 0; k < watcherCount; ++k) {
            for (int i = 0; i < subjectCount; ++i) {
                if (i % watcherCount <= k)
                    shareOf[k].insert(subjects[i].id);
            }
            QVERIFY(!groupChat(watchers[k], shareOf[k].values()).isEmpty());
        }
        std::vector<std::unique_ptr<Client>> watching;
        for (const auto &watcher : watchers) {
            watching.push_back(std::make_unique<Client>(wsUrl(watcher)));
            QVERIFY(watching.back()->greeted());
        }
        // All subjects at once.
        std::vector<std::unique_ptr<Client>> online;
        for (const auto &subject : subjects)
            online.push_back(std::make_unique<Client>(wsUrl(subject)));
        for (const auto &client : online)
            QVERIFY(client->greeted());
        for (int k = 0; k < watcherCount; ++k) {
            for (const QString &subjectId : std::as_const(shareOf[k]))
                QTRY_COMPARE_WITH_TIMEOUT(lastOnline(*watching[k], subjectId), 1, 15000);
        }
        // Then one more user, in a group with every watcher: once each watcher
        // has heard of them, every frame about the subjects has arrived.
        const auto marker = m_http->newUser(u"Marker"_s);
        QStringList watcherIds;
        for (const auto &watcher : watchers)
            watcherIds.append(watcher.id);
        QVERIFY(!groupChat(marker, watcherIds).isEmpty());
        Client markerSocket(wsUrl(marker));
        QVERIFY(markerSocket.greeted());
        for (const auto &client : watching)
            QTRY_COMPARE_WITH_TIMEOUT(lastOnline(*client, marker.id), 1, 15000);
        for (int k = 0; k < watcherCount; ++k) {
            QSet<QString> toldAbout;
            for (const QString &subjectId : subjectIds) {
                const auto entries = entriesAbout(*watching[k], subjectId);
                if (entries.isEmpty())
                    continue;
                // Told once, online.
                QCOMPARE(entries.size(), 1);
                QVERIFY(entries.first().value(u"last_seen_at"_s).isNull());
                toldAbout.insert(subjectId);
            }
            QCOMPARE(toldAbout, shareOf[k]);
        }
        // The subjects hear about each other, never about themselves, and
        // every frame is whole.
        for (int i = 0; i < subjectCount; ++i) {
            QVERIFY(entriesAbout(*online[i], subjects[i].id).isEmpty());
            for (const QJsonObject &frame : online[i]->ofType(u"presence"_s))
                QVERIFY(!frame.value(u"data"_s).toObject().value(u"users"_s).toArray().isEmpty());
        }
    }

    void aRemovedMemberStopsSeeing()
    {
        const auto alice = m_http->newUser(u"Alice"_s);
        const auto bob = m_http->newUser(u"Bob"_s);
        const auto erin = m_http->newUser(u"Erin"_s);
        const auto frank = m_http->newUser(u"Frank"_s);
        const QString group = groupChat(alice, { bob.id, erin.id });
        QVERIFY(!group.isEmpty());
        m_http->personalChat(erin.token, frank.id);
        QCOMPARE(presenceFor(erin, { bob.id }).size(), 1);
        COMPARE_STATUS(m_http->request("DELETE",
                           u"/api/v1/chats/%1/members/%2"_s.arg(group, erin.id), {}, alice.token),
            204);
        QVERIFY(presenceFor(erin, { bob.id }).isEmpty());
        Client a(wsUrl(alice));
        Client e(wsUrl(erin));
        QVERIFY(a.greeted() && e.greeted());
        Client b(wsUrl(bob));
        QVERIFY(b.greeted());
        QTRY_COMPARE_WITH_TIMEOUT(lastOnline(a, bob.id), 1, 10000);
        Client f(wsUrl(frank));
        QVERIFY(f.greeted());
        QTRY_COMPARE_WITH_TIMEOUT(lastOnline(e, frank.id), 1, 10000);
        QVERIFY(entriesAbout(e, bob.id).isEmpty());
    }

    void onlineOnAnyInstanceAndADeadInstanceExpires()
    {
        if (!m_server.isPostgres())
            QSKIP("several instances need PostgreSQL; this run uses SQLite (the postgres run "
                  "covers it)");
        TestServer second;
        QVERIFY2(second.startSharing(m_server), qPrintable(second.error()));
        const auto alice = m_http->newUser(u"Alice"_s);
        const auto bob = m_http->newUser(u"Bob"_s);
        m_http->personalChat(alice.token, bob.id);
        Client a(wsUrl(alice));
        QVERIFY(a.greeted());
        Client b(second.webSocketUrl(u"/ws/user"_s, bob.token));
        QVERIFY(b.greeted());
        QTRY_COMPARE_WITH_TIMEOUT(lastOnline(a, bob.id), 1, 10000);
        QCOMPARE(
            presenceFor(alice, { bob.id }).first().toObject().value(u"online"_s).toBool(), true);
        // The second instance dies without a word: its rows expire after the
        // timeout (3 s) and the next sweep (every second here) announces it.
        QElapsedTimer sinceKill;
        sinceKill.start();
        second.kill();
        QTRY_COMPARE_WITH_TIMEOUT(lastOnline(a, bob.id), 0, 15000);
        QVERIFY2(sinceKill.elapsed() <= 3000 + 1000 + 2000,
            qPrintable(QString::number(sinceKill.elapsed())));
        QCOMPARE(
            presenceFor(alice, { bob.id }).first().toObject().value(u"online"_s).toBool(), false);
    }
};

QTEST_MAIN(TestPresence)
#include "tst_presence.moc"
