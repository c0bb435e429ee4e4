#include "DesktopTestSupport.h"

#include "client/api/FileTransfer.h"
#include "client/models/FileCache.h"
#include "client/ui/Composer.h"
#include "client/ui/ImageViewer.h"
#include "shared/ApiPaths.h"

#include <QBuffer>
#include <QClipboard>
#include <QJsonArray>
#include <QMimeData>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QToolButton>

using namespace Qt::StringLiterals;
using namespace Messenger;
using namespace Messenger::Client;

// Files in the desktop app against a real server: the composer's attachments,
// photo and file bubbles, downloads into the cache, the viewer, previews.
class TestFilesUi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void attachedFilesAreSentAndDownloadIdentical();
    void imageBubbleHasItsFinalSizeBeforeAndAfterTheThumbnail();
    void clickingAFileDownloadsItIntoTheCache();
    void viewerOpensFullImageAndEscCloses();
    void chatListPreviewSaysPhotoOrFile();
    void canceledUploadTakesTheMessageAway();
    void uploadCarriesOnAfterARestart();
    void pastedImageAndDroppedFilesAreAttached();

private:
    // An 800×600 PNG with something to see in it.
    static QByteArray pngBytes(const QSize &size = QSize(800, 600));
    // `from` sends a message carrying `files` (name → content) over REST;
    // the message's JSON.
    QJsonObject sendWithFiles(const HttpClient::Account &from, const QString &chatId,
        const QString &text, const QList<QPair<QString, QByteArray>> &files);
    QByteArray downloadOverRest(const QString &fileId, const QString &token);
    // The row of the newest message of `model`.
    static int newestRow(MessageModel *model) { return model->rowCount() - 1; }

    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
    QTemporaryDir m_dir;
};

void TestFilesUi::initTestCase()
{
    prepareDesktopTestCase(u"tst_files_ui"_s);
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    m_http = std::make_unique<HttpClient>(m_server);
    QVERIFY(m_dir.isValid());
}

void TestFilesUi::init()
{
    resetClientState(m_server);
    QDir(QStandardPaths::writableLocation(QStandardPaths::CacheLocation)).removeRecursively();
}

QByteArray TestFilesUi::pngBytes(const QSize &size)
{
    QImage image(size, QImage::Format_RGB32);
    QPainter painter(&image);
    QLinearGradient sky(0, 0, 0, size.height());
    sky.setColorAt(0, QColor(0x5b, 0xa8, 0xe8));
    sky.setColorAt(1, QColor(0xf6, 0xd3, 0x65));
    painter.fillRect(image.rect(), sky);
    painter.setBrush(QColor(0x3d, 0x7a, 0x3a));
    painter.setPen(Qt::NoPen);
    painter.drawEllipse(
        QPoint(size.width() / 2, size.height()), size.width() / 2, size.height() / 3);
    painter.end();
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

QJsonObject TestFilesUi::sendWithFiles(const HttpClient::Account &from, const QString &chatId,
    const QString &text, const QList<QPair<QString, QByteArray>> &files)
{
    QJsonArray ids;
    for (const auto &[name, content] : files)
        ids.append(m_http->upload(from.token, name, content));
    const Reply sent
        = m_http->sendMessage(from.token, chatId, text, { { u"attachment_ids"_s, ids } });
    if (sent.status != 200)
        qWarning() << "send failed:" << sent.status << sent.body;
    return sent.object();
}

QByteArray TestFilesUi::downloadOverRest(const QString &fileId, const QString &token)
{
    const Reply reply = m_http->get(ApiPaths::file(fileId), token);
    return reply.status == 200 ? reply.body : QByteArray();
}

void TestFilesUi::attachedFilesAreSentAndDownloadIdentical()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    SignedIn desk = signInWithChatOpen(m_server, ann, chatId);
    QVERIFY(desk.window);
    Composer *composer = desk.window->composer();
    MessageModel *model = desk.session->messages(chatId);

    QByteArray report(2 * 1024 * 1024 + 11, Qt::Uninitialized);
    for (qsizetype i = 0; i < report.size(); ++i)
        report[i] = char((i * 31) % 253);
    const QByteArray photo = pngBytes();
    const QString reportPath = writeFile(m_dir, u"report.bin"_s, report);
    const QString photoPath = writeFile(m_dir, u"photo.png"_s, photo);
    // What the paper clip's file dialog hands over.
    composer->addAttachments({ photoPath, reportPath });
    QVERIFY(composer->attachmentBar()->isVisible());
    QCOMPARE(composer->attachments().size(), 2);
    QVERIFY(composer->sendButton()->isEnabled()); // no text needed with files
    composer->input()->setPlainText(u"Holiday report"_s);
    QTest::keyClick(composer->input(), Qt::Key_Return);

    // At once: a pending bubble with both files (no ids yet), uploading.
    QCOMPARE(composer->attachments().size(), 0);
    QVERIFY(!composer->attachmentBar()->isVisible());
    const int row = newestRow(model);
    QVERIFY(!model->index(row).data(MessageModel::ClientIdRole).toString().isEmpty());
    auto pending
        = qvariant_cast<QList<Attachment>>(model->index(row).data(MessageModel::AttachmentsRole));
    QCOMPARE(pending.size(), 2);
    QVERIFY(pending.at(0).isImage());
    QCOMPARE(*pending.at(0).width, 800);
    QCOMPARE(pending.at(1).name, u"report.bin"_s);
    QVERIFY(model->index(row).data(MessageModel::UploadProgressRole).toDouble() >= 0);
    const int pendingHeight = rowHeight(desk.window->timeline(), row);
    const QRect pendingPhoto = desk.window->timeline()->mediaRect(row, 0);
    QCOMPARE(pendingPhoto.size(), QSize(320, 240));

    // Then sent: the server's files in the same place, the bubble no taller.
    QTRY_VERIFY_WITH_TIMEOUT(
        !model->index(newestRow(model)).data(MessageModel::IdRole).toString().isEmpty(), 20000);
    const int sentRow = newestRow(model);
    QCOMPARE(model->index(sentRow).data(MessageModel::UploadProgressRole).toDouble(), -1.0);
    QCOMPARE(rowHeight(desk.window->timeline(), sentRow), pendingHeight);

    // Bob sees one message with the caption and both files, byte for byte.
    const Reply history = m_http->get(ApiPaths::chatHistory(chatId), bob.token);
    const QJsonObject message = history.object().value(u"messages").toArray().first().toObject();
    QCOMPARE(message.value(u"text").toString(), u"Holiday report"_s);
    const QJsonArray files = message.value(u"attachments").toArray();
    QCOMPARE(files.size(), 2);
    QCOMPARE(files.at(0).toObject().value(u"name").toString(), u"photo.png"_s);
    QCOMPARE(files.at(0).toObject().value(u"width").toInt(), 800);
    QCOMPARE(files.at(1).toObject().value(u"name").toString(), u"report.bin"_s);
    QVERIFY(downloadOverRest(files.at(1).toObject().value(u"id").toString(), bob.token) == report);
    QVERIFY(!downloadOverRest(files.at(0).toObject().value(u"id").toString(), bob.token).isEmpty());
}

void TestFilesUi::imageBubbleHasItsFinalSizeBeforeAndAfterTheThumbnail()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QJsonObject sent
        = sendWithFiles(bob, chatId, QString(), { { u"tall.png"_s, pngBytes(QSize(300, 900)) } });
    const QString messageId = sent.value(u"id").toString();
    QVERIFY(!messageId.isEmpty());
    SignedIn desk = signInWithChatOpen(m_server, ann, chatId, messageId);
    QVERIFY(desk.window);
    TimelineView *timeline = desk.window->timeline();
    MessageModel *model = desk.session->messages(chatId);
    const int row = model->rowOfId(messageId);
    const QModelIndex index = model->index(row);

    // Before any thumbnail: a delegate with nothing to draw lays it out the same.
    MessageDelegate placeholderOnly;
    placeholderOnly.setViewWidth(timeline->viewport()->width());
    QStyleOptionViewItem option;
    option.font = timeline->font();
    const QSize before = placeholderOnly.sizeHint(option, index);
    const BubbleGeometry geometry = placeholderOnly.geometry(
        index, QRect(0, 0, timeline->viewport()->width(), 0), timeline->font());
    QCOMPARE(geometry.media.size(), 1);
    // 300×900 fitted into at most 320×360, keeping its shape.
    QCOMPARE(geometry.media.first().rect.size(), QSize(120, 360));

    const auto file = qvariant_cast<QList<Attachment>>(index.data(MessageModel::AttachmentsRole));
    FileCache *files = desk.session->files();
    QTRY_VERIFY_WITH_TIMEOUT(!files->thumbnail(file.first()).isNull(), 15000);
    QCOMPARE(rowHeight(timeline, row), before.height());
    QCOMPARE(timeline->mediaRect(row, 0).size(), QSize(120, 360));
}

void TestFilesUi::clickingAFileDownloadsItIntoTheCache()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    QByteArray notes;
    for (int i = 0; i < 20000; ++i)
        notes += "line " + QByteArray::number(i) + '\n';
    sendWithFiles(bob, chatId, u"Photo and notes"_s,
        { { u"view.png"_s, pngBytes() }, { u"notes.txt"_s, notes } });
    const QString messageId
        = sendWithFiles(bob, chatId, QString(), { { u"minutes.txt"_s, "short\n" } })
              .value(u"id")
              .toString();
    SignedIn desk = signInWithChatOpen(m_server, ann, chatId, messageId);
    QVERIFY(desk.window);
    TimelineView *timeline = desk.window->timeline();
    MessageModel *model = desk.session->messages(chatId);
    const int row = model->rowOfId(messageId) - 1; // photo and notes
    timeline->scrollToRowOrBottom(-1);
    QTRY_VERIFY(!timeline->mediaRect(row, 1).isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(!desk.session->files()
                                  ->thumbnail(qvariant_cast<QList<Attachment>>(
                                      model->index(row).data(MessageModel::AttachmentsRole))
                                                  .first())
                                  .isNull(),
        15000);
    saveScreenshot(desk.window.get(), u"files-timeline"_s);

    QSignalSpy downloaded(desk.window.get(), &MainWindow::fileDownloaded);
    QTest::mouseClick(
        timeline->viewport(), Qt::LeftButton, {}, timeline->mediaRect(row, 1).center());
    QTRY_COMPARE_WITH_TIMEOUT(downloaded.size(), 1, 15000);
    const QString path = downloaded.first().first().toString();
    QVERIFY2(path.startsWith(FileCache::folderFor(ann.id)), qPrintable(path));
    QVERIFY(path.endsWith(u"/notes.txt"_s));
    QFile saved(path);
    QVERIFY(saved.open(QIODevice::ReadOnly));
    QVERIFY(saved.readAll() == notes);
    // Then offered: Open, Show in Folder.
    QMenu *menu = desk.window->findChild<QMenu *>(u"downloadedFileMenu"_s);
    QVERIFY(menu);
    QVERIFY(findAction(menu, "Open", mainWindowContext));
    QVERIFY(findAction(menu, "Show in Folder", mainWindowContext));
    menu->close();
    // The menu of the file offers Save As…
    QTest::mouseMove(timeline->viewport(), timeline->mediaRect(row, 1).center());
    QContextMenuEvent context(QContextMenuEvent::Mouse, timeline->mediaRect(row, 1).center(),
        timeline->viewport()->mapToGlobal(timeline->mediaRect(row, 1).center()));
    QCoreApplication::sendEvent(timeline->viewport(), &context);
    QMenu *fileMenu = nullptr;
    QTRY_VERIFY((fileMenu = timeline->findChild<QMenu *>()) != nullptr);
    QVERIFY2(findAction(fileMenu, "Save As…"), qPrintable(actionTexts(fileMenu).join(u", ")));
    fileMenu->close();
    // The cache stays under its limit: the least recently used goes first.
    FileCache *files = desk.session->files();
    files->setLimit(10);
    const auto minutes = qvariant_cast<QList<Attachment>>(
        model->index(row + 1).data(MessageModel::AttachmentsRole));
    QSignalSpy finished(files, &FileCache::downloadFinished);
    files->download(minutes.first());
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 15000);
    QVERIFY(!QFile::exists(path));
    QVERIFY(QFile::exists(finished.first().at(1).toString()));
}

void TestFilesUi::viewerOpensFullImageAndEscCloses()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString messageId
        = sendWithFiles(bob, chatId, u"Look"_s, { { u"view.png"_s, pngBytes() } })
              .value(u"id")
              .toString();
    SignedIn desk = signInWithChatOpen(m_server, ann, chatId, messageId);
    QVERIFY(desk.window);
    TimelineView *timeline = desk.window->timeline();
    const int row = desk.session->messages(chatId)->rowOfId(messageId);
    QTRY_VERIFY(!timeline->mediaRect(row, 0).isEmpty());
    QTest::mouseClick(
        timeline->viewport(), Qt::LeftButton, {}, timeline->mediaRect(row, 0).center());
    QPointer<ImageViewer> viewer;
    QTRY_VERIFY((viewer = desk.window->findChild<ImageViewer *>(u"imageViewer"_s)) != nullptr);
    QVERIFY(QTest::qWaitForWindowExposed(viewer));
    QTRY_VERIFY_WITH_TIMEOUT(viewer->isLoaded(), 15000);
    QCOMPARE(viewer->image().size(), QSize(800, 600));
    QVERIFY(viewer->saveButton()->isEnabled());
    // Fitted to the window (smaller than its own size), then zoomed.
    const double fitted = viewer->zoom();
    QVERIFY(fitted <= 1.0);
    QTest::keyClick(viewer, Qt::Key_Plus);
    QVERIFY(viewer->zoom() > fitted);
    QTest::keyClick(viewer, Qt::Key_Minus);
    QCOMPARE(viewer->zoom(), fitted);
    saveScreenshot(viewer, u"image-viewer"_s);
    QTest::keyClick(viewer, Qt::Key_Escape);
    QTRY_VERIFY(viewer.isNull());
}

void TestFilesUi::chatListPreviewSaysPhotoOrFile()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString photoId = sendWithFiles(bob, chatId, QString(), { { u"view.png"_s, pngBytes() } })
                                .value(u"id")
                                .toString();
    const QString replyId
        = m_http->sendText(bob.token, chatId, u"Nice?"_s, { { u"reply_to_id"_s, photoId } });
    SignedIn desk = signIn(m_server, ann);
    QVERIFY(desk.window);
    ChatListModel *chats = desk.session->chats();
    const auto preview = [&] {
        for (int row = 0; row < chats->rowCount(); ++row) {
            const QModelIndex index = chats->index(row);
            if (index.data(ChatListModel::ChatIdRole).toString() == chatId)
                return index.data(ChatListModel::PreviewRole).toString();
        }
        return QString();
    };
    const QString photo
        = QCoreApplication::translate("Messenger::Client::Presentation", "🖼 Photo");
    // A reply's quote of it says so too.
    MessageModel *model = desk.session->messages(chatId);
    QTRY_VERIFY_WITH_TIMEOUT(model->rowOfId(replyId) >= 0, 10000);
    QCOMPARE(
        model->index(model->rowOfId(replyId)).data(MessageModel::ReplyTextRole).toString(), photo);
    QTRY_COMPARE_WITH_TIMEOUT(preview(), u"Nice?"_s, 10000);
    m_http->sendMessage(bob.token, chatId, QString(),
        { { u"attachment_ids"_s,
            QJsonArray { m_http->upload(bob.token, u"b.png"_s, pngBytes()) } } });
    QTRY_COMPARE_WITH_TIMEOUT(preview(), photo, 10000);
    // Live, a caption-less file.
    sendWithFiles(bob, chatId, QString(), { { u"notes.txt"_s, "x\n" } });
    QTRY_COMPARE_WITH_TIMEOUT(preview(),
        QCoreApplication::translate("Messenger::Client::Presentation", "📎 %1").arg(u"notes.txt"_s),
        10000);
    // A caption wins.
    sendWithFiles(bob, chatId, u"See attached"_s, { { u"notes.txt"_s, "y\n" } });
    QTRY_COMPARE_WITH_TIMEOUT(preview(), u"See attached"_s, 10000);
}

void TestFilesUi::canceledUploadTakesTheMessageAway()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    SignedIn desk = signInWithChatOpen(m_server, ann, chatId);
    QVERIFY(desk.window);
    MessageModel *model = desk.session->messages(chatId);
    const QString path = writeFile(m_dir, u"big.bin"_s, QByteArray(40 * 1024 * 1024, 'b'));
    const int rowsBefore = model->rowCount();
    desk.session->sendFiles(chatId, QString(), { path });
    const int row = newestRow(model);
    QCOMPARE(model->rowCount(), rowsBefore + 1);
    const QString clientId = model->index(row).data(MessageModel::ClientIdRole).toString();
    FileUpload *upload = desk.session->currentUpload(clientId);
    QVERIFY(upload);
    // The ✕ over the bubble, once the first piece is up.
    QString uploadPath;
    QTRY_VERIFY_WITH_TIMEOUT(!(uploadPath = upload->uploadPath()).isEmpty(), 10000);
    TimelineView *timeline = desk.window->timeline();
    const QRect cross = timeline->uploadCancelRect(row);
    QVERIFY(!cross.isEmpty());
    QSignalSpy canceled(upload, &FileTransfer::finished);
    QTest::mouseClick(timeline->viewport(), Qt::LeftButton, {}, cross.center());
    QCOMPARE(model->rowCount(), rowsBefore);
    QTRY_COMPARE_WITH_TIMEOUT(canceled.size(), 1, 10000);
    // The server let go of it.
    COMPARE_STATUS(m_http->tus("HEAD", uploadPath, ann.token), 404);
}

void TestFilesUi::uploadCarriesOnAfterARestart()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    QByteArray content(5 * 1024 * 1024 + 3, Qt::Uninitialized);
    for (qsizetype i = 0; i < content.size(); ++i)
        content[i] = char((i * 13) % 241);
    const QString path = writeFile(m_dir, u"archive.bin"_s, content);
    QString uploadPath;
    {
        SignedIn client = persistedClient();
        awaitSignIn(client.session.get(), m_server, ann, true);
        ClientSession *session = client.session.get();
        MessageModel *model = session->messages(chatId);
        QTRY_VERIFY_WITH_TIMEOUT(model->isLoaded(), 15000);
        session->sendFiles(chatId, u"After a restart"_s, { path });
        const QString clientId
            = model->index(newestRow(model)).data(MessageModel::ClientIdRole).toString();
        FileUpload *upload = session->currentUpload(clientId);
        QVERIFY(upload);
        // The server dies once the first megabyte is on its way; the app quits.
        bool killed = false;
        connect(upload, &FileTransfer::progress, this, [&](qint64 done, qint64) {
            if (!killed && done >= 1024 * 1024) {
                killed = true;
                m_server.kill();
            }
        });
        QTRY_VERIFY_WITH_TIMEOUT(killed, 15000);
        uploadPath = upload->uploadPath();
        QVERIFY(!uploadPath.isEmpty());
    }
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));

    SignedIn client = persistedClient();
    QSignalSpy restored(client.session.get(), &ClientSession::restoreFinished);
    client.session->restore();
    QVERIFY(!restored.isEmpty() || restored.wait(15000));
    QCOMPARE(restored.first().first().toBool(), true);
    // Shown at once, pending, and carried on with the same upload.
    MessageModel *model = client.session->messages(chatId);
    const int row = newestRow(model);
    QVERIFY(row >= 0);
    const QString clientId = model->index(row).data(MessageModel::ClientIdRole).toString();
    QCOMPARE(model->messageAt(row).text, u"After a restart"_s);
    FileUpload *resumed = client.session->currentUpload(clientId);
    QVERIFY(resumed);
    QCOMPARE(resumed->uploadPath(), uploadPath);
    QTRY_VERIFY_WITH_TIMEOUT(
        !model->index(newestRow(model)).data(MessageModel::IdRole).toString().isEmpty(), 20000);
    const Reply history = m_http->get(ApiPaths::chatHistory(chatId), bob.token);
    const QJsonArray messages = history.object().value(u"messages").toArray();
    QCOMPARE(messages.size(), 1); // sent once
    const QJsonArray files = messages.first().toObject().value(u"attachments").toArray();
    QCOMPARE(files.size(), 1);
    QVERIFY(
        downloadOverRest(files.first().toObject().value(u"id").toString(), bob.token) == content);
}

void TestFilesUi::pastedImageAndDroppedFilesAreAttached()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    SignedIn desk = signInWithChatOpen(m_server, ann, chatId);
    QVERIFY(desk.window);
    Composer *composer = desk.window->composer();

    // Ctrl+V of an image (a screenshot): a PNG file of it is attached.
    QImage screenshot(64, 48, QImage::Format_RGB32);
    screenshot.fill(Qt::darkCyan);
    QApplication::clipboard()->setImage(screenshot);
    composer->focusInput();
    QTest::keySequence(composer->input(), QKeySequence::Paste);
    QCOMPARE(composer->attachments().size(), 1);
    const QString pasted = composer->attachments().first();
    QVERIFY(pasted.endsWith(u".png"_s));
    QCOMPARE(QImage(pasted).size(), QSize(64, 48));
    QVERIFY(composer->input()->toPlainText().isEmpty());

    // Files dropped on the timeline from a file manager.
    const QString first = writeFile(m_dir, u"a.txt"_s, "a");
    const QString second = writeFile(m_dir, u"b.txt"_s, "b");
    QMimeData dragged;
    dragged.setUrls({ QUrl::fromLocalFile(first), QUrl::fromLocalFile(second) });
    QWidget *target = desk.window->timeline()->viewport();
    const QPoint at = target->rect().center();
    QDragEnterEvent enter(at, Qt::CopyAction, &dragged, Qt::LeftButton, {});
    QCoreApplication::sendEvent(target, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(at, Qt::CopyAction, &dragged, Qt::LeftButton, {});
    QCoreApplication::sendEvent(target, &drop);
    QCOMPARE(composer->attachments(), (QStringList { pasted, first, second }));
    QCOMPARE(composer->attachmentBar()->findChildren<QToolButton *>().size(), 3);

    // A chip's ✕ takes its file back out.
    composer->attachmentBar()->findChildren<QToolButton *>().at(1)->click();
    QCOMPARE(composer->attachments(), (QStringList { pasted, second }));
}

QTEST_MAIN(TestFilesUi)
#include "tst_files_ui.moc"
