#pragma once

#include <QWidget>

class QLabel;
class QPushButton;

namespace Messenger::Client {

class ClientSession;

// A profile or group photo shown large (initials on a colour without one),
// with "Set Photo…" and "Remove Photo" under it for whoever may change it:
// the user their own, a group's owner the group's. A chosen image is
// uploaded and the server crops it to a square; until the new photo has come
// the old one stays, and a failure is said under the buttons.
class PhotoEditor : public QWidget
{
    Q_OBJECT
public:
    PhotoEditor(ClientSession *session, int size, QWidget *parent = nullptr);

    // Whose photo it shows: `chatId` a group's (empty: the user's own);
    // `colourId` and `name` make the initials; `avatarUrl` the photo (empty:
    // none); `editable` shows the buttons.
    void showPhoto(const QString &chatId, const QString &colourId, const QString &name,
        const QString &avatarUrl, bool editable);

    QLabel *preview() const { return m_preview; }
    QPushButton *setButton() const { return m_set; }
    QPushButton *removeButton() const { return m_remove; }
    QLabel *status() const { return m_status; }
    bool isBusy() const { return m_busy; }

public Q_SLOTS:
    // Uploads the image at `path` as the photo (what "Set Photo…" does with
    // the file chosen).
    void setPhotoFromFile(const QString &path);
    void removePhoto();

Q_SIGNALS:
    // A set or a removal has been answered.
    void photoChanged(bool ok);

private:
    void choosePhoto();
    void repaintPreview();
    void updateButtons();
    void settle(const QString &error);

    ClientSession *m_session;
    int m_size;
    QLabel *m_preview;
    QPushButton *m_set;
    QPushButton *m_remove;
    QLabel *m_status;
    QString m_chatId;
    QString m_colourId;
    QString m_name;
    QString m_avatarUrl;
    bool m_editable = false;
    bool m_busy = false;
};

} // namespace Messenger::Client
