#include "ImageFixtures.h"
#include "TestServer.h"
#include "WsClient.h"

#include <QBuffer>
#include <QImage>
#include <QImageWriter>
#include <QJsonArray>
#include <QTest>
#include <QUuid>

#include <memory>

using namespace Qt::StringLiterals;

// Profile and group photos (issue 17): PUT/DELETE /api/v1/users/me/avatar and
// /api/v1/chats/{id}/avatar make a 512 px square JPEG (and a 128 px
// thumbnail) from one of the caller's uploads; `avatar_url` on User and Chat;
// `user_updated` and `chat_updated` tell the people concerned.
class TestAvatars : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void profilePhotoIsSquareCleanAndShownEverywhere();
    void smallPhotoIsNotUpscaled();
    void replacingOrRemovingDropsTheFormerFile();
    void badSourcesAreRefused();
    void groupPhotoIsTheOwnersToSetAndMembersToSee();
    void changesAreAnnounced();
    void photosNeverExpire();

private:
    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

namespace {

QImage gradient(int width, int height)
{
    QImage image(width, height, QImage::Format_RGB32);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            image.setPixel(x, y, qRgb(x % 256, y % 256, (x + y) % 256));
    return image;
}

QByteArray encoded(const QImage &image, const char *format)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter(&buffer, format).write(image);
    return bytes;
}

// A phone's photo: a JPEG with EXIF (camera, GPS), XMP and a comment.
QByteArray cameraPhoto(int width, int height)
{
    return ImageFixtures::withJpegMetadata(encoded(gradient(width, height), "jpeg"), 1);
}

Reply setAvatar(HttpClient &http, const QString &path, const QString &token, const QString &upload)
{
    return http.request(
        "PUT", path, QJsonDocument(QJsonObject { { u"upload_id"_s, upload } }).toJson(), token);
}

const QString myAvatar = u"/api/v1/users/me/avatar"_s;

QString chatAvatar(const QString &chatId)
{
    return u"/api/v1/chats/%1/avatar"_s.arg(chatId);
}

QJsonObject memberOf(const QJsonObject &chat, const QString &userId)
{
    for (const QJsonValue &member : chat.value(u"members").toArray()) {
        if (member.toObject().value(u"id").toString() == userId)
            return member.toObject();
    }
    return {};
}

QJsonObject chatIn(const QJsonArray &chats, const QString &chatId)
{
    for (const QJsonValue &chat : chats) {
        if (chat.toObject().value(u"id").toString() == chatId)
            return chat.toObject();
    }
    return {};
}

} // namespace

void TestAvatars::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    m_http = std::make_unique<HttpClient>(m_server);
}

void TestAvatars::profilePhotoIsSquareCleanAndShownEverywhere()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto stranger = m_http->newUser(u"Carol"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    QVERIFY(m_http->get(u"/api/v1/users/me"_s, ann.token).object().value(u"avatar_url").isNull());

    const QString upload = m_http->upload(ann.token, u"me.jpg"_s, cameraPhoto(1000, 700));
    const Reply set = setAvatar(*m_http, myAvatar, ann.token, upload);
    COMPARE_STATUS(set, 200);
    const QString url = set.object().value(u"avatar_url").toString();
    QVERIFY2(url.startsWith(u"/api/v1/files/"_s), qPrintable(url));
    QVERIFY(!url.endsWith(upload)); // a file of its own
    QCOMPARE(set.object().value(u"id").toString(), ann.id);
    QCOMPARE(set.object().value(u"name").toString(), u"Ann"_s);

    // Everywhere the user is shown.
    QCOMPARE(m_http->get(u"/api/v1/users/me"_s, ann.token).object().value(u"avatar_url").toString(),
        url);
    const QJsonObject chat = m_http->get(u"/api/v1/chats/"_s + chatId, bob.token).object();
    QCOMPARE(memberOf(chat, ann.id).value(u"avatar_url").toString(), url);
    QVERIFY(memberOf(chat, bob.id).value(u"avatar_url").isNull());
    QCOMPARE(
        memberOf(chatIn(m_http->get(u"/api/v1/chats"_s, bob.token).json.array(), chatId), ann.id)
            .value(u"avatar_url")
            .toString(),
        url);
    const Reply sent = m_http->sendMessage(ann.token, chatId, u"hello"_s);
    COMPARE_STATUS(sent, 200);
    QCOMPARE(sent.object().value(u"sender").toObject().value(u"avatar_url").toString(), url);
    const QJsonArray history = m_http->get(u"/api/v1/chats/%1/history"_s.arg(chatId), bob.token)
                                   .object()
                                   .value(u"messages")
                                   .toArray();
    QVERIFY(!history.isEmpty());
    QCOMPARE(history.first().toObject().value(u"sender").toObject().value(u"avatar_url").toString(),
        url);
    const QJsonArray found = m_http->get(u"/api/v1/users?query=ann"_s, bob.token).json.array();
    bool listed = false;
    for (const QJsonValue &user : found) {
        if (user.toObject().value(u"id").toString() == ann.id) {
            QCOMPARE(user.toObject().value(u"avatar_url").toString(), url);
            listed = true;
        }
    }
    QVERIFY(listed);

    // Any signed-in user may fetch it: 512 px square, no metadata left.
    const Reply image = m_http->get(url, stranger.token);
    COMPARE_STATUS(image, 200);
    QCOMPARE(image.header("content-type"), "image/jpeg");
    QCOMPARE(QImage::fromData(image.body).size(), QSize(512, 512));
    for (const QByteArray &secret :
        { "Exif"_ba, ImageFixtures::cameraMake, ImageFixtures::secretComment, "xmpmeta"_ba })
        QVERIFY2(!image.body.contains(secret), secret.constData());
    const Reply thumbnail = m_http->get(url + u"/thumbnail"_s, stranger.token);
    COMPARE_STATUS(thumbnail, 200);
    QCOMPARE(QImage::fromData(thumbnail.body).size(), QSize(128, 128));
    QVERIFY(!thumbnail.body.contains(ImageFixtures::cameraMake));
    // Without a token, nothing.
    COMPARE_STATUS(m_http->get(url), 401);

    // The upload it was made from is left as it was: still an unsent upload.
    const Reply source = m_http->get(u"/api/v1/uploads/"_s + upload, ann.token);
    COMPARE_STATUS(source, 200);
    QCOMPARE(source.object().value(u"file").toObject().value(u"width").toInt(), 1000);
}

void TestAvatars::smallPhotoIsNotUpscaled()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const QString upload
        = m_http->upload(ann.token, u"small.png"_s, encoded(gradient(300, 200), "png"));
    const Reply set = setAvatar(*m_http, myAvatar, ann.token, upload);
    COMPARE_STATUS(set, 200);
    const QString url = set.object().value(u"avatar_url").toString();
    const Reply image = m_http->get(url, ann.token);
    COMPARE_STATUS(image, 200);
    QCOMPARE(image.header("content-type"), "image/jpeg");
    QCOMPARE(QImage::fromData(image.body).size(), QSize(200, 200));
    QCOMPARE(QImage::fromData(m_http->get(url + u"/thumbnail"_s, ann.token).body).size(),
        QSize(128, 128));
}

void TestAvatars::replacingOrRemovingDropsTheFormerFile()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const QString first = m_http->upload(ann.token, u"a.jpg"_s, cameraPhoto(600, 600));
    const QString second
        = m_http->upload(ann.token, u"b.png"_s, encoded(gradient(700, 500), "png"));
    const Reply one = setAvatar(*m_http, myAvatar, ann.token, first);
    COMPARE_STATUS(one, 200);
    const QString firstUrl = one.object().value(u"avatar_url").toString();
    COMPARE_STATUS(m_http->get(firstUrl, ann.token), 200);

    const Reply two = setAvatar(*m_http, myAvatar, ann.token, second);
    COMPARE_STATUS(two, 200);
    const QString secondUrl = two.object().value(u"avatar_url").toString();
    QVERIFY(secondUrl != firstUrl);
    COMPARE_STATUS(m_http->get(firstUrl, ann.token), 404);
    COMPARE_STATUS(m_http->get(firstUrl + u"/thumbnail"_s, ann.token), 404);
    COMPARE_STATUS(m_http->get(secondUrl, ann.token), 200);

    // The same picture again: a new file, the bytes stored once still serve it.
    const Reply again = setAvatar(*m_http, myAvatar, ann.token, second);
    COMPARE_STATUS(again, 200);
    const QString againUrl = again.object().value(u"avatar_url").toString();
    COMPARE_STATUS(m_http->get(secondUrl, ann.token), 404);
    const Reply served = m_http->get(againUrl, ann.token);
    COMPARE_STATUS(served, 200);
    QCOMPARE(QImage::fromData(served.body).size(), QSize(500, 500));

    // A photo's file cannot be deleted as an upload: remove the photo instead.
    const QString againId = againUrl.section(u'/', -1);
    const Reply terminated = m_http->tus("DELETE", u"/api/v1/uploads/"_s + againId, ann.token);
    COMPARE_STATUS(terminated, 409);
    QCOMPARE(terminated.object().value(u"code").toString(), u"file_attached"_s);

    const Reply removed = m_http->request("DELETE", myAvatar, {}, ann.token);
    COMPARE_STATUS(removed, 200);
    QVERIFY(removed.object().contains(u"avatar_url"_s));
    QVERIFY(removed.object().value(u"avatar_url").isNull());
    QCOMPARE(removed.object().value(u"id").toString(), ann.id);
    COMPARE_STATUS(m_http->get(againUrl, ann.token), 404);
    QVERIFY(m_http->get(u"/api/v1/users/me"_s, ann.token).object().value(u"avatar_url").isNull());
    // Removing no photo is no error.
    COMPARE_STATUS(m_http->request("DELETE", myAvatar, {}, ann.token), 200);
}

void TestAvatars::badSourcesAreRefused()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto codeOf = [](const Reply &reply) { return reply.object().value(u"code").toString(); };

    const QString text = m_http->upload(ann.token, u"notes.txt"_s, "not a picture");
    Reply refused = setAvatar(*m_http, myAvatar, ann.token, text);
    COMPARE_STATUS(refused, 422);
    QCOMPARE(codeOf(refused), u"avatar_not_an_image"_s);
    QVERIFY(!refused.object().value(u"detail").toString().isEmpty());

    // Claims to be a PNG, does not decode.
    QByteArray broken = encoded(gradient(50, 50), "png");
    broken.truncate(60);
    const QString brokenId = m_http->upload(ann.token, u"broken.png"_s, broken);
    refused = setAvatar(*m_http, myAvatar, ann.token, brokenId);
    COMPARE_STATUS(refused, 422);
    QCOMPARE(codeOf(refused), u"avatar_not_an_image"_s);

    // Someone else's upload, an unknown id, an unfinished upload.
    const QString bobs = m_http->upload(bob.token, u"bob.jpg"_s, cameraPhoto(100, 100));
    refused = setAvatar(*m_http, myAvatar, ann.token, bobs);
    COMPARE_STATUS(refused, 404);
    QCOMPARE(codeOf(refused), u"upload_not_found"_s);
    refused = setAvatar(
        *m_http, myAvatar, ann.token, QUuid::createUuid().toString(QUuid::WithoutBraces));
    COMPARE_STATUS(refused, 404);
    QCOMPARE(codeOf(refused), u"upload_not_found"_s);
    const Reply created = m_http->createUpload(ann.token, 1000, u"half.jpg"_s);
    COMPARE_STATUS(created, 201);
    const QString unfinished = QString::fromLatin1(created.header("location")).section(u'/', -1);
    refused = setAvatar(*m_http, myAvatar, ann.token, unfinished);
    COMPARE_STATUS(refused, 404);
    QCOMPARE(codeOf(refused), u"upload_not_found"_s);

    // No upload_id at all.
    refused = m_http->request("PUT", myAvatar, "{}", ann.token);
    COMPARE_STATUS(refused, 422);
    QCOMPARE(codeOf(refused), u"validation_error"_s);

    // Nothing changed on the way.
    QVERIFY(m_http->get(u"/api/v1/users/me"_s, ann.token).object().value(u"avatar_url").isNull());
}

void TestAvatars::groupPhotoIsTheOwnersToSetAndMembersToSee()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto carol = m_http->newUser(u"Carol"_s);
    const QString groupId = m_http->newGroup(ann, u"Team"_s, { bob.id });
    const QString personal = m_http->personalChat(ann.token, bob.id);
    const QString annsPhoto = m_http->upload(ann.token, u"team.jpg"_s, cameraPhoto(900, 600));
    const QString bobsPhoto = m_http->upload(bob.token, u"bob.jpg"_s, cameraPhoto(300, 300));
    QVERIFY(
        m_http->get(u"/api/v1/chats/"_s + groupId, ann.token).object().contains(u"avatar_url"_s));
    QVERIFY(m_http->get(u"/api/v1/chats/"_s + groupId, ann.token)
                .object()
                .value(u"avatar_url")
                .isNull());

    Reply refused = setAvatar(*m_http, chatAvatar(groupId), bob.token, bobsPhoto);
    COMPARE_STATUS(refused, 403);
    QCOMPARE(refused.object().value(u"code").toString(), u"not_chat_owner"_s);
    refused = setAvatar(*m_http, chatAvatar(personal), ann.token, annsPhoto);
    COMPARE_STATUS(refused, 400);
    QCOMPARE(refused.object().value(u"code").toString(), u"personal_chat"_s);
    refused = setAvatar(*m_http, chatAvatar(QUuid::createUuid().toString(QUuid::WithoutBraces)),
        ann.token, annsPhoto);
    COMPARE_STATUS(refused, 404);
    QCOMPARE(refused.object().value(u"code").toString(), u"chat_not_found"_s);
    COMPARE_STATUS(setAvatar(*m_http, chatAvatar(u"not-a-chat"_s), ann.token, annsPhoto), 404);
    refused = setAvatar(*m_http, chatAvatar(groupId), carol.token, annsPhoto);
    COMPARE_STATUS(refused, 403);
    // The owner, with someone else's upload: not theirs to use.
    refused = setAvatar(*m_http, chatAvatar(groupId), ann.token, bobsPhoto);
    COMPARE_STATUS(refused, 404);
    QCOMPARE(refused.object().value(u"code").toString(), u"upload_not_found"_s);

    const Reply set = setAvatar(*m_http, chatAvatar(groupId), ann.token, annsPhoto);
    COMPARE_STATUS(set, 200);
    QCOMPARE(set.object().value(u"id").toString(), groupId);
    const QString url = set.object().value(u"avatar_url").toString();
    QVERIFY2(url.startsWith(u"/api/v1/files/"_s), qPrintable(url));
    // The owner's own profile has no photo for it.
    QVERIFY(memberOf(set.object(), ann.id).value(u"avatar_url").isNull());
    QCOMPARE(m_http->get(u"/api/v1/chats/"_s + groupId, bob.token)
                 .object()
                 .value(u"avatar_url")
                 .toString(),
        url);
    QCOMPARE(chatIn(m_http->get(u"/api/v1/chats"_s, bob.token).json.array(), groupId)
                 .value(u"avatar_url")
                 .toString(),
        url);
    QCOMPARE(
        chatIn(m_http->get(u"/api/v1/chats/with-last-message"_s, bob.token).json.array(), groupId)
            .value(u"avatar_url")
            .toString(),
        url);
    // Personal chats never have one.
    QVERIFY(chatIn(m_http->get(u"/api/v1/chats"_s, bob.token).json.array(), personal)
                .value(u"avatar_url")
                .isNull());

    // Members see it, others do not.
    const Reply seen = m_http->get(url, bob.token);
    COMPARE_STATUS(seen, 200);
    QCOMPARE(QImage::fromData(seen.body).size(), QSize(512, 512));
    COMPARE_STATUS(m_http->get(url + u"/thumbnail"_s, bob.token), 200);
    const Reply hidden = m_http->get(url, carol.token);
    COMPARE_STATUS(hidden, 404);
    QCOMPARE(hidden.object().value(u"code").toString(), u"file_not_found"_s);
    COMPARE_STATUS(m_http->get(url + u"/thumbnail"_s, carol.token), 404);
    // Nor through a link of their own.
    COMPARE_STATUS(m_http->get(url + u"/link"_s, carol.token), 404);

    // A member who leaves loses sight of it.
    COMPARE_STATUS(m_http->request("DELETE", u"/api/v1/chats/%1/members/%2"_s.arg(groupId, bob.id),
                       {}, bob.token),
        204);
    COMPARE_STATUS(m_http->get(url, bob.token), 404);

    // Removed by a member: refused; by the owner: gone.
    COMPARE_STATUS(m_http->request("DELETE", chatAvatar(groupId), {}, carol.token), 403);
    const Reply removed = m_http->request("DELETE", chatAvatar(groupId), {}, ann.token);
    COMPARE_STATUS(removed, 200);
    QVERIFY(removed.object().value(u"avatar_url").isNull());
    COMPARE_STATUS(m_http->get(url, ann.token), 404);
}

void TestAvatars::changesAreAnnounced()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto carol = m_http->newUser(u"Carol"_s);
    const QString groupId = m_http->newGroup(ann, u"Team"_s, { bob.id });
    const QString photo = m_http->upload(ann.token, u"p.jpg"_s, cameraPhoto(400, 400));
    WsClient bobLive(m_server.webSocketUrl(u"/ws/user"_s, bob.token));
    WsClient carolLive(m_server.webSocketUrl(u"/ws/user"_s, carol.token));
    QVERIFY(bobLive.greeted());
    QVERIFY(carolLive.greeted());

    const Reply profile = setAvatar(*m_http, myAvatar, ann.token, photo);
    COMPARE_STATUS(profile, 200);
    QTRY_COMPARE_WITH_TIMEOUT(bobLive.ofType(u"user_updated"_s).size(), 1, 10000);
    QCOMPARE(bobLive.lastData(u"user_updated"_s), profile.object());

    const Reply group = setAvatar(*m_http, chatAvatar(groupId), ann.token, photo);
    COMPARE_STATUS(group, 200);
    QTRY_COMPARE_WITH_TIMEOUT(bobLive.ofType(u"chat_updated"_s).size(), 1, 10000);
    const QJsonObject updated = bobLive.lastData(u"chat_updated"_s);
    QCOMPARE(updated.value(u"chat_id").toString(), groupId);
    QCOMPARE(
        updated.value(u"avatar_url").toString(), group.object().value(u"avatar_url").toString());

    COMPARE_STATUS(m_http->request("DELETE", chatAvatar(groupId), {}, ann.token), 200);
    QTRY_COMPARE_WITH_TIMEOUT(bobLive.ofType(u"chat_updated"_s).size(), 2, 10000);
    QVERIFY(bobLive.lastData(u"chat_updated"_s).contains(u"avatar_url"_s));
    QVERIFY(bobLive.lastData(u"chat_updated"_s).value(u"avatar_url").isNull());
    COMPARE_STATUS(m_http->request("DELETE", myAvatar, {}, ann.token), 200);
    QTRY_COMPARE_WITH_TIMEOUT(bobLive.ofType(u"user_updated"_s).size(), 2, 10000);
    QVERIFY(bobLive.lastData(u"user_updated"_s).value(u"avatar_url").isNull());
    // Removing no photo again tells nobody: ann renames next, and that is
    // the next event bob gets.
    COMPARE_STATUS(m_http->request("DELETE", myAvatar, {}, ann.token), 200);
    COMPARE_STATUS(m_http->request("PATCH", u"/api/v1/users/me"_s,
                       QJsonDocument(QJsonObject { { u"name"_s, u"Anna"_s } }).toJson(), ann.token),
        200);
    QTRY_COMPARE_WITH_TIMEOUT(bobLive.ofType(u"user_updated"_s).size(), 3, 10000);
    QCOMPARE(bobLive.lastData(u"user_updated"_s).value(u"name").toString(), u"Anna"_s);

    // The same through /updates (another device catching up).
    const QList<QJsonObject> chatEvents = m_http->updatesOfType(bob.token, u"chat_updated"_s);
    QCOMPARE(chatEvents.size(), 2);
    QCOMPARE(chatEvents.first().value(u"chat_id").toString(), groupId);
    // Someone who shares no chat with ann hears of none of it.
    QVERIFY(m_http->updatesOfType(carol.token, u"user_updated"_s).isEmpty());
    QVERIFY(m_http->updatesOfType(carol.token, u"chat_updated"_s).isEmpty());
    QVERIFY(carolLive.ofType(u"user_updated"_s).isEmpty());
}

void TestAvatars::photosNeverExpire()
{
    TestServer server;
    QVERIFY2(server.start({ u"--upload-expiry"_s, u"2"_s }), qPrintable(server.error()));
    HttpClient http(server);
    const auto ann = http.newUser(u"Ann"_s);
    const auto bob = http.newUser(u"Bob"_s);
    const QString chatId = http.personalChat(ann.token, bob.id);
    const QString groupId = http.newGroup(ann, u"Team"_s, { bob.id });
    const QString photo = http.upload(ann.token, u"p.jpg"_s, cameraPhoto(640, 480));
    const Reply profile = setAvatar(http, myAvatar, ann.token, photo);
    COMPARE_STATUS(profile, 200);
    const QString profileUrl = profile.object().value(u"avatar_url").toString();
    const Reply group = setAvatar(http, chatAvatar(groupId), ann.token, photo);
    COMPARE_STATUS(group, 200);
    const QString groupUrl = group.object().value(u"avatar_url").toString();
    // The photo's file sent in a message, and that message deleted: the file
    // is still the photo, so it stays.
    const Reply sent = http.sendMessage(ann.token, chatId, u"me"_s,
        { { u"attachment_ids"_s, QJsonArray { profileUrl.section(u'/', -1) } } });
    COMPARE_STATUS(sent, 200);
    COMPARE_STATUS(
        http.request("DELETE", u"/api/v1/messages/"_s + sent.object().value(u"id").toString(), {},
            ann.token),
        200);

    // An unrelated upload nobody sends expires: once it is gone, the sweep ran.
    const QString unsent = http.upload(ann.token, u"x.bin"_s, "unsent");
    QTRY_COMPARE_WITH_TIMEOUT(
        http.tus("HEAD", u"/api/v1/uploads/"_s + unsent, ann.token).status, 404, 15000);
    // The source upload went the same way, as any unsent upload.
    COMPARE_STATUS(http.get(u"/api/v1/uploads/"_s + photo, ann.token), 404);
    for (const QString &url : { profileUrl, groupUrl }) {
        COMPARE_STATUS(http.get(url, bob.token), 200);
        COMPARE_STATUS(http.get(url + u"/thumbnail"_s, bob.token), 200);
    }
}

QTEST_GUILESS_MAIN(TestAvatars)
#include "tst_avatars.moc"
