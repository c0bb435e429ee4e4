#include "Files.h"

#include "ApiPaths.h"
#include "Limits.h"

using namespace Qt::StringLiterals;

namespace Messenger {

QString Attachment::url() const
{
    return ApiPaths::file(id);
}

std::optional<QString> Attachment::thumbnailUrl() const
{
    if (!hasThumbnail)
        return std::nullopt;
    return ApiPaths::fileThumbnail(id);
}

QJsonObject Attachment::toJson() const
{
    return JsonWriter::toObject(*this);
}

void Attachment::write(JsonWriter &writer) const
{
    writer.beginObject()
        .field("id"_L1, id)
        .field("name"_L1, name)
        .field("size"_L1, size)
        .field("mime_type"_L1, mimeType)
        .field("width"_L1, width)
        .field("height"_L1, height)
        .field("thumbnail_url"_L1, thumbnailUrl())
        .field("url"_L1, url())
        .endObject();
}

Parsed<Attachment> Attachment::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    Attachment attachment;
    attachment.id = reader.uuid(u"id");
    attachment.name = reader.string(u"name");
    attachment.size = reader.integer(u"size");
    attachment.mimeType = reader.string(u"mime_type");
    if (const auto width = reader.optionalInteger(u"width"))
        attachment.width = int(*width);
    if (const auto height = reader.optionalInteger(u"height"))
        attachment.height = int(*height);
    // The URLs follow from the id; only whether there is a thumbnail is news.
    attachment.hasThumbnail = json.value(u"thumbnail_url").isString();
    return reader.result(std::move(attachment));
}

QJsonArray Attachment::listToJson(const QList<Attachment> &attachments)
{
    QJsonArray array;
    for (const Attachment &attachment : attachments)
        array.append(attachment.toJson());
    return array;
}

QList<Attachment> Attachment::listFromJson(JsonReader &reader, QStringView key)
{
    QList<Attachment> attachments;
    const QJsonArray array = reader.array(key);
    for (qsizetype i = 0; i < array.size(); ++i) {
        QStringList location = reader.location(key);
        location.append(QString::number(i));
        auto attachment = Attachment::fromJson(array.at(i).toObject(), location);
        if (!attachment) {
            reader.addErrors(attachment.errors());
            continue;
        }
        attachments.append(std::move(attachment).value());
    }
    return attachments;
}

QByteArray Attachment::listToJsonText(const QList<Attachment> &attachments)
{
    return QJsonDocument(listToJson(attachments)).toJson(QJsonDocument::Compact);
}

QList<Attachment> Attachment::listFromJsonText(const QByteArray &text)
{
    const QJsonObject holder { { u"attachments"_s, parseJson(text).array() } };
    JsonReader reader(holder);
    return listFromJson(reader, u"attachments");
}

QJsonObject Upload::toJson() const
{
    return { { u"id"_s, id }, { u"name"_s, name }, { u"length"_s, length }, { u"offset"_s, offset },
        { u"expires_at"_s, formatTimestamp(expiresAt) },
        { u"file"_s, file ? QJsonValue(file->toJson()) : QJsonValue() } };
}

Parsed<Upload> Upload::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    Upload upload;
    upload.id = reader.uuid(u"id");
    upload.name = reader.string(u"name");
    upload.length = reader.integer(u"length");
    upload.offset = reader.integer(u"offset");
    upload.expiresAt = reader.timestamp(u"expires_at");
    if (json.value(u"file").isObject())
        upload.file = reader.nested<Attachment>(u"file");
    return reader.result(std::move(upload));
}

QJsonObject FileLink::toJson() const
{
    return { { u"url"_s, url }, { u"thumbnail_url"_s, optionalToJson(thumbnailUrl) },
        { u"expires_at"_s, formatTimestamp(expiresAt) } };
}

Parsed<FileLink> FileLink::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    FileLink link;
    link.url = reader.string(u"url", 1);
    if (json.value(u"thumbnail_url").isString())
        link.thumbnailUrl = reader.string(u"thumbnail_url", 1);
    link.expiresAt = reader.timestamp(u"expires_at");
    return reader.result(std::move(link));
}

QJsonObject SetAvatarRequest::toJson() const
{
    return { { u"upload_id"_s, uploadId } };
}

Parsed<SetAvatarRequest> SetAvatarRequest::fromJson(
    const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    SetAvatarRequest request;
    request.uploadId = reader.uuid(u"upload_id");
    return reader.result(std::move(request));
}

} // namespace Messenger
