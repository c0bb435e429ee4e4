#include "ClientTestSupport.h"
#include "TestServer.h"
#include "client/api/ApiClient.h"

#include <QSignalSpy>
#include <QTcpServer>

using namespace Qt::StringLiterals;
using namespace Messenger;
using namespace Messenger::Client;

class TestApiClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void registerLoginAndMe();
    void errorsAreTypedAndReadable();
    void unreachableServerIsANetworkError();
    void chatsMessagesAndHistory();
    void groupManagement();
    void expiredAccessTokenRefreshesOnceForConcurrentCalls();
    void refusedRefreshEndsTheSession();

private:
    // A signed-in client for a new user.
    std::unique_ptr<ApiClient> signedIn(const QString &name, User *user = nullptr);

    TestServer m_server;
    int m_users = 0;
};

void TestApiClient::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
}

std::unique_ptr<ApiClient> TestApiClient::signedIn(const QString &name, User *user)
{
    auto client = std::make_unique<ApiClient>();
    client->setBaseUrl(m_server.url(u"/"_s));
    const QString email = u"%1.%2@example.com"_s.arg(name.toLower()).arg(++m_users);
    const auto registered = await(client->registerUser(name, email, u"password-1"_s));
    if (!registered || !await(client->login(email, u"password-1"_s)))
        return nullptr;
    if (user)
        *user = registered.value();
    return client;
}

void TestApiClient::registerLoginAndMe()
{
    ApiClient client;
    client.setBaseUrl(m_server.url(u"/"_s));
    QSignalSpy refreshTokens(&client, &ApiClient::refreshTokenChanged);
    const auto user
        = await(client.registerUser(u"Ann Lee"_s, u"ann.api@example.com"_s, u"password-1"_s));
    VERIFY_OK(user);
    QCOMPARE(user.value().name, u"Ann Lee"_s);
    const auto tokens = await(client.login(u"ANN.api@example.com"_s, u"password-1"_s));
    VERIFY_OK(tokens);
    QCOMPARE(tokens.value().userId, user.value().id);
    QCOMPARE(client.accessToken(), tokens.value().accessToken);
    QCOMPARE(refreshTokens.size(), 1);
    const auto me = await(client.me());
    VERIFY_OK(me);
    QCOMPARE(me.value(), user.value());
    // Search finds other people (never the caller).
    auto other = signedIn(u"Searcher"_s);
    QVERIFY(other);
    const auto found = await(other->searchUsers(u"ann l"_s));
    VERIFY_OK(found);
    QVERIFY(found.value().contains(user.value()));
    // An address matches only whole (no listing everyone's by its first letters).
    const auto byEmail = await(other->searchUsers(u"ann.api@example.com"_s));
    QCOMPARE(byEmail.value(), QList<User> { user.value() });
    const auto byPrefix = await(other->searchUsers(u"ann.api@"_s));
    VERIFY_OK(byPrefix);
    QVERIFY(!byPrefix.value().contains(user.value()));

    // The sessions: this client's login, named after the device, and a second one.
    ApiClient phone;
    phone.setBaseUrl(m_server.url(u"/"_s));
    phone.setDeviceName(u"Ann's phone"_s);
    VERIFY_OK(await(phone.login(u"ann.api@example.com"_s, u"password-1"_s)));
    QVERIFY(!phone.accessTokenDeadline().isForever());
    const auto sessions = await(client.sessions());
    VERIFY_OK(sessions);
    QCOMPARE(sessions.value().size(), 2);
    const SessionInfo phoneSession = sessions.value().first(); // the most recent
    QCOMPARE(phoneSession.deviceName, u"Ann's phone"_s);
    QVERIFY(!phoneSession.current);
    QVERIFY(phoneSession.client.startsWith(QCoreApplication::applicationName()));
    QVERIFY(sessions.value().last().current);
    QSignalSpy phoneExpired(&phone, &ApiClient::sessionExpired);
    VERIFY_OK(await(client.revokeSession(phoneSession.id)));
    // The phone's next call is refused, its refresh too: its session is over.
    QVERIFY(!await(phone.me()));
    QCOMPARE(phoneExpired.size(), 1);
    VERIFY_OK(await(client.me()));
    VERIFY_OK(await(client.logout()));
    // The refresh token died with the logout.
    QVERIFY(!await(client.refresh()));
}

void TestApiClient::errorsAreTypedAndReadable()
{
    ApiClient client;
    client.setBaseUrl(m_server.url(u"/"_s));
    VERIFY_OK(await(client.registerUser(u"Bob"_s, u"bob.api@example.com"_s, u"password-1"_s)));
    // Taken email: the seed's 400 with its detail.
    const auto taken
        = await(client.registerUser(u"Bob"_s, u"bob.api@example.com"_s, u"password-1"_s));
    QVERIFY(!taken);
    QCOMPARE(taken.error().kind, ApiError::Kind::Http);
    QCOMPARE(taken.error().status, 400);
    QVERIFY(!taken.error().message().isEmpty());
    // Wrong password.
    const auto wrong = await(client.login(u"bob.api@example.com"_s, u"nope-nope"_s));
    QCOMPARE(wrong.error().status, 401);
    // Validation: the field is named.
    const auto shortPassword
        = await(client.registerUser(u"Carl"_s, u"carl.api@example.com"_s, u"short"_s));
    QCOMPARE(shortPassword.error().status, 422);
    QVERIFY2(shortPassword.error().detail.startsWith(u"password"_s),
        qPrintable(shortPassword.error().detail));
    // Not signed in at all.
    const auto anonymous = await(client.me());
    QCOMPARE(anonymous.error().status, 401);
}

void TestApiClient::unreachableServerIsANetworkError()
{
    // A port that was free a moment ago: nothing listens there.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const quint16 port = probe.serverPort();
    probe.close();
    ApiClient client;
    client.setBaseUrl(QUrl(u"http://127.0.0.1:%1"_s.arg(port)));
    const auto result = await(client.login(u"x@example.com"_s, u"password-1"_s));
    QVERIFY(!result);
    QCOMPARE(result.error().kind, ApiError::Kind::Network);
    QVERIFY(result.error().message().contains(u"reach"_s));
}

void TestApiClient::chatsMessagesAndHistory()
{
    User bob;
    auto ann = signedIn(u"Ann"_s);
    auto bobClient = signedIn(u"Bob"_s, &bob);
    QVERIFY(ann && bobClient);
    const auto chat = await(ann->createPersonalChat(bob.id));
    VERIFY_OK(chat);
    // Asking again gives the same chat.
    QCOMPARE(await(ann->createPersonalChat(bob.id)).value().id, chat.value().id);

    const QString clientId = newUuid();
    const auto first = await(ann->sendMessage(chat.value().id, u"hello"_s, clientId));
    VERIFY_OK(first);
    QCOMPARE(await(ann->sendMessage(chat.value().id, u"hello"_s, clientId)).value().id,
        first.value().id);
    for (int i = 0; i < 5; ++i)
        VERIFY_OK(await(bobClient->sendMessage(chat.value().id, u"reply %1"_s.arg(i))));

    const auto newest = await(ann->history(chat.value().id, { .limit = 3 }));
    VERIFY_OK(newest);
    QCOMPARE(newest.value().messages.size(), 3);
    QCOMPARE(newest.value().messages.first().text, u"reply 4"_s);
    QVERIFY(newest.value().hasMore);
    const auto older = await(ann->history(
        chat.value().id, { .limit = 10, .beforeSeq = newest.value().messages.last().seq }));
    QCOMPARE(older.value().messages.size(), 3);
    QCOMPARE(older.value().messages.last().text, u"hello"_s);
    QVERIFY(!older.value().hasMore);

    const auto list = await(ann->chatsWithLastMessage());
    VERIFY_OK(list);
    QCOMPARE(list.value().size(), 1);
    QCOMPARE(list.value().first().unreadCount, 5);
    QCOMPARE(list.value().first().lastMessage->text, u"reply 4"_s);
    const auto read = await(ann->markRead(chat.value().id, newest.value().messages.at(1).id));
    VERIFY_OK(read);
    QCOMPARE(read.value().unreadCount, 1);

    const auto edited = await(ann->editMessage(first.value().id, u"hello, edited"_s));
    VERIFY_OK(edited);
    QVERIFY(edited.value().editedAt.has_value());
    // Someone else's message is not mine to edit or delete.
    QCOMPARE(await(bobClient->deleteMessage(first.value().id)).error().status, 403);
    const auto deleted = await(ann->deleteMessage(first.value().id));
    VERIFY_OK(deleted);
    QVERIFY(deleted.value().deleted);

    const auto updates = await(bobClient->updates(0));
    VERIFY_OK(updates);
    QVERIFY(updates.value().events.size() >= 8);
    QVERIFY(updates.value().lastSeq > 0);
}

void TestApiClient::groupManagement()
{
    User bob;
    User carol;
    auto ann = signedIn(u"Ann"_s);
    auto bobClient = signedIn(u"Bob"_s, &bob);
    auto carolClient = signedIn(u"Carol"_s, &carol);
    QVERIFY(ann && bobClient && carolClient);
    const auto group = await(ann->createGroupChat(u"Team"_s, { bob.id }));
    VERIFY_OK(group);
    QCOMPARE(group.value().members.size(), 2);
    const QString chatId = group.value().id;
    QCOMPARE(await(ann->renameChat(chatId, u"Team A"_s)).value().name, u"Team A"_s);
    // Only the owner renames.
    QCOMPARE(await(bobClient->renameChat(chatId, u"Mine"_s)).error().status, 403);
    QCOMPARE(await(ann->addMembers(chatId, { carol.id })).value().members.size(), 3);
    VERIFY_OK(await(ann->removeMember(chatId, carol.id)));
    QCOMPARE(await(carolClient->chat(chatId)).error().status, 403);
    VERIFY_OK(await(bobClient->removeMember(chatId, bob.id))); // Bob leaves
    QCOMPARE(await(ann->chat(chatId)).value().members.size(), 1);
}

void TestApiClient::expiredAccessTokenRefreshesOnceForConcurrentCalls()
{
    auto ann = signedIn(u"Ann"_s);
    QVERIFY(ann);
    // An access token the server no longer takes, with a good refresh token.
    ann->setTokens(u"expired.or.garbage"_s, ann->refreshToken());
    const int refreshesBefore = ann->refreshCount();
    QList<QFuture<ApiResult<User>>> calls;
    for (int i = 0; i < 5; ++i)
        calls.append(ann->me());
    const auto chats = ann->chatsWithLastMessage();
    for (const auto &call : calls)
        VERIFY_OK(await(call));
    VERIFY_OK(await(chats));
    QCOMPARE(ann->refreshCount() - refreshesBefore, 1);
    QVERIFY(ann->accessToken() != u"expired.or.garbage"_s);
}

void TestApiClient::refusedRefreshEndsTheSession()
{
    auto ann = signedIn(u"Ann"_s);
    QVERIFY(ann);
    QSignalSpy expired(ann.get(), &ApiClient::sessionExpired);
    ann->setTokens(u"expired.or.garbage"_s, u"not-a-refresh-token"_s);
    const auto me = await(ann->me());
    QCOMPARE(me.error().status, 401);
    QCOMPARE(expired.size(), 1);
    QVERIFY(ann->refreshToken().isEmpty());
}

QTEST_MAIN(TestApiClient)
#include "tst_apiclient.moc"
