#pragma once

#include "shared/User.h"

#include <QAbstractListModel>
#include <QPointer>
#include <QSet>
#include <QTimer>

namespace Messenger::Client {

class ApiClient;

// People found by name or email through the server's search, as the user
// types (debounced; answers to older queries are dropped). Rows can be
// checked, for picking the members of a group.
class UserSearchModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Roles {
        UserIdRole = Qt::UserRole + 1,
        NameRole,
        EmailRole,
        AvatarUrlRole, // the profile photo (User::avatarUrl); empty when none
    };
    Q_ENUM(Roles)

    UserSearchModel(ApiClient *api, const QString &currentUserId, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QHash<int, QByteArray> roleNames() const override;

    void setCheckable(bool checkable);
    // People already in the chat are shown but cannot be picked again.
    void setExcluded(const QStringList &userIds);
    void setQuery(const QString &query);
    QString query() const { return m_query; }
    bool isSearching() const { return m_searching; }
    QList<Messenger::User> checkedUsers() const;
    Messenger::User userAt(int row) const { return m_users.at(row); }

Q_SIGNALS:
    void searchFinished();
    void checkedChanged();
    void searchFailed(const QString &message);

private:
    void search();

    QPointer<ApiClient> m_api;
    QString m_currentUserId;
    QString m_query;
    QList<Messenger::User> m_users;
    QHash<QString, Messenger::User> m_checked;
    QSet<QString> m_excluded;
    QTimer m_debounce;
    quint64 m_generation = 0;
    bool m_checkable = false;
    bool m_searching = false;
};

} // namespace Messenger::Client
