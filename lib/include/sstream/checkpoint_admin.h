// Administration of a pipeline's checkpoint (sstream-checkpoint): show what
// it holds, reset it, or rewind it to an earlier epoch, as
// kafka-consumer-groups does for a consumer group's offsets.
//
// Each function opens the checkpoint directory itself (an absent directory
// is "no checkpoint at DIR", never created), writes a report for people (or,
// for Show with `json`, one JSON object) to `out`, and returns a Status
// naming the directory on failure; a damaged record is Corruption. Show only
// reads and works while a pipeline runs. Reset and Rewind first lock every
// stage the checkpoint knows (Checkpoint::LockStage), so they are refused
// while any stage of the pipeline runs, and make all their changes in one
// transaction.
#pragma once

#include <cstdint>
#include <string>

#include "sstream/io.h"
#include "sstream/status.h"

namespace sstream {

// The command line of sstream-checkpoint.
struct CheckpointCommand {
  std::string action;  // show, reset or rewind
  std::string dir;
  bool json = false;  // show: one JSON object instead of text
  std::string to;     // rewind: the epoch to go back to (-1: the start)
};

// Checks the command (a bad action or option is a usage error) and runs it.
Status RunCheckpointCommand(const CheckpointCommand& c, ByteSink* out);

// The checkpoint: its format and cut, and per stage its role, fingerprint,
// committed epoch, state epoch and size, undo records, and for sources the
// epochs kept and where the next run resumes.
Status ShowCheckpoint(const std::string& dir, bool json, ByteSink* out);

// Drops every database but the format record: the next run starts afresh.
Status ResetCheckpoint(const std::string& dir, ByteSink* out);

// Moves the pipeline back so that its next run replays everything after
// `epoch` (-1: from the start): the sinks' commits become `epoch`, stateful
// stages roll back to it with their undo records, and sources forget the
// epochs after it. Refused beyond the cut or before what the undo and epoch
// records still allow.
Status RewindCheckpoint(const std::string& dir, int64_t epoch, ByteSink* out);

}  // namespace sstream
