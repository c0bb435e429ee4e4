#include "DesktopTestSupport.h"
#include "TestServer.h"
#include "WsClient.h"
#include "client/api/ApiClient.h"
#include "client/api/FileTransfer.h"
#include "client/api/LiveConnection.h"
#include "client/models/ChatListModel.h"
#include "client/models/ClientSession.h"
#include "client/models/MessageModel.h"
#include "client/models/UserSearchModel.h"
#include "client/ui/ChatInfoPanel.h"
#include "client/ui/Composer.h"
#include "client/ui/Confirm.h"
#include "client/ui/ConnectionBanner.h"
#include "client/ui/DesktopApp.h"
#include "client/ui/FindBar.h"
#include "client/ui/LoginDialog.h"
#include "client/ui/MainWindow.h"
#include "client/ui/MessageDelegate.h"
#include "client/ui/NewChatDialog.h"
#include "client/ui/QuickSwitcher.h"
#include "client/ui/SessionsPanel.h"
#include "client/ui/Theme.h"
#include "client/ui/TimelineView.h"
#include "shared/ApiPaths.h"
#include "shared/Limits.h"

#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QDialogButtonBox>
#include <QDir>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;
using namespace Messenger;
using namespace Messenger::Client;

// The desktop app driven through its widgets, as a person would: offscreen,
// against a real server. With MESSENGER_SCREENSHOTS=<dir> it also saves the
// screenshots the README shows (in the language of MESSENGER_SCREENSHOT_LANG).
class TestDesktop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void signInChatLiveAndSeeUnreadBadges();
    void registrationErrorsAreShownInline();
    void registrationRefusalBlamesTheFieldItNames_data();
    void registrationRefusalBlamesTheFieldItNames();
    void settingsListAndEndSessions();
    void qtsOwnStringsFollowTheLanguage();
    void fileSizesAgreeWithTheirNumber();
    void confirmationsNameTheActionAndFitTheirTitle();
    void signInErrorsNeverOverlapTheFields();
    void signingInCanBeCancelled();
    void reconnectLineFitsTheChatListInRussian();
    void newChatDialogByKeyboardAlone();
    void personalChatInfoStaysTogether();
    void narrowWindowShrinksTheChatList();
    void emptyChatAndJumpToTheNewest();
    void everyListedShortcutWorks();
    void openingAChatMarksOnlyWhatIsOnScreen();
    void inactiveWindowMarksNothing();
    void searchNeverOpensChatsOrMovesFocus();
    void composerRefusesTextOverTheLimit();
    void composerGrowsWithAPastedLongLine();
    void failedMessageCanBeRetriedEditedOrDeleted();
    void renamesShowLive();
    void longChatKeepsLayoutsOnlyNearTheScreen();

private:
    // The chat as `who`'s chat list on the server has it (unread_count, last_read_seq).
    QJsonObject serverSummary(const HttpClient::Account &who, const QString &chatId)
    {
        for (const QJsonValue &chat :
            m_http->get(u"/api/v1/chats/with-last-message"_s, who.token).json.array()) {
            if (chat.toObject().value(u"id").toString() == chatId)
                return chat.toObject();
        }
        return {};
    }
    qint64 serverReadCursor(const HttpClient::Account &who, const QString &chatId)
    {
        return serverSummary(who, chatId).value(u"last_read_seq").toInteger();
    }
    // The newest message any part of which is on screen, 0 if none.
    static qint64 newestPartlyShownSeq(TimelineView *view)
    {
        qint64 newest = 0;
        const QAbstractItemModel *rows = view->model();
        for (int row = 0; row < rows->rowCount(); ++row) {
            const QModelIndex index = rows->index(row, 0);
            if (view->visualRect(index).intersects(view->viewport()->rect()))
                newest = std::max(newest, index.data(MessageModel::SeqRole).toLongLong());
        }
        return newest;
    }

    // `account` signed in, its main window shown and active.
    // Opens `chatId` in the signed-in window once the chat list has it; the
    // timeline, loaded (null with the test failed otherwise).
    MessageModel *openLoaded(const SignedIn &signedIn, const QString &chatId)
    {
        MessageModel *timeline = nullptr;
        [&] {
            QVERIFY(signedIn.window);
            QTRY_VERIFY_WITH_TIMEOUT(signedIn.session->chats()->rowOf(chatId) >= 0, 10000);
            signedIn.window->openChat(chatId);
            MessageModel *opened = signedIn.session->messages(chatId);
            QTRY_VERIFY_WITH_TIMEOUT(opened->isLoaded(), 10000);
            timeline = opened;
        }();
        return timeline;
    }
    // Types as a person does: each key goes to whatever has the focus now.
    static void typeIntoFocus(const QString &text)
    {
        for (const QChar c : text)
            QTest::keyClick(QApplication::focusWidget(), c.toLatin1());
    }
    QStringList storedTexts(const QString &chatId, const QString &token)
    {
        QStringList texts;
        const QJsonArray history = m_http->get(ApiPaths::chatHistory(chatId), token)
                                       .object()
                                       .value(u"messages"_s)
                                       .toArray();
        for (const auto &message : history)
            texts.append(message.toObject().value(u"text"_s).toString());
        return texts;
    }

    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

void TestDesktop::initTestCase()
{
    prepareDesktopTestCase(u"tst_desktop"_s);
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    // A clean start every run: no remembered server, session or layout.
    resetClientState(m_server);
    m_http = std::make_unique<HttpClient>(m_server);
}

void TestDesktop::signInChatLiveAndSeeUnreadBadges()
{
    const auto bob = m_http->newUser(u"Bob Stone"_s);
    const auto eve = m_http->newUser(u"Eve Adams"_s);
    // Ann's account exists; she signs in through the dialog.
    const QString annEmail = u"ann.desktop@example.com"_s;
    COMPARE_STATUS(m_http->post(u"/api/v1/auth/register"_s,
                       { { u"email"_s, annEmail }, { u"name"_s, u"Ann Lee"_s },
                           { u"password"_s, u"password-1"_s } }),
        200);
    const Reply annLogin = m_http->post(
        u"/api/v1/auth/token"_s, { { u"email"_s, annEmail }, { u"password"_s, u"password-1"_s } });
    const QString annId = annLogin.object().value(u"user_id").toString();
    const QString chatId = m_http->personalChat(bob.token, annId);
    m_http->sendText(bob.token, chatId, u"Hi Ann! Are we still on for tomorrow?"_s);
    const QString groupId = m_http->newGroup(eve, u"Weekend trip"_s, { annId, bob.id });
    m_http->sendText(eve.token, groupId, u"Who is in for the lake this weekend?"_s);
    m_http->sendText(bob.token, groupId, u"Count me in! I can drive, we leave Saturday at nine."_s);

    DesktopApp app;
    app.start();
    QTRY_VERIFY_WITH_TIMEOUT(app.loginDialog() && app.loginDialog()->isVisible(), 10000);
    LoginDialog *login = app.loginDialog();
    saveScreenshot(login, u"login"_s);
    auto *server = login->findChild<QLineEdit *>(u"server"_s);
    server->clear();
    QTest::keyClicks(server, m_server.url(u""_s).toString());
    QTest::keyClicks(login->findChild<QLineEdit *>(u"email"_s), annEmail);
    // A wrong password first: the error is shown in the dialog, which stays.
    QTest::keyClicks(login->findChild<QLineEdit *>(u"password"_s), u"wrong-password"_s);
    QTest::mouseClick(login->findChild<QPushButton *>(u"submit"_s), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(
        login->findChild<QPushButton *>(u"submit"_s)->isEnabled(), 10000); // no longer busy
    bool errorShown = false;
    for (QLabel *label : login->findChildren<QLabel *>())
        errorShown = errorShown
            || (label->isVisible()
                && label->text()
                    == QCoreApplication::translate(
                        "Messenger::Client::ClientSession", "Wrong email or password"));
    QVERIFY(errorShown);
    auto *password = login->findChild<QLineEdit *>(u"password"_s);
    password->clear();
    QTest::keyClicks(password, u"password-1"_s);
    QTest::keyClick(password, Qt::Key_Return);

    QTRY_VERIFY_WITH_TIMEOUT(app.mainWindow() && app.mainWindow()->isVisible(), 10000);
    MainWindow *window = app.mainWindow();
    window->resize(1000, 640);
    QVERIFY(QTest::qWaitForWindowExposed(window));
    window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window));
    ChatListModel *chats = app.session()->chats();
    QTRY_COMPARE_WITH_TIMEOUT(chats->rowCount(), 2, 10000);
    QCOMPARE(chats->unreadTotal(), 3);
    QTRY_VERIFY(window->windowTitle().contains(u"(3)"_s));

    // Open the personal chat by clicking its row.
    QListView *list = window->chatListView();
    const QModelIndex row = list->model()->index(
        chats->rowOf(chatId), 0); // the filter shows everything while the search is empty
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualRect(row).center());
    QCOMPARE(window->currentChatId(), chatId);
    MessageModel *timeline = app.session()->messages(chatId);
    QTRY_COMPARE_WITH_TIMEOUT(timeline->rowCount(), 1, 10000);

    // Type and send with Enter: it appears at once, then turns sent.
    QPlainTextEdit *input = window->composer()->input();
    QTest::keyClicks(input, u"Yes! 10:00 at the station."_s);
    QTest::keyClick(input, Qt::Key_Return);
    QCOMPARE(input->toPlainText(), QString());
    QCOMPARE(timeline->rowCount(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(
        timeline->index(1).data(MessageModel::DeliveryRole).value<MessageModel::Delivery>(),
        MessageModel::Delivery::Sent, 10000);
    // Shift+Enter is a new line, not a send.
    QTest::keyClicks(input, u"line one"_s);
    QTest::keyClick(input, Qt::Key_Return, Qt::ShiftModifier);
    QTest::keyClicks(input, u"line two"_s);
    QCOMPARE(input->toPlainText(), u"line one\nline two"_s);
    QTest::keyClick(input, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(timeline->rowCount(), 3, 10000);
    QCOMPARE(timeline->index(2).data(MessageModel::TextRole).toString(), u"line one\nline two"_s);
    QTRY_COMPARE_WITH_TIMEOUT(
        timeline->index(2).data(MessageModel::DeliveryRole).value<MessageModel::Delivery>(),
        MessageModel::Delivery::Sent, 10000);

    // Bob answers: it appears live in the open chat.
    m_http->sendText(
        bob.token, chatId, u"Perfect, I will bring the tickets: https://example.com/tickets"_s);
    QTRY_COMPARE_WITH_TIMEOUT(timeline->rowCount(), 4, 10000);
    QCOMPARE(timeline->index(3).data(MessageModel::SenderIdRole).toString(), bob.id);
    // The window is active and the message is on screen: it is read at once.
    QTRY_COMPARE_WITH_TIMEOUT(
        chats->index(chats->rowOf(chatId)).data(ChatListModel::UnreadCountRole).toLongLong(), 0,
        10000);

    // The group's badge counts what arrives there, live.
    const int groupRow = chats->rowOf(groupId);
    QCOMPARE(chats->index(groupRow).data(ChatListModel::UnreadCountRole).toLongLong(), 2);
    m_http->sendText(eve.token, groupId, u"Great, see you all there"_s);
    QTRY_COMPARE_WITH_TIMEOUT(
        chats->index(chats->rowOf(groupId)).data(ChatListModel::UnreadCountRole).toLongLong(), 3,
        10000);
    // The group moved to the top, the open chat stays selected.
    QCOMPARE(chats->rowOf(groupId), 0);
    QCOMPARE(list->currentIndex().data(ChatListModel::ChatIdRole).toString(), chatId);
    saveScreenshot(window, u"chat"_s);

    // A draft is kept per chat and shown in the list.
    QTest::keyClicks(input, u"unsent thought"_s);
    const QModelIndex groupIndex = list->model()->index(chats->rowOf(groupId), 0);
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualRect(groupIndex).center());
    QCOMPARE(window->currentChatId(), groupId);
    QCOMPARE(chats->index(chats->rowOf(chatId)).data(ChatListModel::DraftRole).toString(),
        u"unsent thought"_s);
    // Three messages under the "Group created" line.
    QTRY_COMPARE_WITH_TIMEOUT(app.session()->messages(groupId)->rowCount(), 4, 10000);
    saveScreenshot(window, u"group"_s);

    // Group changes arrive as what changed (chat_renamed, members_added,
    // member_left), and the list follows them live.
    const auto dan = m_http->newUser(u"Dan Brook"_s);
    COMPARE_STATUS(
        m_http->request("PATCH", u"/api/v1/chats/"_s + groupId,
            QJsonDocument(QJsonObject { { u"name"_s, u"Lake weekend"_s } }).toJson(), eve.token),
        200);
    QTRY_COMPARE_WITH_TIMEOUT(chats->title(groupId), u"Lake weekend"_s, 10000);
    COMPARE_STATUS(m_http->post(u"/api/v1/chats/%1/members"_s.arg(groupId),
                       { { u"user_ids"_s, QJsonArray { dan.id } } }, eve.token),
        200);
    QTRY_COMPARE_WITH_TIMEOUT(chats->summary(groupId)->chat.members.size(), 4, 10000);
    QCOMPARE(chats->summary(groupId)->chat.members.last().name, u"Dan Brook"_s);
    COMPARE_STATUS(m_http->request("DELETE", u"/api/v1/chats/%1/members/%2"_s.arg(groupId, bob.id),
                       {}, bob.token),
        204);
    QTRY_COMPARE_WITH_TIMEOUT(chats->summary(groupId)->chat.members.size(), 3, 10000);
    // Added to a group she did not know, Ann finds it in her list.
    const QString clubId = m_http->newGroup(dan, u"Book club"_s, { eve.id });
    COMPARE_STATUS(m_http->post(u"/api/v1/chats/%1/members"_s.arg(clubId),
                       { { u"user_ids"_s, QJsonArray { annId } } }, dan.token),
        200);
    QTRY_VERIFY_WITH_TIMEOUT(chats->rowOf(clubId) >= 0, 10000);
    QCOMPARE(chats->title(clubId), u"Book club"_s);
    QCOMPARE(chats->summary(clubId)->chat.members.size(), 3);
}

void TestDesktop::registrationErrorsAreShownInline()
{
    LoginDialog dialog;
    dialog.setMode(LoginDialog::Mode::Register);
    dialog.show();
    QSignalSpy requested(&dialog, &LoginDialog::registerRequested);
    QTest::keyClicks(dialog.findChild<QLineEdit *>(u"email"_s), u"not-an-email"_s);
    QTest::keyClicks(dialog.findChild<QLineEdit *>(u"password"_s), u"short"_s);
    QTest::keyClicks(dialog.findChild<QLineEdit *>(u"confirmation"_s), u"different"_s);
    QTest::mouseClick(dialog.findChild<QPushButton *>(u"submit"_s), Qt::LeftButton);
    QCOMPARE(requested.size(), 0);
    QStringList shown;
    for (QLabel *label : dialog.findChildren<QLabel *>()) {
        if (label->isVisible() && !label->text().isEmpty())
            shown.append(label->text());
    }
    const auto tr = [](const char *text) {
        return QCoreApplication::translate("Messenger::Client::LoginDialog", text);
    };
    QVERIFY(shown.contains(tr("Enter your name")));
    QVERIFY(shown.contains(tr("Enter a valid email address")));
    QVERIFY(shown.contains(tr("The passwords do not match")));
    saveScreenshot(&dialog, u"register"_s);
}

// The server's 422 names the field at fault in `detail[].loc`; the session
// blames that input (the dialog's own checks are bypassed here).
void TestDesktop::registrationRefusalBlamesTheFieldItNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("email");
    QTest::addColumn<QString>("password");
    QTest::addColumn<ClientSession::Field>("blamed");
    const QString fine = u"password-1"_s;
    QTest::newRow("name too long")
        << QString(65, u'n') << u"long.name@example.com"_s << fine << ClientSession::Field::Name;
    QTest::newRow("email malformed")
        << u"Nameless"_s << u"no-at-sign"_s << fine << ClientSession::Field::Email;
    QTest::newRow("password too long") << u"Pat"_s << u"long.password@example.com"_s
                                       << QString(129, u'p') << ClientSession::Field::Password;
}

void TestDesktop::registrationRefusalBlamesTheFieldItNames()
{
    QFETCH(QString, name);
    QFETCH(QString, email);
    QFETCH(QString, password);
    QFETCH(ClientSession::Field, blamed);
    ClientSession session(nullptr);
    QSignalSpy failed(&session, &ClientSession::signInFailed);
    session.registerAccount(m_server.url(u""_s).toString(), name, email, password);
    QVERIFY(failed.wait(10000));
    QCOMPARE(failed.first().at(0).value<ClientSession::Field>(), blamed);
}

// Settings lists the account's signed-in devices; ending one signs it out.
void TestDesktop::settingsListAndEndSessions()
{
    const auto ann = m_http->newUser(u"Ann Devices"_s);
    const Reply phoneLogin = m_http->post(u"/api/v1/auth/token"_s,
        { { u"email"_s, ann.email }, { u"password"_s, ann.password },
            { u"device_name"_s, u"Ann's phone"_s } });
    COMPARE_STATUS(phoneLogin, 200);
    const QString phoneToken = phoneLogin.object().value(u"access_token").toString();
    ApiClient api;
    api.setBaseUrl(m_server.url(u"/"_s));
    api.setDeviceName(u"Ann's desktop"_s);
    QSignalSpy loggedIn(&api, &ApiClient::tokensChanged);
    api.login(ann.email, ann.password);
    QVERIFY(loggedIn.wait(10000));

    SessionsPanel panel(&api);
    panel.resize(700, 300);
    panel.show();
    QSignalSpy loaded(&panel, &SessionsPanel::loaded);
    panel.reload();
    QVERIFY(loaded.wait(10000));
    QCOMPARE(panel.sessionCount(), 3); // newUser's login, the phone, this one
    QTreeWidget *list = panel.list();
    QTreeWidgetItem *current = list->topLevelItem(0);
    QVERIFY2(current->text(0).contains(u"Ann's desktop"_s), qPrintable(current->text(0)));
    QVERIFY(current->font(0).bold());
    // This device cannot end itself here ("Sign out" does that).
    list->setCurrentItem(current);
    QVERIFY(!panel.endButton()->isEnabled());
    QTreeWidgetItem *phone = list->topLevelItem(1);
    QCOMPARE(phone->text(0), u"Ann's phone"_s);
    QCOMPARE(phone->text(2), u"127.0.0.1"_s);
    saveScreenshot(&panel, u"sessions"_s);
    list->setCurrentItem(phone);
    QVERIFY(panel.endButton()->isEnabled());
    QTest::mouseClick(panel.endButton(), Qt::LeftButton);
    QVERIFY(loaded.wait(10000));
    QCOMPARE(panel.sessionCount(), 2);
    for (int row = 0; row < panel.sessionCount(); ++row)
        QVERIFY(list->topLevelItem(row)->text(0) != u"Ann's phone"_s);
    COMPARE_STATUS(m_http->get(u"/api/v1/users/me"_s, phoneToken), 401);
}

// Buttons Qt itself labels (Cancel, OK in dialogs) are translated too, not
// left in English in a Russian window: Qt's own catalogue is installed by the
// scripts (qt6-translations-l10n) and loaded with ours.
void TestDesktop::qtsOwnStringsFollowTheLanguage()
{
    DesktopApp::installTranslations(u"ru"_s);
    QDialogButtonBox russian(QDialogButtonBox::Cancel);
    const QString cancel = russian.button(QDialogButtonBox::Cancel)->text();
    DesktopApp::installTranslations(qEnvironmentVariable("MESSENGER_SCREENSHOT_LANG", u"en"_s));
    QCOMPARE(cancel, u"Отмена"_s);
}

// "6 байт", not Qt's "6 байты": below a kilobyte the plural is the app's own.
void TestDesktop::fileSizesAgreeWithTheirNumber()
{
    const auto restoreLanguage = qScopeGuard([] {
        DesktopApp::installTranslations(qEnvironmentVariable("MESSENGER_SCREENSHOT_LANG", u"en"_s));
    });
    DesktopApp::installTranslations(u"ru"_s);
    QCOMPARE(formatFileSize(1), u"1 байт"_s);
    QCOMPARE(formatFileSize(3), u"3 байта"_s);
    QCOMPARE(formatFileSize(6), u"6 байт"_s);
    QCOMPARE(formatFileSize(22), u"22 байта"_s);
    DesktopApp::installTranslations(u"en"_s);
    QCOMPARE(formatFileSize(1), u"1 byte"_s);
    QCOMPARE(formatFileSize(840), u"840 bytes"_s);
    QVERIFY(formatFileSize(5 * 1024 * 1024).contains(u"MB"_s));
}

// A confirmation names its action on the accept button, defaults to Cancel
// (Qt's, translated), and is wide enough for a long Russian title.
void TestDesktop::confirmationsNameTheActionAndFitTheirTitle()
{
    DesktopApp::installTranslations(u"ru"_s);
    const auto restoreLanguage = qScopeGuard([] {
        DesktopApp::installTranslations(qEnvironmentVariable("MESSENGER_SCREENSHOT_LANG", u"en"_s));
    });
    const QString title = u"Выйти из аккаунта на всех остальных устройствах"_s;
    QWidget parent;
    parent.show();
    int acceptedCount = 0;
    const auto ask = [&] {
        return QPointer<QMessageBox>(confirmAction(
            &parent, title, u"Точно?"_s, u"Выйти"_s, [&acceptedCount] { ++acceptedCount; }));
    };
    const auto acceptButton = [](QMessageBox *box) -> QAbstractButton * {
        for (QAbstractButton *button : box->buttons())
            if (box->buttonRole(button) == QMessageBox::AcceptRole)
                return button;
        return nullptr;
    };

    QPointer<QMessageBox> box = ask();
    QTRY_VERIFY(box && box->isVisible());
    QCOMPARE(box->defaultButton(), box->button(QMessageBox::Cancel));
    QCOMPARE(box->button(QMessageBox::Cancel)->text(), u"Отмена"_s);
    QVERIFY(acceptButton(box));
    QCOMPARE(acceptButton(box)->text(), u"Выйти"_s);
    // Room for the title and the title bar's icon and buttons beside it
    // (Qt's own allowance, 50 px, is not enough for them).
    // (Never wider than the screen: at QT_SCALE_FACTOR=2 the offscreen one is 400 wide.)
    const int titleWidth = box->fontMetrics().horizontalAdvance(title);
    QVERIFY2(box->width() >= std::min(titleWidth + 120, box->screen()->availableSize().width()),
        qPrintable(u"width %1 for a title of %2"_s.arg(box->width()).arg(titleWidth)));
    QTest::keyClick(box, Qt::Key_Escape);
    QTRY_VERIFY(!box); // closed and deleted
    QCOMPARE(acceptedCount, 0);

    box = ask();
    QTRY_VERIFY(box && box->isVisible());
    QTest::mouseClick(acceptButton(box), Qt::LeftButton);
    QTRY_VERIFY(!box);
    QCOMPARE(acceptedCount, 1);
}

// A long error (two lines under the Server field) makes room for itself: the
// dialog grows instead of drawing the text over the next field.
void TestDesktop::signInErrorsNeverOverlapTheFields()
{
    LoginDialog dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    dialog.showError(LoginDialog::Field::Server,
        u"Cannot reach the server. Check the address and your connection, then try again."_s);
    dialog.showError(LoginDialog::Field::Password, u"Incorrect email or password"_s);
    const auto overlaps = [&dialog] {
        QStringList found;
        const auto rectOf = [&dialog](const QWidget *widget) {
            return QRect(widget->mapTo(&dialog, QPoint(0, 0)), widget->size());
        };
        for (const QLabel *label : dialog.findChildren<QLabel *>()) {
            if (!label->isVisible() || label->text().isEmpty())
                continue;
            if (label->height() < label->heightForWidth(label->width()))
                found.append(u"'%1' is cut short"_s.arg(label->text()));
            for (const QWidget *other : dialog.findChildren<QWidget *>()) {
                if (other != label && other->isVisible()
                    && (qobject_cast<const QLineEdit *>(other)
                        || qobject_cast<const QPushButton *>(other))
                    && rectOf(label).intersects(rectOf(other)))
                    found.append(u"'%1' overlaps %2"_s.arg(label->text(), other->objectName()));
            }
        }
        return found;
    };
    QTRY_COMPARE(overlaps(), QStringList());
    saveScreenshot(&dialog, u"sign-in-error"_s);
}

// A server that accepts and never answers left "Signing in..." with nothing to
// press for the 15 s of the request's timeout. Cancel gives the dialog back at
// once, and the dialog then signs in to a server that answers.
void TestDesktop::signingInCanBeCancelled()
{
    QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).removeRecursively();
    QSettings().clear(); // no stored session: the app starts at the dialog
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    const auto dora = m_http->newUser(u"Dora"_s);

    DesktopApp app;
    app.start();
    QTRY_VERIFY_WITH_TIMEOUT(app.loginDialog() && app.loginDialog()->isVisible(), 10000);
    LoginDialog *login = app.loginDialog();
    auto *server = login->findChild<QLineEdit *>(u"server"_s);
    auto *submit = login->findChild<QPushButton *>(u"submit"_s);
    auto *cancel = login->findChild<QPushButton *>(u"switchMode"_s);
    server->clear();
    QTest::keyClicks(server, u"http://127.0.0.1:%1"_s.arg(silent.serverPort()));
    QTest::keyClicks(login->findChild<QLineEdit *>(u"email"_s), dora.email);
    QTest::keyClicks(login->findChild<QLineEdit *>(u"password"_s), dora.password);
    QTest::mouseClick(submit, Qt::LeftButton);
    QTRY_VERIFY(silent.hasPendingConnections() || silent.waitForNewConnection(0));
    QVERIFY(!submit->isEnabled());
    QVERIFY(cancel->isEnabled());
    QCOMPARE(
        cancel->text(), QCoreApplication::translate("Messenger::Client::LoginDialog", "Cancel"));

    QTest::mouseClick(cancel, Qt::LeftButton);
    QVERIFY(submit->isEnabled());
    QVERIFY(server->isEnabled());
    QCOMPARE(app.session()->state(), ClientSession::State::SignedOut);

    server->clear();
    QTest::keyClicks(server, m_server.url(u""_s).toString());
    QTest::mouseClick(submit, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(app.mainWindow() && app.mainWindow()->isVisible(), 10000);
    QCOMPARE(app.session()->state(), ClientSession::State::SignedIn);
}

// "Переподключение через 28 с... Повторить сейчас" is wider than the chat
// list's 320 px: it wraps instead of losing "Try now" off the edge.
void TestDesktop::reconnectLineFitsTheChatListInRussian()
{
    DesktopApp::installTranslations(u"ru"_s);
    ApiClient api;
    api.setBaseUrl(QUrl(u"http://127.0.0.1:1"_s)); // nothing listens: it keeps retrying
    LiveConnection live(&api);
    live.setReconnectBackoff(std::chrono::minutes(1), std::chrono::minutes(1));
    api.setTokens(u"token"_s, {});
    QWidget column;
    auto *layout = new QVBoxLayout(&column);
    auto *banner = new ConnectionBanner(&live, &column);
    layout->addWidget(banner);
    layout->addStretch();
    column.resize(320, 200);
    column.show();
    live.connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(live.state(), LiveConnection::State::WaitingToReconnect, 10000);
    QTRY_VERIFY(banner->isVisible());
    DesktopApp::installTranslations(qEnvironmentVariable("MESSENGER_SCREENSHOT_LANG", u"en"_s));
    auto *label = banner->findChild<QLabel *>();
    QVERIFY(label->text().contains(u"Повторить сейчас"_s));
    QTRY_VERIFY2(label->geometry().right() < banner->width()
            && label->height() >= label->heightForWidth(label->width()),
        qPrintable(u"label %1x%2 needs %3 px of height; banner %4 px wide"_s.arg(label->width())
                       .arg(label->height())
                       .arg(label->heightForWidth(label->width()))
                       .arg(banner->width())));
    QVERIFY(label->minimumSizeHint().width() <= label->width());
}

// Issue 15: opening a chat marked every message read, seen or not. Read means
// shown in the viewport of the active window; the chat opens at an "Unread
// messages" divider above the first unread message.
void TestDesktop::openingAChatMarksOnlyWhatIsOnScreen()
{
    const auto dave = m_http->newUser(u"Dave Sender"_s);
    const auto bob = m_http->newUser(u"Bob Reader"_s);
    const QString chatId = m_http->personalChat(dave.token, bob.id);
    const auto number = [](int i) { return u"#%1"_s.arg(i, 3, 10, QChar(u'0')); };
    // Bob has read the first ten; 120 more are unread.
    QString tenth;
    for (int i = 1; i <= 10; ++i) {
        const Reply sent = m_http->post(u"/api/v1/chats/messages"_s,
            { { u"chat_id"_s, chatId }, { u"text"_s, number(i) } }, dave.token);
        COMPARE_STATUS(sent, 200);
        tenth = sent.object().value(u"id").toString();
    }
    COMPARE_STATUS(m_http->post(u"/api/v1/chats/%1/read"_s.arg(chatId),
                       { { u"message_id"_s, tenth } }, bob.token),
        200);
    for (int i = 11; i <= 130; ++i)
        m_http->sendText(dave.token, chatId, number(i));
    QCOMPARE(serverSummary(bob, chatId).value(u"unread_count").toInt(), 120);

    ClientSession session(nullptr);
    session.signIn(m_server.url(u""_s).toString(), bob.email, bob.password);
    QTRY_VERIFY_WITH_TIMEOUT(session.chats()->rowOf(chatId) >= 0, 10000);
    MainWindow window(&session);
    window.resize(640, 420); // a dozen or so messages fit
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));

    window.openChat(chatId);
    MessageModel *timeline = session.messages(chatId);
    TimelineView *view = window.timeline();
    QTRY_VERIFY_WITH_TIMEOUT(timeline->isLoaded() && timeline->unreadDividerRow() >= 0, 10000);
    // The divider sits above #011, once, at the top of the screen, and #011 is on screen.
    const int divider = timeline->unreadDividerRow();
    QCOMPARE(timeline->messageAt(divider).text, u"#011"_s);
    QCOMPARE(timeline->messageAt(divider - 1).text, u"#010"_s); // what was read is above it
    int dividers = 0;
    for (int row = 0; row < timeline->rowCount(); ++row)
        dividers += timeline->index(row).data(MessageModel::UnreadDividerRole).toBool() ? 1 : 0;
    QCOMPARE(dividers, 1);
    const QRect dividerRow = view->visualRect(view->model()->index(divider, 0));
    QVERIFY2(std::abs(dividerRow.top()) <= 2, qPrintable(QString::number(dividerRow.top())));
    QVERIFY(view->viewport()->rect().contains(dividerRow));

    // What is on screen gets read; nothing below it.
    const qint64 firstUnreadSeq = timeline->messageAt(divider).seq;
    QTRY_VERIFY_WITH_TIMEOUT(serverReadCursor(bob, chatId) >= firstUnreadSeq, 10000);
    const qint64 shown = newestPartlyShownSeq(view);
    const qint64 cursor = serverReadCursor(bob, chatId);
    QVERIFY2(cursor <= shown,
        qPrintable(u"read up to seq %1, but only up to %2 is on screen"_s.arg(cursor).arg(shown)));
    QVERIFY(serverSummary(bob, chatId).value(u"unread_count").toInt() > 60);

    // Scrolled to the end (newer pages load on the way), everything is read.
    const auto scrolledToEnd = [&] {
        view->scrollToBottom();
        return timeline->isAtEnd() && view->isAtBottom();
    };
    QTRY_VERIFY_WITH_TIMEOUT(scrolledToEnd(), 10000);
    QCOMPARE(timeline->messageAt(timeline->rowCount() - 1).text, u"#130"_s);
    QCOMPARE(timeline->rowCount(), 130);
    QTRY_COMPARE_WITH_TIMEOUT(serverReadCursor(bob, chatId), timeline->newestSeq(), 10000);
    QCOMPARE(serverSummary(bob, chatId).value(u"unread_count").toInt(), 0);
    QTRY_COMPARE(session.chats()->summary(chatId)->unreadCount, 0);
}

// A chat open in a window in the background is not being read.
void TestDesktop::inactiveWindowMarksNothing()
{
    const auto carol = m_http->newUser(u"Carol Sender"_s);
    const auto bob = m_http->newUser(u"Bob Away"_s);
    const QString chatId = m_http->personalChat(carol.token, bob.id);
    for (int i = 1; i <= 5; ++i)
        m_http->sendText(carol.token, chatId, u"short %1"_s.arg(i));
    WsClient carolSocket(m_server.webSocketUrl(u"/ws/user"_s, carol.token));
    QVERIFY(carolSocket.greeted());

    ClientSession session(nullptr);
    session.signIn(m_server.url(u""_s).toString(), bob.email, bob.password);
    QTRY_VERIFY_WITH_TIMEOUT(session.chats()->rowOf(chatId) >= 0, 10000);
    MainWindow window(&session);
    window.resize(640, 420);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QWidget elsewhere; // another application's window, say
    elsewhere.resize(200, 100);
    elsewhere.show();
    QVERIFY(QTest::qWaitForWindowExposed(&elsewhere));
    elsewhere.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&elsewhere));
    QVERIFY(!window.isActiveWindow());

    window.openChat(chatId);
    MessageModel *timeline = session.messages(chatId);
    QTRY_VERIFY_WITH_TIMEOUT(timeline->isLoaded() && timeline->unreadDividerRow() == 0, 10000);
    QCOMPARE(newestPartlyShownSeq(window.timeline()), timeline->newestSeq()); // all on screen
    // Barrier: once no read is pending, Bob's typing goes out on the same
    // socket after any read would have; when Carol sees it, she has seen no
    // read receipt.
    QTRY_VERIFY_WITH_TIMEOUT(!window.isMarkReadPending(), 10000);
    session.notifyTyping(chatId);
    QTRY_COMPARE_WITH_TIMEOUT(carolSocket.ofType(u"typing"_s).size(), 1, 10000);
    QVERIFY(carolSocket.ofType(u"read"_s).isEmpty());
    QCOMPARE(serverSummary(bob, chatId).value(u"unread_count").toInt(), 5);

    // Back in front: what is on screen is read now.
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QTRY_COMPARE_WITH_TIMEOUT(serverSummary(bob, chatId).value(u"unread_count").toInt(), 0, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(carolSocket.ofType(u"read"_s).size(), 1, 10000);
}

// New Message and New Group work without a mouse: Down goes from the search
// field into the results, Enter starts the chat, Space ticks a member; Start
// Chat is off until someone is picked, and the people picked for a group stay
// listed while the search shows others.
void TestDesktop::newChatDialogByKeyboardAlone()
{
    const auto gina = m_http->newUser(u"Gina Keys"_s);
    const auto hugo = m_http->newUser(u"Hugo Board"_s);
    const auto ivan = m_http->newUser(u"Ivan Tab"_s);
    const auto signedIn = signedInSession(m_server, gina);
    ClientSession &session = *signedIn;

    NewChatDialog message(&session, NewChatDialog::Mode::Personal);
    message.show();
    QVERIFY(QTest::qWaitForWindowExposed(&message));
    auto *start = message.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QTest::keyClicks(message.searchField(), hugo.email);
    QTRY_COMPARE_WITH_TIMEOUT(message.results()->rowCount(), 1, 10000);
    QVERIFY(!start->isEnabled()); // nobody picked yet
    QTest::keyClick(message.searchField(), Qt::Key_Down);
    QVERIFY(message.resultView()->hasFocus());
    QVERIFY(start->isEnabled());
    QTest::keyClick(message.resultView(), Qt::Key_Return);
    QCOMPARE(message.result(), int(QDialog::Accepted));
    QTRY_VERIFY_WITH_TIMEOUT(session.chats()->rowCount() == 1, 10000);

    NewChatDialog group(&session, NewChatDialog::Mode::Group);
    group.show();
    QVERIFY(QTest::qWaitForWindowExposed(&group));
    QTest::keyClicks(group.nameField(), u"Keyboard club"_s);
    QTest::keyClicks(group.searchField(), hugo.email);
    QTRY_COMPARE_WITH_TIMEOUT(group.results()->rowCount(), 1, 10000);
    QTest::keyClick(group.searchField(), Qt::Key_Down);
    QTest::keyClick(group.resultView(), Qt::Key_Space);
    QCOMPARE(group.results()->checkedUsers().size(), 1);
    group.searchField()->clear();
    QTest::keyClicks(group.searchField(), ivan.email);
    QTRY_COMPARE_WITH_TIMEOUT(
        group.results()->index(0).data(UserSearchModel::NameRole).toString(), u"Ivan Tab"_s, 10000);
    QTest::keyClick(group.searchField(), Qt::Key_Return); // Enter ticks the first result
    QCOMPARE(group.results()->checkedUsers().size(), 2);
    bool listed = false;
    for (QLabel *label : group.findChildren<QLabel *>())
        listed = listed
            || (label->text().contains(u"Hugo Board"_s) && label->text().contains(u"Ivan Tab"_s));
    QVERIFY2(listed, "the picked members are not shown");
    saveScreenshot(&group, u"new-group"_s);
}

// A personal chat's info (avatar, name, subtitle) sits together at the top of
// a tall panel instead of being spread over its whole height.
void TestDesktop::personalChatInfoStaysTogether()
{
    const auto jane = m_http->newUser(u"Jane Info"_s);
    const auto kurt = m_http->newUser(u"Kurt Info"_s);
    const QString chatId = m_http->personalChat(jane.token, kurt.id);
    const auto signedIn = signedInSession(m_server, jane);
    ClientSession &session = *signedIn;
    QTRY_VERIFY_WITH_TIMEOUT(session.chats()->summary(chatId).has_value(), 10000);
    ChatInfoPanel panel(&session);
    panel.setChat(chatId);
    panel.resize(280, 800);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    int lowest = 0;
    for (const QWidget *child : panel.findChildren<QWidget *>())
        if (child->isVisible())
            lowest = std::max(lowest, child->mapTo(&panel, QPoint(0, child->height())).y());
    QVERIFY2(lowest < 400, qPrintable(u"the info reaches down to %1 px of 800"_s.arg(lowest)));
    saveScreenshot(&panel, u"personal-info"_s);
}

// At 640 px the conversation keeps the larger part; the list gives way.
void TestDesktop::narrowWindowShrinksTheChatList()
{
    const auto lena = m_http->newUser(u"Lena Narrow"_s);
    const auto signedIn = signedInSession(m_server, lena);
    ClientSession &session = *signedIn;
    MainWindow window(&session);
    window.resize(1100, 700);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.resize(640, 700);
    QTRY_COMPARE(window.width(), 640);
    const int list = window.chatListView()->width();
    QTRY_VERIFY2(list < window.width() - list,
        qPrintable(u"the chat list keeps %1 of %2 px"_s.arg(list).arg(window.width())));
}

// Typing into the chat-list search never opens a chat or moves the focus,
// even when the filter hides the open chat; Enter (after Down) opens the
// highlighted result, Esc clears the search.
void TestDesktop::searchNeverOpensChatsOrMovesFocus()
{
    const auto ann = m_http->newUser(u"Ann Search"_s);
    const auto carl = m_http->newUser(u"Carl Young"_s); // no "t" in the name
    const auto tina = m_http->newUser(u"Tina Walsh"_s);
    const auto dan = m_http->newUser(u"Dan Brook"_s);
    const QString carlChat = m_http->personalChat(ann.token, carl.id);
    const QString tinaChat = m_http->personalChat(ann.token, tina.id);
    const QString teamChat = m_http->newGroup(ann, u"Team four"_s, { carl.id, tina.id, dan.id });
    auto [session, window] = signIn(m_server, ann);
    QVERIFY(window && !QTest::currentTestFailed());
    ChatListModel *chats = session->chats();
    QTRY_COMPARE_WITH_TIMEOUT(chats->rowCount(), 3, 10000);
    window->openChat(carlChat);
    QCOMPARE(QApplication::focusWidget(), window->composer()->input());

    QLineEdit *search = window->searchField();
    QTest::mouseClick(search, Qt::LeftButton);
    QCOMPARE(QApplication::focusWidget(), search);
    for (const QChar c : u"team"_s) {
        typeIntoFocus(c);
        QCOMPARE(window->currentChatId(), carlChat);
        QCOMPARE(QApplication::focusWidget(), search);
    }
    QCOMPARE(search->text(), u"team"_s);
    QCOMPARE(window->composer()->text(), QString());
    QCOMPARE(session->draft(teamChat), QString());
    QCOMPARE(session->messages(teamChat)->rowCount(), 0);
    QListView *list = window->chatListView();
    QCOMPARE(list->model()->rowCount(), 1);

    // Enter opens the highlighted result and moves to its composer.
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
    QCOMPARE(window->currentChatId(), teamChat);
    QCOMPARE(QApplication::focusWidget(), window->composer()->input());

    // Esc clears the search; the open chat stays open and selected.
    QTest::mouseClick(search, Qt::LeftButton);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
    QCOMPARE(search->text(), QString());
    QCOMPARE(list->model()->rowCount(), 3);
    QCOMPARE(window->currentChatId(), teamChat);
    QCOMPARE(list->currentIndex().data(ChatListModel::ChatIdRole).toString(), teamChat);

    // Two results: Down moves the highlight to the second, Enter opens it.
    window->openChat(carlChat);
    QTest::mouseClick(search, Qt::LeftButton);
    typeIntoFocus(u"t"_s);
    QCOMPARE(list->model()->rowCount(), 2);
    QCOMPARE(window->currentChatId(), carlChat);
    const QString second = list->model()->index(1, 0).data(ChatListModel::ChatIdRole).toString();
    QVERIFY(second == teamChat || second == tinaChat);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Down);
    QCOMPARE(QApplication::focusWidget(), search);
    QCOMPARE(window->currentChatId(), carlChat);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
    QCOMPARE(window->currentChatId(), second);
    QCOMPARE(QApplication::focusWidget(), window->composer()->input());

    // A click on the highlighted result (not yet open) opens it, too.
    window->openChat(carlChat);
    QTest::mouseClick(search, Qt::LeftButton);
    search->clear();
    typeIntoFocus(u"team"_s);
    const QModelIndex highlighted = list->currentIndex();
    QCOMPARE(highlighted.data(ChatListModel::ChatIdRole).toString(), teamChat);
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualRect(highlighted).center());
    QCOMPARE(window->currentChatId(), teamChat);
}

// The composer shows how close the text is to the server's limit and does
// not send a text over it; nothing reaches the server.
void TestDesktop::composerRefusesTextOverTheLimit()
{
    const auto ann = m_http->newUser(u"Ann Limit"_s);
    const auto bob = m_http->newUser(u"Bob Limit"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    SignedIn signedIn = signIn(m_server, ann);
    MessageModel *timeline = openLoaded(signedIn, chatId);
    QVERIFY(timeline && !QTest::currentTestFailed());
    auto &[session, window] = signedIn;
    Composer *composer = window->composer();
    QPlainTextEdit *input = composer->input();
    QLabel *counter = composer->counter();
    const QLocale locale;
    const auto counterText = [&](int length) {
        return u"%1 / %2"_s.arg(locale.toString(length), locale.toString(Limits::messageTextMax));
    };

    // Far from the limit: no counter.
    input->insertPlainText(QString(Limits::messageTextMax / 2, u'a'));
    QVERIFY(counter->isHidden());
    QVERIFY(composer->sendButton()->isEnabled());
    // Within 10% of it: the counter, in the ordinary colour.
    const int near = Limits::messageTextMax - Limits::messageTextMax / 20;
    input->insertPlainText(QString(near - Limits::messageTextMax / 2, u'a'));
    QVERIFY(counter->isVisible());
    QCOMPARE(counter->text(), counterText(near));
    QVERIFY(counter->palette().color(QPalette::WindowText) != Theme::error);
    QVERIFY(composer->sendButton()->isEnabled());
    // Surrounding spaces do not count (the server trims them).
    input->setPlainText(u"  "_s + QString(Limits::messageTextMax, u'a') + u"\n "_s);
    QCOMPARE(counter->text(), counterText(Limits::messageTextMax));
    QVERIFY(composer->sendButton()->isEnabled());
    // Over it: the counter turns red, neither the button nor Enter sends.
    const int over = Limits::messageTextMax + 4;
    input->setPlainText(QString(over, u'b'));
    input->moveCursor(QTextCursor::End);
    QCOMPARE(counter->text(), counterText(over));
    QCOMPARE(counter->palette().color(QPalette::WindowText), Theme::error);
    QVERIFY(!composer->sendButton()->isEnabled());
    // The box grew to show several lines of it, inside the window's layout.
    const int lineSpacing = input->fontMetrics().lineSpacing();
    QTRY_VERIFY_WITH_TIMEOUT(input->height() >= 4 * lineSpacing, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(
        input->visibleRegion().boundingRect().height() >= 4 * lineSpacing, 5000);
    QTest::mouseClick(composer->sendButton(), Qt::LeftButton);
    QTest::keyClick(input, Qt::Key_Return);
    QCOMPARE(input->toPlainText(), QString(over, u'b'));
    QCOMPARE(timeline->rowCount(), 0);

    // Back under the limit it can be sent; only what is sent next arrives.
    input->clear();
    QVERIFY(counter->isHidden());
    QTest::keyClicks(input, u"short enough"_s);
    QTest::keyClick(input, Qt::Key_Return);
    QCOMPARE(timeline->rowCount(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(
        timeline->index(0).data(MessageModel::DeliveryRole).value<MessageModel::Delivery>(),
        MessageModel::Delivery::Sent, 10000);
    QCOMPARE(storedTexts(chatId, ann.token), QStringList { u"short enough"_s });
}

// A long line pasted at once (one paragraph, wrapped by the width) makes the
// composer grow to several lines, as typed text does; it shrinks back when
// the text goes.
void TestDesktop::composerGrowsWithAPastedLongLine()
{
    Composer composer;
    composer.resize(420, composer.sizeHint().height());
    composer.show();
    QVERIFY(QTest::qWaitForWindowExposed(&composer));
    QPlainTextEdit *input = composer.input();
    const int oneLine = input->height();
    const int lineSpacing = input->fontMetrics().lineSpacing();

    QStringList words;
    for (int i = 0; i < 120; ++i)
        words << u"word%1"_s.arg(i);
    input->insertPlainText(words.join(u' '));
    QTRY_VERIFY2_WITH_TIMEOUT(input->height() >= oneLine + 3 * lineSpacing,
        qPrintable(u"height %1, one line %2"_s.arg(input->height()).arg(oneLine)), 5000);
    input->clear();
    QTRY_COMPARE_WITH_TIMEOUT(input->height(), oneLine, 5000);

    // A run without spaces (a link, a pasted hash) wraps anywhere rather
    // than scrolling sideways in a one-line box.
    QGuiApplication::clipboard()->setText(QString(Limits::messageTextMax + 904, u'x'));
    input->paste();
    QTRY_VERIFY2_WITH_TIMEOUT(input->height() >= oneLine + 3 * lineSpacing,
        qPrintable(u"height %1, one line %2"_s.arg(input->height()).arg(oneLine)), 5000);
    QVERIFY(!input->horizontalScrollBar()->isVisible());
}

// A message the server refused shows as failed and its menu offers Retry
// (a fresh client_id), Edit (back into the composer) and Delete (local).
void TestDesktop::failedMessageCanBeRetriedEditedOrDeleted()
{
    const auto ann = m_http->newUser(u"Ann Failed"_s);
    const auto bob = m_http->newUser(u"Bob Failed"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    SignedIn signedIn = signIn(m_server, ann);
    MessageModel *timeline = openLoaded(signedIn, chatId);
    QVERIFY(timeline && !QTest::currentTestFailed());
    auto &[session, window] = signedIn;
    QSignalSpy failed(session->live(), &LiveConnection::sendFailed);
    const auto delivery = [timeline](int row) {
        return timeline->index(row)
            .data(MessageModel::DeliveryRole)
            .value<MessageModel::Delivery>();
    };
    const auto tr = [](const char *text) {
        return QCoreApplication::translate("Messenger::Client::TimelineView", text);
    };
    // Below the composer, which would refuse it.
    const QString tooLong(Limits::messageTextMax + 1, u'x');

    // Retry sends it again under a new client_id (and it fails again).
    session->send(chatId, tooLong);
    QTRY_COMPARE_WITH_TIMEOUT(delivery(0), MessageModel::Delivery::Failed, 10000);
    QMenu *menu = openContextMenu(window->timeline(), 0);
    QVERIFY(menu);
    const QStringList offered = actionTexts(menu);
    QVERIFY2(offered.contains(tr("Retry")) && offered.contains(tr("Edit"))
            && offered.contains(tr("Delete")),
        qPrintable(offered.join(u", "_s)));
    QVERIFY(triggerAction(menu, "Retry"));
    QCOMPARE(timeline->rowCount(), 1);
    QCOMPARE(delivery(0), MessageModel::Delivery::Pending);
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 2, 10000);
    QVERIFY(failed.at(0).at(0).toString() != failed.at(1).at(0).toString());
    QCOMPARE(timeline->index(0).data(MessageModel::ClientIdRole).toString(),
        failed.at(1).at(0).toString());
    QTRY_COMPARE_WITH_TIMEOUT(delivery(0), MessageModel::Delivery::Failed, 10000);

    // Delete removes it here only.
    menu = openContextMenu(window->timeline(), 0);
    QVERIFY(menu);
    QVERIFY(triggerAction(menu, "Delete"));
    QCOMPARE(timeline->rowCount(), 0);

    // Edit puts the text back into the composer and removes the failed one.
    session->send(chatId, tooLong);
    QTRY_COMPARE_WITH_TIMEOUT(delivery(0), MessageModel::Delivery::Failed, 10000);
    menu = openContextMenu(window->timeline(), 0);
    QVERIFY(menu);
    QVERIFY(triggerAction(menu, "Edit"));
    QCOMPARE(timeline->rowCount(), 0);
    QPlainTextEdit *input = window->composer()->input();
    QCOMPARE(input->toPlainText(), tooLong);
    // The window's focus (offscreen, no window manager activates it again after the menu).
    QCOMPARE(window->focusWidget(), input);
    QCOMPARE(session->draft(chatId), tooLong);
    // Shortened, it goes out; it is the only message the server has.
    QTest::keyClick(input, Qt::Key_Backspace);
    QTest::keyClick(input, Qt::Key_Return);
    QCOMPARE(timeline->rowCount(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(delivery(0), MessageModel::Delivery::Sent, 10000);
    QCOMPARE(storedTexts(chatId, ann.token), QStringList { QString(Limits::messageTextMax, u'x') });
    QCOMPARE(failed.size(), 3);
}

// An empty chat says so; scrolled up, a button counts what arrived below and
// takes the user back to the newest message.
void TestDesktop::emptyChatAndJumpToTheNewest()
{
    const auto mia = m_http->newUser(u"Mia Jump"_s);
    const auto ned = m_http->newUser(u"Ned Jump"_s);
    const QString chatId = m_http->personalChat(ned.token, mia.id);
    SignedIn signedIn = signIn(m_server, mia);
    QVERIFY(signedIn.window);
    MainWindow *window = signedIn.window.get();
    window->openChat(chatId);
    TimelineView *timeline = window->findChild<TimelineView *>();
    QTRY_VERIFY_WITH_TIMEOUT(timeline->emptyChatLabel()->isVisible(), 10000);
    QVERIFY(!timeline->jumpToBottomButton()->isVisible());

    for (int i = 1; i <= 40; ++i)
        m_http->sendText(ned.token, chatId, u"Line %1 of a long conversation"_s.arg(i));
    MessageModel *messages = signedIn.session->messages(chatId);
    QTRY_COMPARE_WITH_TIMEOUT(messages->rowCount(), 40, 10000);
    QVERIFY(!timeline->emptyChatLabel()->isVisible());
    QTRY_VERIFY(!timeline->jumpToBottomButton()->isVisible()); // at the newest

    timeline->verticalScrollBar()->setValue(0);
    QTRY_VERIFY(timeline->jumpToBottomButton()->isVisible());
    QCOMPARE(timeline->jumpToBottomButton()->text(), QString());
    m_http->sendText(ned.token, chatId, u"one more"_s);
    m_http->sendText(ned.token, chatId, u"and another"_s);
    QTRY_COMPARE_WITH_TIMEOUT(messages->rowCount(), 42, 10000);
    QCOMPARE(timeline->jumpToBottomButton()->text(), u"2"_s);
    saveScreenshot(window, u"jump-to-newest"_s);
    QTest::mouseClick(timeline->jumpToBottomButton(), Qt::LeftButton);
    QTRY_COMPARE(timeline->verticalScrollBar()->value(), timeline->verticalScrollBar()->maximum());
    QTRY_VERIFY(!timeline->jumpToBottomButton()->isVisible());
}

// The Keyboard Shortcuts dialog lists only what works: each listed key is
// pressed here and does what the list says.
void TestDesktop::everyListedShortcutWorks()
{
    const auto olga = m_http->newUser(u"Olga Keys"_s);
    const auto pete = m_http->newUser(u"Pete Keys"_s);
    const auto rita = m_http->newUser(u"Rita Keys"_s);
    const QString petesChat = m_http->personalChat(pete.token, olga.id);
    const QString ritasChat = m_http->personalChat(rita.token, olga.id);
    m_http->sendText(pete.token, petesChat, u"older"_s);
    m_http->sendText(rita.token, ritasChat, u"newest"_s); // Rita's chat is first in the list
    SignedIn signedIn = signIn(m_server, olga);
    QVERIFY(signedIn.window);
    MainWindow *window = signedIn.window.get();
    ChatListModel *chats = signedIn.session->chats();
    QTRY_COMPARE_WITH_TIMEOUT(chats->rowCount(), 2, 10000);
    QStringList tried;
    const auto press = [&](const QKeySequence &keys, QWidget *target = nullptr) {
        tried.append(keys.toString());
        const QKeyCombination combination = keys[0];
        QTest::keyClick(target ? target : QApplication::focusWidget(), combination.key(),
            combination.keyboardModifiers());
    };

    window->openChat(ritasChat);
    QPlainTextEdit *input = window->composer()->input();
    input->setFocus();
    press(QKeySequence(Qt::ALT | Qt::Key_Down));
    QCOMPARE(window->currentChatId(), petesChat);
    press(QKeySequence(Qt::ALT | Qt::Key_Up));
    QCOMPARE(window->currentChatId(), ritasChat);
    press(QKeySequence(Qt::CTRL | Qt::Key_Tab));
    QCOMPARE(window->currentChatId(), petesChat);
    press(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Backtab));
    QCOMPARE(window->currentChatId(), ritasChat);

    // Up in the empty composer edits the last message of one's own.
    QTest::keyClicks(input, u"typo hre"_s);
    QTest::keyClick(input, Qt::Key_Return);
    MessageModel *messages = signedIn.session->messages(ritasChat);
    QTRY_COMPARE_WITH_TIMEOUT(messages->index(messages->rowCount() - 1)
                                  .data(MessageModel::DeliveryRole)
                                  .value<MessageModel::Delivery>(),
        MessageModel::Delivery::Sent, 10000);
    press(QKeySequence(Qt::Key_Up), input);
    QVERIFY(window->composer()->isEditing());
    QCOMPARE(input->toPlainText(), u"typo hre"_s);
    press(QKeySequence(Qt::Key_Escape), input);
    QVERIFY(!window->composer()->isEditing());

    // Ctrl+Up replies to the newest message; Ctrl+Down goes below it: no reply.
    press(QKeySequence(Qt::CTRL | Qt::Key_Up), input);
    QCOMPARE(window->composer()->replyToId(), messages->messageAt(messages->rowCount() - 1).id);
    press(QKeySequence(Qt::CTRL | Qt::Key_Down), input);
    QVERIFY(!window->composer()->isReplying());

    press(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    QVERIFY(window->searchField()->hasFocus());
    input->setFocus();
    press(QKeySequence(Qt::CTRL | Qt::Key_F)); // a chat is open: find in it (tst_search_ui)
    QVERIFY(window->findBar()->field()->hasFocus());
    press(QKeySequence(Qt::Key_Escape));
    QVERIFY(input->hasFocus());
    press(QKeySequence(Qt::CTRL | Qt::Key_K)); // the quick switcher (tst_keyboard tries it out)
    QVERIFY(window->findChild<QuickSwitcher *>());
    QTRY_VERIFY(window->findChild<QuickSwitcher *>()->searchField()->hasFocus());
    press(QKeySequence(Qt::Key_Escape));
    QTRY_VERIFY(!window->findChild<QuickSwitcher *>());

    // Esc closes the chat info.
    auto *info = window->findChild<ChatInfoPanel *>();
    auto *infoButton = window->findChild<QToolButton *>();
    for (QToolButton *button : window->findChildren<QToolButton *>())
        if (button->isCheckable())
            infoButton = button;
    infoButton->setChecked(true);
    QVERIFY(info->isVisible());
    window->findChild<TimelineView *>()->setFocus();
    press(QKeySequence(Qt::Key_Escape));
    QVERIFY(!info->isVisible());

    QSignalSpy quit(window, &MainWindow::quitRequested);
    press(QKeySequence(Qt::CTRL | Qt::Key_Q), window);
    QCOMPARE(quit.size(), 1);

    // Nothing listed was left untried.
    for (const MainWindow::Shortcut &shortcut : window->shortcuts())
        QVERIFY2(tried.contains(shortcut.keys.toString()),
            qPrintable(u"not tried: "_s + shortcut.keys.toString()));
}

// Someone renamed on any device: the chat list's title of the personal chat,
// the sender names in an open group timeline and, when it is the user
// herself, her own name follow at once (user_updated), without a reload.
void TestDesktop::renamesShowLive()
{
    const auto ann = m_http->newUser(u"Ann Rename"_s);
    const auto bob = m_http->newUser(u"Bob Rename"_s);
    const QString personal = m_http->personalChat(ann.token, bob.id);
    const QString groupId = m_http->newGroup(ann, u"Renames"_s, { bob.id });
    m_http->sendText(bob.token, groupId, u"from Bob"_s);

    const auto session = signedInSession(m_server, ann);
    QTRY_COMPARE_WITH_TIMEOUT(session->chats()->rowCount(), 2, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(session->live()->state(), LiveConnection::State::Connected, 10000);
    MessageModel *timeline = session->messages(groupId);
    QTRY_VERIFY_WITH_TIMEOUT(timeline->isLoaded(), 10000);
    const auto bobsMessage = [timeline] {
        for (int row = 0; row < timeline->rowCount(); ++row) {
            const QModelIndex index = timeline->index(row);
            if (index.data(MessageModel::TextRole).toString() == u"from Bob"_s)
                return index;
        }
        return QModelIndex();
    };
    QVERIFY(bobsMessage().isValid());
    QCOMPARE(bobsMessage().data(MessageModel::SenderNameRole).toString(), u"Bob Rename"_s);
    const auto titleOf = [&session](const QString &chatId) {
        const int row = session->chats()->rowOf(chatId);
        return row < 0 ? QString()
                       : session->chats()->index(row).data(ChatListModel::TitleRole).toString();
    };
    QCOMPARE(titleOf(personal), u"Bob Rename"_s);

    COMPARE_STATUS(
        m_http->request("PATCH", u"/api/v1/users/me"_s,
            QJsonDocument(QJsonObject { { u"name"_s, u"Robert"_s } }).toJson(), bob.token),
        200);
    QTRY_COMPARE_WITH_TIMEOUT(titleOf(personal), u"Robert"_s, 10000);
    QCOMPARE(bobsMessage().data(MessageModel::SenderNameRole).toString(), u"Robert"_s);

    QSignalSpy mine(session.get(), &ClientSession::currentUserChanged);
    COMPARE_STATUS(
        m_http->request("PATCH", u"/api/v1/users/me"_s,
            QJsonDocument(QJsonObject { { u"name"_s, u"Annie"_s } }).toJson(), ann.token),
        200);
    QTRY_COMPARE_WITH_TIMEOUT(session->currentUser().name, u"Annie"_s, 10000);
    QCOMPARE(mine.size(), 1);
}

// A long chat, opened and scrolled to its oldest message and back: the
// delegate keeps the layouts of the rows used last, not one per message (a
// 10,000-message chat kept 23 MB of laid-out text), and every row still has
// its height and its bubble when it comes back on screen.
void TestDesktop::longChatKeepsLayoutsOnlyNearTheScreen()
{
    const QString me = u"00000000-0000-4000-8000-00000000000a"_s;
    const QString chatId = u"00000000-0000-4000-8000-00000000000c"_s;
    const int count = MessageDelegate::cachedLayoutsMax * 3;
    MessageModel model(nullptr, chatId, me, false);
    for (int i = 1; i <= count; ++i) {
        Message message;
        message.id = u"10000000-0000-4000-8000-%1"_s.arg(i, 12, 10, QChar(u'0'));
        message.chatId = chatId;
        message.senderId = i % 2 ? me : chatId;
        message.text = u"Message number %1"_s.arg(i);
        message.timestamp
            = (QDateTime::currentMSecsSinceEpoch() - qint64(count - i) * 60'000) * 1000;
        message.seq = i;
        message.chatSeq = i;
        model.applyMessage(message);
    }
    TimelineView view;
    view.resize(680, 720);
    view.setMessageModel(&model);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.scrollToRowOrBottom(-1);
    const QModelIndex newest = view.model()->index(count - 1, 0); // the view's (a proxy's) index
    QTRY_VERIFY(view.visualRect(newest).intersects(view.viewport()->rect()));
    view.grab();
    auto *delegate = qobject_cast<MessageDelegate *>(view.itemDelegate());
    QVERIFY(delegate);
    QVERIFY2(delegate->cachedLayoutCount() <= MessageDelegate::cachedLayoutsMax,
        qPrintable(QString::number(delegate->cachedLayoutCount())));
    QScrollBar *bar = view.verticalScrollBar();
    const int range = bar->maximum();
    QVERIFY(range > 0);
    const int newestHeight = view.visualRect(newest).height();

    bar->setValue(0); // the oldest message, laid out again
    view.grab();
    const QModelIndex oldest = view.model()->index(0, 0);
    QVERIFY(view.visualRect(oldest).intersects(view.viewport()->rect()));
    QVERIFY(view.visualRect(oldest).height() > 0);
    bar->setValue(bar->maximum()); // and back: the newest, laid out again
    view.grab();
    QCOMPARE(bar->maximum(), range); // every row's height kept
    QVERIFY(view.visualRect(newest).intersects(view.viewport()->rect()));
    QCOMPARE(view.visualRect(newest).height(), newestHeight);
    const BubbleGeometry &bubble = delegate->geometry(newest, view.visualRect(newest), view.font());
    QVERIFY(bubble.layout);
    QCOMPARE(bubble.layout->text(), u"Message number %1"_s.arg(count));
    QVERIFY(delegate->cachedLayoutCount() <= MessageDelegate::cachedLayoutsMax);
}

QTEST_MAIN(TestDesktop)
#include "tst_desktop.moc"
