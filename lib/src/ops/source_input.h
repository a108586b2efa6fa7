// The source's input set and what its checkpoint records of it: files known
// by identity (device and inode) across renames, the stretches of files an
// epoch covers, and the text of both records (sstream(7), the LMDB layout).
// Pure logic and directory listing; the reading itself is in source.cc.
// Internal to lib/src/ops.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sstream/status.h"

namespace sstream {
namespace source_input {

// A file's first bytes, kept (as a hash) to tell it from another file that
// reuses its inode.
inline constexpr size_t kHeadBytes = 64;

// A file's identity: it keeps it when renamed (a rotated log).
struct FileId {
  uint64_t dev = 0, ino = 0;
  bool operator<(const FileId& o) const { return dev != o.dev ? dev < o.dev : ino < o.ino; }
  bool operator==(const FileId& o) const { return dev == o.dev && ino == o.ino; }
  std::string Text() const;  // "DEV:INO"
};
FileId IdOf(const struct stat& st);
bool ParseFileId(std::string_view text, FileId* id);

// What the checkpoint keeps of a file (state key "file/DEV:INO"): how far it
// was read, in which order files were first read, its first bytes, and its
// last name (for messages).
struct FileState {
  int64_t seq = 0;
  uint64_t offset = 0, line = 0;
  uint64_t head_len = 0, head_hash = 0;
  std::string path;
};
std::string FileStateText(const FileState& f);
bool ParseFileState(std::string_view text, FileState* f);

// A stretch of one file that an epoch covers.
struct Segment {
  FileId id;
  std::string path;
  uint64_t from = 0, from_line = 0, to = 0, to_line = 0;
};

// What an epoch's record says it covers: its records, whether it was the
// last batch of a run-once trigger, and where it ended (a generator's row)
// or which stretches of which files it read, in order.
struct Cover {
  int64_t records = 0;
  bool last = false;
  int64_t row = 0, start_ms = 0;  // generators
  std::vector<Segment> segments;  // files
};
std::string CoverText(const Cover& c, bool generator);
// Also reads a generator's record of earlier versions (row and start_ms only).
bool ParseCover(const std::string& text, bool generator, Cover* c);

// Paths in records are kept on one line, without the separator ';': '%',
// ';' and line ends are written as %XX.
std::string EscapePath(std::string_view path);
std::string UnescapePath(std::string_view text);

// One input as listed for a run: stdin, or a file with its identity.
struct Input {
  std::string path;
  bool is_stdin = false;
  FileId id;
};

// The inputs of this run, in the order named ("-": stdin; a "file:" prefix
// is removed); a directory stands for its regular files, by name. Under a
// checkpoint each file (by identity) comes once, as it has one position,
// and anything but a regular file is refused; without, a file named twice
// is read twice, as by cat.
Status ListInputs(const std::vector<std::string>& args, bool checkpointed, std::vector<Input>* out);

// errno as a Status: "WHAT PATH: reason".
Status PathError(const std::string& what, const std::string& path);

// The hash of a file's first `n` bytes (at most kHeadBytes; fewer if it is
// shorter: *got says how many).
uint64_t HeadHash(int fd, size_t n, size_t* got);

}  // namespace source_input
}  // namespace sstream
