#include "SessionsPanel.h"

#include "client/api/ApiClient.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Messenger::Client {

namespace {
constexpr int sessionIdRole = Qt::UserRole;
constexpr int currentRole = Qt::UserRole + 1;
} // namespace

SessionsPanel::SessionsPanel(ApiClient *api, QWidget *parent)
    : QWidget(parent)
    , m_api(api)
    , m_list(new QTreeWidget(this))
    , m_end(new QPushButton(tr("End session"), this))
    , m_status(new QLabel(this))
{
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setHeaderLabels({ tr("Device"), tr("App"), tr("Address"), tr("Last used") });
    m_list->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_status->setWordWrap(true);
    auto *reloadButton = new QPushButton(tr("Refresh"), this);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_status, 1);
    buttons->addWidget(reloadButton);
    buttons->addWidget(m_end);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_list);
    layout->addLayout(buttons);
    connect(reloadButton, &QPushButton::clicked, this, &SessionsPanel::reload);
    connect(m_end, &QPushButton::clicked, this, &SessionsPanel::endSelected);
    connect(m_list, &QTreeWidget::itemSelectionChanged, this, &SessionsPanel::updateButton);
    updateButton();
}

int SessionsPanel::sessionCount() const
{
    return m_list->topLevelItemCount();
}

void SessionsPanel::reload()
{
    if (!m_api || m_busy)
        return;
    m_busy = true;
    m_status->setText(tr("Loading..."));
    updateButton();
    m_api->sessions().then(this, [this](const ApiResult<QList<SessionInfo>> &sessions) {
        m_busy = false;
        if (!sessions) {
            m_status->setText(sessions.error().message());
            updateButton();
            return;
        }
        display(sessions.value());
    });
}

void SessionsPanel::display(const QList<SessionInfo> &sessions)
{
    m_list->clear();
    const QLocale locale;
    for (const SessionInfo &session : sessions) {
        const QString device
            = session.deviceName.isEmpty() ? tr("Unnamed device") : session.deviceName;
        auto *item = new QTreeWidgetItem(m_list,
            { session.current ? tr("%1 (this device)").arg(device) : device, session.client,
                session.address,
                locale.toString(QDateTime::fromMSecsSinceEpoch(session.lastUsedAt / 1000),
                    QLocale::ShortFormat) });
        item->setData(0, sessionIdRole, session.id);
        item->setData(0, currentRole, session.current);
        item->setToolTip(1, session.client);
        if (session.current) {
            QFont font = item->font(0);
            font.setBold(true);
            item->setFont(0, font);
        }
    }
    m_status->setText(tr("%n device(s) signed in", nullptr, int(sessions.size())));
    updateButton();
    Q_EMIT loaded();
}

void SessionsPanel::endSelected()
{
    const QTreeWidgetItem *item = m_list->currentItem();
    if (!m_api || m_busy || !item || item->data(0, currentRole).toBool())
        return;
    m_busy = true;
    updateButton();
    m_api->revokeSession(item->data(0, sessionIdRole).toString())
        .then(this, [this](const ApiResult<Empty> &ended) {
            m_busy = false;
            if (!ended) {
                m_status->setText(ended.error().message());
                updateButton();
                return;
            }
            reload();
        });
}

void SessionsPanel::updateButton()
{
    const QTreeWidgetItem *item = m_list->currentItem();
    // This device signs out with "Sign out", which also forgets it here.
    m_end->setEnabled(!m_busy && item && !item->data(0, currentRole).toBool());
}

} // namespace Messenger::Client
