#include "SettingsDialog.h"

#include "PhotoEditor.h"
#include "SessionsPanel.h"
#include "Theme.h"
#include "TrayController.h"
#include "client/api/ApiClient.h"
#include "client/models/ClientSession.h"
#include "shared/Limits.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSystemTrayIcon>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Messenger::Client {

namespace {

// A status line under a form: an error in the error colour, or a success.
void showStatus(QLabel *label, const QString &text, bool isError)
{
    QPalette palette = label->palette();
    palette.setColor(QPalette::WindowText, isError ? Theme::error : Theme::textSecondary);
    label->setPalette(palette);
    label->setText(text);
    label->setVisible(!text.isEmpty());
}

QLabel *statusLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setWordWrap(true);
    label->hide();
    return label;
}

QLineEdit *passwordEdit(QWidget *parent)
{
    auto *edit = new QLineEdit(parent);
    edit->setEchoMode(QLineEdit::Password);
    edit->setMaxLength(Limits::passwordMax);
    return edit;
}

} // namespace

SettingsDialog::SettingsDialog(ClientSession *session, QWidget *parent)
    : QDialog(parent)
    , m_session(session)
    , m_language(new QComboBox(this))
    , m_closeToTray(new QCheckBox(tr("Keep running in the tray when the window is closed"), this))
    , m_account(new QLabel(this))
    , m_photo(new PhotoEditor(session, 72, this))
    , m_name(new QLineEdit(this))
    , m_saveName(new QPushButton(tr("Save"), this))
    , m_nameStatus(statusLabel(this))
    , m_currentPassword(passwordEdit(this))
    , m_newPassword(passwordEdit(this))
    , m_repeatPassword(passwordEdit(this))
    , m_changePassword(new QPushButton(tr("Change Password"), this))
    , m_passwordStatus(statusLabel(this))
    , m_sessions(new SessionsPanel(session->api(), this))
    , m_signOutOthers(new QPushButton(tr("Sign Out All Other Devices"), this))
    , m_devicesStatus(statusLabel(this))
    , m_presenceVisibility(new QComboBox(this))
    , m_privacyStatus(statusLabel(this))
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
    m_account->setWordWrap(true);
    form->addRow(m_account);
    showAccount(session->currentUser());
    connect(session, &ClientSession::currentUserChanged, this, &SettingsDialog::showAccount);

    auto *devices = new QGroupBox(tr("Signed-in devices"), this);
    auto *devicesLayout = new QVBoxLayout(devices);
    devicesLayout->addWidget(m_sessions);
    auto *othersRow = new QHBoxLayout;
    othersRow->addWidget(m_devicesStatus, 1);
    othersRow->addWidget(m_signOutOthers);
    devicesLayout->addLayout(othersRow);
    connect(m_signOutOthers, &QPushButton::clicked, this, &SettingsDialog::signOutOtherDevices);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(createProfileSection());
    layout->addWidget(createPasswordSection());
    layout->addWidget(createPrivacySection());
    layout->addWidget(devices, 1);
    layout->addWidget(buttons);
    // Only OK is pressed by Enter (and only outside the text fields).
    for (QPushButton *button : findChildren<QPushButton *>())
        button->setAutoDefault(false);
    resize(640, 680);
    updateButtons();
    m_sessions->reload();
}

QWidget *SettingsDialog::createPrivacySection()
{
    auto *privacy = new QGroupBox(tr("Privacy"), this);
    auto *form = new QFormLayout(privacy);
    m_presenceVisibility->setObjectName(u"presenceVisibility"_s);
    m_presenceVisibility->addItem(
        tr("Everyone who shares a chat"), PrivacySettings::everyone.toString());
    m_presenceVisibility->addItem(tr("Nobody"), PrivacySettings::nobody.toString());
    m_presenceVisibility->setToolTip(tr("With Nobody, you do not see anyone's online status "
                                        "either."));
    // Enabled once the stored choice is known, so it is never overwritten blindly.
    m_presenceVisibility->setEnabled(false);
    form->addRow(tr("Show my online status to"), m_presenceVisibility);
    form->addRow(m_privacyStatus);
    connect(m_presenceVisibility, &QComboBox::activated, this, &SettingsDialog::savePrivacy);
    m_session->privacy().then(this, [this](const ApiResult<PrivacySettings> &settings) {
        if (settings) {
            m_presenceVisibility->setCurrentIndex(
                std::max(0, m_presenceVisibility->findData(settings.value().presenceVisible)));
            m_presenceVisibility->setEnabled(true);
        } else {
            showStatus(m_privacyStatus, settings.error().message(), true);
        }
        Q_EMIT privacyLoaded(settings.ok());
    });
    return privacy;
}

void SettingsDialog::savePrivacy()
{
    m_presenceVisibility->setEnabled(false);
    const PrivacySettings chosen { m_presenceVisibility->currentData().toString() };
    m_session->setPrivacy(chosen).then(this, [this](const ApiResult<PrivacySettings> &saved) {
        m_presenceVisibility->setEnabled(true);
        if (saved) {
            showStatus(m_privacyStatus, tr("Saved."), false);
        } else {
            showStatus(m_privacyStatus, saved.error().message(), true);
        }
        Q_EMIT privacySaved(saved.ok());
    });
}

QWidget *SettingsDialog::createProfileSection()
{
    auto *profile = new QGroupBox(tr("Profile"), this);
    m_name->setMaxLength(Limits::userNameMax);
    m_name->setText(m_session->currentUser().name);
    auto *row = new QHBoxLayout;
    row->addWidget(m_name, 1);
    row->addWidget(m_saveName);
    auto *form = new QFormLayout(profile);
    form->addRow(m_photo);
    form->addRow(tr("Display name"), row);
    form->addRow(m_nameStatus);
    connect(m_name, &QLineEdit::textEdited, this, [this] {
        showStatus(m_nameStatus, {}, false);
        updateButtons();
    });
    connect(m_name, &QLineEdit::returnPressed, this, &SettingsDialog::saveName);
    connect(m_saveName, &QPushButton::clicked, this, &SettingsDialog::saveName);
    return profile;
}

QWidget *SettingsDialog::createPasswordSection()
{
    auto *password = new QGroupBox(tr("Change password"), this);
    auto *form = new QFormLayout(password);
    form->addRow(tr("Current password"), m_currentPassword);
    form->addRow(tr("New password"), m_newPassword);
    form->addRow(tr("Repeat new password"), m_repeatPassword);
    auto *row = new QHBoxLayout;
    row->addWidget(m_passwordStatus, 1);
    row->addWidget(m_changePassword);
    form->addRow(row);
    for (QLineEdit *edit : { m_currentPassword, m_newPassword, m_repeatPassword }) {
        connect(edit, &QLineEdit::textEdited, this, [this] {
            showStatus(m_passwordStatus, {}, false);
            updateButtons();
        });
    }
    connect(m_repeatPassword, &QLineEdit::returnPressed, this, &SettingsDialog::changePassword);
    connect(m_changePassword, &QPushButton::clicked, this, &SettingsDialog::changePassword);
    return password;
}

void SettingsDialog::keyPressEvent(QKeyEvent *event)
{
    // Enter in a field does what that field is for (saves the name, changes
    // the password: returnPressed), never closes the dialog over a half-typed
    // form as QDialog would by pressing its default button.
    const bool enter = event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter;
    if (enter && qobject_cast<QLineEdit *>(focusWidget())) {
        event->accept();
        return;
    }
    QDialog::keyPressEvent(event);
}

QString SettingsDialog::chosenLanguage() const
{
    return m_language->currentData().toString();
}

bool SettingsDialog::keepsRunningInTray() const
{
    return m_closeToTray->isChecked();
}

void SettingsDialog::showAccount(const User &user)
{
    m_account->setText(
        tr("Signed in as %1 (%2) on %3").arg(user.name, user.email, m_session->serverUrl()));
    m_photo->showPhoto({}, user.id, user.name, user.avatarUrl.value_or(QString()), true);
}

void SettingsDialog::saveName()
{
    const QString name = m_name->text().trimmed();
    if (m_savingName || name == m_session->currentUser().name)
        return;
    if (name.isEmpty()) {
        showStatus(m_nameStatus, tr("Enter a name."), true);
        return;
    }
    m_savingName = true;
    updateButtons();
    m_session->changeName(name).then(this, [this](const ApiResult<User> &user) {
        m_savingName = false;
        if (user) {
            m_name->setText(user.value().name);
            showStatus(m_nameStatus, tr("Saved."), false);
        } else {
            showStatus(m_nameStatus, user.error().message(), true);
        }
        updateButtons();
        Q_EMIT nameSaved(user.ok());
    });
}

void SettingsDialog::changePassword()
{
    if (m_changingPassword)
        return;
    const QString newPassword = m_newPassword->text();
    if (m_currentPassword->text().isEmpty()) {
        showStatus(m_passwordStatus, tr("Enter your current password."), true);
        return;
    }
    if (newPassword.size() < Limits::passwordMin) {
        showStatus(m_passwordStatus,
            tr("The new password needs at least %n characters.", nullptr, Limits::passwordMin),
            true);
        return;
    }
    if (newPassword != m_repeatPassword->text()) {
        showStatus(m_passwordStatus, tr("The new passwords do not match."), true);
        return;
    }
    m_changingPassword = true;
    updateButtons();
    m_session->changePassword(m_currentPassword->text(), newPassword)
        .then(this, [this](const ApiResult<Empty> &changed) {
            m_changingPassword = false;
            if (changed) {
                for (QLineEdit *edit : { m_currentPassword, m_newPassword, m_repeatPassword })
                    edit->clear();
                showStatus(m_passwordStatus,
                    tr("Password changed. Your other devices were signed out."), false);
                m_sessions->reload();
            } else if (changed.error().code == u"wrong_password"_s) {
                showStatus(m_passwordStatus, tr("The current password is incorrect."), true);
                m_currentPassword->selectAll();
                m_currentPassword->setFocus();
            } else {
                showStatus(m_passwordStatus, changed.error().message(), true);
            }
            updateButtons();
            Q_EMIT passwordChanged(changed.ok());
        });
}

void SettingsDialog::signOutOtherDevices()
{
    if (m_signingOutOthers)
        return;
    m_signingOutOthers = true;
    updateButtons();
    m_session->api()->revokeOtherSessions().then(this, [this](const ApiResult<Empty> &ended) {
        m_signingOutOthers = false;
        showStatus(m_devicesStatus,
            ended ? tr("Your other devices were signed out.") : ended.error().message(), !ended);
        m_sessions->reload();
        updateButtons();
        Q_EMIT otherDevicesSignedOut(ended.ok());
    });
}

void SettingsDialog::updateButtons()
{
    const QString name = m_name->text().trimmed();
    m_saveName->setEnabled(
        !m_savingName && !name.isEmpty() && name != m_session->currentUser().name);
    m_changePassword->setEnabled(!m_changingPassword && !m_currentPassword->text().isEmpty()
        && !m_newPassword->text().isEmpty());
    m_signOutOthers->setEnabled(!m_signingOutOthers);
}

} // namespace Messenger::Client
