#pragma once

#include "Json.h"

#include <QUrlQuery>

// Presence: whether people who share a chat with you are online, and when
// they were last seen. Read with GET /presence, then followed through the
// ephemeral `presence` frames (not stored: not in /updates). Its paths, event
// names and limits live here with its DTOs (one header for the feature).
namespace Messenger::ApiPaths {
inline constexpr QStringView presence = u"/api/v1/presence";
inline constexpr QStringView usersMePrivacy = u"/api/v1/users/me/privacy";
} // namespace Messenger::ApiPaths

namespace Messenger::WsEvents {
// People who share a chat with you came online or went offline: data is a
// PresenceList. Ephemeral (no seq, not in /updates), batched per second.
inline constexpr QStringView presence = u"presence";
// Between server instances only, never to clients: PresenceChanged.
inline constexpr QStringView presenceChanged = u"presence_changed";
} // namespace Messenger::WsEvents

namespace Messenger::Limits {
// GET /presence: user ids per request.
inline constexpr int presenceIdsMax = 100;
} // namespace Messenger::Limits

namespace Messenger {

// One person's presence. `lastSeenAt` (unix seconds) is when they were last
// online; null while online, when never seen, or when they hide it.
struct PresenceEntry
{
    QString userId;
    bool online = false;
    std::optional<qint64> lastSeenAt;

    void write(JsonWriter &writer) const;
    QJsonObject toJson() const;
    static Parsed<PresenceEntry> fromJson(
        const QJsonObject &json, const QStringList &location = {});
    bool operator==(const PresenceEntry &) const = default;
};

// GET /presence answers with it, and a `presence` frame carries it as data:
// only people who share a chat with the caller now.
struct PresenceList
{
    QList<PresenceEntry> users;

    void write(JsonWriter &writer) const;
    QJsonObject toJson() const;
    static Parsed<PresenceList> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const PresenceList &) const = default;
};

// A whole `presence` frame made of entries written beforehand (each entry's
// JsonWriter bytes), those at `which`, in that order. When a group's members
// come online together every watcher's frame differs (none lists the watcher
// themself): each entry is written once and the frames are copies of them,
// not watchers x changes JSON objects.
QByteArray presenceFrame(const QList<QByteArray> &writtenEntries, const QList<qsizetype> &which);

// Whether a frame from the server is a `presence` frame, from its text alone
// (the server writes `type` last): for a client that ignores presence and
// should not pay for parsing it. messenger-bench's thousand sockets share the
// server's two cores, and parsing the frames of a group coming online took
// them as much CPU as the server spent sending them.
bool isPresenceFrame(QStringView frame);

// GET /presence?user_ids=a,b,...: up to Limits::presenceIdsMax ids.
struct PresenceQuery
{
    QStringList userIds;

    QUrlQuery toQuery() const;
    static Parsed<PresenceQuery> fromQuery(const QUrlQuery &query);

    static constexpr QStringView userIdsKey = u"user_ids";
};

// GET and PUT /users/me/privacy: who sees the caller's presence.
struct PrivacySettings
{
    QString presenceVisible = everyone.toString();

    QJsonObject toJson() const;
    static Parsed<PrivacySettings> fromJson(
        const QJsonObject &json, const QStringList &location = bodyLocation());
    bool operator==(const PrivacySettings &) const = default;

    // Everyone who shares a chat with the user.
    static constexpr QStringView everyone = u"everyone";
    // Nobody: others see the user offline with no last seen, get no
    // `presence` frames about them, and the user sees nobody's presence.
    static constexpr QStringView nobody = u"nobody";
    static constexpr QStringView presenceVisibleKey = u"presence_visible";
};

// Between server instances only (the ephemeral channel): these users'
// presence may have changed; each instance tells its own watchers.
struct PresenceChanged
{
    QStringList userIds;

    QJsonObject toJson() const;
    static Parsed<PresenceChanged> fromJson(
        const QJsonObject &json, const QStringList &location = {});
};

} // namespace Messenger
