#pragma once

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;
class QStackedWidget;

namespace Messenger::Client {

// First start: the server address (remembered by the caller), then sign in
// or create an account. The dialog only collects and validates input; the
// caller does the network work and reports back with setBusy()/showError().
class LoginDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Mode { SignIn, Register };
    enum class Field { None, Server, Name, Email, Password, Confirmation };

    explicit LoginDialog(QWidget *parent = nullptr);

    void setServerUrl(const QString &url);
    QString serverUrl() const;
    void setEmail(const QString &email);
    QString email() const;
    QString password() const;
    QString name() const;
    Mode mode() const { return m_mode; }
    void setMode(Mode mode);

    // While a request runs: inputs locked, the button says what is happening.
    void setBusy(bool busy);
    // Shows `message` under `field` (or above the button for Field::None).
    void showError(Field field, const QString &message);
    void clearErrors();

Q_SIGNALS:
    // Cancel was pressed while signing in or registering.
    void cancelRequested();
    void signInRequested(const QString &serverUrl, const QString &email, const QString &password);
    void registerRequested(const QString &serverUrl, const QString &name, const QString &email,
        const QString &password);

private:
    void submit();
    void fitContents();
    bool validate();
    QLabel *errorLabelFor(Field field) const;

    Mode m_mode = Mode::SignIn;
    QLabel *m_title;
    QLabel *m_subtitle;
    QLineEdit *m_server;
    QLineEdit *m_name;
    QLineEdit *m_email;
    QLineEdit *m_password;
    QLineEdit *m_confirmation;
    QWidget *m_nameRow;
    QWidget *m_confirmationRow;
    QLabel *m_serverError;
    QLabel *m_nameError;
    QLabel *m_emailError;
    QLabel *m_passwordError;
    QLabel *m_confirmationError;
    QLabel *m_generalError;
    QPushButton *m_submit;
    QPushButton *m_switchMode;
    bool m_busy = false;
};

} // namespace Messenger::Client
