#pragma once

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace Messenger {
struct User;
}

namespace Messenger::Client {

class ClientSession;
class PhotoEditor;
class SessionsPanel;

// Settings: the UI language and closing to the tray; the profile (photo,
// display name, password); privacy (who sees your online status); the devices signed
// in to the account, one by one or all others at once.
class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit SettingsDialog(ClientSession *session, QWidget *parent = nullptr);

    // "" for the system's, or a language code.
    QString chosenLanguage() const;
    // Closing the window keeps the app running in the tray.
    bool keepsRunningInTray() const;
    SessionsPanel *sessionsPanel() const { return m_sessions; }
    QLabel *accountLabel() const { return m_account; }
    // The user's profile photo, with Set and Remove.
    PhotoEditor *photoEditor() const { return m_photo; }
    QLineEdit *nameEdit() const { return m_name; }
    QPushButton *saveNameButton() const { return m_saveName; }
    QLabel *nameStatus() const { return m_nameStatus; }
    QLineEdit *currentPasswordEdit() const { return m_currentPassword; }
    QLineEdit *newPasswordEdit() const { return m_newPassword; }
    QLineEdit *repeatPasswordEdit() const { return m_repeatPassword; }
    QPushButton *changePasswordButton() const { return m_changePassword; }
    QLabel *passwordStatus() const { return m_passwordStatus; }
    QPushButton *signOutOthersButton() const { return m_signOutOthers; }
    QLabel *devicesStatus() const { return m_devicesStatus; }
    // Who sees the user's online status; stored as soon as it is chosen.
    QComboBox *presenceVisibility() const { return m_presenceVisibility; }
    QLabel *privacyStatus() const { return m_privacyStatus; }

Q_SIGNALS:
    // An answer to one of the requests below arrived (tests wait for these).
    void nameSaved(bool ok);
    void passwordChanged(bool ok);
    void otherDevicesSignedOut(bool ok);
    // The privacy setting was read (loaded) or stored (saved).
    void privacyLoaded(bool ok);
    void privacySaved(bool ok);

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    QWidget *createProfileSection();
    QWidget *createPasswordSection();
    QWidget *createPrivacySection();
    void savePrivacy();
    void showAccount(const Messenger::User &user);
    void saveName();
    void changePassword();
    void signOutOtherDevices();
    void updateButtons();

    ClientSession *m_session;
    QComboBox *m_language;
    QCheckBox *m_closeToTray;
    QLabel *m_account;
    PhotoEditor *m_photo;
    QLineEdit *m_name;
    QPushButton *m_saveName;
    QLabel *m_nameStatus;
    QLineEdit *m_currentPassword;
    QLineEdit *m_newPassword;
    QLineEdit *m_repeatPassword;
    QPushButton *m_changePassword;
    QLabel *m_passwordStatus;
    SessionsPanel *m_sessions;
    QPushButton *m_signOutOthers;
    QLabel *m_devicesStatus;
    QComboBox *m_presenceVisibility;
    QLabel *m_privacyStatus;
    bool m_savingName = false;
    bool m_changingPassword = false;
    bool m_signingOutOthers = false;
};

} // namespace Messenger::Client
