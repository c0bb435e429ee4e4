#include "MainWindow.h"

#include "ChatInfoPanel.h"
#include "ChatListDelegate.h"
#include "Composer.h"
#include "Confirm.h"
#include "ConnectionBanner.h"
#include "FindBar.h"
#include "ForwardDialog.h"
#include "ImageViewer.h"
#include "NewChatDialog.h"
#include "PinnedBanner.h"
#include "QuickSwitcher.h"
#include "SelectionBar.h"
#include "Theme.h"
#include "TimelineView.h"
#include "client/api/FileTransfer.h"
#include "client/models/ChatListModel.h"
#include "client/models/ChatSearchModel.h"
#include "client/models/ClientSession.h"
#include "client/models/FileCache.h"
#include "client/models/MessageModel.h"
#include "client/models/MessageSearchModel.h"
#include "client/models/Presentation.h"
#include "shared/Limits.h"
#include "shared/Queries.h"

#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QCursor>
#include <QDateTime>
#include <QDesktopServices>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QPainter>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Messenger::Client {

namespace {
QToolButton *iconButton(const QString &icon, const QString &tip, QWidget *parent)
{
    auto *button = new QToolButton(parent);
    button->setIcon(QIcon(icon));
    button->setIconSize(QSize(22, 22));
    button->setAutoRaise(true);
    button->setToolTip(tip);
    button->setAccessibleName(tip);
    return button;
}
} // namespace

MainWindow::MainWindow(ClientSession *session, QWidget *parent, TrayController::Availability tray)
    : QMainWindow(parent)
    , m_session(session)
{
    setWindowIcon(QIcon(u":/icons/messenger.svg"_s));
    setMinimumSize(640, 420);
    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->setChildrenCollapsible(false);
    m_splitter->addWidget(buildChatListPanel());
    m_splitter->addWidget(buildChatPanel());
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({ 320, 700 });
    // A narrow window takes its width from the chat list (down to the list's
    // minimum) rather than squeezing the conversation next to a 320 px list.
    m_chatStack->setMinimumWidth(380);
    setCentralWidget(m_splitter);

    m_markReadTimer.setSingleShot(true);
    m_markReadTimer.setInterval(300);
    connect(&m_markReadTimer, &QTimer::timeout, this, &MainWindow::markVisibleAsRead);

    m_tray = new TrayController(m_session, this, tray);
    connect(m_tray, &TrayController::quitRequested, this, &MainWindow::quitRequested);

    ChatListModel *chats = m_session->chats();
    connect(chats, &ChatListModel::unreadTotalChanged, this, &MainWindow::updateWindowTitle);
    connect(chats, &QAbstractItemModel::dataChanged, this, [this] { updateHeader(); });
    connect(chats, &QAbstractItemModel::dataChanged, this, &MainWindow::updateMentionButton);
    connect(chats, &QAbstractItemModel::dataChanged, this, &MainWindow::updatePinned);
    connect(m_session, &ClientSession::typingChanged, this, [this](const QString &chatId) {
        if (chatId == m_chatId)
            updateHeader();
    });
    connect(m_session, &ClientSession::presenceChanged, this, [this] { updateHeader(); });
    connect(m_session, &ClientSession::avatarReady, this, [this] { updateHeader(); });
    // "last seen 5 minutes ago" ages by itself.
    auto *presenceClock = new QTimer(this);
    presenceClock->setInterval(std::chrono::seconds(30));
    connect(presenceClock, &QTimer::timeout, this, [this] { updateHeader(); });
    presenceClock->start();
    connect(m_session, &ClientSession::chatReady, this, &MainWindow::openChat);
    connect(m_session, &ClientSession::chatRemoved, this, [this](const QString &chatId) {
        if (chatId == m_chatId) {
            m_chatId.clear();
            m_timeline->setMessageModel(nullptr);
            m_chatStack->setCurrentIndex(0);
        }
    });
    connect(m_session, &ClientSession::operationFailed, this,
        [this](const QString &message) { statusBar()->showMessage(message, 5000); });
    // As Telegram does: forwarded to one chat, that chat opens.
    connect(m_session, &ClientSession::forwarded, this, [this](const QStringList &chatIds) {
        if (chatIds.size() == 1)
            openChat(chatIds.constFirst());
        else
            statusBar()->showMessage(
                tr("Forwarded to %n chats", nullptr, int(chatIds.size())), 5000);
    });
    updateWindowTitle();
    restoreLayout();
    bindShortcuts();
}

namespace {
enum class ShortcutAction {
    Quit,
    FindInChat,
    FindChat,
    QuickSwitcher,
    PreviousChat,
    NextChat,
    EditLast,
    ReplyToOlder,
    ReplyToNewer,
    CloseInfo
};
struct ShortcutRow
{
    ShortcutAction action;
    QKeySequence keys;
    const char *description; // translated in MainWindow's context
};
// The one list: bound in bindShortcuts(), shown by showShortcuts(). Ctrl+Tab
// and Alt+Down are the same action, as in Telegram Desktop.
// As in Telegram Desktop, Ctrl+F finds in the open chat; the chat list's
// search (chats, people and messages everywhere) has Ctrl+Shift+F.
const ShortcutRow shortcutRows[] = {
    { ShortcutAction::FindInChat, QKeySequence(Qt::CTRL | Qt::Key_F),
        QT_TRANSLATE_NOOP("Messenger::Client::MainWindow",
            "Search messages in this chat (with no chat open: search all)") },
    { ShortcutAction::FindChat, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F),
        QT_TRANSLATE_NOOP("Messenger::Client::MainWindow", "Search chats, people and messages") },
    { ShortcutAction::QuickSwitcher, QKeySequence(Qt::CTRL | Qt::Key_K),
        QT_TRANSLATE_NOOP(
            "Messenger::Client::MainWindow", "Quick switcher: go to a chat or a person") },
    { ShortcutAction::PreviousChat, QKeySequence(Qt::ALT | Qt::Key_Up),
        QT_TRANSLATE_NOOP("Messenger::Client::MainWindow", "Previous chat") },
    { ShortcutAction::NextChat, QKeySequence(Qt::ALT | Qt::Key_Down),
        QT_TRANSLATE_NOOP("Messenger::Client::MainWindow", "Next chat") },
    { ShortcutAction::NextChat, QKeySequence(Qt::CTRL | Qt::Key_Tab),
        QT_TRANSLATE_NOOP("Messenger::Client::MainWindow", "Next chat") },
    { ShortcutAction::PreviousChat, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Backtab),
        QT_TRANSLATE_NOOP("Messenger::Client::MainWindow", "Previous chat") },
    { ShortcutAction::EditLast, QKeySequence(Qt::Key_Up),
        QT_TRANSLATE_NOOP("Messenger::Client::MainWindow",
            "Edit your last message (in an empty message field)") },
    // As in Telegram Desktop: Ctrl+Up replies to the newest message, again to
    // the one before it, and so on; Ctrl+Down goes back (past the newest: no reply).
    { ShortcutAction::ReplyToOlder, QKeySequence(Qt::CTRL | Qt::Key_Up),
        QT_TRANSLATE_NOOP("Messenger::Client::MainWindow",
            "Reply to a message: the newest, then each older one") },
    { ShortcutAction::ReplyToNewer, QKeySequence(Qt::CTRL | Qt::Key_Down),
        QT_TRANSLATE_NOOP("Messenger::Client::MainWindow", "Reply to the next newer message") },
    { ShortcutAction::CloseInfo, QKeySequence(Qt::Key_Escape),
        QT_TRANSLATE_NOOP("Messenger::Client::MainWindow",
            "Cancel editing or the reply; close the chat info; clear the search") },
    { ShortcutAction::Quit, QKeySequence(Qt::CTRL | Qt::Key_Q),
        QT_TRANSLATE_NOOP("Messenger::Client::MainWindow", "Quit") },
};
} // namespace

QList<MainWindow::Shortcut> MainWindow::shortcuts() const
{
    QList<Shortcut> list;
    for (const ShortcutRow &row : shortcutRows)
        list.append({ row.keys, tr(row.description) });
    return list;
}

void MainWindow::bindShortcuts()
{
    for (const ShortcutRow &row : shortcutRows) {
        std::function<void()> action;
        switch (row.action) {
        case ShortcutAction::Quit:
            action = [this] { Q_EMIT quitRequested(); };
            break;
        case ShortcutAction::FindInChat:
            action = [this] {
                if (m_chatId.isEmpty()) {
                    m_search->setFocus(Qt::ShortcutFocusReason);
                    m_search->selectAll();
                } else {
                    m_findBar->start(m_chatId);
                }
            };
            break;
        case ShortcutAction::FindChat:
            action = [this] {
                m_search->setFocus(Qt::ShortcutFocusReason);
                m_search->selectAll();
            };
            break;
        case ShortcutAction::QuickSwitcher:
            action = [this] { showQuickSwitcher(); };
            break;
        case ShortcutAction::PreviousChat:
            action = [this] { openNeighbourChat(-1); };
            break;
        case ShortcutAction::NextChat:
            action = [this] { openNeighbourChat(+1); };
            break;
        case ShortcutAction::ReplyToOlder:
            action = [this] { replyToNeighbour(-1); };
            break;
        case ShortcutAction::ReplyToNewer:
            action = [this] { replyToNeighbour(+1); };
            break;
        case ShortcutAction::EditLast:
        case ShortcutAction::CloseInfo:
            continue; // the composer, search field and panel handle these keys themselves
        }
        auto *shortcut = new QShortcut(row.keys, this);
        shortcut->setContext(Qt::WindowShortcut);
        connect(shortcut, &QShortcut::activated, this, action);
    }
    connect(m_composer, &Composer::editLastRequested, this, &MainWindow::editLastMessage);
}

void MainWindow::keyPressEvent(QKeyEvent *event)
{
    // Esc that no child took (the composer cancels an edit, the search field
    // clears itself) closes the chat info. A window-wide QShortcut for Esc
    // would compete with theirs and leave the key ambiguous.
    if (event->key() == Qt::Key_Escape && !m_timeline->selectedMessageIds().isEmpty()) {
        m_timeline->clearMessageSelection();
        return;
    }
    if (event->key() == Qt::Key_Escape && m_infoButton->isChecked()) {
        m_infoButton->setChecked(false);
        return;
    }
    if (event->key() == Qt::Key_Escape && showsArchive()) {
        showArchive(false);
        return;
    }
    QMainWindow::keyPressEvent(event);
}

void MainWindow::openNeighbourChat(int step)
{
    const int rows = m_results->chatCount(); // the chats, not the people found
    if (rows == 0)
        return;
    const int current = m_chatList->currentIndex().row();
    const int next = current < 0 ? 0 : std::clamp(current + step, 0, rows - 1);
    const QModelIndex index = m_results->index(next, 0);
    m_chatList->setCurrentIndex(index);
    openChat(index.data(ChatListModel::ChatIdRole).toString());
}

void MainWindow::editLastMessage()
{
    MessageModel *messages = m_chatId.isEmpty() ? nullptr : m_session->messages(m_chatId);
    if (!messages)
        return;
    for (int row = messages->rowCount() - 1; row >= 0; --row) {
        const QModelIndex index = messages->index(row);
        if (index.data(MessageModel::IsMineRole).toBool()
            && !index.data(MessageModel::DeletedRole).toBool()
            && !index.data(MessageModel::IdRole).toString().isEmpty()) {
            m_composer->beginEdit(index.data(MessageModel::IdRole).toString(),
                index.data(MessageModel::TextRole).toString());
            return;
        }
    }
}

void MainWindow::replyToNeighbour(int step)
{
    MessageModel *messages = m_chatId.isEmpty() ? nullptr : m_session->messages(m_chatId);
    if (!messages)
        return;
    // From the message replied to now, or from below the newest.
    const int current = m_composer->isReplying() ? messages->rowOfId(m_composer->replyToId()) : -1;
    int row = current >= 0 ? current : messages->rowCount();
    for (row += step; row >= 0 && row < messages->rowCount(); row += step) {
        const QModelIndex index = messages->index(row);
        if (!index.data(MessageModel::IdRole).toString().isEmpty()
            && !index.data(MessageModel::DeletedRole).toBool())
            break;
    }
    if (row < 0)
        return; // the oldest loaded already: stay there
    if (row >= messages->rowCount()) {
        m_composer->cancelReply();
        return;
    }
    const QModelIndex index = messages->index(row);
    const QString id = index.data(MessageModel::IdRole).toString();
    m_composer->beginReply(id, index.data(MessageModel::SenderNameRole).toString(),
        Presentation::messageSummary(index.data(MessageModel::TextRole).toString(),
            qvariant_cast<QList<Attachment>>(index.data(MessageModel::AttachmentsRole))));
    m_timeline->showMessage(id);
}

void MainWindow::showShortcuts()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Keyboard Shortcuts"));
    auto *layout = new QFormLayout(&dialog);
    for (const Shortcut &shortcut : shortcuts()) {
        // Shift+Tab arrives as Backtab (and is bound so); people know it as Tab.
        auto *keys = new QLabel(
            shortcut.keys.toString(QKeySequence::NativeText).replace(u"Backtab"_s, u"Tab"_s),
            &dialog);
        keys->setFont(Theme::withPointSizeDelta(font(), 0, true));
        layout->addRow(keys, new QLabel(shortcut.description, &dialog));
    }
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, &dialog);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    layout->addRow(buttons);
    dialog.exec();
}

MainWindow::~MainWindow() = default;

QWidget *MainWindow::buildChatListPanel()
{
    auto *panel = new QWidget(this);
    panel->setMinimumWidth(240);
    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    auto *top = new QHBoxLayout;
    top->setContentsMargins(8, 8, 8, 8);
    auto *menuButton = iconButton(u":/icons/menu.svg"_s, tr("Menu"), panel);
    menuButton->setPopupMode(QToolButton::InstantPopup);
    auto *menu = new QMenu(menuButton);
    menu->addAction(QIcon(u":/icons/person.svg"_s), tr("New Message"), this,
        [this] { showNewChatDialog(false); });
    menu->addAction(
        QIcon(u":/icons/group.svg"_s), tr("New Group"), this, [this] { showNewChatDialog(true); });
    menu->addSeparator();
    menu->addAction(
        QIcon(u":/icons/settings.svg"_s), tr("Settings"), this, &MainWindow::settingsRequested);
    menu->addAction(tr("Keyboard Shortcuts"), this, &MainWindow::showShortcuts);
    menu->addAction(
        QIcon(u":/icons/logout.svg"_s), tr("Sign Out"), this, &MainWindow::signOutRequested);
    menuButton->setMenu(menu);
    m_search = new QLineEdit(panel);
    Theme::styleSearchField(m_search, tr("Search"));
    auto *newChat = iconButton(u":/icons/new-chat.svg"_s, tr("New Message"), panel);
    connect(newChat, &QToolButton::clicked, this, [this] { showNewChatDialog(false); });
    top->addWidget(menuButton);
    top->addWidget(m_search, 1);
    top->addWidget(newChat);
    layout->addLayout(top);

    m_banner = new ConnectionBanner(m_session->live(), panel);
    layout->addWidget(m_banner);

    // Searching lists the matching chats, then people with no chat yet,
    // then the messages found.
    m_results = new ChatSearchModel(
        m_session->chats(), m_session->api(), m_session->currentUser().id, this);
    m_results->includeMessages();
    connect(m_search, &QLineEdit::textChanged, m_results, &ChatSearchModel::setQuery);

    // Above the chats: the way into the archive, and out of it.
    m_archiveRow = new QToolButton(panel);
    m_archiveRow->setObjectName(u"archiveRow"_s);
    m_archiveRow->setIcon(QIcon(u":/icons/archive.svg"_s));
    m_archiveRow->setIconSize(QSize(22, 22));
    m_archiveRow->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_archiveRow->setAutoRaise(true);
    m_archiveRow->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_archiveRow->setMinimumHeight(44);
    // A row of the list, not a toolbar button.
    m_archiveRow->setStyleSheet(
        u"QToolButton#archiveRow { background: palette(base); border: none;"
        " border-bottom: 1px solid palette(midlight); padding-left: 16px;"
        " text-align: left; }"
        " QToolButton#archiveRow:hover { background: palette(alternate-base); }"_s);
    connect(m_archiveRow, &QToolButton::clicked, this, [this] { showArchive(!showsArchive()); });
    layout->addWidget(m_archiveRow);
    ChatListModel *chats = m_session->chats();
    connect(chats, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateArchiveRow);
    connect(chats, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateArchiveRow);
    connect(chats, &QAbstractItemModel::modelReset, this, &MainWindow::updateArchiveRow);
    connect(chats, &QAbstractItemModel::dataChanged, this, &MainWindow::updateArchiveRow);
    connect(m_search, &QLineEdit::textChanged, this, &MainWindow::updateArchiveRow);

    m_chatList = new QListView(panel);
    m_chatList->setModel(m_results);
    m_chatList->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_chatList, &QWidget::customContextMenuRequested, this, [this](const QPoint &at) {
        const QString chatId = m_chatList->indexAt(at).data(ChatListModel::ChatIdRole).toString();
        if (chatId.isEmpty())
            return;
        QMenu *chatMenu = chatContextMenu(chatId);
        chatMenu->setAttribute(Qt::WA_DeleteOnClose);
        chatMenu->popup(m_chatList->viewport()->mapToGlobal(at));
    });
    m_chatList->setItemDelegate(new ChatListDelegate(m_session, m_chatList));
    m_chatList->setFrameShape(QFrame::NoFrame);
    m_chatList->setMouseTracking(true);
    m_chatList->setSelectionMode(QAbstractItemView::SingleSelection);
    m_chatList->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_chatList->setAccessibleName(tr("Chats"));
    // A click opens a chat. The arrow keys in the list only move the
    // highlight (the focus stays in the list, as it does in the search field
    // for its results); Enter opens the highlighted chat and moves to its
    // composer. A person found by search gets a personal chat started.
    connect(m_chatList, &QAbstractItemView::pressed, this, &MainWindow::openResult);
    connect(m_chatList, &QAbstractItemView::activated, this, &MainWindow::openResult);
    // Keep the open chat selected while rows move and the filter changes;
    // while searching, the highlighted result stays instead.
    const auto reselect = [this] {
        if (m_chatId.isEmpty() || !m_search->text().isEmpty())
            return;
        const QModelIndex index = m_results->indexOfChat(m_chatId);
        if (index.isValid() && m_chatList->currentIndex() != index) {
            const QSignalBlocker quiet(m_chatList->selectionModel());
            m_chatList->setCurrentIndex(index);
            m_chatList->viewport()->update();
        }
    };
    connect(m_results, &QAbstractItemModel::rowsMoved, this, reselect);
    connect(m_results, &QAbstractItemModel::layoutChanged, this, reselect);
    connect(m_results, &QAbstractItemModel::modelReset, this, reselect);
    layout->addWidget(m_chatList, 1);

    // The search field keeps the focus: typing filters and highlights the
    // first result, Up/Down move the highlight, Enter opens it, Esc clears.
    connect(m_search, &QLineEdit::textChanged, this, [this, reselect](const QString &text) {
        if (text.isEmpty())
            reselect();
        else
            highlightSearchResult(0);
    });
    const auto searchKey = [this](QKeyCombination key, auto action) {
        auto *shortcut = new QShortcut(QKeySequence(key), m_search);
        shortcut->setContext(Qt::WidgetShortcut);
        connect(shortcut, &QShortcut::activated, this, action);
    };
    searchKey(
        Qt::Key_Down, [this] { highlightSearchResult(m_chatList->currentIndex().row() + 1); });
    searchKey(Qt::Key_Up, [this] { highlightSearchResult(m_chatList->currentIndex().row() - 1); });
    searchKey(Qt::Key_Escape, [this] { m_search->clear(); });
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        openResult(m_chatList->currentIndex().isValid() ? m_chatList->currentIndex()
                                                        : m_results->index(0, 0));
    });
    // People found after the chats were filtered: with no chat matching,
    // the first of them is highlighted.
    connect(m_results, &QAbstractItemModel::rowsInserted, this, [this] {
        if (!m_search->text().isEmpty() && !m_chatList->currentIndex().isValid())
            highlightSearchResult(0);
    });

    // Shown instead of an empty list: what to do, or that the search found nothing.
    m_emptyList = new QLabel(panel);
    m_emptyList->setAlignment(Qt::AlignCenter);
    m_emptyList->setWordWrap(true);
    m_emptyList->setMargin(24);
    QPalette grey = m_emptyList->palette();
    grey.setColor(QPalette::WindowText, Theme::textSecondary);
    grey.setColor(QPalette::Window, grey.color(QPalette::Base)); // like the list it replaces
    m_emptyList->setPalette(grey);
    m_emptyList->setAutoFillBackground(true);
    layout->addWidget(m_emptyList, 1);
    const auto updateEmpty = [this] {
        const bool empty = m_results->rowCount() == 0;
        m_emptyList->setText(m_search->text().isEmpty()
                ? tr("No chats yet.\nStart one with the pencil button.")
                : tr("No chats or people match \"%1\".").arg(m_search->text()));
        m_emptyList->setVisible(empty);
        m_chatList->setVisible(!empty);
    };
    connect(m_results, &QAbstractItemModel::rowsInserted, this, updateEmpty);
    connect(m_results, &QAbstractItemModel::rowsRemoved, this, updateEmpty);
    connect(m_results, &QAbstractItemModel::modelReset, this, updateEmpty);
    connect(m_results, &QAbstractItemModel::layoutChanged, this, updateEmpty);
    connect(m_search, &QLineEdit::textChanged, this, updateEmpty);
    updateEmpty();
    updateArchiveRow();
    return panel;
}

QMenu *MainWindow::chatContextMenu(const QString &chatId)
{
    auto *menu = new QMenu(this);
    const auto summary = m_session->chats()->summary(chatId);
    if (!summary)
        return menu;
    const ChatSettings settings = summary->chat.settings.value_or(ChatSettings {});
    const auto change = [this, chatId](auto set) {
        return [this, chatId, set] {
            UpdateChatSettingsRequest request;
            set(request);
            m_session->updateChatSettings(chatId, request);
        };
    };
    if (settings.isMutedNow()) {
        menu->addAction(QIcon(u":/icons/bell-off.svg"_s), tr("Unmute"),
            change([](UpdateChatSettingsRequest &r) { r.mutedUntil = std::optional<qint64>(); }));
    } else {
        QMenu *mute = menu->addMenu(QIcon(u":/icons/bell-off.svg"_s), tr("Mute"));
        const QList<std::pair<QString, qint64>> durations { { tr("For 1 hour"), 3600 },
            { tr("For 8 hours"), 8 * 3600 }, { tr("For 1 day"), 24 * 3600 } };
        for (const auto &[label, seconds] : durations) {
            mute->addAction(label, change([seconds](UpdateChatSettingsRequest &r) {
                r.mutedUntil = std::optional<qint64>(QDateTime::currentSecsSinceEpoch() + seconds);
            }));
        }
        mute->addAction(tr("Forever"), change([](UpdateChatSettingsRequest &r) {
            r.mutedUntil = std::optional<qint64>(Limits::chatMutedForever);
        }));
    }
    const bool pinned = settings.isPinned();
    menu->addAction(QIcon(u":/icons/pin.svg"_s), pinned ? tr("Unpin") : tr("Pin to top"),
        change([pinned](UpdateChatSettingsRequest &r) { r.pinned = !pinned; }));
    if (pinned) {
        const QStringList order = m_session->chats()->pinnedChatIds();
        const qsizetype place = order.indexOf(chatId);
        if (place > 0)
            menu->addAction(QIcon(u":/icons/arrow-up.svg"_s), tr("Move Up"), this,
                [this, chatId] { m_session->movePinnedChat(chatId, -1); });
        if (place >= 0 && place + 1 < order.size())
            menu->addAction(QIcon(u":/icons/arrow-down.svg"_s), tr("Move Down"), this,
                [this, chatId] { m_session->movePinnedChat(chatId, 1); });
    }
    const bool archived = settings.archived;
    menu->addAction(QIcon(u":/icons/archive.svg"_s), archived ? tr("Unarchive") : tr("Archive"),
        change([archived](UpdateChatSettingsRequest &r) { r.archived = !archived; }));
    if (settings.markedUnread || summary->unreadCount > 0) {
        menu->addAction(
            tr("Mark as read"), this, [this, chatId] { m_session->markChatRead(chatId); });
    } else {
        menu->addAction(tr("Mark as unread"),
            change([](UpdateChatSettingsRequest &r) { r.markedUnread = true; }));
    }
    return menu;
}

void MainWindow::showArchive(bool archive)
{
    m_results->setShowArchived(archive);
    updateArchiveRow();
}

bool MainWindow::showsArchive() const
{
    return m_results->showsArchived();
}

void MainWindow::updateArchiveRow()
{
    const ChatListModel *chats = m_session->chats();
    const bool searching = !m_search->text().isEmpty();
    if (showsArchive()) {
        m_archiveRow->setText(tr("Back to chats"));
        m_archiveRow->setToolTip(tr("Archived chats; Esc goes back"));
        m_archiveRow->setVisible(!searching);
        return;
    }
    const int unread = chats->archivedUnreadCount();
    m_archiveRow->setText(unread > 0 ? tr("Archive (%1)").arg(unread) : tr("Archive"));
    m_archiveRow->setToolTip(tr("Chats you archived"));
    m_archiveRow->setVisible(!searching && chats->archivedCount() > 0);
}

QWidget *MainWindow::buildChatPanel()
{
    m_chatStack = new QStackedWidget(this);

    auto *empty = new QLabel(tr("Select a chat to start messaging"), m_chatStack);
    empty->setAlignment(Qt::AlignCenter);
    empty->setAutoFillBackground(true);
    QPalette emptyPalette = empty->palette();
    emptyPalette.setColor(QPalette::Window, Theme::timelineBackground);
    emptyPalette.setColor(QPalette::WindowText, Theme::textSecondary);
    empty->setPalette(emptyPalette);
    m_chatStack->addWidget(empty);

    auto *page = new QWidget(m_chatStack);
    auto *pageLayout = new QHBoxLayout(page);
    pageLayout->setContentsMargins(0, 0, 0, 0);
    pageLayout->setSpacing(0);
    auto *chat = new QWidget(page);
    auto *layout = new QVBoxLayout(chat);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    auto *header = new QWidget(chat);
    header->setAutoFillBackground(true);
    auto *headerLayout = new QHBoxLayout(header);
    headerLayout->setContentsMargins(12, 6, 8, 6);
    m_headerAvatar = new QLabel(header);
    m_headerTitle = new QLabel(header);
    m_headerTitle->setFont(Theme::withPointSizeDelta(font(), 0.5, true));
    m_headerTitle->setTextFormat(Qt::PlainText);
    m_headerSubtitle = new QLabel(header);
    m_headerSubtitle->setObjectName(u"headerSubtitle"_s);
    m_headerSubtitle->setTextFormat(Qt::PlainText);
    auto *titles = new QVBoxLayout;
    titles->setSpacing(0);
    titles->addWidget(m_headerTitle);
    titles->addWidget(m_headerSubtitle);
    m_infoButton = iconButton(u":/icons/info.svg"_s, tr("Chat Info"), header);
    m_infoButton->setCheckable(true);
    headerLayout->addWidget(m_headerAvatar);
    headerLayout->addSpacing(4);
    headerLayout->addLayout(titles, 1);
    headerLayout->addWidget(m_infoButton);
    layout->addWidget(header);
    m_pinnedBanner = new PinnedBanner(chat);
    layout->addWidget(m_pinnedBanner);

    m_findBar = new FindBar(m_session->api(), chat);
    layout->addWidget(m_findBar);

    m_timeline = new TimelineView(chat);
    layout->addWidget(m_timeline, 1);
    m_composer = new Composer(chat);
    layout->addWidget(m_composer);
    m_selectionBar = new SelectionBar(chat);
    layout->addWidget(m_selectionBar);
    pageLayout->addWidget(chat, 1);

    m_info = new ChatInfoPanel(m_session, page);
    m_info->hide();
    pageLayout->addWidget(m_info);
    connect(m_infoButton, &QToolButton::toggled, m_info, &QWidget::setVisible);
    connect(m_info, &ChatInfoPanel::closeRequested, m_infoButton,
        [this] { m_infoButton->setChecked(false); });
    m_chatStack->addWidget(page);

    connect(m_composer, &Composer::sendRequested, this,
        [this](const QString &text, const QString &replyToId, const QStringList &mentions) {
            m_session->send(m_chatId, text, replyToId, mentions);
            m_timeline->scrollToRowOrBottom(-1);
        });
    // `@` offers a group's members (not the user); a personal chat has no
    // one to point out, as in Telegram.
    m_composer->setMentionCandidates([this] {
        QList<User> candidates;
        const auto summary = m_session->chats()->summary(m_chatId);
        if (!summary || summary->chat.type != ChatType::Group)
            return candidates;
        for (const User &member : summary->chat.members) {
            if (member.id != m_session->currentUser().id)
                candidates.append(member);
        }
        return candidates;
    });
    m_composer->setAvatarSource(
        [this](const QString &avatarUrl) { return m_session->avatar(avatarUrl); });
    connect(m_composer, &Composer::sendFilesRequested, this,
        [this](const QString &text, const QStringList &files, const QString &replyToId,
            const QStringList &mentions) {
            m_session->sendFiles(m_chatId, text, files, replyToId, mentions);
            m_timeline->scrollToRowOrBottom(-1);
        });
    // Files dragged from a file manager onto the timeline are attached.
    m_composer->acceptDropsOn(m_timeline);
    m_composer->acceptDropsOn(m_timeline->viewport());
    connect(m_timeline, &TimelineView::uploadCancelRequested, this,
        [this](const QString &clientId) { m_session->cancelUpload(m_chatId, clientId); });
    connect(m_timeline, &TimelineView::imageActivated, this, &MainWindow::openImage);
    connect(m_timeline, &TimelineView::fileActivated, this, &MainWindow::openFile);
    connect(m_timeline, &TimelineView::saveFileRequested, this, &MainWindow::saveFileAs);
    connect(m_composer, &Composer::editSubmitted, m_session, &ClientSession::edit);
    connect(m_composer, &Composer::typed, this, [this] { m_session->notifyTyping(m_chatId); });
    connect(m_composer, &Composer::textEdited, this,
        [this](const QString &text) { m_session->setDraft(m_chatId, text); });
    connect(m_timeline, &TimelineView::editRequested, m_composer, &Composer::beginEdit);
    connect(m_timeline, &TimelineView::replyRequested, m_composer, &Composer::beginReply);
    connect(m_timeline, &TimelineView::deleteRequested, this, [this](const QString &messageId) {
        confirmAction(this, tr("Delete Message"), tr("Delete this message for everyone?"),
            tr("Delete"), [this, messageId] { m_session->remove(messageId); });
    });
    connect(
        m_timeline, &TimelineView::reactionRequested, m_session, &ClientSession::toggleReaction);
    connect(m_timeline, &TimelineView::retryRequested, this,
        [this](const QString &clientId) { m_session->retryFailed(m_chatId, clientId); });
    connect(m_timeline, &TimelineView::discardRequested, this,
        [this](const QString &clientId) { m_session->discardFailed(m_chatId, clientId); });
    connect(m_timeline, &TimelineView::editFailedRequested, this,
        [this](const QString &clientId, const QString &text) {
            // Back into the composer to fix and send again; a draft there is kept below it.
            if (m_composer->isEditing())
                m_composer->cancelEdit();
            const QString draft = m_composer->text().trimmed();
            const QString restored = draft.isEmpty() ? text : text + u'\n' + draft;
            m_composer->setText(restored);
            m_session->setDraft(m_chatId, restored);
            m_session->discardFailed(m_chatId, clientId);
            m_composer->focusInput();
        });
    connect(m_timeline, &TimelineView::visibleMessagesChanged, this, &MainWindow::scheduleMarkRead);
    connect(m_timeline, &TimelineView::forwardRequested, this, &MainWindow::showForwardDialog);
    connect(m_timeline, &TimelineView::pinRequested, this,
        [this](const QString &messageId) { m_session->setPinnedMessage(m_chatId, messageId); });
    connect(
        m_timeline, &TimelineView::messageSelectionChanged, this, &MainWindow::updateSelectionBar);
    connect(m_selectionBar, &SelectionBar::forwardRequested, this,
        [this] { showForwardDialog(m_timeline->selectedMessageIds()); });
    connect(m_selectionBar, &SelectionBar::copyRequested, this, [this] {
        QApplication::clipboard()->setText(m_timeline->selectedMessagesText());
        m_timeline->clearMessageSelection();
    });
    connect(
        m_selectionBar, &SelectionBar::deleteRequested, this, &MainWindow::deleteSelectedMessages);
    connect(m_selectionBar, &SelectionBar::cancelRequested, m_timeline,
        &TimelineView::clearMessageSelection);
    connect(m_pinnedBanner, &PinnedBanner::clicked, m_timeline, &TimelineView::showMessage);
    connect(m_pinnedBanner, &PinnedBanner::unpinRequested, this,
        [this] { m_session->setPinnedMessage(m_chatId, {}); });
    connect(
        m_findBar, &FindBar::hitChosen, m_timeline, [this](const QString &messageId, qint64 seq) {
            m_timeline->setMarkedWords(
                MessageSearchQuery { m_findBar->results()->query() }.words());
            m_timeline->showMessage(messageId, seq);
        });
    connect(m_findBar, &FindBar::closed, this, [this] {
        m_timeline->setMarkedWords({});
        m_composer->focusInput();
    });
    return m_chatStack;
}

void MainWindow::openImage(const Attachment &file)
{
    auto *viewer = new ImageViewer(m_session->files(), file, this);
    viewer->setObjectName(u"imageViewer"_s);
    viewer->show();
}

void MainWindow::openFile(const Attachment &file)
{
    FileCache *files = m_session->files();
    if (!files)
        return;
    if (const QString path = files->localPath(file); !path.isEmpty()) {
        offerDownloadedFile(path);
        return;
    }
    if (files->isDownloading(file.id)) {
        files->cancelDownload(file.id); // a second click stops it, as in Telegram
        return;
    }
    // Downloaded into the account's cache folder, then Open / Show in Folder.
    connect(
        files, &FileCache::downloadFinished, this,
        [this, id = file.id](const QString &fileId, const QString &path) {
            if (fileId == id)
                offerDownloadedFile(path);
        },
        Qt::SingleShotConnection);
    files->download(file);
}

void MainWindow::offerDownloadedFile(const QString &path)
{
    auto *menu = new QMenu(this);
    menu->setObjectName(u"downloadedFileMenu"_s);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->addAction(
        tr("Open"), this, [path] { QDesktopServices::openUrl(QUrl::fromLocalFile(path)); });
    menu->addAction(tr("Show in Folder"), this,
        [path] { QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(path).absolutePath())); });
    menu->popup(QCursor::pos());
    Q_EMIT fileDownloaded(path);
}

void MainWindow::saveFileAs(const Attachment &file)
{
    const QString target = QFileDialog::getSaveFileName(this, tr("Save As"),
        QDir(QStandardPaths::writableLocation(QStandardPaths::DownloadLocation))
            .filePath(file.name));
    if (target.isEmpty())
        return;
    FileCache *files = m_session->files();
    if (const QString cached = files ? files->localPath(file) : QString(); !cached.isEmpty()) {
        QFile::remove(target); // the dialog asked before replacing it
        if (!QFile::copy(cached, target))
            statusBar()->showMessage(tr("Could not save %1").arg(target), 5000);
        return;
    }
    auto *download = new FileDownload(m_session->api(), file.url(), target, file.size, this);
    connect(download, &FileTransfer::finished, this, [this, download, target] {
        download->deleteLater();
        if (download->state() == FileTransfer::State::Finished)
            statusBar()->showMessage(tr("Saved %1").arg(target), 5000);
        else if (download->state() == FileTransfer::State::Failed)
            statusBar()->showMessage(download->error().message(), 5000);
    });
    download->start();
}

void MainWindow::openChat(const QString &chatId)
{
    showChat(chatId);
}

void MainWindow::openChatAt(const QString &chatId, const QString &messageId, qint64 seq)
{
    showChat(chatId, messageId, seq);
}

void MainWindow::showChat(const QString &chatId, const QString &messageId, qint64 seq)
{
    if (chatId.isEmpty())
        return;
    if (chatId == m_chatId) {
        m_timeline->showMessage(messageId, seq); // nothing without a message
        return;
    }
    m_findBar->finish(true); // it searched the chat being left
    m_timeline->setMarkedWords({});
    if (m_composer->isEditing())
        m_composer->cancelEdit();
    m_composer->cancelReply(); // it answers a message of the chat being left
    m_chatId = chatId;
    m_chatPositioned = false;
    // Opening a chat marked unread is reading it: the mark goes.
    if (const auto summary = m_session->chats()->summary(chatId);
        summary && summary->chat.settings && summary->chat.settings->markedUnread) {
        UpdateChatSettingsRequest request;
        request.markedUnread = false;
        m_session->updateChatSettings(chatId, request);
    }
    m_markReadTimer.stop();
    m_chatStack->setCurrentIndex(1);
    MessageModel *model = m_session->messages(chatId);
    m_timeline->setFileCache(m_session->files());
    m_timeline->setMessageModel(model);
    // A chat with unread messages opens at the "Unread messages" divider
    // above the first of them; any other at the bottom. One opened at a
    // message opens there, once what it has loaded is in place.
    const auto openAtUnread = [this, model, chatId, messageId, seq] {
        if (chatId != m_chatId)
            return;
        if (!messageId.isEmpty()) {
            m_timeline->showMessage(messageId, seq);
            m_chatPositioned = true;
            scheduleMarkRead();
            return;
        }
        const auto summary = m_session->chats()->summary(chatId);
        model->showUnreadDivider(
            summary && summary->unreadCount > 0 ? summary->lastReadSeq : model->newestSeq());
        m_timeline->scrollToRowOrBottom(model->unreadDividerRow());
        m_chatPositioned = true;
        scheduleMarkRead();
    };
    if (model->isLoaded())
        openAtUnread();
    else
        connect(model, &MessageModel::initialLoaded, m_timeline, openAtUnread,
            Qt::SingleShotConnection);
    m_composer->setText(m_session->draft(chatId));
    m_composer->focusInput();
    m_info->setChat(chatId);
    updatePinned();
    updateMentionButton();
    const QModelIndex index = m_results->indexOfChat(chatId);
    if (index.isValid() && m_chatList->currentIndex() != index) {
        const QSignalBlocker quiet(m_chatList->selectionModel());
        m_chatList->setCurrentIndex(index);
    }
    updateHeader();
}

void MainWindow::openResult(const QModelIndex &index)
{
    if (!index.isValid() || !index.data(ChatSearchModel::SearchStatusRole).toString().isEmpty())
        return;
    const QString personId = index.data(ChatListModel::PersonIdRole).toString();
    if (!personId.isEmpty()) {
        // The chat opens (and its composer takes the focus) once the server has it.
        m_session->startPersonalChat(personId);
        return;
    }
    showChat(index.data(ChatListModel::ChatIdRole).toString(),
        index.data(ChatSearchModel::FoundMessageIdRole).toString(),
        index.data(ChatSearchModel::FoundMessageSeqRole).toLongLong());
    m_composer->focusInput(); // also when that chat was open already
}

void MainWindow::showQuickSwitcher()
{
    if (auto *open = findChild<QuickSwitcher *>(); open && open->isVisible()) {
        open->activateWindow();
        open->searchField()->setFocus();
        return;
    }
    auto *switcher = new QuickSwitcher(m_session, this);
    switcher->setAttribute(Qt::WA_DeleteOnClose);
    connect(switcher, &QuickSwitcher::chatChosen, this, [this](const QString &chatId) {
        openChat(chatId);
        m_composer->focusInput();
    });
    connect(switcher, &QuickSwitcher::personChosen, m_session, &ClientSession::startPersonalChat);
    // Back to this window (and its focus widget) however the switcher closes.
    connect(switcher, &QDialog::finished, this, [this] { activateWindow(); });
    switcher->open();
}

void MainWindow::highlightSearchResult(int row)
{
    const int rows = m_results->rowCount();
    if (rows == 0)
        return;
    const QModelIndex index = m_results->index(std::clamp(row, 0, rows - 1), 0);
    m_chatList->setCurrentIndex(index); // the list has no focus: nothing opens
    m_chatList->scrollTo(index);
}

void MainWindow::showNewChatDialog(bool group)
{
    NewChatDialog dialog(
        m_session, group ? NewChatDialog::Mode::Group : NewChatDialog::Mode::Personal, this);
    dialog.exec();
}

void MainWindow::updateMentionButton()
{
    const auto summary = m_session->chats()->summary(m_chatId);
    m_timeline->setUnreadMentions(
        summary ? summary->unreadMentions : 0, summary ? summary->lastReadSeq : 0);
}

void MainWindow::updateHeader()
{
    if (m_chatId.isEmpty())
        return;
    const auto summary = m_session->chats()->summary(m_chatId);
    if (!summary)
        return;
    const QString title = m_session->chats()->title(m_chatId);
    const int row = m_session->chats()->rowOf(m_chatId);
    const QString avatarId
        = m_session->chats()->index(row).data(ChatListModel::AvatarIdRole).toString();
    m_headerAvatar->setPixmap(Theme::avatarPixmap(avatarId, title,
        m_session->avatar(
            m_session->chats()->index(row).data(ChatListModel::AvatarUrlRole).toString()),
        40));
    m_headerTitle->setText(title);
    // Typing wins over presence, presence over the plain description.
    const QString typing = m_session->typingText(m_chatId);
    const QString presence = m_session->presenceText(m_chatId);
    const bool online = m_session->chats()->index(row).data(ChatListModel::OnlineRole).toBool();
    QPalette subtitlePalette = m_headerSubtitle->palette();
    subtitlePalette.setColor(QPalette::WindowText,
        typing.isEmpty() && (presence.isEmpty() || !online) ? Theme::textSecondary
                                                            : Theme::accentText);
    m_headerSubtitle->setPalette(subtitlePalette);
    if (!typing.isEmpty())
        m_headerSubtitle->setText(typing);
    else if (!presence.isEmpty())
        m_headerSubtitle->setText(presence);
    else if (summary->chat.type == ChatType::Group)
        m_headerSubtitle->setText(tr("%n member(s)", nullptr, int(summary->chat.members.size())));
    else
        m_headerSubtitle->setText(tr("personal chat"));
}

void MainWindow::updatePinned()
{
    const auto summary = m_chatId.isEmpty() ? std::nullopt : m_session->chats()->summary(m_chatId);
    const auto pinned = summary ? summary->chat.pinnedMessage : std::nullopt;
    const bool canPin = !m_chatId.isEmpty() && m_session->canPin(m_chatId);
    m_pinnedBanner->setPinned(pinned, canPin);
    m_timeline->setPinning(canPin, pinned ? pinned->id : QString());
}

void MainWindow::updateSelectionBar(int count)
{
    m_selectionBar->setSelection(count, m_timeline->selectedMessagesAreMine());
    const bool choosing = count > 0;
    if (choosing == m_selectionBar->isVisible())
        return;
    m_selectionBar->setVisible(choosing);
    m_composer->setVisible(!choosing);
    if (!choosing)
        m_composer->focusInput();
}

void MainWindow::deleteSelectedMessages()
{
    const QStringList ids = m_timeline->selectedMessageIds();
    if (ids.isEmpty() || !m_timeline->selectedMessagesAreMine())
        return;
    confirmAction(this, tr("Delete Messages"),
        tr("Delete %n message(s) for everyone?", nullptr, int(ids.size())), tr("Delete"),
        [this, ids] {
            for (const QString &id : ids)
                m_session->remove(id);
            m_timeline->clearMessageSelection();
        });
}

void MainWindow::showForwardDialog(const QStringList &messageIds)
{
    if (messageIds.isEmpty())
        return;
    if (messageIds.size() > ForwardDialog::maximumMessages) {
        statusBar()->showMessage(
            tr("Forward at most %n messages at a time", nullptr, ForwardDialog::maximumMessages),
            5000);
        return;
    }
    auto *dialog = new ForwardDialog(m_session, int(messageIds.size()), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(
        dialog, &ForwardDialog::chatsChosen, this, [this, messageIds](const QStringList &chats) {
            m_timeline->clearMessageSelection();
            m_session->forward(messageIds, chats);
        });
    connect(dialog, &QDialog::finished, this, [this] { activateWindow(); });
    dialog->open();
}

void MainWindow::updateWindowTitle()
{
    const qint64 unread = m_session->chats()->unreadTotal();
    setWindowTitle(unread > 0 ? tr("Messenger (%1)").arg(unread) : tr("Messenger"));
}

void MainWindow::scheduleMarkRead()
{
    if (m_chatPositioned && isActiveWindow())
        m_markReadTimer.start();
}

void MainWindow::markVisibleAsRead()
{
    // Read means seen: the window is in front and the message is on screen.
    if (m_chatId.isEmpty() || !m_chatPositioned || !isActiveWindow() || !m_timeline->isVisible())
        return;
    const qint64 seq = m_timeline->newestVisibleSeq();
    const auto summary = m_session->chats()->summary(m_chatId);
    if (seq > 0 && summary && seq > summary->lastReadSeq)
        m_session->markRead(m_chatId, seq);
}

void MainWindow::changeEvent(QEvent *event)
{
    QMainWindow::changeEvent(event);
    if (event->type() == QEvent::ActivationChange)
        scheduleMarkRead();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveLayout();
    // With a tray the app keeps running there (and connected) until Quit.
    // Signing out closes the window for good.
    if (m_tray->closesToTray() && m_session->state() == ClientSession::State::SignedIn) {
        event->ignore();
        hide();
        m_tray->windowHiddenToTray();
        return;
    }
    QMainWindow::closeEvent(event);
}

void MainWindow::saveLayout() const
{
    QSettings settings;
    settings.setValue(u"window/geometry"_s, saveGeometry());
    settings.setValue(u"window/splitter"_s, m_splitter->saveState());
}

void MainWindow::restoreLayout()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(u"window/geometry"_s).toByteArray()))
        resize(1000, 680);
    m_splitter->restoreState(settings.value(u"window/splitter"_s).toByteArray());
}

} // namespace Messenger::Client
