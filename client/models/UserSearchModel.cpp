#include "UserSearchModel.h"

#include "shared/Limits.h"

#include "client/api/ApiClient.h"

namespace Messenger::Client {

namespace {
constexpr int debounceMs = 250;
constexpr int resultLimit = 20;
} // namespace

UserSearchModel::UserSearchModel(ApiClient *api, const QString &currentUserId, QObject *parent)
    : QAbstractListModel(parent)
    , m_api(api)
    , m_currentUserId(currentUserId)
{
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(debounceMs);
    connect(&m_debounce, &QTimer::timeout, this, &UserSearchModel::search);
}

int UserSearchModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_users.size());
}

QVariant UserSearchModel::data(const QModelIndex &index, int role) const
{
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));
    const User &user = m_users.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return user.name;
    case Qt::ToolTipRole:
    case EmailRole:
        return user.email;
    case UserIdRole:
        return user.id;
    case AvatarUrlRole:
        return user.avatarUrl.value_or(QString());
    case Qt::CheckStateRole:
        if (!m_checkable)
            return {};
        return m_checked.contains(user.id) || m_excluded.contains(user.id) ? Qt::Checked
                                                                           : Qt::Unchecked;
    default:
        return {};
    }
}

bool UserSearchModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid) || role != Qt::CheckStateRole
        || !m_checkable)
        return false;
    const User &user = m_users.at(index.row());
    if (m_excluded.contains(user.id))
        return false;
    if (value.value<Qt::CheckState>() == Qt::Checked)
        m_checked.insert(user.id, user);
    else
        m_checked.remove(user.id);
    Q_EMIT dataChanged(index, index, { Qt::CheckStateRole });
    Q_EMIT checkedChanged();
    return true;
}

Qt::ItemFlags UserSearchModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags result = QAbstractListModel::flags(index);
    if (m_checkable && index.isValid()) {
        if (m_excluded.contains(m_users.at(index.row()).id))
            result &= ~Qt::ItemIsEnabled;
        else
            result |= Qt::ItemIsUserCheckable;
    }
    return result;
}

QHash<int, QByteArray> UserSearchModel::roleNames() const
{
    auto names = QAbstractListModel::roleNames();
    names.insert({ { UserIdRole, "userId" }, { NameRole, "name" }, { EmailRole, "email" } });
    return names;
}

void UserSearchModel::setCheckable(bool checkable)
{
    beginResetModel();
    m_checkable = checkable;
    m_checked.clear();
    endResetModel();
    Q_EMIT checkedChanged();
}

void UserSearchModel::setExcluded(const QStringList &userIds)
{
    m_excluded = QSet<QString>(userIds.cbegin(), userIds.cend());
    if (!m_users.isEmpty())
        Q_EMIT dataChanged(index(0), index(rowCount() - 1));
}

void UserSearchModel::setQuery(const QString &query)
{
    m_query = query.trimmed();
    m_debounce.start();
}

QList<User> UserSearchModel::checkedUsers() const
{
    return m_checked.values();
}

void UserSearchModel::search()
{
    const quint64 generation = ++m_generation;
    // The server answers shorter queries with 422 (no listing everyone by
    // their first letter): nothing to ask yet.
    if (m_query.size() < Limits::userSearchQueryMin || !m_api) {
        beginResetModel();
        m_users.clear();
        endResetModel();
        m_searching = false;
        Q_EMIT searchFinished();
        return;
    }
    m_searching = true;
    m_api->searchUsers(m_query, resultLimit)
        .then(this, [this, generation](const ApiResult<QList<User>> &result) {
            if (generation != m_generation)
                return; // the user has typed on: a newer search is under way
            m_searching = false;
            if (!result) {
                Q_EMIT searchFailed(result.error().message());
                return;
            }
            beginResetModel();
            m_users.clear();
            for (const User &user : result.value()) {
                if (user.id != m_currentUserId)
                    m_users.append(user);
            }
            endResetModel();
            Q_EMIT searchFinished();
        });
}

} // namespace Messenger::Client
