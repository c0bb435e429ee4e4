#include "SettingsDialog.h"

#include "SessionsPanel.h"
#include "TrayController.h"
#include "client/models/ClientSession.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QSettings>
#include <QSystemTrayIcon>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Messenger::Client {

SettingsDialog::SettingsDialog(ClientSession *session, QWidget *parent)
    : QDialog(parent)
    , m_language(new QComboBox(this))
    , m_closeToTray(new QCheckBox(tr("Keep running in the tray when the window is closed"), this))
    , m_sessions(new SessionsPanel(session->api(), this))
{
    setWindowTitle(tr("Settings"));
    m_language->addItem(tr("System language"), QString());
    m_language->addItem(u"English"_s, u"en"_s);
    m_language->addItem(u"Русский"_s, u"ru"_s);
    m_language->setCurrentIndex(
        std::max(0, m_language->findData(QSettings().value(u"ui/language"_s).toString())));
    m_language->setObjectName(u"language"_s);
    m_closeToTray->setObjectName(u"closeToTray"_s);
    m_closeToTray->setChecked(TrayController::closeToTraySetting());
    if (!QSystemTrayIcon::isSystemTrayAvailable()) {
        m_closeToTray->setEnabled(false);
        m_closeToTray->setToolTip(
            tr("This desktop shows no tray icons: closing the window quits."));
    }
    auto *form = new QFormLayout;
    form->addRow(tr("Language"), m_language);
    form->addRow(QString(), m_closeToTray);
    form->addRow(new QLabel(
        tr("Signed in as %1 (%2) on %3")
            .arg(session->currentUser().name, session->currentUser().email, session->serverUrl()),
        this));
    auto *devices = new QGroupBox(tr("Signed-in devices"), this);
    auto *devicesLayout = new QVBoxLayout(devices);
    devicesLayout->addWidget(m_sessions);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(devices, 1);
    layout->addWidget(buttons);
    resize(640, 420);
    m_sessions->reload();
}

QString SettingsDialog::chosenLanguage() const
{
    return m_language->currentData().toString();
}

bool SettingsDialog::keepsRunningInTray() const
{
    return m_closeToTray->isChecked();
}

} // namespace Messenger::Client
