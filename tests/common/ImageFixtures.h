#pragma once

#include <QByteArray>
#include <QByteArrayView>

// Images with the metadata cameras and editors leave in them, made byte by
// byte (Qt writes none of it): the fixtures of the image-processing and files
// tests.
namespace ImageFixtures {

QByteArray littleEndian16(quint16 value);
QByteArray littleEndian32(quint32 value);
QByteArray bigEndian16(quint16 value);
QByteArray bigEndian32(quint32 value);

// What the metadata below gives away, to look for in what is served.
extern const QByteArray cameraMake;
extern const QByteArray secretComment;
extern const QByteArray location;

// What a phone writes: a little-endian TIFF whose IFD0 holds the camera make,
// the orientation and a pointer to a GPS IFD with the latitude.
QByteArray exifTiff(quint16 orientation);
QByteArray jpegSegment(uchar marker, const QByteArray &payload);
// The JPEG with an EXIF APP1 (with `orientation`), an XMP-like APP1 and a
// comment after SOI, as a camera and an editor leave them.
QByteArray withJpegMetadata(const QByteArray &jpeg, quint16 orientation);

// CRC-32 as PNG defines it (ISO 3309, the one zlib computes).
quint32 pngCrc(QByteArrayView bytes);
QByteArray pngChunk(const QByteArray &type, const QByteArray &data);
extern const QByteArray pngSignature;
// Signature (8) + IHDR chunk (12 + 13).
inline constexpr qsizetype afterPngHeader = 8 + 25;
// The PNG with a tEXt GPS location, an eXIf and a tIME chunk after its header.
QByteArray withPngMetadata(const QByteArray &png);
// A whole PNG made by hand: greyscale, 1 bit a pixel, every pixel black; its
// pixel data compresses to almost nothing however big the header says it is.
QByteArray blackPng(quint32 width, quint32 height);

} // namespace ImageFixtures
