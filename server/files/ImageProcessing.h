#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

// What the server does with an uploaded picture before anyone else sees it:
// tells images from other files by their bytes, strips what a camera or an
// editor wrote about the picture (GPS position, camera, comments), measures it
// as it is displayed and makes its thumbnail; and turns a photo into an avatar.
// Every function is reentrant and keeps no state: they run on worker threads.
namespace Messenger::Server::Images {

// MIME types the server treats as images: decoded, measured, thumbnailed and
// served inline. Anything else (SVG included: it is a document that can run
// script) is a plain file.
bool isSafeImageType(const QString &mimeType); // image/jpeg, image/png, image/gif

// The MIME type from the content (QMimeDatabase::mimeTypeForData on the first
// bytes; the file name only breaks ties for types content cannot tell apart,
// e.g. text/plain vs text/csv). Never trusts a client's declared type.
// "application/octet-stream" when nothing matches.
QString sniffMimeType(const QByteArray &head, const QString &fileName);

// How many first bytes sniffMimeType wants.
inline constexpr qint64 sniffBytes = 4096;

struct ProcessedImage
{
    // The bytes to store and serve instead of the upload's: JPEG with every
    // APPn segment except APP0 (JFIF) and APP14 (Adobe) and every COM segment
    // removed, losslessly (segment filtering, no re-encoding) when the EXIF
    // orientation is 1 or absent; re-encoded (quality 90) with the orientation
    // applied otherwise. PNG with the ancillary text/metadata chunks removed
    // losslessly (every critical chunk and the rendering ones such as PLTE,
    // tRNS, gAMA, cHRM, sRGB, iCCP, sBIT, pHYs, bKGD, acTL/fcTL/fdAT are kept).
    // GIF unchanged. So no GPS or camera data is ever served.
    QByteArray content;
    int width = 0; // as displayed: after the EXIF orientation
    int height = 0;
    // A JPEG (quality 80) that fits in thumbnailSide x thumbnailSide, keeping
    // the aspect ratio, never upscaled; PNG when the image has transparent pixels.
    QByteArray thumbnail;
    QString thumbnailMimeType; // "image/jpeg" or "image/png"
};
inline constexpr int thumbnailSide = 320;
// Images with more pixels than this are not decoded (a decompression bomb: a
// small file that would need gigabytes): process() returns nullopt.
inline constexpr qint64 maxPixels = 50'000'000;

// `content` is a whole upload whose sniffed type is a safe image type. nullopt
// when it does not decode (corrupt, truncated, too many pixels, a type that
// lies): the caller then keeps it as a plain file.
std::optional<ProcessedImage> process(const QByteArray &content, const QString &mimeType);

// A profile or group photo: the centre square of the image (orientation
// applied), scaled to avatarSide (never upscaled past the source square) as
// JPEG quality 85, plus an avatarThumbnailSide thumbnail (likewise never
// upscaled). Transparent pixels become white. nullopt when it is not a
// decodable safe image.
struct Avatar
{
    QByteArray image;
    QByteArray thumbnail;
    int side = 0; // the image's width = height
};
inline constexpr int avatarSide = 512;
inline constexpr int avatarThumbnailSide = 128;
std::optional<Avatar> makeAvatar(const QByteArray &content, const QString &mimeType);

} // namespace Messenger::Server::Images
