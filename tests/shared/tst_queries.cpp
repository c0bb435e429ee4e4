#include "shared/Limits.h"
#include "shared/Presence.h"
#include "shared/Queries.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Messenger;

// The query DTOs the clients build and the server reads: what a client sends
// reads back the same, and each malformed query gets the 422 the API has
// always given (the first bad parameter, located at ["query", name]).
class TestQueries : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void presenceQuery()
    {
        const QString bob = u"5b0f8f6c-2f53-4d0e-9d4e-6a1f0c3b2d41"_s;
        const QString carol = u"0b6e1f55-7d0c-4c39-8e0e-1f0d2a3b4c5d"_s;
        const auto parsed = PresenceQuery::fromQuery(PresenceQuery { { bob, carol } }.toQuery());
        QVERIFY(parsed);
        QCOMPARE(parsed->userIds, QStringList({ bob, carol }));
        // Upper case and repeats name the same people once.
        const auto repeated
            = PresenceQuery::fromQuery(PresenceQuery { { bob.toUpper(), bob, carol } }.toQuery());
        QVERIFY(repeated);
        QCOMPARE(repeated->userIds, QStringList({ bob, carol }));
        QVERIFY(!PresenceQuery::fromQuery(QUrlQuery()));
        QVERIFY(!PresenceQuery::fromQuery(PresenceQuery { { bob, u"bob"_s } }.toQuery()));
        QStringList many;
        for (int i = 0; i <= Limits::presenceIdsMax; ++i)
            many.append(u"00000000-0000-4000-8000-%1"_s.arg(i, 12, 10, QChar(u'0')));
        const auto tooMany = PresenceQuery::fromQuery(PresenceQuery { many }.toQuery());
        QVERIFY(!tooMany);
        QCOMPARE(tooMany.errors().first().loc, QStringList({ u"query"_s, u"user_ids"_s }));
        many.removeLast();
        QVERIFY(PresenceQuery::fromQuery(PresenceQuery { many }.toQuery()));
    }

    void privacySettings()
    {
        for (const QStringView value : { PrivacySettings::everyone, PrivacySettings::nobody }) {
            const auto parsed
                = PrivacySettings::fromJson(PrivacySettings { value.toString() }.toJson());
            QVERIFY(parsed);
            QCOMPARE(parsed->presenceVisible, value.toString());
        }
        QVERIFY(!PrivacySettings::fromJson(PrivacySettings { u"friends"_s }.toJson()));
        QVERIFY(!PrivacySettings::fromJson(QJsonObject()));
    }

    void historyRoundTrip()
    {
        HistoryQuery query;
        query.limit = 30;
        query.beforeSeq = 41;
        QCOMPARE(query.toQuery().toString(), u"limit=30&before_seq=41"_s);
        const auto parsed = HistoryQuery::fromQuery(query.toQuery());
        QVERIFY(parsed);
        QCOMPARE(parsed->limit, 30);
        QCOMPARE(parsed->offset, 0);
        QCOMPARE(parsed->beforeSeq, std::optional<qint64>(41));
        QCOMPARE(parsed->afterSeq, std::nullopt);
    }

    void historyDefaults()
    {
        const auto parsed = HistoryQuery::fromQuery(QUrlQuery());
        QVERIFY(parsed);
        QCOMPARE(parsed->limit, Limits::historyPageDefault);
        QCOMPARE(parsed->beforeSeq, std::nullopt);
    }

    void historyRejects_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QStringList>("names");
        QTest::addColumn<QString>("type");
        QTest::newRow("limit not a number")
            << u"limit=ten"_s << QStringList { u"limit"_s } << u"int_parsing"_s;
        QTest::newRow("limit zero")
            << u"limit=0"_s << QStringList { u"limit"_s } << u"greater_than_equal"_s;
        QTest::newRow("limit over the page maximum")
            << u"limit=%1"_s.arg(Limits::historyPageMax + 1) << QStringList { u"limit"_s }
            << u"less_than_equal"_s;
        QTest::newRow("only the first bad parameter")
            << u"limit=x&after_seq=-1"_s << QStringList { u"limit"_s } << u"int_parsing"_s;
        QTest::newRow("before_seq with after_seq")
            << u"before_seq=5&after_seq=2"_s << QStringList { u"before_seq"_s, u"after_seq"_s }
            << u"parameter_conflict"_s;
        QTest::newRow("around_seq with after_seq")
            << u"around_seq=5&after_seq=2"_s << QStringList { u"after_seq"_s, u"around_seq"_s }
            << u"parameter_conflict"_s;
        QTest::newRow("around_seq with offset and before_seq")
            << u"before_seq=9&around_seq=5&offset=1"_s
            << QStringList { u"offset"_s, u"before_seq"_s, u"around_seq"_s }
            << u"parameter_conflict"_s;
        QTest::newRow("negative around_seq")
            << u"around_seq=-1"_s << QStringList { u"around_seq"_s } << u"greater_than_equal"_s;
        QTest::newRow("offset zero with before_seq")
            << u"offset=0&before_seq=5"_s << QStringList { u"offset"_s, u"before_seq"_s }
            << u"parameter_conflict"_s;
    }
    void historyRejects()
    {
        QFETCH(QString, query);
        QFETCH(QStringList, names);
        QFETCH(QString, type);
        const auto parsed = HistoryQuery::fromQuery(QUrlQuery(query));
        QVERIFY(!parsed);
        QCOMPARE(parsed.errors().size(), names.size());
        for (qsizetype i = 0; i < names.size(); ++i) {
            QCOMPARE(parsed.errors().at(i).loc, (QStringList { u"query"_s, names.at(i) }));
            QCOMPARE(parsed.errors().at(i).type, type);
        }
    }

    void conflictMessageNamesEveryParameter()
    {
        const auto parsed = HistoryQuery::fromQuery(QUrlQuery(u"offset=1&after_seq=2"_s));
        QVERIFY(!parsed);
        QCOMPARE(parsed.errors().first().msg,
            u"Use only one of offset, before_seq, after_seq and around_seq (got offset, after_seq)"_s);
    }

    void historyAroundSeqRoundTrip()
    {
        HistoryQuery query;
        query.limit = 50;
        query.aroundSeq = 1234;
        QCOMPARE(query.toQuery().toString(), u"limit=50&around_seq=1234"_s);
        const auto parsed = HistoryQuery::fromQuery(query.toQuery());
        QVERIFY(parsed);
        QCOMPARE(parsed->aroundSeq, std::optional<qint64>(1234));
        QCOMPARE(parsed->beforeSeq, std::nullopt);
    }

    void updatesRoundTrip()
    {
        const UpdatesQuery query { 17, 250 };
        QCOMPARE(query.toQuery().toString(), u"since_seq=17&limit=250"_s);
        const auto parsed = UpdatesQuery::fromQuery(query.toQuery());
        QVERIFY(parsed);
        QCOMPARE(parsed->sinceSeq, 17);
        QCOMPARE(parsed->limit, 250);
    }

    void updatesNeedsSinceSeq()
    {
        const auto parsed = UpdatesQuery::fromQuery(QUrlQuery(u"limit=5"_s));
        QVERIFY(!parsed);
        QCOMPARE(parsed.errors().size(), 1);
        QCOMPARE(parsed.errors().first().loc, (QStringList { u"query"_s, u"since_seq"_s }));
        QCOMPARE(parsed.errors().first().type, u"missing"_s);
    }

    void searchKeepsDelimitersInTheText()
    {
        // '&', '=', '+' and '%' are data here, not query syntax.
        const UserSearchQuery query { u"a&b=c+d%20"_s, 7 };
        const auto parsed = UserSearchQuery::fromQuery(query.toQuery());
        QVERIFY(parsed);
        QCOMPARE(parsed->text, query.text);
        QCOMPARE(parsed->limit, 7);
    }

    void searchRejects_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("type");
        QTest::newRow("missing") << QString() << u"missing"_s;
        QTest::newRow("blank") << u"   "_s << u"missing"_s;
        QTest::newRow("too short") << u"ab"_s << u"string_too_short"_s;
        QTest::newRow("too long") << QString(Limits::userSearchQueryMax + 1, u'a')
                                  << u"string_too_long"_s;
        QTest::newRow("U+0000") << u"abc"_s + QChar(0) << u"string_forbidden_character"_s;
    }
    void searchRejects()
    {
        QFETCH(QString, text);
        QFETCH(QString, type);
        QUrlQuery query;
        if (!text.isNull())
            query = UserSearchQuery { text, 5 }.toQuery();
        const auto parsed = UserSearchQuery::fromQuery(query);
        QVERIFY(!parsed);
        QCOMPARE(parsed.errors().size(), 1);
        QCOMPARE(parsed.errors().first().loc, (QStringList { u"query"_s, u"query"_s }));
        QCOMPARE(parsed.errors().first().type, type);
    }
};

QTEST_GUILESS_MAIN(TestQueries)
#include "tst_queries.moc"
