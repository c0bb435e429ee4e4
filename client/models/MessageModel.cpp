#include "MessageModel.h"

#include "Presentation.h"
#include "client/api/ApiClient.h"
#include "shared/Limits.h"

#include <QLocale>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcTimeline, "messenger.client.timeline")

namespace Messenger::Client {

namespace {
constexpr int pageSize = 50;
// A live message may overtake one sent just before it; wait this long for the
// missing one before asking the server.
constexpr int gapGraceMs = 500;
constexpr int maxPage = 200;
} // namespace

MessageModel::Item::Item(const Message &m, Delivery d, const QString &pendingId)
    : message(m)
    , delivery(d)
    , clientId(pendingId)
    , day(Presentation::toLocalTime(m.timestamp).date())
{ }

bool MessageModel::startsDay(int row) const
{
    return row == 0 || m_items.at(row - 1).day != m_items.at(row).day;
}

bool MessageModel::startsRun(int row) const
{
    const Item &item = m_items.at(row);
    if (!m_group || isMine(item.message) || item.service)
        return false;
    return startsDay(row) || m_items.at(row - 1).message.senderId != item.message.senderId;
}

MessageModel::MessageModel(ApiClient *api, const QString &chatId, const QString &currentUserId,
    bool isGroup, QObject *parent)
    : QAbstractListModel(parent)
    , m_api(api)
    , m_chatId(chatId)
    , m_userId(currentUserId)
    , m_group(isGroup)
{
    m_gapTimer.setSingleShot(true);
    m_gapTimer.setInterval(gapGraceMs);
    connect(&m_gapTimer, &QTimer::timeout, this, &MessageModel::fillGap);
    m_readStateTimer.setSingleShot(true);
    m_readStateTimer.setInterval(300);
    connect(&m_readStateTimer, &QTimer::timeout, this, [this] {
        if (!m_api)
            return;
        HistoryQuery query;
        query.limit = pageSize;
        m_api->history(m_chatId, query).then(this, [this](const ApiResult<HistoryPage> &page) {
            if (!page)
                return;
            qint64 readUpTo = 0;
            for (const Message &message : page.value().messages) {
                if (isMine(message) && message.isRead)
                    readUpTo = std::max(readUpTo, message.seq);
            }
            if (readUpTo > m_readByAllUpTo)
                applyReadByAll(readUpTo);
        });
    });
}

void MessageModel::refreshReadState()
{
    m_readStateTimer.start();
}

int MessageModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_items.size());
}

QVariant MessageModel::data(const QModelIndex &index, int role) const
{
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));
    const Item &item = m_items.at(index.row());
    const Message &message = item.message;
    switch (role) {
    case Qt::DisplayRole:
    case TextRole:
        return message.deleted ? tr("Message deleted") : message.text;
    case ServiceRole:
        return item.service;
    case IdRole:
        return message.id;
    case SenderIdRole:
        return message.senderId;
    case SenderNameRole:
        return message.sender.name;
    case TimeRole:
        return Presentation::toLocalTime(message.timestamp);
    case IsMineRole:
        return isMine(message);
    case DeliveryRole:
        return QVariant::fromValue(item.delivery);
    case EditedRole:
        return message.editedAt.has_value() && !message.deleted;
    case DeletedRole:
        return message.deleted;
    case SeqRole:
        return message.seq;
    case ChatSeqRole:
        return message.chatSeq;
    case ShowSenderRole:
        return startsRun(index.row());
    case DaySeparatorRole:
        return startsDay(index.row()) ? Presentation::dateSeparator(item.day, QDate::currentDate())
                                      : QString();
    case LayoutStampRole:
        return (qint64(item.revision) << 5) | (startsRun(index.row()) ? 1 : 0)
            | (startsDay(index.row()) ? 2 : 0) | (message.editedAt ? 4 : 0)
            | (item.clientId.isEmpty() ? 0 : 8) | (isUnreadDivider(message) ? 16 : 0);
    case UnreadDividerRole:
        return isUnreadDivider(message);
    case FailureReasonRole:
        return item.failureReason;
    case Qt::ToolTipRole:
        // Hovering a failed message (the red icon) tells why the server refused it.
        return item.delivery == Delivery::Failed ? tr("Not sent: %1").arg(item.failureReason)
                                                 : QVariant();
    case ClientIdRole:
        return item.clientId;
    case ReplyToIdRole:
        return message.replyTo ? message.replyTo->id : QString();
    case ReplySenderNameRole:
        return message.replyTo ? message.replyTo->senderName : QString();
    case ReplyTextRole:
        if (!message.replyTo)
            return QString();
        if (message.replyTo->text.isEmpty() && !message.replyTo->deleted) {
            // A caption-less file has no text to quote: say what it carries.
            const int original = rowOfId(message.replyTo->id);
            return original >= 0
                ? Presentation::messageSummary({}, m_items.at(original).message.attachments)
                : tr("📎 File");
        }
        return message.replyTo->text;
    case ReplyDeletedRole:
        return message.replyTo && message.replyTo->deleted;
    case ReactionsRole:
        return QVariant::fromValue(message.deleted ? QList<Reaction>() : message.reactions);
    case ForwardedFromNameRole:
        return message.forwardedFrom && !message.deleted ? message.forwardedFrom->senderName
                                                         : QString();
    case MentionsRole:
        return message.mentions;
    case MentionRangesRole:
        return QVariant::fromValue(
            message.deleted ? QList<TextRange>() : mentionRanges(message.text, message.mentions));
    case MentionsMeRole:
        return !message.deleted && !isMine(message) && message.mentions.contains(m_userId);
    case AttachmentsRole:
        return QVariant::fromValue(message.deleted ? QList<Attachment>() : message.attachments);
    case LocalFilesRole:
        return item.localFiles;
    case UploadProgressRole:
        return item.uploadProgress;
    default:
        return {};
    }
}

QHash<int, QByteArray> MessageModel::roleNames() const
{
    auto names = QAbstractListModel::roleNames();
    names.insert({ { IdRole, "id" }, { TextRole, "text" }, { SenderIdRole, "senderId" },
        { SenderNameRole, "senderName" }, { TimeRole, "time" }, { IsMineRole, "isMine" },
        { DeliveryRole, "delivery" }, { EditedRole, "edited" }, { DeletedRole, "deleted" },
        { SeqRole, "seq" }, { ChatSeqRole, "chatSeq" }, { ShowSenderRole, "showSender" },
        { DaySeparatorRole, "daySeparator" }, { ClientIdRole, "clientId" },
        { LayoutStampRole, "layoutStamp" }, { FailureReasonRole, "failureReason" },
        { UnreadDividerRole, "unreadDivider" }, { ServiceRole, "service" },
        { ReplyToIdRole, "replyToId" }, { ReplySenderNameRole, "replySenderName" },
        { ReplyTextRole, "replyText" }, { ReplyDeletedRole, "replyDeleted" },
        { AttachmentsRole, "attachments" }, { LocalFilesRole, "localFiles" },
        { UploadProgressRole, "uploadProgress" }, { ReactionsRole, "reactions" },
        { ForwardedFromNameRole, "forwardedFromName" }, { MentionsRole, "mentions" },
        { MentionRangesRole, "mentionRanges" }, { MentionsMeRole, "mentionsMe" } });
    return names;
}

bool MessageModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_loaded && !m_atStart && !m_loadingOlder;
}

void MessageModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent) || !m_api)
        return;
    m_loadingOlder = true;
    const qint64 oldestSeq = pendingStart() > 0 ? m_items.first().message.seq : 0;
    HistoryQuery query;
    query.limit = pageSize;
    if (oldestSeq > 0)
        query.beforeSeq = oldestSeq;
    m_api->history(m_chatId, query)
        .then(this, [this, generation = m_generation](const ApiResult<HistoryPage> &result) {
            if (generation != m_generation)
                return;
            m_loadingOlder = false;
            if (!result) {
                Q_EMIT loadFailed(result.error().message());
                return;
            }
            const HistoryPage &page = result.value();
            m_atStart = !page.hasMore;
            const int before = rowCount();
            insertSorted(page.messages);
            addCreatedLine();
            Q_EMIT olderLoaded(rowCount() - before);
        });
}

void MessageModel::setGroup(bool isGroup)
{
    if (m_group == isGroup)
        return;
    m_group = isGroup;
    if (!m_items.isEmpty())
        Q_EMIT dataChanged(index(0), index(rowCount() - 1), { ShowSenderRole });
}

void MessageModel::setCreatedAt(qint64 createdAt)
{
    m_createdAt = createdAt;
    if (m_loaded)
        addCreatedLine();
}

void MessageModel::addCreatedLine()
{
    // Only above the oldest message: the line says where the history begins.
    if (!m_group || !m_atStart || m_createdAt <= 0 || m_createdShown)
        return;
    m_createdShown = true;
    addServiceLine(tr("Group created"), m_createdAt, true);
}

void MessageModel::applyRenamed(const QString &name)
{
    addServiceLine(
        tr("The group was renamed to “%1”").arg(name), QDateTime::currentMSecsSinceEpoch() * 1000);
}

void MessageModel::applyMembersAdded(const QStringList &names)
{
    if (names.isEmpty())
        return;
    addServiceLine(tr("%1 joined the group", nullptr, int(names.size()))
                       .arg(QLocale().createSeparatedList(names)),
        QDateTime::currentMSecsSinceEpoch() * 1000);
}

void MessageModel::applyMemberLeft(const QString &name)
{
    addServiceLine(tr("%1 left the group").arg(name), QDateTime::currentMSecsSinceEpoch() * 1000);
}

void MessageModel::setMembers(const QList<User> &members)
{
    bool renamed = false;
    for (const User &member : members) {
        auto known = m_memberNames.find(member.id);
        if (known != m_memberNames.end() && *known == member.name)
            continue;
        renamed = renamed || known != m_memberNames.end();
        m_memberNames.insert(member.id, member.name);
    }
    if (renamed && !m_items.isEmpty())
        Q_EMIT dataChanged(index(0), index(rowCount() - 1), { MentionRangesRole });
}

QList<TextRange> MessageModel::mentionRanges(
    const QString &text, const QStringList &mentionIds) const
{
    QList<TextRange> ranges;
    for (const QString &id : mentionIds) {
        const QString name = m_memberNames.value(id);
        if (name.isEmpty())
            continue;
        ranges.append(Presentation::mentionRanges(text, u'@' + name));
    }
    std::sort(ranges.begin(), ranges.end(),
        [](const TextRange &a, const TextRange &b) { return a.start < b.start; });
    return ranges;
}

void MessageModel::applyUserUpdated(const User &user)
{
    if (user.id == m_peer.id)
        m_peer = user;
    if (m_memberNames.contains(user.id))
        setMembers({ user });
    for (int row = 0; row < m_items.size(); ++row) {
        Item &item = m_items[row];
        if (item.service || item.message.senderId != user.id || item.message.sender == user)
            continue;
        item.message.sender = user;
        const QModelIndex changedRow = index(row);
        Q_EMIT dataChanged(changedRow, changedRow, { SenderNameRole });
    }
}

void MessageModel::addServiceLine(const QString &text, qint64 timestamp, bool atStart)
{
    // A live event while the newest messages are not loaded (a chat opened at
    // its first unread) has no place yet: it would land among old messages.
    if (!atStart && !m_atEnd)
        return;
    Message line;
    line.chatId = m_chatId;
    line.text = text;
    line.timestamp = timestamp;
    // It sorts by seq like a message: right after the newest one (sharing its
    // seq), so messages that come later go below it.
    line.seq = atStart ? 0 : newestSeq();
    Item item(line, Delivery::Sent);
    item.service = true;
    const int row = atStart ? 0 : pendingStart();
    beginInsertRows({}, row, row);
    m_items.insert(row, item);
    endInsertRows();
    if (row + 1 < rowCount())
        Q_EMIT dataChanged(
            index(row + 1), index(row + 1), { ShowSenderRole, DaySeparatorRole, LayoutStampRole });
}

void MessageModel::load(std::optional<qint64> lastReadSeq)
{
    if (m_loadingInitial || !m_api)
        return;
    m_loadingInitial = true;
    if (lastReadSeq)
        loadAround(*lastReadSeq);
    else
        loadNewest();
}

void MessageModel::showCached(const QList<Message> &messages)
{
    if (messages.isEmpty())
        return;
    insertSorted(messages);
    m_loaded = true;
    Q_EMIT initialLoaded();
}

QList<Message> MessageModel::settledMessages() const
{
    QList<Message> settled;
    settled.reserve(m_items.size());
    for (const Item &item : m_items) {
        // Service lines ("Ann joined") share the seq of the message before
        // them but are the model's own, not the server's: never cached.
        if (item.message.seq > 0 && !item.service)
            settled.append(item.message);
    }
    return settled;
}

void MessageModel::loadNewest()
{
    HistoryQuery query;
    query.limit = pageSize;
    m_api->history(m_chatId, query).then(this, [this](const ApiResult<HistoryPage> &result) {
        finishInitialLoad(result);
    });
}

void MessageModel::loadAround(qint64 lastReadSeq)
{
    // Opening a chat shows its first unread message: the unread part from
    // there on (oldest first), and what was read just before it. However many
    // are unread, the rest comes as the user scrolls down (fetchNewer()).
    HistoryQuery unread;
    unread.afterSeq = lastReadSeq;
    unread.limit = pageSize;
    m_api->history(m_chatId, unread)
        .then(this, [this, lastReadSeq](const ApiResult<HistoryPage> &result) {
            if (!result) {
                finishInitialLoad(result);
                return;
            }
            m_atEnd = !result.value().hasMore;
            insertSorted(result.value().messages);
            HistoryQuery read;
            read.beforeSeq = lastReadSeq + 1;
            read.limit = pageSize;
            m_api->history(m_chatId, read).then(this, [this](const ApiResult<HistoryPage> &page) {
                finishInitialLoad(page);
            });
        });
}

void MessageModel::finishInitialLoad(const ApiResult<HistoryPage> &result)
{
    m_loadingInitial = false;
    if (!result) {
        Q_EMIT loadFailed(result.error().message());
        return;
    }
    m_atStart = !result.value().hasMore;
    insertSorted(result.value().messages);
    addCreatedLine();
    m_loaded = true;
    Q_EMIT initialLoaded();
}

bool MessageModel::canFetchNewer() const
{
    return m_loaded && !m_atEnd && !m_loadingNewer;
}

void MessageModel::fetchNewer()
{
    if (!canFetchNewer() || !m_api)
        return;
    m_loadingNewer = true;
    HistoryQuery query;
    query.afterSeq = newestSeq();
    query.limit = pageSize;
    m_api->history(m_chatId, query)
        .then(this, [this, generation = m_generation](const ApiResult<HistoryPage> &result) {
            if (generation != m_generation)
                return;
            m_loadingNewer = false;
            if (!result) {
                Q_EMIT loadFailed(result.error().message());
                return;
            }
            m_atEnd = !result.value().hasMore;
            const int before = rowCount();
            insertSorted(result.value().messages);
            Q_EMIT newerLoaded(rowCount() - before);
        });
}

void MessageModel::applyMessage(const Message &message)
{
    if (message.chatId != m_chatId)
        return;
    // My own message from another device, or the echo of a pending one.
    if (isMine(message) && message.clientId) {
        if (rowOfClientId(*message.clientId) >= 0) {
            acknowledge(*message.clientId, message);
            return;
        }
    }
    // Newer than the loaded part of a chat opened at its first unread: the
    // next newer page brings it, in its place.
    if (!m_atEnd && message.seq > newestSeq())
        return;
    insertSorted({ message });
}

void MessageModel::applyEdited(const Message &message)
{
    // Replies quote the message as it is now.
    updateQuotesOf(message.id,
        [&message](ReplyPreview &quote) { quote.text = ReplyPreview::cut(message.text); });
    const int row = rowOfId(message.id);
    if (row < 0)
        return;
    Message updated = m_items.at(row).message;
    updated.text = message.text;
    updated.editedAt = message.editedAt;
    replaceAt(row, updated);
}

void MessageModel::applyDeleted(const QString &messageId)
{
    updateQuotesOf(messageId, [](ReplyPreview &quote) {
        quote.deleted = true;
        quote.text.clear();
    });
    const int row = rowOfId(messageId);
    if (row < 0)
        return;
    Message updated = m_items.at(row).message;
    updated.deleted = true;
    updated.text.clear();
    updated.replyTo.reset(); // as the server has it: a deleted message answers nothing
    replaceAt(row, updated);
}

void MessageModel::applyReactions(const MessageReactions &changed)
{
    const int row = rowOfId(changed.messageId);
    if (row < 0)
        return;
    const QList<Reaction> &before = m_items.at(row).message.reactions;
    QList<Reaction> reactions = changed.reactions;
    for (Reaction &reaction : reactions) {
        if (changed.userId == m_userId && reaction.emoji == changed.emoji) {
            reaction.me = changed.added;
            continue;
        }
        const auto was = std::find_if(before.cbegin(), before.cend(),
            [&reaction](const Reaction &old) { return old.emoji == reaction.emoji; });
        reaction.me = was != before.cend() && was->me;
    }
    setReactions(changed.messageId, reactions);
}

void MessageModel::setReactions(const QString &messageId, const QList<Reaction> &reactions)
{
    const int row = rowOfId(messageId);
    if (row < 0 || m_items.at(row).message.reactions == reactions)
        return;
    Message updated = m_items.at(row).message;
    updated.reactions = reactions;
    replaceAt(row, updated);
}

bool MessageModel::applyOwnReaction(const QString &messageId, const QString &emoji, bool add)
{
    const int row = rowOfId(messageId);
    if (row < 0)
        return false;
    QList<Reaction> reactions = m_items.at(row).message.reactions;
    const auto it = std::find_if(reactions.begin(), reactions.end(),
        [&emoji](const Reaction &reaction) { return reaction.emoji == emoji; });
    if (add) {
        if (it != reactions.end() && it->me)
            return false;
        if (it == reactions.end())
            reactions.append({ emoji, 1, true });
        else
            *it = { emoji, it->count + 1, true };
    } else {
        if (it == reactions.end() || !it->me)
            return false;
        if (it->count <= 1)
            reactions.erase(it);
        else
            *it = { emoji, it->count - 1, false };
    }
    setReactions(messageId, reactions);
    return true;
}

QString MessageModel::reactorsText(const QString &messageId, const QString &emoji) const
{
    const int row = rowOfId(messageId);
    if (row < 0)
        return {};
    const QList<Reaction> &reactions = m_items.at(row).message.reactions;
    const auto it = std::find_if(reactions.cbegin(), reactions.cend(),
        [&emoji](const Reaction &reaction) { return reaction.emoji == emoji; });
    if (it == reactions.cend())
        return {};
    const int count = int(it->count);
    const int others = it->me ? count - 1 : count;
    QString who;
    if (!m_group && !m_peer.name.isEmpty() && others == 1)
        who = it->me ? tr("You and %1").arg(m_peer.name) : m_peer.name;
    else if (it->me)
        who = others == 0 ? tr("You") : tr("You and %n other(s)", nullptr, others);
    else
        who = tr("%n person(s)", nullptr, others);
    return emoji + u' ' + who;
}

void MessageModel::updateQuotesOf(
    const QString &messageId, const std::function<void(ReplyPreview &)> &change)
{
    for (int row = 0; row < rowCount(); ++row) {
        Item &item = m_items[row];
        if (!item.message.replyTo || item.message.replyTo->id != messageId)
            continue;
        change(*item.message.replyTo);
        ++item.revision;
        Q_EMIT dataChanged(index(row), index(row));
    }
}

void MessageModel::loadAroundMessage(const QString &messageId, qint64 seq)
{
    if (!m_api || messageId.isEmpty() || m_loadingAroundId == messageId)
        return;
    m_loadingAroundId = messageId;
    if (seq > 0) {
        replaceWithPageAround(messageId, seq);
        return;
    }
    // A reply says where its original is: one page around it.
    for (const Item &item : std::as_const(m_items)) {
        if (item.message.replyTo && item.message.replyTo->id == messageId
            && item.message.replyTo->seq > 0) {
            replaceWithPageAround(messageId, item.message.replyTo->seq);
            return;
        }
    }
    // From a server that does not say: look for its seq in the older pages
    // (from the oldest loaded message back), then load the page around it.
    const int end = pendingStart();
    qint64 oldestSeq = 0;
    for (int row = 0; row < end && oldestSeq == 0; ++row)
        oldestSeq = m_items.at(row).service ? 0 : m_items.at(row).message.seq;
    locateAndLoadAround(messageId, oldestSeq);
}

void MessageModel::locateAndLoadAround(const QString &messageId, qint64 beforeSeq)
{
    HistoryQuery query;
    query.limit = Limits::historyPageMax;
    if (beforeSeq > 0)
        query.beforeSeq = beforeSeq;
    m_api->history(m_chatId, query)
        .then(this, [this, messageId](const ApiResult<HistoryPage> &result) {
            if (m_loadingAroundId != messageId)
                return; // another jump since
            if (!result) {
                m_loadingAroundId.clear();
                Q_EMIT loadFailed(result.error().message());
                return;
            }
            const QList<Message> &page = result.value().messages; // newest first
            for (const Message &message : page) {
                if (message.id == messageId) {
                    replaceWithPageAround(messageId, message.seq);
                    return;
                }
            }
            if (!result.value().hasMore || page.isEmpty()) {
                m_loadingAroundId.clear(); // not in this chat (any more)
                return;
            }
            locateAndLoadAround(messageId, page.last().seq);
        });
}

void MessageModel::replaceWithPageAround(const QString &messageId, qint64 seq)
{
    HistoryQuery query;
    query.aroundSeq = seq;
    query.limit = pageSize;
    m_api->history(m_chatId, query)
        .then(this, [this, messageId](const ApiResult<HistoryPage> &result) {
            if (m_loadingAroundId != messageId)
                return;
            m_loadingAroundId.clear();
            if (!result) {
                Q_EMIT loadFailed(result.error().message());
                return;
            }
            const HistoryPage &page = result.value();
            // The timeline becomes that page (and what is still on its way,
            // at the bottom); the rest comes back as the user scrolls.
            beginResetModel();
            ++m_generation;
            m_loadingOlder = m_loadingNewer = m_fillingGap = false;
            m_gapTimer.stop();
            m_items.remove(0, pendingStart());
            m_ids.clear();
            m_chatSeqs.clear();
            m_contiguousUpTo = 0;
            m_createdShown = false;
            m_atStart = !page.hasMore;
            m_atEnd = page.messages.isEmpty() || page.messages.first().chatSeq >= page.total;
            endResetModel();
            insertSorted(page.messages);
            addCreatedLine();
            Q_EMIT aroundLoaded(messageId);
        });
}

void MessageModel::applyReadByAll(qint64 seq)
{
    m_readByAllUpTo = std::max(m_readByAllUpTo, seq);
    const int end = pendingStart();
    for (int row = end - 1; row >= 0; --row) {
        Item &item = m_items[row];
        if (item.message.seq > seq || !isMine(item.message))
            continue;
        if (item.delivery == Delivery::Read)
            break; // everything older is read already
        item.message.isRead = true;
        item.delivery = Delivery::Read;
        Q_EMIT dataChanged(index(row), index(row), { DeliveryRole });
    }
}

void MessageModel::addPending(const QString &clientId, const QString &text,
    const std::optional<ReplyPreview> &replyTo, const QStringList &mentions,
    const QList<Attachment> &attachments, const QStringList &localFiles)
{
    Message message;
    message.chatId = m_chatId;
    message.senderId = m_userId;
    message.text = text;
    message.mentions = mentions;
    message.timestamp = QDateTime::currentMSecsSinceEpoch() * 1000;
    message.clientId = clientId;
    message.replyTo = replyTo;
    message.attachments = attachments;
    Item item(message, Delivery::Pending, clientId);
    item.localFiles = localFiles;
    const int row = rowCount();
    beginInsertRows({}, row, row);
    m_items.append(item);
    endInsertRows();
}

void MessageModel::acknowledge(const QString &clientId, const Message &message)
{
    const int row = rowOfClientId(clientId);
    if (row < 0 || m_ids.contains(message.id)) {
        if (row >= 0) { // the live echo came first: the pending copy goes
            beginRemoveRows({}, row, row);
            m_items.removeAt(row);
            endRemoveRows();
        }
        insertSorted({ message });
        return;
    }
    // Usually the newest message: it stays where it is, now sent.
    const int firstPending = pendingStart();
    const bool newest = firstPending == 0 || m_items.at(firstPending - 1).message.seq < message.seq;
    if (row == firstPending && newest) {
        Item &item = m_items[row];
        item = Item(message, deliveryOf(message));
        m_ids.insert(message.id);
        m_chatSeqs.insert(message.chatSeq);
        Q_EMIT dataChanged(index(row), index(row));
        advanceContiguous();
        return;
    }
    beginRemoveRows({}, row, row);
    m_items.removeAt(row);
    endRemoveRows();
    insertSorted({ message });
}

void MessageModel::markFailed(const QString &clientId, const QString &reason)
{
    const int row = rowOfClientId(clientId);
    if (row < 0)
        return;
    m_items[row].delivery = Delivery::Failed;
    m_items[row].failureReason = reason;
    Q_EMIT dataChanged(index(row), index(row), { DeliveryRole, FailureReasonRole });
}

void MessageModel::setUploadProgress(const QString &clientId, double progress)
{
    const int row = rowOfClientId(clientId);
    if (row < 0 || m_items.at(row).uploadProgress == progress)
        return;
    m_items[row].uploadProgress = progress;
    Q_EMIT dataChanged(index(row), index(row), { UploadProgressRole });
}

void MessageModel::discardPending(const QString &clientId)
{
    const int row = rowOfClientId(clientId);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_items.removeAt(row);
    endRemoveRows();
}

void MessageModel::discardFailed(const QString &clientId)
{
    const int row = rowOfClientId(clientId);
    if (row < 0 || m_items.at(row).delivery != Delivery::Failed)
        return;
    beginRemoveRows({}, row, row);
    m_items.removeAt(row);
    endRemoveRows();
}

int MessageModel::rowOfId(const QString &messageId) const
{
    if (!m_ids.contains(messageId))
        return -1;
    for (int row = int(m_items.size()) - 1; row >= 0; --row) {
        if (m_items.at(row).message.id == messageId)
            return row;
    }
    return -1;
}

int MessageModel::rowOfClientId(const QString &clientId) const
{
    for (int row = int(m_items.size()) - 1; row >= 0; --row) {
        if (m_items.at(row).clientId == clientId)
            return row;
    }
    return -1;
}

Message MessageModel::messageAt(int row) const
{
    return m_items.at(row).message;
}

int MessageModel::firstUnreadRow(qint64 lastReadSeq) const
{
    const int end = pendingStart();
    for (int row = 0; row < end; ++row) {
        const Message &message = m_items.at(row).message;
        if (message.seq > lastReadSeq && !isMine(message) && !m_items.at(row).service)
            return row;
    }
    return -1;
}

qint64 MessageModel::countFromOthersAfter(qint64 seq) const
{
    qint64 count = 0;
    for (int row = pendingStart() - 1; row >= 0; --row) {
        const Message &message = m_items.at(row).message;
        if (message.seq <= seq)
            break;
        if (!isMine(message) && !message.deleted && !m_items.at(row).service)
            ++count;
    }
    return count;
}

qint64 MessageModel::countMentionsAfter(qint64 seq) const
{
    qint64 count = 0;
    for (int row = pendingStart() - 1; row >= 0; --row) {
        const Message &message = m_items.at(row).message;
        if (message.seq <= seq)
            break;
        if (!isMine(message) && !message.deleted && !m_items.at(row).service
            && message.mentions.contains(m_userId))
            ++count;
    }
    return count;
}

void MessageModel::showUnreadDivider(qint64 lastReadSeq)
{
    const int previous = unreadDividerRow();
    const int row = firstUnreadRow(lastReadSeq);
    m_unreadDividerId = row >= 0 ? m_items.at(row).message.id : QString();
    for (const int changed : { previous, row }) {
        if (changed >= 0)
            Q_EMIT dataChanged(
                index(changed), index(changed), { UnreadDividerRole, LayoutStampRole });
    }
}

int MessageModel::unreadDividerRow() const
{
    return m_unreadDividerId.isEmpty() ? -1 : rowOfId(m_unreadDividerId);
}

qint64 MessageModel::newestSeq() const
{
    const int end = pendingStart();
    return end > 0 ? m_items.at(end - 1).message.seq : 0;
}

void MessageModel::insertSorted(const QList<Message> &messages)
{
    QList<Message> fresh;
    fresh.reserve(messages.size());
    for (const Message &message : messages) {
        if (message.chatId != m_chatId)
            continue;
        if (!m_ids.contains(message.id))
            fresh.append(message);
        else // a page brings the server's reactions now (e.g. after a start from the cache)
            setReactions(message.id, message.reactions);
    }
    if (fresh.isEmpty())
        return;
    std::sort(fresh.begin(), fresh.end(),
        [](const Message &a, const Message &b) { return a.seq < b.seq; });
    // A service line shares the seq of the message before it: a message
    // with a greater seq goes after both.
    const auto bySeq = [](const Item &item, qint64 seq) { return item.message.seq < seq; };
    qsizetype from = 0;
    while (from < fresh.size()) {
        // Take the longest run that lands between the same two neighbours, so
        // a page of history is one insertion (the view keeps its place).
        const int end = pendingStart();
        const auto at
            = std::lower_bound(m_items.begin(), m_items.begin() + end, fresh.at(from).seq, bySeq);
        const int row = int(at - m_items.begin());
        const qint64 nextSeq
            = row < end ? m_items.at(row).message.seq : std::numeric_limits<qint64>::max();
        qsizetype to = from;
        while (to < fresh.size() && fresh.at(to).seq < nextSeq)
            ++to;
        beginInsertRows({}, row, row + int(to - from) - 1);
        // A long run (a cached chat is one run of thousands) is one
        // allocation, not a reallocation each time the list outgrows itself;
        // growth stays geometric, so messages arriving one at a time do not
        // copy the list each.
        const qsizetype needed = m_items.size() + (to - from);
        if (needed > m_items.capacity())
            m_items.reserve(std::max(needed, m_items.capacity() * 2));
        for (qsizetype i = from; i < to; ++i) {
            const Message &message = fresh.at(i);
            m_items.insert(row + int(i - from), Item(message, deliveryOf(message)));
            m_ids.insert(message.id);
            m_chatSeqs.insert(message.chatSeq);
        }
        endInsertRows();
        // The next row's day separator and sender label may have changed.
        const int after = row + int(to - from);
        if (after < rowCount())
            Q_EMIT dataChanged(index(after), index(after), { ShowSenderRole, DaySeparatorRole });
        from = to;
    }
    advanceContiguous();
}

void MessageModel::replaceAt(int row, const Message &message)
{
    m_items[row].message = message;
    ++m_items[row].revision;
    Q_EMIT dataChanged(index(row), index(row));
}

int MessageModel::pendingStart() const
{
    int row = int(m_items.size());
    while (row > 0 && !m_items.at(row - 1).clientId.isEmpty())
        --row;
    return row;
}

void MessageModel::advanceContiguous()
{
    if (m_chatSeqs.isEmpty())
        return;
    if (m_contiguousUpTo == 0) // the oldest loaded message anchors the run
        m_contiguousUpTo = *std::min_element(m_chatSeqs.cbegin(), m_chatSeqs.cend());
    while (m_chatSeqs.contains(m_contiguousUpTo + 1))
        ++m_contiguousUpTo;
    const int end = pendingStart();
    if (end > 0 && m_items.at(end - 1).message.chatSeq > m_contiguousUpTo)
        scheduleGapCheck();
}

void MessageModel::scheduleGapCheck()
{
    if (!m_gapTimer.isActive() && !m_fillingGap)
        m_gapTimer.start();
}

void MessageModel::fillGap()
{
    const int end = pendingStart();
    if (!m_api || end == 0 || m_items.at(end - 1).message.chatSeq <= m_contiguousUpTo)
        return;
    const int anchor = [this, end] {
        for (int row = end - 1; row >= 0; --row) {
            if (m_items.at(row).message.chatSeq == m_contiguousUpTo)
                return row;
        }
        return -1;
    }();
    if (anchor < 0)
        return;
    // Exactly the missing chat_seq range: after the last contiguous message.
    qint64 missing = 0;
    for (qint64 chatSeq = m_contiguousUpTo + 1; chatSeq < m_items.at(end - 1).message.chatSeq;
         ++chatSeq) {
        if (!m_chatSeqs.contains(chatSeq))
            ++missing;
        else
            break;
    }
    HistoryQuery query;
    query.afterSeq = m_items.at(anchor).message.seq;
    query.limit = int(std::clamp<qint64>(missing, 1, maxPage));
    qCDebug(lcTimeline) << "filling" << missing << "missing messages after chat_seq"
                        << m_contiguousUpTo;
    m_fillingGap = true;
    m_api->history(m_chatId, query)
        .then(this, [this, generation = m_generation](const ApiResult<HistoryPage> &result) {
            if (generation != m_generation)
                return;
            m_fillingGap = false;
            if (!result) {
                scheduleGapCheck(); // try again shortly
                return;
            }
            insertSorted(result.value().messages);
        });
}

MessageModel::Delivery MessageModel::deliveryOf(const Message &message) const
{
    if (!isMine(message))
        return Delivery::Sent;
    return message.isRead || message.seq <= m_readByAllUpTo ? Delivery::Read : Delivery::Sent;
}

} // namespace Messenger::Client
