#pragma once

#include <QFuture>
#include <QObject>

namespace Messenger::Client {

// Remembers who is signed in between runs: the server address (QSettings)
// and the refresh token, kept in the system keychain (Secret Service, KWallet,
// macOS Keychain...) or, where no keychain service runs, in a file only the
// user can read (0600), with a warning in the log.
class SessionStore : public QObject
{
    Q_OBJECT
public:
    explicit SessionStore(QObject *parent = nullptr);

    QString serverUrl() const;
    void saveServerUrl(const QString &url);
    // Whose session it is: which account's local cache a start opens before
    // the server answers.
    QString userId() const;
    void saveUserId(const QString &userId);

    QFuture<QString> loadRefreshToken();
    void saveRefreshToken(const QString &token);
    // Forgets the token everywhere it may be (keychain and file).
    void clear();

    // Tests point the file somewhere else and skip the keychain.
    void setFallbackFile(const QString &path) { m_fallbackFile = path; }
    void setKeychainEnabled(bool enabled) { m_keychainEnabled = enabled; }
    // The keychain entry: each app keeps its own session (a refresh token
    // rotates on use, so two apps sharing one would sign each other out).
    void setKeychainKey(const QString &key) { m_keychainKey = key; }
    QString fallbackFile() const { return m_fallbackFile; }

Q_SIGNALS:
    void saved(bool inKeychain);

private:
    QString readFallback() const;
    bool writeFallback(const QString &token) const;

    QString m_fallbackFile;
    bool m_keychainEnabled = true;
    QString m_keychainKey = QStringLiteral("refresh-token");
    // Writes happen in order: a save after a clear must not be undone by it.
    quint64 m_generation = 0;
};

} // namespace Messenger::Client
