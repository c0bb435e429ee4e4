#pragma once

#include "shared/AuthDtos.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace Messenger::Client {

class ApiClient;

// The devices signed in to this account (GET /sessions): name, app, address
// and when each was last used, this one marked. "End session" signs the
// selected device out at once: its tokens stop working and its live
// connection closes, on every server instance.
class SessionsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit SessionsPanel(ApiClient *api, QWidget *parent = nullptr);

    // Asks the server again; the list shows the answer.
    void reload();
    int sessionCount() const;
    QTreeWidget *list() const { return m_list; }
    QPushButton *endButton() const { return m_end; }

Q_SIGNALS:
    void loaded();

private:
    void display(const QList<Messenger::SessionInfo> &sessions);
    void endSelected();
    void updateButton();

    QPointer<ApiClient> m_api;
    QTreeWidget *m_list;
    QPushButton *m_end;
    QLabel *m_status;
    bool m_busy = false;
};

} // namespace Messenger::Client
