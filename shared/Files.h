#pragma once

#include "Json.h"

// Files: what a message carries (attachments), uploads in progress (the tus
// 1.0 protocol under /api/v1/uploads) and signed download links.
namespace Messenger {

// A file a message carries. `url` and `thumbnail_url` are paths on the server
// (relative to its base URL) that answer with the bearer token; width and
// height are an image's as displayed (EXIF orientation applied), null for
// other files; thumbnail_url is null when there is no thumbnail.
struct Attachment
{
    QString id;
    QString name;
    qint64 size = 0;
    QString mimeType;
    std::optional<int> width;
    std::optional<int> height;
    bool hasThumbnail = false;

    bool isImage() const { return width.has_value() && height.has_value(); }
    QString url() const;
    std::optional<QString> thumbnailUrl() const;

    QJsonObject toJson() const;
    void write(JsonWriter &writer) const;
    static Parsed<Attachment> fromJson(const QJsonObject &json, const QStringList &location = {});
    static QJsonArray listToJson(const QList<Attachment> &attachments);
    static QList<Attachment> listFromJson(JsonReader &reader, QStringView key);
    // A list as compact JSON text (how the server stores a message's files)
    // and back; unreadable text reads as none.
    static QByteArray listToJsonText(const QList<Attachment> &attachments);
    static QList<Attachment> listFromJsonText(const QByteArray &text);
    bool operator==(const Attachment &) const = default;
};

// An upload as POST and GET /api/v1/uploads/{id} describe it: `length` bytes
// announced (Upload-Length), `offset` received so far; once complete, the
// file it became (`file`, with the sniffed type and an image's size), which a
// send's attachment_ids may name until it expires unattached.
struct Upload
{
    QString id;
    QString name;
    qint64 length = 0;
    qint64 offset = 0;
    qint64 expiresAt = 0; // microseconds since the epoch
    std::optional<Attachment> file; // set once complete

    QJsonObject toJson() const;
    static Parsed<Upload> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const Upload &) const = default;
};

// GET /api/v1/files/{id}/link: URLs that work without a header (an <img>, a
// download manager) until `expires_at`, for the user who asked only while
// they may still see the file.
struct FileLink
{
    QString url;
    std::optional<QString> thumbnailUrl;
    qint64 expiresAt = 0;

    QJsonObject toJson() const;
    static Parsed<FileLink> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const FileLink &) const = default;
};

// PUT /users/me/avatar and /chats/{id}/avatar: the photo is made from this
// complete upload of the caller's (an image: JPEG, PNG or GIF). The upload
// itself stays as it is (it expires unless a message carries it).
struct SetAvatarRequest
{
    QString uploadId;

    QJsonObject toJson() const;
    static Parsed<SetAvatarRequest> fromJson(
        const QJsonObject &json, const QStringList &location = bodyLocation());
};

// The tus 1.0 protocol's header names and values (https://tus.io/protocols/resumable-upload).
namespace Tus {
inline constexpr char version[] = "1.0.0";
inline constexpr char resumableHeader[] = "Tus-Resumable";
inline constexpr char versionHeader[] = "Tus-Version";
inline constexpr char extensionHeader[] = "Tus-Extension";
inline constexpr char maxSizeHeader[] = "Tus-Max-Size";
inline constexpr char extensions[] = "creation,expiration,termination";
inline constexpr char lengthHeader[] = "Upload-Length";
inline constexpr char offsetHeader[] = "Upload-Offset";
inline constexpr char metadataHeader[] = "Upload-Metadata";
inline constexpr char expiresHeader[] = "Upload-Expires";
// Ours: the largest PATCH body accepted (Limits::uploadChunkMax).
inline constexpr char maxChunkHeader[] = "Messenger-Max-Chunk-Size";
inline constexpr char patchContentType[] = "application/offset+octet-stream";
// Upload-Metadata keys: the file's name and the type the client declares
// (never trusted: the server sniffs the content).
inline constexpr QStringView fileNameKey = u"filename";
inline constexpr QStringView fileTypeKey = u"filetype";
} // namespace Tus

} // namespace Messenger
