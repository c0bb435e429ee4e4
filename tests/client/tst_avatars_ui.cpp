#include "DesktopTestSupport.h"

#include "client/models/ChatListModel.h"
#include "client/models/FileCache.h"
#include "client/models/UserSearchModel.h"
#include "client/ui/ChatInfoPanel.h"
#include "client/ui/ChatListDelegate.h"
#include "client/ui/PhotoEditor.h"
#include "client/ui/SettingsDialog.h"
#include "shared/ApiPaths.h"

#include <QBuffer>
#include <QJsonDocument>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QToolButton>

using namespace Qt::StringLiterals;
using namespace Messenger;
using namespace Messenger::Client;

// Profile and group photos in the desktop app against a real server: shown
// wherever initials were (chat list, header, info panel, people found),
// changed live by `user_updated` and `chat_updated`, set and removed from
// Settings and from a group's info by its owner, kept on disk for an offline
// start.
class TestAvatarsUi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void someonesNewPhotoShowsInTheListAndHeaderAtOnce();
    void settingsSetsAndRemovesTheUsersPhoto();
    void groupOwnerSetsTheGroupPhotoMembersSeeIt();
    void aFileThatIsNotAnImageIsRefusedWithAReason();
    void photosAreKeptOnDiskForAnOfflineStart();

private:
    // A plain red image, so a photo is told from initials by one pixel.
    static QByteArray redPng(const QSize &size = QSize(400, 300));
    // `account` sets (an image's bytes) or removes (empty) their profile photo over REST.
    void setProfilePhotoOverRest(const HttpClient::Account &account, const QByteArray &image);
    // Whether the middle of `pixmap` is the red of redPng (not initials on a colour).
    static bool showsRedPhoto(const QPixmap &pixmap);
    static bool showsRedPhoto(const QImage &image);
    // The chat list row of `chatId`, painted as it is on screen.
    static QImage chatRowAvatar(const SignedIn &client, const QString &chatId);

    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
    QTemporaryDir m_dir;
};

void TestAvatarsUi::initTestCase()
{
    prepareDesktopTestCase(u"tst_avatars_ui"_s);
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    m_http = std::make_unique<HttpClient>(m_server);
    QVERIFY(m_dir.isValid());
}

void TestAvatarsUi::init()
{
    resetClientState(m_server);
    QDir(QStandardPaths::writableLocation(QStandardPaths::CacheLocation)).removeRecursively();
}

QByteArray TestAvatarsUi::redPng(const QSize &size)
{
    QImage image(size, QImage::Format_RGB32);
    image.fill(QColor(0xff, 0x10, 0x10));
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

void TestAvatarsUi::setProfilePhotoOverRest(
    const HttpClient::Account &account, const QByteArray &image)
{
    const QString path = ApiPaths::usersMeAvatar.toString();
    if (image.isEmpty()) {
        QCOMPARE(m_http->request("DELETE", path, {}, account.token).status, 200);
        return;
    }
    const QString upload = m_http->upload(account.token, u"me.png"_s, image);
    QVERIFY(!upload.isEmpty());
    const Reply set = m_http->request("PUT", path,
        QJsonDocument(QJsonObject { { u"upload_id"_s, upload } }).toJson(), account.token);
    QCOMPARE(set.status, 200);
}

bool TestAvatarsUi::showsRedPhoto(const QImage &image)
{
    if (image.isNull())
        return false;
    const QColor middle = image.pixelColor(image.width() / 2, image.height() / 2);
    return middle.red() > 200 && middle.green() < 80 && middle.blue() < 80;
}

bool TestAvatarsUi::showsRedPhoto(const QPixmap &pixmap)
{
    return showsRedPhoto(pixmap.toImage());
}

QImage TestAvatarsUi::chatRowAvatar(const SignedIn &client, const QString &chatId)
{
    QListView *list = client.window->chatListView();
    const QModelIndexList rows
        = list->model()->match(list->model()->index(0, 0), ChatListModel::ChatIdRole, chatId);
    if (rows.isEmpty())
        return {};
    const QRect rect = list->visualRect(rows.first());
    if (!rect.isValid())
        return {};
    // ChatListDelegate's avatar: 46 px, 8 px in, centred vertically.
    const QImage shot = list->viewport()->grab(rect).toImage();
    constexpr int padding = 8;
    constexpr int side = 46;
    return shot.copy(padding, (shot.height() - side) / 2, side, side);
}

void TestAvatarsUi::someonesNewPhotoShowsInTheListAndHeaderAtOnce()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    SignedIn desk = signInWithChatOpen(m_server, bob, chatId);
    QVERIFY(desk.window);
    ChatListModel *chats = desk.session->chats();
    const QModelIndex row = chats->index(chats->rowOf(chatId));
    QVERIFY(row.data(ChatListModel::AvatarUrlRole).toString().isEmpty());
    QVERIFY(!showsRedPhoto(desk.window->headerAvatar()->pixmap()));
    QVERIFY(!showsRedPhoto(chatRowAvatar(desk, chatId)));

    // Ann sets a photo: `user_updated` brings its URL, then the picture comes.
    setProfilePhotoOverRest(ann, redPng());
    QTRY_VERIFY_WITH_TIMEOUT(
        !chats->index(chats->rowOf(chatId)).data(ChatListModel::AvatarUrlRole).isNull()
            && !chats->index(chats->rowOf(chatId))
                    .data(ChatListModel::AvatarUrlRole)
                    .toString()
                    .isEmpty(),
        10000);
    QTRY_VERIFY_WITH_TIMEOUT(showsRedPhoto(desk.window->headerAvatar()->pixmap()), 10000);
    QTRY_VERIFY(showsRedPhoto(chatRowAvatar(desk, chatId)));
    // The info panel too.
    desk.window->infoButton()->setChecked(true);
    QTRY_VERIFY(showsRedPhoto(desk.window->infoPanel()->photoEditor()->preview()->pixmap()));
    // Someone else's photo: no buttons to change it.
    QVERIFY(!desk.window->infoPanel()->photoEditor()->setButton()->isVisible());
    saveScreenshot(desk.window.get(), u"avatars-chat"_s);

    // People found by search carry it.
    UserSearchModel found(desk.session->api(), bob.id);
    found.setQuery(ann.email);
    QTRY_COMPARE_WITH_TIMEOUT(found.rowCount(), 1, 10000);
    QVERIFY(!found.index(0).data(UserSearchModel::AvatarUrlRole).toString().isEmpty());

    // Removed: the initials come back.
    setProfilePhotoOverRest(ann, {});
    QTRY_VERIFY_WITH_TIMEOUT(!showsRedPhoto(desk.window->headerAvatar()->pixmap()), 10000);
    QVERIFY(
        chats->index(chats->rowOf(chatId)).data(ChatListModel::AvatarUrlRole).toString().isEmpty());
    QTRY_VERIFY(!showsRedPhoto(chatRowAvatar(desk, chatId)));
}

void TestAvatarsUi::settingsSetsAndRemovesTheUsersPhoto()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    SignedIn desk = signIn(m_server, ann);
    QVERIFY(desk.window);
    SettingsDialog settings(desk.session.get());
    settings.show();
    PhotoEditor *editor = settings.photoEditor();
    QVERIFY(editor->setButton()->isVisible());
    QVERIFY(!editor->removeButton()->isVisible()); // nothing to remove yet
    QVERIFY(!showsRedPhoto(editor->preview()->pixmap()));

    QSignalSpy changed(editor, &PhotoEditor::photoChanged);
    // What "Set Photo…"'s file dialog hands over.
    editor->setPhotoFromFile(writeFile(m_dir, u"me.png"_s, redPng()));
    QVERIFY(editor->isBusy());
    QVERIFY(!editor->setButton()->isEnabled());
    QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 1, 15000);
    QCOMPARE(changed.first().first().toBool(), true);
    QVERIFY(desk.session->currentUser().avatarUrl.has_value());
    const Reply me = m_http->get(ApiPaths::usersMe.toString(), ann.token);
    QCOMPARE(me.object().value(u"avatar_url").toString(), *desk.session->currentUser().avatarUrl);
    QTRY_VERIFY_WITH_TIMEOUT(showsRedPhoto(editor->preview()->pixmap()), 10000);
    QVERIFY(editor->removeButton()->isVisible());
    saveScreenshot(&settings, u"avatars-settings"_s);

    QTest::mouseClick(editor->removeButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 2, 10000);
    QCOMPARE(changed.last().first().toBool(), true);
    QVERIFY(!desk.session->currentUser().avatarUrl.has_value());
    QVERIFY(m_http->get(ApiPaths::usersMe.toString(), ann.token)
                .object()
                .value(u"avatar_url")
                .isNull());
    QVERIFY(!showsRedPhoto(editor->preview()->pixmap()));
    QVERIFY(!editor->removeButton()->isVisible());
}

void TestAvatarsUi::groupOwnerSetsTheGroupPhotoMembersSeeIt()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString groupId = m_http->newGroup(ann, u"Hikers"_s, { bob.id });
    SignedIn owner = signInWithChatOpen(m_server, ann, groupId);
    QVERIFY(owner.window);
    SignedIn member = signInWithChatOpen(m_server, bob, groupId);
    QVERIFY(member.window);

    owner.window->infoButton()->setChecked(true);
    PhotoEditor *editor = owner.window->infoPanel()->photoEditor();
    QTRY_VERIFY(editor->setButton()->isVisible()); // the owner may
    member.window->infoButton()->setChecked(true);
    QVERIFY(!member.window->infoPanel()->photoEditor()->setButton()->isVisible());

    QSignalSpy changed(editor, &PhotoEditor::photoChanged);
    editor->setPhotoFromFile(writeFile(m_dir, u"hills.png"_s, redPng(QSize(300, 500))));
    QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 1, 15000);
    QCOMPARE(changed.first().first().toBool(), true);
    QTRY_VERIFY_WITH_TIMEOUT(showsRedPhoto(editor->preview()->pixmap()), 10000);
    QVERIFY(editor->removeButton()->isVisible());

    // Bob learns it from `chat_updated`: his list, header and panel show it.
    QTRY_VERIFY_WITH_TIMEOUT(showsRedPhoto(member.window->headerAvatar()->pixmap()), 10000);
    QTRY_VERIFY(showsRedPhoto(chatRowAvatar(member, groupId)));
    QTRY_VERIFY(showsRedPhoto(member.window->infoPanel()->photoEditor()->preview()->pixmap()));
    const Reply chat = m_http->get(ApiPaths::chat(groupId), bob.token);
    QCOMPARE(chat.object().value(u"avatar_url").toString(),
        member.session->chats()
            ->index(member.session->chats()->rowOf(groupId))
            .data(ChatListModel::AvatarUrlRole)
            .toString());
    saveScreenshot(member.window.get(), u"avatars-group"_s);

    // Removed by the owner: gone for Bob too.
    QTest::mouseClick(editor->removeButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 2, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(!showsRedPhoto(member.window->headerAvatar()->pixmap()), 10000);
    QVERIFY(m_http->get(ApiPaths::chat(groupId), bob.token).object().value(u"avatar_url").isNull());
}

void TestAvatarsUi::aFileThatIsNotAnImageIsRefusedWithAReason()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    SignedIn desk = signIn(m_server, ann);
    QVERIFY(desk.window);
    SettingsDialog settings(desk.session.get());
    PhotoEditor *editor = settings.photoEditor();
    QSignalSpy changed(editor, &PhotoEditor::photoChanged);
    editor->setPhotoFromFile(writeFile(m_dir, u"notes.png"_s, "not a picture at all\n"));
    QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 1, 15000);
    QCOMPARE(changed.first().first().toBool(), false);
    QVERIFY(!editor->status()->isHidden());
    QVERIFY(!editor->status()->text().isEmpty());
    QVERIFY(editor->setButton()->isEnabled()); // free to try another
    QVERIFY(!desk.session->currentUser().avatarUrl.has_value());
    QVERIFY(m_http->get(ApiPaths::usersMe.toString(), ann.token)
                .object()
                .value(u"avatar_url")
                .isNull());
}

void TestAvatarsUi::photosAreKeptOnDiskForAnOfflineStart()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    setProfilePhotoOverRest(ann, redPng());
    SignedIn desk = signInWithChatOpen(m_server, bob, chatId);
    QVERIFY(desk.window);
    const QString avatarUrl = desk.session->chats()
                                  ->index(desk.session->chats()->rowOf(chatId))
                                  .data(ChatListModel::AvatarUrlRole)
                                  .toString();
    QVERIFY(!avatarUrl.isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(showsRedPhoto(desk.window->headerAvatar()->pixmap()), 10000);

    // Another run with no server to ask (no API at all) finds it on disk.
    FileCache offline(nullptr, FileCache::folderFor(bob.id));
    QVERIFY(showsRedPhoto(offline.avatar(avatarUrl)));
    // Only an id of the API's files names a file on disk.
    QVERIFY(offline.avatar(u"/api/v1/files/../../secret"_s).isNull());
}

QTEST_MAIN(TestAvatarsUi)
#include "tst_avatars_ui.moc"
