#pragma once

// What the desktop GUI tests share: a signed-in session and a shown window.

#include "TestServer.h"
#include "client/api/LiveConnection.h"
#include "client/models/ClientSession.h"
#include "client/ui/MainWindow.h"

#include <QTest>

#include <memory>

// `account` signed in through a real ClientSession (no window); the test
// fails if that does not happen.
inline std::unique_ptr<Messenger::Client::ClientSession> signedInSession(
    const TestServer &server, const HttpClient::Account &account)
{
    using Messenger::Client::ClientSession;
    auto session = std::make_unique<ClientSession>(nullptr);
    session->signIn(server.url(QString()).toString(), account.email, account.password);
    [&] { QTRY_COMPARE_WITH_TIMEOUT(session->state(), ClientSession::State::SignedIn, 15000); }();
    return session;
}

// signedInSession() with its live connection up as well.
inline std::unique_ptr<Messenger::Client::ClientSession> connectedSession(
    const TestServer &server, const HttpClient::Account &account)
{
    auto session = signedInSession(server, account);
    [&] {
        QTRY_COMPARE_WITH_TIMEOUT(
            session->live()->state(), Messenger::Client::LiveConnection::State::Connected, 15000);
    }();
    return session;
}

// Shows `window` at the size the tests assume and makes it the active one.
inline void showAndActivate(QWidget *window)
{
    window->resize(1000, 640);
    window->show();
    QVERIFY(QTest::qWaitForWindowExposed(window));
    window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window));
}

struct SignedIn
{
    std::unique_ptr<Messenger::Client::ClientSession> session;
    std::unique_ptr<Messenger::Client::MainWindow> window;
};

// A connected session of `account` in a shown, active main window.
inline SignedIn signIn(const TestServer &server, const HttpClient::Account &account)
{
    SignedIn signedIn;
    signedIn.session = connectedSession(server, account);
    if (QTest::currentTestFailed())
        return signedIn;
    signedIn.window = std::make_unique<Messenger::Client::MainWindow>(signedIn.session.get());
    showAndActivate(signedIn.window.get());
    return signedIn;
}

// With MESSENGER_SCREENSHOTS=<dir>, saves `widget` as <dir>/<name>-<lang>.png
// (MESSENGER_SCREENSHOT_LANG, default en; "@2x" before ".png" at
// QT_SCALE_FACTOR=2, as the grab then has twice the pixels).
inline void saveScreenshot(QWidget *widget, const QString &name)
{
    const QString dir = qEnvironmentVariable("MESSENGER_SCREENSHOTS");
    if (dir.isEmpty())
        return;
    // Layouts still pending (a label just changed) are done before the grab,
    // which paints synchronously.
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
    QCoreApplication::processEvents();
    const QString language
        = qEnvironmentVariable("MESSENGER_SCREENSHOT_LANG", QStringLiteral("en"));
    const QString scale = widget->devicePixelRatio() > 1 ? QStringLiteral("@2x") : QString();
    QVERIFY(widget->grab().save(QStringLiteral("%1/%2-%3%4.png").arg(dir, name, language, scale)));
}
