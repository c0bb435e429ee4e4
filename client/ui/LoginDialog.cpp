#include "LoginDialog.h"

#include "Theme.h"
#include "shared/Limits.h"

#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QUrl>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Messenger::Client {

namespace {
QLabel *makeErrorLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    QPalette red = label->palette();
    red.setColor(QPalette::WindowText, Theme::draft);
    label->setPalette(red);
    label->setWordWrap(true);
    label->hide();
    return label;
}

// A labelled input with its error line under it.
QWidget *fieldRow(const QString &caption, QLineEdit *edit, QLabel *error, QWidget *parent)
{
    auto *row = new QWidget(parent);
    auto *layout = new QVBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(3);
    auto *label = new QLabel(caption, row);
    label->setBuddy(edit);
    QPalette grey = label->palette();
    grey.setColor(QPalette::WindowText, Theme::textSecondary);
    label->setPalette(grey);
    layout->addWidget(label);
    layout->addWidget(edit);
    layout->addWidget(error);
    edit->setMinimumHeight(32);
    return row;
}
} // namespace

LoginDialog::LoginDialog(QWidget *parent)
    : QDialog(parent)
    , m_title(new QLabel(this))
    , m_subtitle(new QLabel(this))
    , m_server(new QLineEdit(this))
    , m_name(new QLineEdit(this))
    , m_email(new QLineEdit(this))
    , m_password(new QLineEdit(this))
    , m_confirmation(new QLineEdit(this))
    , m_serverError(makeErrorLabel(this))
    , m_nameError(makeErrorLabel(this))
    , m_emailError(makeErrorLabel(this))
    , m_passwordError(makeErrorLabel(this))
    , m_confirmationError(makeErrorLabel(this))
    , m_generalError(makeErrorLabel(this))
    , m_submit(new QPushButton(this))
    , m_switchMode(new QPushButton(this))
{
    setWindowTitle(tr("Messenger"));
    setWindowIcon(QIcon(u":/icons/messenger.svg"_s));
    setMinimumWidth(380);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(36, 28, 36, 24);
    layout->setSpacing(10);
    auto *logo = new QLabel(this);
    logo->setPixmap(QIcon(u":/icons/messenger.svg"_s).pixmap(72, 72));
    logo->setAlignment(Qt::AlignCenter);
    layout->addWidget(logo);
    m_title->setAlignment(Qt::AlignCenter);
    m_title->setFont(Theme::withPointSizeDelta(font(), 5, true));
    layout->addWidget(m_title);
    m_subtitle->setAlignment(Qt::AlignCenter);
    m_subtitle->setWordWrap(true);
    QPalette grey = m_subtitle->palette();
    grey.setColor(QPalette::WindowText, Theme::textSecondary);
    m_subtitle->setPalette(grey);
    layout->addWidget(m_subtitle);
    layout->addSpacing(6);

    // Object names let tests and accessibility tools find the inputs.
    m_server->setObjectName(u"server"_s);
    m_name->setObjectName(u"name"_s);
    m_email->setObjectName(u"email"_s);
    m_password->setObjectName(u"password"_s);
    m_confirmation->setObjectName(u"confirmation"_s);
    m_submit->setObjectName(u"submit"_s);
    m_switchMode->setObjectName(u"switchMode"_s);
    m_server->setPlaceholderText(u"http://127.0.0.1:8000"_s);
    m_name->setMaxLength(Limits::userNameMax);
    m_email->setPlaceholderText(tr("name@example.com"));
    m_email->setMaxLength(Limits::emailMax);
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setMaxLength(Limits::passwordMax);
    m_confirmation->setEchoMode(QLineEdit::Password);
    m_confirmation->setMaxLength(Limits::passwordMax);
    layout->addWidget(fieldRow(tr("Server"), m_server, m_serverError, this));
    m_nameRow = fieldRow(tr("Your name"), m_name, m_nameError, this);
    layout->addWidget(m_nameRow);
    layout->addWidget(fieldRow(tr("Email"), m_email, m_emailError, this));
    layout->addWidget(fieldRow(tr("Password"), m_password, m_passwordError, this));
    m_confirmationRow = fieldRow(tr("Repeat password"), m_confirmation, m_confirmationError, this);
    layout->addWidget(m_confirmationRow);
    layout->addWidget(m_generalError);
    layout->addSpacing(6);

    m_submit->setDefault(true);
    m_submit->setMinimumHeight(38);
    m_submit->setFont(Theme::withPointSizeDelta(font(), 0.5, true));
    m_submit->setStyleSheet(
        u"QPushButton { background: #3390ec; color: white; border: none; border-radius: 8px; }"
        "QPushButton:hover { background: #2b82d9; }"
        "QPushButton:disabled { background: #8cbdf0; }"_s);
    layout->addWidget(m_submit);
    m_switchMode->setFlat(true);
    // Never the dialog's default: it is Cancel while busy, and Return in a
    // field that busy just disabled would otherwise land on it.
    m_switchMode->setAutoDefault(false);
    m_switchMode->setCursor(Qt::PointingHandCursor);
    m_switchMode->setStyleSheet(u"QPushButton { color: #168acd; border: none; }"_s);
    layout->addWidget(m_switchMode);

    connect(m_submit, &QPushButton::clicked, this, &LoginDialog::submit);
    connect(m_switchMode, &QPushButton::clicked, this, [this] {
        // While a request runs this is the Cancel button.
        if (m_busy) {
            setBusy(false);
            Q_EMIT cancelRequested();
            return;
        }
        setMode(m_mode == Mode::SignIn ? Mode::Register : Mode::SignIn);
    });
    for (QLineEdit *edit : { m_server, m_name, m_email, m_password, m_confirmation })
        connect(edit, &QLineEdit::returnPressed, this, &LoginDialog::submit);
    setMode(Mode::SignIn);
}

void LoginDialog::setServerUrl(const QString &url)
{
    m_server->setText(url);
}

QString LoginDialog::serverUrl() const
{
    QString url = m_server->text().trimmed();
    if (url.isEmpty())
        url = m_server->placeholderText();
    if (!url.contains(u"://"_s))
        url.prepend(u"http://"_s);
    return url;
}

void LoginDialog::setEmail(const QString &email)
{
    m_email->setText(email);
}

QString LoginDialog::email() const
{
    return m_email->text().trimmed();
}

QString LoginDialog::password() const
{
    return m_password->text();
}

QString LoginDialog::name() const
{
    return m_name->text().trimmed();
}

void LoginDialog::setMode(Mode mode)
{
    m_mode = mode;
    const bool registering = mode == Mode::Register;
    m_title->setText(registering ? tr("Create an account") : tr("Sign in to Messenger"));
    m_subtitle->setText(registering ? tr("Choose a name people will know you by.")
                                    : tr("Enter your email and password."));
    m_submit->setText(registering ? tr("Create Account") : tr("Sign In"));
    m_switchMode->setText(
        registering ? tr("I already have an account") : tr("Create a new account"));
    m_nameRow->setVisible(registering);
    m_confirmationRow->setVisible(registering);
    clearErrors();
    adjustSize();
}

void LoginDialog::setBusy(bool busy)
{
    m_busy = busy;
    for (QWidget *widget :
        std::initializer_list<QWidget *> { m_server, m_name, m_email, m_password, m_confirmation })
        widget->setEnabled(!busy);
    m_submit->setEnabled(!busy);
    const bool registering = m_mode == Mode::Register;
    if (busy) {
        m_submit->setText(registering ? tr("Creating account...") : tr("Signing in..."));
        m_switchMode->setText(tr("Cancel"));
    } else {
        m_submit->setText(registering ? tr("Create Account") : tr("Sign In"));
        m_switchMode->setText(
            registering ? tr("I already have an account") : tr("Create a new account"));
    }
    setCursor(busy ? Qt::BusyCursor : Qt::ArrowCursor);
}

void LoginDialog::showError(Field field, const QString &message)
{
    QLabel *label = errorLabelFor(field);
    label->setText(message);
    label->show();
    const QHash<Field, QLineEdit *> edits { { Field::Server, m_server }, { Field::Name, m_name },
        { Field::Email, m_email }, { Field::Password, m_password },
        { Field::Confirmation, m_confirmation } };
    if (QLineEdit *edit = edits.value(field)) {
        edit->setFocus();
        edit->selectAll();
    }
    fitContents();
}

void LoginDialog::fitContents()
{
    // Error lines wrap (their height depends on the width), and a top-level
    // window does not grow for height-for-width content by itself: without
    // this a two-line error is drawn over the field below it.
    layout()->activate();
    resize(width(), std::max(height(), layout()->totalHeightForWidth(width())));
}

void LoginDialog::clearErrors()
{
    for (QLabel *label : { m_serverError, m_nameError, m_emailError, m_passwordError,
             m_confirmationError, m_generalError }) {
        label->clear();
        label->hide();
    }
}

QLabel *LoginDialog::errorLabelFor(Field field) const
{
    switch (field) {
    case Field::Server:
        return m_serverError;
    case Field::Name:
        return m_nameError;
    case Field::Email:
        return m_emailError;
    case Field::Password:
        return m_passwordError;
    case Field::Confirmation:
        return m_confirmationError;
    case Field::None:
        break;
    }
    return m_generalError;
}

bool LoginDialog::validate()
{
    clearErrors();
    bool ok = true;
    const auto fail = [&](Field field, const QString &message) {
        if (ok) { // the first problem gets the focus
            showError(field, message);
        } else {
            errorLabelFor(field)->setText(message);
            errorLabelFor(field)->show();
            fitContents();
        }
        ok = false;
    };
    const QUrl url(serverUrl());
    if (!url.isValid() || url.host().isEmpty()
        || (url.scheme() != u"http"_s && url.scheme() != u"https"_s))
        fail(Field::Server, tr("Enter the server address, for example http://127.0.0.1:8000"));
    if (m_mode == Mode::Register && name().isEmpty())
        fail(Field::Name, tr("Enter your name"));
    if (!email().contains(u'@'))
        fail(Field::Email, tr("Enter a valid email address"));
    if (password().isEmpty())
        fail(Field::Password, tr("Enter your password"));
    else if (m_mode == Mode::Register && password().size() < Limits::passwordMin)
        fail(Field::Password, tr("Use at least %n characters", nullptr, int(Limits::passwordMin)));
    if (m_mode == Mode::Register && m_confirmation->text() != password())
        fail(Field::Confirmation, tr("The passwords do not match"));
    return ok;
}

void LoginDialog::submit()
{
    if (m_busy || !validate())
        return;
    if (m_mode == Mode::Register)
        Q_EMIT registerRequested(serverUrl(), name(), email(), password());
    else
        Q_EMIT signInRequested(serverUrl(), email(), password());
}

} // namespace Messenger::Client
