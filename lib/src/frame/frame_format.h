// Binary wire layout, shared by frame_reader.cc and frame_writer.cc.
// This file implements sstream-frame(5); section names below refer to it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace sstream::frame_format {

// STREAM HEADER: magic (8 bytes), version (u32le), flags (u32le, zero).
// The first byte, 0x89, can never start a JSON text, so detection is exact.
inline constexpr char kMagic[8] = {'\x89', 'S', 'S', 'T', 'R', '\r', '\n', '\x1a'};
inline constexpr size_t kStreamHeaderSize = 16;
inline constexpr uint32_t kVersion = 1;

// FRAME: crc32c (u32le, over bytes 4.. of the header and the payload),
// payload length (u32le), type (u8), flags (u8), reserved (u16le, zero), payload.
inline constexpr size_t kFrameHeaderSize = 12;
inline constexpr uint32_t kMaxPayload = 1u << 30;

// DATA flags.
inline constexpr uint8_t kFlagEventTime = 0x01;  // payload starts with an i64le event time
// Then, with this flag, a field index: u16le count, then count entries of four
// u16le (key offset, key length, value offset, value length) into the record.
inline constexpr uint8_t kFlagFieldIndex = 0x02;
inline constexpr size_t kFieldEntrySize = 8;

// JSON control lines start with this (after optional spaces following '{').
inline constexpr char kControlKey[] = "\"@sstream\"";

inline void PutU32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
inline void PutU64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
inline void PutU16(char* p, uint16_t v) {
  p[0] = static_cast<char>(v & 0xff);
  p[1] = static_cast<char>(v >> 8);
}
inline uint16_t GetU16(const char* p) {
  return static_cast<uint16_t>(static_cast<uint8_t>(p[0]) | (static_cast<uint8_t>(p[1]) << 8));
}
inline uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
inline uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

}  // namespace sstream::frame_format

namespace sstream {
// CRC-32C (Castagnoli), hardware-accelerated where the CPU has SSE4.2.
uint32_t Crc32c(uint32_t crc, const char* data, size_t n);
}  // namespace sstream
