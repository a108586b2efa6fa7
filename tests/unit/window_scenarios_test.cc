// Spark Structured Streaming scenarios for sstream-window, one table row each.
//
// Every scenario reproduces a test of Apache Spark's own suites (or an example
// of its documentation), named in `spark`, with that test's micro-batch
// boundaries and expected rows; SPEC §3 lists the rules they pin down.
//
// How to read a scenario:
//   args      sstream-window options, as on the command line ('...' quotes a
//             value with blanks).
//   input     one item per line: a JSON record; `tick` closes a micro-batch
//             (a TICK with the next epoch, 0, 1, ...); `wm N` is a WATERMARK
//             announced by upstream (N in ms); `end` is END.
//   expected  the whole output, one item per line: data rows verbatim,
//             `tick N`, `wm N` (the watermark in ms) and `end` for the
//             control signals; or `error: TEXT` when the query is refused and
//             TEXT is part of the message.
// Blanks around items do not count, and a line ending in a backslash goes on
// on the next line (long rows).
// Spark's timestamps in seconds become numbers read with --time-format s, so
// window bounds come out in seconds too. An aggregation Spark runs without a
// window becomes one day-long tumbling window that holds every row (t = 0).
// Rows after the last `tick` are the end-of-input flush (append mode emits
// every open window, as Spark's batch query over the same data would); Spark
// itself would only emit them once later data moved the watermark.
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "sstream/time.h"
#include "sstream/window.h"
#include "stage_harness.h"

namespace sstream {
namespace {

struct Scenario {
  const char* name;      // gtest parameter name
  const char* spark;     // the Spark test (suite "test name") or documentation section
  const char* args;      // sstream-window options
  const char* input;     // records, tick, wm N, end
  const char* expected;  // rows, tick N, wm N, end; or error: TEXT
};

// Non-blank lines of `text`, without their leading and trailing blanks; a
// line that ends in a backslash continues on the next one.
std::vector<std::string> TextLines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  bool continued = false;
  while (std::getline(in, line)) {
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos) continue;
    std::string item = line.substr(b, line.find_last_not_of(" \t") - b + 1);
    const bool continues = item.back() == '\\';
    if (continues) item.pop_back();
    if (continued) {
      out.back() += item;
    } else {
      out.push_back(item);
    }
    continued = continues;
  }
  return out;
}

// Splits at blanks; '...' groups a value that holds blanks.
std::vector<std::string> SplitArgs(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false, any = false;
  for (char c : text) {
    if (c == '\'') {
      quoted = !quoted;
      any = true;
    } else if (!quoted && (c == ' ' || c == '\t')) {
      if (any) out.push_back(cur);
      cur.clear();
      any = false;
    } else {
      cur.push_back(c);
      any = true;
    }
  }
  if (any) out.push_back(cur);
  return out;
}

// Fills `o` from command-line options; false (with a test failure) on an
// option it does not know.
bool ParseArgs(const std::string& text, WindowOptions* o) {
  const std::vector<std::string> args = SplitArgs(text);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--inverse") {
      o->inverse = true;
      continue;
    }
    if (a == "--drop-zero") {
      o->drop_zero = true;
      continue;
    }
    if (a == "--within-watermark") {
      o->within_watermark = true;
      continue;
    }
    if (i + 1 >= args.size()) {
      ADD_FAILURE() << a << " needs a value";
      return false;
    }
    const std::string& v = args[++i];
    if (a == "--time") {
      o->time_field = v;
    } else if (a == "--time-format") {
      o->time_format = v;
    } else if (a == "--output-time-format") {
      o->output_time_format = v;
    } else if (a == "--tumbling") {
      o->tumbling = v;
    } else if (a == "--sliding") {
      o->sliding = v;
    } else if (a == "--slide") {
      o->slide = v;
    } else if (a == "--offset") {
      o->offset = v;
    } else if (a == "--session") {
      o->session = v;
    } else if (a == "--session-gap-field") {
      o->session_gap_field = v;
    } else if (a == "--watermark") {
      o->watermark = v;
    } else if (a == "--by") {
      o->by.push_back(v);
    } else if (a == "--agg") {
      o->agg = v;
    } else if (a == "--mode") {
      o->mode = v;
    } else if (a == "--late-output") {
      o->late_output = v;
    } else if (a == "--idle-timeout") {
      o->idle_timeout = v;
    } else if (a == "--watermark-policy") {
      o->watermark_policy = v;
    } else if (a == "--batch-window") {
      o->batch_window = std::stoll(v);
    } else if (a == "--batch-slide") {
      o->batch_slide = std::stoll(v);
    } else if (a == "--dedup") {
      o->dedup.push_back(v);
    } else {
      ADD_FAILURE() << "unknown option " << a;
      return false;
    }
  }
  return true;
}

std::string WatermarkLine(int64_t ms) {
  return "{\"@sstream\":\"watermark\",\"ms\":" + std::to_string(ms) + ",\"time\":\"" +
         FormatIso(ms) + "\"}";
}

// The scenario's input as JSON lines on the wire.
std::string WireInput(const std::string& text) {
  std::string out;
  int64_t epoch = 0;
  for (const std::string& item : TextLines(text)) {
    if (item == "tick") {
      out += testing_util::Tick(epoch++);
    } else if (item == "end") {
      out += testing_util::kEnd;
    } else if (item.rfind("wm ", 0) == 0) {
      out += WatermarkLine(std::stoll(item.substr(3)));
    } else {
      out += item;
    }
    out += '\n';
  }
  return out;
}

// The number after `"key":` in a control line.
std::string NumberAfter(const std::string& line, const std::string& key) {
  size_t p = line.find("\"" + key + "\":");
  if (p == std::string::npos) return "?";
  p += key.size() + 3;
  size_t e = line.find_first_not_of("-0123456789", p);
  return line.substr(p, e - p);
}

// The output in the compact form of `expected`.
std::string CompactOutput(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) {
    if (l.empty()) continue;
    if (l.rfind("{\"@sstream\":\"tick\"", 0) == 0) {
      out += "tick " + NumberAfter(l, "epoch");
    } else if (l.rfind("{\"@sstream\":\"watermark\"", 0) == 0) {
      out += "wm " + NumberAfter(l, "ms");
    } else if (l == testing_util::kEnd) {
      out += "end";
    } else {
      out += l;
    }
    out += '\n';
  }
  return out;
}

std::string Compact(const std::string& text) {
  std::string out;
  for (const std::string& l : TextLines(text)) out += l + "\n";
  return out;
}

// ---- the scenarios ----

const Scenario kScenarios[] = {
    // ---- window arithmetic (SPEC §3 rule 1) ----
    {"TumblingWindowsAlignToTheEpoch",
     "DataFrameTimeWindowingSuite \"tumbling window groupBy statement\"",
     "--time time --time-format iso --tumbling 10s --agg 'count AS counts' --mode complete",
     R"~(
       {"time":"2016-03-27 19:39:34","value":1,"id":"a"}
       {"time":"2016-03-27 19:39:56","value":2,"id":"a"}
       {"time":"2016-03-27 19:39:27","value":4,"id":"b"}
       tick
       end
     )~",
     R"~(
       {"window_start":"2016-03-27T19:39:20.000Z","window_end":"2016-03-27T19:39:30.000Z",\
        "counts":1}
       {"window_start":"2016-03-27T19:39:30.000Z","window_end":"2016-03-27T19:39:40.000Z",\
        "counts":1}
       {"window_start":"2016-03-27T19:39:50.000Z","window_end":"2016-03-27T19:40:00.000Z",\
        "counts":1}
       tick 0
       end
     )~"},
    {"TumblingWindowsWithAStartTime",
     "DataFrameTimeWindowingSuite \"tumbling window groupBy statement with startTime\"",
     "--time time --time-format iso --tumbling 10s --offset 5s --by id "
     "--agg 'count AS counts' --mode complete",
     R"~(
       {"time":"2016-03-27 19:39:34","value":1,"id":"a"}
       {"time":"2016-03-27 19:39:56","value":2,"id":"a"}
       {"time":"2016-03-27 19:39:27","value":4,"id":"b"}
       tick
       end
     )~",
     R"~(
       {"window_start":"2016-03-27T19:39:25.000Z","window_end":"2016-03-27T19:39:35.000Z","id":"a",\
        "counts":1}
       {"window_start":"2016-03-27T19:39:25.000Z","window_end":"2016-03-27T19:39:35.000Z","id":"b",\
        "counts":1}
       {"window_start":"2016-03-27T19:39:55.000Z","window_end":"2016-03-27T19:40:05.000Z","id":"a",\
        "counts":1}
       tick 0
       end
     )~"},
    {"WindowsStartingBefore1970", "DataFrameTimeWindowingSuite \"negative timestamps\"",
     "--time time --time-format iso --tumbling 10s --offset 5s --agg 'first(value) AS value' "
     "--mode complete",
     R"~(
       {"time":"1970-01-01 00:00:02","value":1}
       {"time":"1970-01-01 00:00:12","value":2}
       tick
       end
     )~",
     R"~(
       {"window_start":"1969-12-31T23:59:55.000Z","window_end":"1970-01-01T00:00:05.000Z","value":1}
       {"window_start":"1970-01-01T00:00:05.000Z","window_end":"1970-01-01T00:00:15.000Z","value":2}
       tick 0
       end
     )~"},
    {"SlidingWindowsHoldEveryRowThatFits",
     "DataFrameTimeWindowingSuite \"sliding window grouping\"",
     "--time time --time-format iso --sliding 10s --slide 3s --agg 'count AS counts' "
     "--mode complete",
     R"~(
       {"time":"2016-03-27 19:39:34","value":1,"id":"a"}
       {"time":"2016-03-27 19:39:56","value":2,"id":"a"}
       {"time":"2016-03-27 19:39:27","value":4,"id":"b"}
       tick
       end
     )~",
     R"~(
       {"window_start":"2016-03-27T19:39:18.000Z","window_end":"2016-03-27T19:39:28.000Z",\
        "counts":1}
       {"window_start":"2016-03-27T19:39:21.000Z","window_end":"2016-03-27T19:39:31.000Z",\
        "counts":1}
       {"window_start":"2016-03-27T19:39:24.000Z","window_end":"2016-03-27T19:39:34.000Z",\
        "counts":1}
       {"window_start":"2016-03-27T19:39:27.000Z","window_end":"2016-03-27T19:39:37.000Z",\
        "counts":2}
       {"window_start":"2016-03-27T19:39:30.000Z","window_end":"2016-03-27T19:39:40.000Z",\
        "counts":1}
       {"window_start":"2016-03-27T19:39:33.000Z","window_end":"2016-03-27T19:39:43.000Z",\
        "counts":1}
       {"window_start":"2016-03-27T19:39:48.000Z","window_end":"2016-03-27T19:39:58.000Z",\
        "counts":1}
       {"window_start":"2016-03-27T19:39:51.000Z","window_end":"2016-03-27T19:40:01.000Z",\
        "counts":1}
       {"window_start":"2016-03-27T19:39:54.000Z","window_end":"2016-03-27T19:40:04.000Z",\
        "counts":1}
       tick 0
       end
     )~"},
    {"MillisecondSlidingWindows",
     "DataFrameTimeWindowingSuite \"millisecond precision sliding windows\"",
     "--time time --time-format iso --sliding 200ms --slide 40ms --agg 'count AS counts' "
     "--mode complete",
     R"~(
       {"time":"2016-03-27 09:00:00.41","value":3}
       {"time":"2016-03-27 09:00:00.62","value":6}
       {"time":"2016-03-27 09:00:00.715","value":8}
       tick
       end
     )~",
     R"~(
       {"window_start":"2016-03-27T09:00:00.240Z","window_end":"2016-03-27T09:00:00.440Z",\
        "counts":1}
       {"window_start":"2016-03-27T09:00:00.280Z","window_end":"2016-03-27T09:00:00.480Z",\
        "counts":1}
       {"window_start":"2016-03-27T09:00:00.320Z","window_end":"2016-03-27T09:00:00.520Z",\
        "counts":1}
       {"window_start":"2016-03-27T09:00:00.360Z","window_end":"2016-03-27T09:00:00.560Z",\
        "counts":1}
       {"window_start":"2016-03-27T09:00:00.400Z","window_end":"2016-03-27T09:00:00.600Z",\
        "counts":1}
       {"window_start":"2016-03-27T09:00:00.440Z","window_end":"2016-03-27T09:00:00.640Z",\
        "counts":1}
       {"window_start":"2016-03-27T09:00:00.480Z","window_end":"2016-03-27T09:00:00.680Z",\
        "counts":1}
       {"window_start":"2016-03-27T09:00:00.520Z","window_end":"2016-03-27T09:00:00.720Z",\
        "counts":2}
       {"window_start":"2016-03-27T09:00:00.560Z","window_end":"2016-03-27T09:00:00.760Z",\
        "counts":2}
       {"window_start":"2016-03-27T09:00:00.600Z","window_end":"2016-03-27T09:00:00.800Z",\
        "counts":2}
       {"window_start":"2016-03-27T09:00:00.640Z","window_end":"2016-03-27T09:00:00.840Z",\
        "counts":1}
       {"window_start":"2016-03-27T09:00:00.680Z","window_end":"2016-03-27T09:00:00.880Z",\
        "counts":1}
       tick 0
       end
     )~"},

    // ---- watermark and output modes (SPEC §3 rules 2-5) ----
    // The watermark 25 - 10 = 15 takes effect at the boundary of batch 1 (Spark's
    // no-data batch); in batch 2 the row at 10 is late: window end 15 <= 15.
    {"AppendEmitsOnceTheWatermarkPassesTheEnd", "EventTimeWatermarkSuite \"append mode\"",
     "--time t --time-format s --tumbling 5s --watermark 10s --mode append",
     R"~(
       {"t":10}
       {"t":11}
       {"t":12}
       {"t":13}
       {"t":14}
       {"t":15}
       tick
       {"t":25}
       tick
       {"t":10}
       tick
       end
     )~",
     R"~(
       wm 5000
       tick 0
       {"window_start":10,"window_end":15,"count":5}
       wm 15000
       tick 1
       tick 2
       {"window_start":15,"window_end":20,"count":1}
       {"window_start":25,"window_end":30,"count":1}
       end
     )~"},
    {"UpdateEmitsChangedGroupsAndDropsLateRows", "EventTimeWatermarkSuite \"update mode\"",
     "--time t --time-format s --tumbling 5s --watermark 10s --mode update",
     R"~(
       {"t":10}
       {"t":11}
       {"t":12}
       {"t":13}
       {"t":14}
       {"t":15}
       tick
       {"t":25}
       tick
       {"t":10}
       {"t":25}
       tick
       {"t":10}
       tick
       end
     )~",
     R"~(
       {"window_start":10,"window_end":15,"count":5}
       {"window_start":15,"window_end":20,"count":1}
       wm 5000
       tick 0
       {"window_start":25,"window_end":30,"count":1}
       wm 15000
       tick 1
       {"window_start":25,"window_end":30,"count":2}
       tick 2
       tick 3
       end
     )~"},
    {"CompleteKeepsEverythingAndDropsNothing", "EventTimeWatermarkSuite \"complete mode\"",
     "--time t --time-format s --tumbling 5s --watermark 10s --mode complete",
     R"~(
       {"t":10}
       {"t":11}
       {"t":12}
       tick
       {"t":25}
       tick
       {"t":25}
       tick
       {"t":10}
       tick
       {"t":25}
       tick
       end
     )~",
     R"~(
       {"window_start":10,"window_end":15,"count":3}
       wm 2000
       tick 0
       {"window_start":10,"window_end":15,"count":3}
       {"window_start":25,"window_end":30,"count":1}
       wm 15000
       tick 1
       {"window_start":10,"window_end":15,"count":3}
       {"window_start":25,"window_end":30,"count":2}
       tick 2
       {"window_start":10,"window_end":15,"count":4}
       {"window_start":25,"window_end":30,"count":2}
       tick 3
       {"window_start":10,"window_end":15,"count":4}
       {"window_start":25,"window_end":30,"count":3}
       tick 4
       end
     )~"},
    // Batch 1's rows are older than batch 0's: the watermark stays at 5 (it
    // never decreases) and they still count, as their window ends at 15 > 5.
    {"WatermarkNeverDecreases", "EventTimeWatermarkSuite \"event time and watermark metrics\"",
     "--time t --time-format s --tumbling 5s --watermark 10s --mode append",
     R"~(
       {"t":15}
       tick
       {"t":10}
       {"t":12}
       {"t":14}
       tick
       {"t":25}
       tick
       end
     )~",
     R"~(
       wm 5000
       tick 0
       tick 1
       {"window_start":10,"window_end":15,"count":3}
       wm 15000
       tick 2
       {"window_start":15,"window_end":20,"count":1}
       {"window_start":25,"window_end":30,"count":1}
       end
     )~"},
    // The guide's word counts: 10-minute windows sliding every 5 minutes, a
    // 10-minute watermark. In the third batch 12:08 dog still counts although
    // 12:21 owl of the same batch moves the watermark to 12:11; in the fourth,
    // 12:04 donkey is late for both of its windows and dropped.
    {"GuideLateDataExampleInUpdateMode",
     "Structured Streaming Programming Guide, \"Handling Late Data and Watermarking\"",
     "--time time --time-format iso --sliding 10m --slide 5m --watermark 10m --by word "
     "--mode update",
     R"~(
       {"time":"1970-01-01T12:07:00Z","word":"dog"}
       {"time":"1970-01-01T12:08:00Z","word":"owl"}
       tick
       {"time":"1970-01-01T12:14:00Z","word":"dog"}
       {"time":"1970-01-01T12:09:00Z","word":"cat"}
       tick
       {"time":"1970-01-01T12:15:00Z","word":"cat"}
       {"time":"1970-01-01T12:08:00Z","word":"dog"}
       {"time":"1970-01-01T12:13:00Z","word":"owl"}
       {"time":"1970-01-01T12:21:00Z","word":"owl"}
       tick
       {"time":"1970-01-01T12:17:00Z","word":"owl"}
       {"time":"1970-01-01T12:04:00Z","word":"donkey"}
       tick
     )~",
     R"~(
       {"window_start":"1970-01-01T12:00:00.000Z","window_end":"1970-01-01T12:10:00.000Z",\
        "word":"dog","count":1}
       {"window_start":"1970-01-01T12:00:00.000Z","window_end":"1970-01-01T12:10:00.000Z",\
        "word":"owl","count":1}
       {"window_start":"1970-01-01T12:05:00.000Z","window_end":"1970-01-01T12:15:00.000Z",\
        "word":"dog","count":1}
       {"window_start":"1970-01-01T12:05:00.000Z","window_end":"1970-01-01T12:15:00.000Z",\
        "word":"owl","count":1}
       wm 43080000
       tick 0
       {"window_start":"1970-01-01T12:00:00.000Z","window_end":"1970-01-01T12:10:00.000Z",\
        "word":"cat","count":1}
       {"window_start":"1970-01-01T12:05:00.000Z","window_end":"1970-01-01T12:15:00.000Z",\
        "word":"cat","count":1}
       {"window_start":"1970-01-01T12:05:00.000Z","window_end":"1970-01-01T12:15:00.000Z",\
        "word":"dog","count":2}
       {"window_start":"1970-01-01T12:10:00.000Z","window_end":"1970-01-01T12:20:00.000Z",\
        "word":"dog","count":1}
       wm 43440000
       tick 1
       {"window_start":"1970-01-01T12:00:00.000Z","window_end":"1970-01-01T12:10:00.000Z",\
        "word":"dog","count":2}
       {"window_start":"1970-01-01T12:05:00.000Z","window_end":"1970-01-01T12:15:00.000Z",\
        "word":"dog","count":3}
       {"window_start":"1970-01-01T12:05:00.000Z","window_end":"1970-01-01T12:15:00.000Z",\
        "word":"owl","count":2}
       {"window_start":"1970-01-01T12:10:00.000Z","window_end":"1970-01-01T12:20:00.000Z",\
        "word":"cat","count":1}
       {"window_start":"1970-01-01T12:10:00.000Z","window_end":"1970-01-01T12:20:00.000Z",\
        "word":"owl","count":1}
       {"window_start":"1970-01-01T12:15:00.000Z","window_end":"1970-01-01T12:25:00.000Z",\
        "word":"cat","count":1}
       {"window_start":"1970-01-01T12:15:00.000Z","window_end":"1970-01-01T12:25:00.000Z",\
        "word":"owl","count":1}
       {"window_start":"1970-01-01T12:20:00.000Z","window_end":"1970-01-01T12:30:00.000Z",\
        "word":"owl","count":1}
       wm 43860000
       tick 2
       {"window_start":"1970-01-01T12:10:00.000Z","window_end":"1970-01-01T12:20:00.000Z",\
        "word":"owl","count":2}
       {"window_start":"1970-01-01T12:15:00.000Z","window_end":"1970-01-01T12:25:00.000Z",\
        "word":"owl","count":2}
       tick 3
       end
     )~"},
    // Watermark 17 - 5 = 12: the row at 9 is late for [0, 10) (10 <= 12) but
    // counts in [5, 15) (15 > 12).
    {"SlidingRowLateForOneWindowNotTheNext",
     "Structured Streaming Programming Guide, \"Handling Late Data and Watermarking\"",
     "--time t --time-format s --sliding 10s --slide 5s --watermark 5s --mode append",
     R"~(
       {"t":17}
       tick
       {"t":9}
       tick
       end
     )~",
     R"~(
       wm 12000
       tick 0
       tick 1
       {"window_start":5,"window_end":15,"count":1}
       {"window_start":10,"window_end":20,"count":1}
       {"window_start":15,"window_end":25,"count":1}
       end
     )~"},

    // ---- own and upstream watermarks (SPEC §3 rule 2) ----
    // The rows are Spark's first stream (delay 10 s); the `wm` lines are the
    // second stream's watermark (delay 5 s), announced by upstream. The global
    // watermark is their minimum, and never decreases. Batch 0 holds Spark's
    // first two steps, so that both streams have data from the start.
    {"MinimumOfOwnAndUpstreamWatermarks", "EventTimeWatermarkSuite \"watermark with 2 streams\"",
     "--time t --time-format s --tumbling 10s --watermark 10s --mode append",
     R"~(
       {"t":11}
       wm 1000
       tick
       wm 3000
       tick
       {"t":21}
       tick
       wm 34000
       tick
       {"t":31}
       tick
       {"t":41}
       tick
       {"t":51}
       tick
       {"t":100}
       wm 95000
       tick
       {"t":120}
       wm 105000
       tick
       {"t":130}
       wm 120000
       tick
       {"t":100}
       wm 95000
       tick
       {"t":140}
       wm 95000
       tick
       {"t":100}
       wm 130000
       tick
       end
     )~",
     R"~(
       wm 1000
       tick 0
       tick 1
       wm 3000
       tick 2
       wm 11000
       tick 3
       {"window_start":10,"window_end":20,"count":1}
       wm 21000
       tick 4
       {"window_start":20,"window_end":30,"count":1}
       wm 31000
       tick 5
       wm 34000
       tick 6
       {"window_start":30,"window_end":40,"count":1}
       {"window_start":40,"window_end":50,"count":1}
       {"window_start":50,"window_end":60,"count":1}
       wm 90000
       tick 7
       wm 105000
       tick 8
       {"window_start":100,"window_end":110,"count":1}
       wm 120000
       tick 9
       tick 10
       tick 11
       {"window_start":120,"window_end":130,"count":1}
       wm 130000
       tick 12
       {"window_start":130,"window_end":140,"count":1}
       {"window_start":140,"window_end":150,"count":1}
       end
     )~"},
    // Rows: input1 (delay 10 s); `wm`: input2's watermark (delay 15 s).
    {"MultipleWatermarkPolicyMin", "EventTimeWatermarkSuite \"MultipleWatermarkPolicy: min\"",
     "--time t --time-format s --tumbling 10s --watermark 10s --watermark-policy min "
     "--mode append",
     R"~(
       {"t":20}
       wm 15000
       tick
       {"t":120}
       wm 115000
       tick
       wm 135000
       tick
       end
     )~",
     R"~(
       wm 10000
       tick 0
       {"window_start":20,"window_end":30,"count":1}
       wm 110000
       tick 1
       tick 2
       {"window_start":120,"window_end":130,"count":1}
       end
     )~"},
    {"MultipleWatermarkPolicyMax", "EventTimeWatermarkSuite \"MultipleWatermarkPolicy: max\"",
     "--time t --time-format s --tumbling 10s --watermark 10s --watermark-policy max "
     "--mode append",
     R"~(
       {"t":20}
       wm 15000
       tick
       {"t":120}
       wm 115000
       tick
       {"t":150}
       tick
       end
     )~",
     R"~(
       wm 15000
       tick 0
       {"window_start":20,"window_end":30,"count":1}
       wm 115000
       tick 1
       {"window_start":120,"window_end":130,"count":1}
       wm 140000
       tick 2
       {"window_start":150,"window_end":160,"count":1}
       end
     )~"},
    {"NegativeDelayIsRefused",
     "EventTimeWatermarkSuite \"delay threshold should not be negative.\"",
     "--time t --tumbling 5s --watermark -10s", "", "error: negative durations are not allowed"},

    // ---- session windows (SPEC §3 rule 6) ----
    // Words are session ids; gap 10 s, watermark 30 s. Batch 1 opens sessions
    // before the existing ones, batch 2 is late (0 + 10 <= 11), batch 3 bridges
    // [25, 35) and [40, ...) with [30, 40) (touching sessions merge).
    {"SessionsInAppendMode", "StreamingSessionWindowSuite \"append mode - session window\"",
     "--time t --time-format s --session 10s --watermark 30s --by sessionId "
     "--agg 'count AS numEvents' --mode append",
     R"~(
       {"t":40,"sessionId":"hello"}
       {"t":40,"sessionId":"world"}
       {"t":40,"sessionId":"spark"}
       {"t":40,"sessionId":"streaming"}
       {"t":41,"sessionId":"world"}
       {"t":41,"sessionId":"hello"}
       {"t":41,"sessionId":"structured"}
       {"t":41,"sessionId":"streaming"}
       tick
       {"t":25,"sessionId":"spark"}
       {"t":25,"sessionId":"streaming"}
       tick
       {"t":0,"sessionId":"spark"}
       {"t":0,"sessionId":"streaming"}
       tick
       {"t":30,"sessionId":"spark"}
       {"t":30,"sessionId":"streaming"}
       tick
       {"t":60,"sessionId":"hello"}
       {"t":60,"sessionId":"apache"}
       {"t":60,"sessionId":"spark"}
       tick
       {"t":90,"sessionId":"structured"}
       {"t":90,"sessionId":"streaming"}
       tick
       end
     )~",
     R"~(
       wm 11000
       tick 0
       tick 1
       tick 2
       tick 3
       wm 30000
       tick 4
       {"session_start":25,"session_end":50,"sessionId":"spark","numEvents":3}
       {"session_start":25,"session_end":51,"sessionId":"streaming","numEvents":4}
       {"session_start":40,"session_end":51,"sessionId":"hello","numEvents":2}
       {"session_start":40,"session_end":51,"sessionId":"world","numEvents":2}
       {"session_start":41,"session_end":51,"sessionId":"structured","numEvents":1}
       wm 60000
       tick 5
       {"session_start":60,"session_end":70,"sessionId":"apache","numEvents":1}
       {"session_start":60,"session_end":70,"sessionId":"hello","numEvents":1}
       {"session_start":60,"session_end":70,"sessionId":"spark","numEvents":1}
       {"session_start":90,"session_end":100,"sessionId":"streaming","numEvents":1}
       {"session_start":90,"session_end":100,"sessionId":"structured","numEvents":1}
       end
     )~"},
    {"SessionsInCompleteMode", "StreamingSessionWindowSuite \"complete mode - session window\"",
     "--time t --time-format s --session 10s --watermark 30s --by sessionId "
     "--agg 'count AS numEvents' --mode complete",
     R"~(
       {"t":40,"sessionId":"hello"}
       {"t":40,"sessionId":"world"}
       {"t":40,"sessionId":"spark"}
       {"t":40,"sessionId":"streaming"}
       {"t":41,"sessionId":"world"}
       {"t":41,"sessionId":"hello"}
       {"t":41,"sessionId":"structured"}
       {"t":41,"sessionId":"streaming"}
       tick
       {"t":25,"sessionId":"spark"}
       {"t":25,"sessionId":"streaming"}
       tick
       {"t":30,"sessionId":"spark"}
       {"t":30,"sessionId":"streaming"}
       tick
       {"t":60,"sessionId":"hello"}
       {"t":60,"sessionId":"apache"}
       {"t":60,"sessionId":"spark"}
       tick
       {"t":90,"sessionId":"structured"}
       {"t":90,"sessionId":"streaming"}
       tick
       end
     )~",
     R"~(
       {"session_start":40,"session_end":51,"sessionId":"hello","numEvents":2}
       {"session_start":40,"session_end":50,"sessionId":"spark","numEvents":1}
       {"session_start":40,"session_end":51,"sessionId":"streaming","numEvents":2}
       {"session_start":40,"session_end":51,"sessionId":"world","numEvents":2}
       {"session_start":41,"session_end":51,"sessionId":"structured","numEvents":1}
       wm 11000
       tick 0
       {"session_start":25,"session_end":35,"sessionId":"spark","numEvents":1}
       {"session_start":25,"session_end":35,"sessionId":"streaming","numEvents":1}
       {"session_start":40,"session_end":51,"sessionId":"hello","numEvents":2}
       {"session_start":40,"session_end":50,"sessionId":"spark","numEvents":1}
       {"session_start":40,"session_end":51,"sessionId":"streaming","numEvents":2}
       {"session_start":40,"session_end":51,"sessionId":"world","numEvents":2}
       {"session_start":41,"session_end":51,"sessionId":"structured","numEvents":1}
       tick 1
       {"session_start":25,"session_end":50,"sessionId":"spark","numEvents":3}
       {"session_start":25,"session_end":51,"sessionId":"streaming","numEvents":4}
       {"session_start":40,"session_end":51,"sessionId":"hello","numEvents":2}
       {"session_start":40,"session_end":51,"sessionId":"world","numEvents":2}
       {"session_start":41,"session_end":51,"sessionId":"structured","numEvents":1}
       tick 2
       {"session_start":25,"session_end":50,"sessionId":"spark","numEvents":3}
       {"session_start":25,"session_end":51,"sessionId":"streaming","numEvents":4}
       {"session_start":40,"session_end":51,"sessionId":"hello","numEvents":2}
       {"session_start":40,"session_end":51,"sessionId":"world","numEvents":2}
       {"session_start":41,"session_end":51,"sessionId":"structured","numEvents":1}
       {"session_start":60,"session_end":70,"sessionId":"apache","numEvents":1}
       {"session_start":60,"session_end":70,"sessionId":"hello","numEvents":1}
       {"session_start":60,"session_end":70,"sessionId":"spark","numEvents":1}
       wm 30000
       tick 3
       {"session_start":25,"session_end":50,"sessionId":"spark","numEvents":3}
       {"session_start":25,"session_end":51,"sessionId":"streaming","numEvents":4}
       {"session_start":40,"session_end":51,"sessionId":"hello","numEvents":2}
       {"session_start":40,"session_end":51,"sessionId":"world","numEvents":2}
       {"session_start":41,"session_end":51,"sessionId":"structured","numEvents":1}
       {"session_start":60,"session_end":70,"sessionId":"apache","numEvents":1}
       {"session_start":60,"session_end":70,"sessionId":"hello","numEvents":1}
       {"session_start":60,"session_end":70,"sessionId":"spark","numEvents":1}
       {"session_start":90,"session_end":100,"sessionId":"streaming","numEvents":1}
       {"session_start":90,"session_end":100,"sessionId":"structured","numEvents":1}
       wm 60000
       tick 4
       end
     )~"},
    // Each row gives its own gap: "hello" 1 s, "structured" 0 s and "world"
    // -10 s (both filtered out), the others 10 s.
    {"SessionGapPerRow", "StreamingSessionWindowSuite \"SPARK-36465: dynamic gap duration\"",
     "--time t --time-format s --session-gap-field gap --watermark 30s --by sessionId "
     "--agg 'count AS numEvents' --mode append",
     R"~(
       {"t":40,"sessionId":"hello","gap":"1 second"}
       {"t":40,"sessionId":"world","gap":"-10 seconds"}
       {"t":40,"sessionId":"spark","gap":"10 seconds"}
       {"t":40,"sessionId":"streaming","gap":"10 seconds"}
       {"t":41,"sessionId":"world","gap":"-10 seconds"}
       {"t":41,"sessionId":"hello","gap":"1 second"}
       {"t":41,"sessionId":"structured","gap":"0 second"}
       {"t":41,"sessionId":"streaming","gap":"10 seconds"}
       tick
       {"t":25,"sessionId":"spark","gap":"10 seconds"}
       {"t":25,"sessionId":"streaming","gap":"10 seconds"}
       tick
       {"t":0,"sessionId":"spark","gap":"10 seconds"}
       {"t":0,"sessionId":"streaming","gap":"10 seconds"}
       tick
       {"t":30,"sessionId":"spark","gap":"10 seconds"}
       {"t":30,"sessionId":"streaming","gap":"10 seconds"}
       tick
       {"t":60,"sessionId":"hello","gap":"1 second"}
       {"t":60,"sessionId":"apache","gap":"10 seconds"}
       {"t":60,"sessionId":"spark","gap":"10 seconds"}
       tick
       {"t":90,"sessionId":"structured","gap":"0 second"}
       {"t":90,"sessionId":"streaming","gap":"10 seconds"}
       tick
       end
     )~",
     R"~(
       wm 11000
       tick 0
       tick 1
       tick 2
       tick 3
       wm 30000
       tick 4
       {"session_start":25,"session_end":50,"sessionId":"spark","numEvents":3}
       {"session_start":25,"session_end":51,"sessionId":"streaming","numEvents":4}
       {"session_start":40,"session_end":42,"sessionId":"hello","numEvents":2}
       wm 60000
       tick 5
       {"session_start":60,"session_end":70,"sessionId":"apache","numEvents":1}
       {"session_start":60,"session_end":61,"sessionId":"hello","numEvents":1}
       {"session_start":60,"session_end":70,"sessionId":"spark","numEvents":1}
       {"session_start":90,"session_end":100,"sessionId":"streaming","numEvents":1}
       end
     )~"},
    {"SessionsRefuseUpdateMode", "StreamingSessionWindowSuite \"update mode - session window\"",
     "--time t --session 10s --watermark 30s --by sessionId --mode update", "",
     "error: update mode is not supported with session windows"},
    {"SessionsNeedAGroupKey",
     "StreamingSessionWindowSuite \"append mode - session window - no key\"",
     "--time t --session 5s --watermark 10s --mode append", "",
     "error: session windows need a group key"},

    // ---- aggregates and group keys ----
    {"GroupBySeveralFields", "StreamingAggregationSuite \"multiple keys\"",
     "--time t --time-format s --tumbling 1d --by value --by plus1 --mode update",
     R"~(
       {"t":0,"value":1,"plus1":2}
       {"t":0,"value":2,"plus1":3}
       tick
       {"t":0,"value":1,"plus1":2}
       {"t":0,"value":2,"plus1":3}
       tick
       end
     )~",
     R"~(
       {"window_start":0,"window_end":86400,"value":1,"plus1":2,"count":1}
       {"window_start":0,"window_end":86400,"value":2,"plus1":3,"count":1}
       tick 0
       {"window_start":0,"window_end":86400,"value":1,"plus1":2,"count":2}
       {"window_start":0,"window_end":86400,"value":2,"plus1":3,"count":2}
       tick 1
       end
     )~"},
    {"SumPerKey", "StreamingAggregationSuite \"typed aggregators\"",
     "--time t --time-format s --tumbling 1d --by _1 --agg 'sum(_2) AS value' --mode update",
     R"~(
       {"t":0,"_1":"a","_2":10}
       {"t":0,"_1":"a","_2":20}
       {"t":0,"_1":"b","_2":1}
       {"t":0,"_1":"b","_2":2}
       {"t":0,"_1":"c","_2":1}
       tick
       end
     )~",
     R"~(
       {"window_start":0,"window_end":86400,"_1":"a","value":30}
       {"window_start":0,"window_end":86400,"_1":"b","value":3}
       {"window_start":0,"window_end":86400,"_1":"c","value":1}
       tick 0
       end
     )~"},
    {"CountDistinct", "StreamingAggregationSuite \"count distinct\"",
     "--time t --time-format s --tumbling 1d --by _1 --agg 'count(DISTINCT value)' --mode update",
     R"~(
       {"t":0,"_1":1,"value":1}
       {"t":0,"_1":1,"value":2}
       tick
       end
     )~",
     R"~(
       {"window_start":0,"window_end":86400,"_1":1,"count(DISTINCT value)":2}
       tick 0
       end
     )~"},
    {"LastChangesWithNewBatches",
     "StreamingAggregationSuite \"SPARK-22230: last should change with new batches\"",
     "--time t --time-format s --tumbling 1d --agg 'last(value)' --mode complete",
     R"~(
       {"t":0,"value":1}
       {"t":0,"value":2}
       {"t":0,"value":3}
       tick
       {"t":0,"value":4}
       {"t":0,"value":5}
       {"t":0,"value":6}
       tick
       tick
       {"t":0,"value":0}
       tick
       end
     )~",
     R"~(
       {"window_start":0,"window_end":86400,"last(value)":3}
       tick 0
       {"window_start":0,"window_end":86400,"last(value)":6}
       tick 1
       {"window_start":0,"window_end":86400,"last(value)":6}
       tick 2
       {"window_start":0,"window_end":86400,"last(value)":0}
       tick 3
       end
     )~"},
    {"SeveralNamedAggregates",
     "Structured Streaming Programming Guide, \"Window Operations on Event Time\"",
     "--time t --time-format s --tumbling 10s --watermark 5s --by device --agg 'count AS n, "
     "sum(signal) AS total, avg(signal) AS mean, min(signal) AS lo, max(signal) AS hi, "
     "count(DISTINCT signal) AS kinds, first(signal) AS first_signal, last(signal) AS last_signal'",
     R"~(
       {"t":1,"device":"a","signal":4}
       {"t":2,"device":"a","signal":10}
       {"t":3,"device":"b","signal":7}
       {"t":4,"device":"a","signal":4}
       tick
       {"t":16,"device":"a","signal":1}
       tick
       end
     )~",
     R"~(
       tick 0
       {"window_start":0,"window_end":10,"device":"a","n":3,"total":18,"mean":6,"lo":4,"hi":10,\
        "kinds":2,"first_signal":4,"last_signal":4}
       {"window_start":0,"window_end":10,"device":"b","n":1,"total":7,"mean":7,"lo":7,"hi":7,\
        "kinds":1,"first_signal":7,"last_signal":7}
       wm 11000
       tick 1
       {"window_start":10,"window_end":20,"device":"a","n":1,"total":1,"mean":1,"lo":1,"hi":1,\
        "kinds":1,"first_signal":1,"last_signal":1}
       end
     )~"},

    // ---- deduplication (SPEC §3 rule 7) ----
    {"DedupWithoutWatermark", "StreamingDeduplicationSuite \"deduplicate with all columns\"",
     "--dedup value",
     R"~(
       {"value":"a"}
       tick
       {"value":"a"}
       tick
       {"value":"b"}
       tick
       end
     )~",
     R"~(
       {"value":"a"}
       tick 0
       tick 1
       {"value":"b"}
       tick 2
       end
     )~"},
    {"DedupOnSomeFields", "StreamingDeduplicationSuite \"deduplicate with some columns\"",
     "--dedup _1",
     R"~(
       {"_1":"a","_2":1}
       tick
       {"_1":"a","_2":2}
       tick
       {"_1":"b","_2":1}
       tick
       end
     )~",
     R"~(
       {"_1":"a","_2":1}
       tick 0
       tick 1
       {"_1":"b","_2":1}
       tick 2
       end
     )~"},
    // The event time is the key: keys <= the watermark are forgotten and rows
    // <= the watermark are late.
    {"DedupWithWatermark", "StreamingDeduplicationSuite \"deduplicate with watermark\"",
     "--dedup eventTime --time eventTime --time-format s --watermark 10s",
     R"~(
       {"eventTime":10}
       {"eventTime":11}
       {"eventTime":12}
       {"eventTime":13}
       {"eventTime":14}
       {"eventTime":15}
       {"eventTime":10}
       {"eventTime":11}
       {"eventTime":12}
       {"eventTime":13}
       {"eventTime":14}
       {"eventTime":15}
       {"eventTime":10}
       {"eventTime":15}
       tick
       {"eventTime":25}
       tick
       {"eventTime":10}
       tick
       {"eventTime":45}
       tick
       end
     )~",
     R"~(
       {"eventTime":10}
       {"eventTime":11}
       {"eventTime":12}
       {"eventTime":13}
       {"eventTime":14}
       {"eventTime":15}
       wm 5000
       tick 0
       {"eventTime":25}
       wm 15000
       tick 1
       tick 2
       {"eventTime":45}
       wm 35000
       tick 3
       end
     )~"},
    {"DedupKeyWithEventTime",
     "StreamingDeduplicationSuite \"SPARK-19841: watermarkPredicate should filter based on keys\"",
     "--dedup id --dedup time --time time --time-format s --watermark 1s",
     R"~(
       {"time":1,"id":1}
       {"time":1,"id":1}
       {"time":1,"id":2}
       tick
       {"time":1,"id":1}
       {"time":2,"id":3}
       {"time":2,"id":4}
       tick
       {"time":1,"id":0}
       {"time":1,"id":1}
       {"time":3,"id":5}
       {"time":3,"id":6}
       tick
       {"time":1,"id":0}
       {"time":4,"id":7}
       tick
       end
     )~",
     R"~(
       {"time":1,"id":1}
       {"time":1,"id":2}
       tick 0
       {"time":2,"id":3}
       {"time":2,"id":4}
       wm 1000
       tick 1
       {"time":3,"id":5}
       {"time":3,"id":6}
       wm 2000
       tick 2
       {"time":4,"id":7}
       wm 3000
       tick 3
       end
     )~"},
    {"DedupKeyWithoutEventTime",
     "StreamingDeduplicationSuite \"SPARK-21546: dropDuplicates should ignore watermark when "
     "it's not a key\"",
     "--dedup id --time time --time-format s --watermark 1s",
     R"~(
       {"id":1,"time":1}
       {"id":1,"time":2}
       {"id":2,"time":2}
       tick
       end
     )~",
     R"~(
       {"id":1,"time":1}
       {"id":2,"time":2}
       wm 1000
       tick 0
       end
     )~"},
    // Delay 2 s: "a" at 17 is remembered until 19 <= watermark; 16 is a
    // duplicate, 13 is late (<= 15); after the watermark reaches 20, "a" is new.
    {"DedupWithinWatermark",
     "StreamingDeduplicationWithinWatermarkSuite \"deduplicate with subset of columns which "
     "event time column is not in subset\"",
     "--dedup _1 --within-watermark --time eventTime --time-format s --watermark 2s",
     R"~(
       {"_1":"a","eventTime":17}
       tick
       {"_1":"a","eventTime":16}
       tick
       {"_1":"a","eventTime":13}
       tick
       {"_1":"b","eventTime":22}
       {"_1":"c","eventTime":21}
       tick
       {"_1":"a","eventTime":21}
       tick
       {"_1":"d","eventTime":25}
       tick
       end
     )~",
     R"~(
       {"_1":"a","eventTime":17}
       wm 15000
       tick 0
       tick 1
       tick 2
       {"_1":"b","eventTime":22}
       {"_1":"c","eventTime":21}
       wm 20000
       tick 3
       {"_1":"a","eventTime":21}
       tick 4
       {"_1":"d","eventTime":25}
       wm 23000
       tick 5
       end
     )~"},
    // The event-time field may be a key too: each distinct time is kept until
    // it is 10 s behind the watermark; 5 is late once the watermark is 7.
    {"DedupWithinWatermarkWithTheEventTimeInTheKey",
     "StreamingDeduplicationWithinWatermarkSuite \"deduplicate with all columns with event time "
     "column in DataFrame\"",
     "--dedup eventTime --within-watermark --time eventTime --time-format s --watermark 10s",
     R"~(
       {"eventTime":10}
       {"eventTime":11}
       {"eventTime":12}
       {"eventTime":13}
       {"eventTime":14}
       {"eventTime":15}
       {"eventTime":10}
       {"eventTime":11}
       {"eventTime":15}
       tick
       {"eventTime":13}
       {"eventTime":14}
       {"eventTime":15}
       {"eventTime":16}
       {"eventTime":17}
       tick
       {"eventTime":5}
       tick
       {"eventTime":35}
       tick
       {"eventTime":55}
       tick
       end
     )~",
     R"~(
       {"eventTime":10}
       {"eventTime":11}
       {"eventTime":12}
       {"eventTime":13}
       {"eventTime":14}
       {"eventTime":15}
       wm 5000
       tick 0
       {"eventTime":16}
       {"eventTime":17}
       wm 7000
       tick 1
       tick 2
       {"eventTime":35}
       wm 25000
       tick 3
       {"eventTime":55}
       wm 45000
       tick 4
       end
     )~"},
    {"DedupWithinWatermarkNeedsAWatermark",
     "StreamingDeduplicationWithinWatermarkSuite \"deduplicate without event time column should "
     "result in error\"",
     "--dedup value --within-watermark", "",
     "error: --within-watermark needs --time FIELD and --watermark DELAY"},

    // ---- DStreams windows over batches (SPEC §3 rule 9; batch interval 1 s) ----
    {"CountByWindow", "WindowOperationsSuite \"countByWindow\"", "--batch-window 2",
     R"~(
       {"v":1}
       tick
       {"v":1}
       tick
       {"v":1}
       {"v":2}
       tick
       {"v":0}
       tick
       tick
       tick
       end
     )~",
     R"~(
       {"batch_window_start":-1,"batch_window_end":0,"count":1}
       tick 0
       {"batch_window_start":0,"batch_window_end":1,"count":2}
       tick 1
       {"batch_window_start":1,"batch_window_end":2,"count":3}
       tick 2
       {"batch_window_start":2,"batch_window_end":3,"count":3}
       tick 3
       {"batch_window_start":3,"batch_window_end":4,"count":1}
       tick 4
       {"batch_window_start":4,"batch_window_end":5,"count":0}
       tick 5
       end
     )~"},
    {"ReduceByKeyAndWindowLargerSlide",
     "WindowOperationsSuite \"reduceByKeyAndWindow - larger slide time\"",
     "--batch-window 4 --batch-slide 2 --by k --agg 'sum(v)'",
     R"~(
       {"k":"a","v":1}
       tick
       {"k":"a","v":2}
       tick
       {"k":"a","v":3}
       tick
       {"k":"a","v":4}
       tick
       {"k":"a","v":5}
       tick
       {"k":"a","v":6}
       tick
       tick
       tick
       end
     )~",
     R"~(
       tick 0
       {"batch_window_start":-2,"batch_window_end":1,"k":"a","sum(v)":3}
       tick 1
       tick 2
       {"batch_window_start":0,"batch_window_end":3,"k":"a","sum(v)":10}
       tick 3
       tick 4
       {"batch_window_start":2,"batch_window_end":5,"k":"a","sum(v)":18}
       tick 5
       tick 6
       {"batch_window_start":4,"batch_window_end":7,"k":"a","sum(v)":11}
       tick 7
       end
     )~"},
    // bigInput of the suite: batches a | a b | a b c | a b | a | - , twice.
    {"ReduceByKeyAndWindowBigTest", "WindowOperationsSuite \"reduceByKeyAndWindow - big test\"",
     "--batch-window 2 --by k --agg 'sum(v)'",
     R"~(
       {"k":"a","v":1}
       tick
       {"k":"a","v":1}
       {"k":"b","v":1}
       tick
       {"k":"a","v":1}
       {"k":"b","v":1}
       {"k":"c","v":1}
       tick
       {"k":"a","v":1}
       {"k":"b","v":1}
       tick
       {"k":"a","v":1}
       tick
       tick
       {"k":"a","v":1}
       tick
       {"k":"a","v":1}
       {"k":"b","v":1}
       tick
       {"k":"a","v":1}
       {"k":"b","v":1}
       {"k":"c","v":1}
       tick
       {"k":"a","v":1}
       {"k":"b","v":1}
       tick
       {"k":"a","v":1}
       tick
       tick
       end
     )~",
     R"~(
       {"batch_window_start":-1,"batch_window_end":0,"k":"a","sum(v)":1}
       tick 0
       {"batch_window_start":0,"batch_window_end":1,"k":"a","sum(v)":2}
       {"batch_window_start":0,"batch_window_end":1,"k":"b","sum(v)":1}
       tick 1
       {"batch_window_start":1,"batch_window_end":2,"k":"a","sum(v)":2}
       {"batch_window_start":1,"batch_window_end":2,"k":"b","sum(v)":2}
       {"batch_window_start":1,"batch_window_end":2,"k":"c","sum(v)":1}
       tick 2
       {"batch_window_start":2,"batch_window_end":3,"k":"a","sum(v)":2}
       {"batch_window_start":2,"batch_window_end":3,"k":"b","sum(v)":2}
       {"batch_window_start":2,"batch_window_end":3,"k":"c","sum(v)":1}
       tick 3
       {"batch_window_start":3,"batch_window_end":4,"k":"a","sum(v)":2}
       {"batch_window_start":3,"batch_window_end":4,"k":"b","sum(v)":1}
       tick 4
       {"batch_window_start":4,"batch_window_end":5,"k":"a","sum(v)":1}
       tick 5
       {"batch_window_start":5,"batch_window_end":6,"k":"a","sum(v)":1}
       tick 6
       {"batch_window_start":6,"batch_window_end":7,"k":"a","sum(v)":2}
       {"batch_window_start":6,"batch_window_end":7,"k":"b","sum(v)":1}
       tick 7
       {"batch_window_start":7,"batch_window_end":8,"k":"a","sum(v)":2}
       {"batch_window_start":7,"batch_window_end":8,"k":"b","sum(v)":2}
       {"batch_window_start":7,"batch_window_end":8,"k":"c","sum(v)":1}
       tick 8
       {"batch_window_start":8,"batch_window_end":9,"k":"a","sum(v)":2}
       {"batch_window_start":8,"batch_window_end":9,"k":"b","sum(v)":2}
       {"batch_window_start":8,"batch_window_end":9,"k":"c","sum(v)":1}
       tick 9
       {"batch_window_start":9,"batch_window_end":10,"k":"a","sum(v)":2}
       {"batch_window_start":9,"batch_window_end":10,"k":"b","sum(v)":1}
       tick 10
       {"batch_window_start":10,"batch_window_end":11,"k":"a","sum(v)":1}
       tick 11
       end
     )~"},
    // With the inverse function keys stay in the window at 0.
    {"ReduceByKeyAndWindowInverseBigTest",
     "WindowOperationsSuite \"reduceByKeyAndWindow with inverse function - big test\"",
     "--batch-window 2 --by k --agg 'sum(v)' --inverse",
     R"~(
       {"k":"a","v":1}
       tick
       {"k":"a","v":1}
       {"k":"b","v":1}
       tick
       {"k":"a","v":1}
       {"k":"b","v":1}
       {"k":"c","v":1}
       tick
       {"k":"a","v":1}
       {"k":"b","v":1}
       tick
       {"k":"a","v":1}
       tick
       tick
       {"k":"a","v":1}
       tick
       {"k":"a","v":1}
       {"k":"b","v":1}
       tick
       {"k":"a","v":1}
       {"k":"b","v":1}
       {"k":"c","v":1}
       tick
       {"k":"a","v":1}
       {"k":"b","v":1}
       tick
       {"k":"a","v":1}
       tick
       tick
       end
     )~",
     R"~(
       {"batch_window_start":-1,"batch_window_end":0,"k":"a","sum(v)":1}
       tick 0
       {"batch_window_start":0,"batch_window_end":1,"k":"a","sum(v)":2}
       {"batch_window_start":0,"batch_window_end":1,"k":"b","sum(v)":1}
       tick 1
       {"batch_window_start":1,"batch_window_end":2,"k":"a","sum(v)":2}
       {"batch_window_start":1,"batch_window_end":2,"k":"b","sum(v)":2}
       {"batch_window_start":1,"batch_window_end":2,"k":"c","sum(v)":1}
       tick 2
       {"batch_window_start":2,"batch_window_end":3,"k":"a","sum(v)":2}
       {"batch_window_start":2,"batch_window_end":3,"k":"b","sum(v)":2}
       {"batch_window_start":2,"batch_window_end":3,"k":"c","sum(v)":1}
       tick 3
       {"batch_window_start":3,"batch_window_end":4,"k":"a","sum(v)":2}
       {"batch_window_start":3,"batch_window_end":4,"k":"b","sum(v)":1}
       {"batch_window_start":3,"batch_window_end":4,"k":"c","sum(v)":0}
       tick 4
       {"batch_window_start":4,"batch_window_end":5,"k":"a","sum(v)":1}
       {"batch_window_start":4,"batch_window_end":5,"k":"b","sum(v)":0}
       {"batch_window_start":4,"batch_window_end":5,"k":"c","sum(v)":0}
       tick 5
       {"batch_window_start":5,"batch_window_end":6,"k":"a","sum(v)":1}
       {"batch_window_start":5,"batch_window_end":6,"k":"b","sum(v)":0}
       {"batch_window_start":5,"batch_window_end":6,"k":"c","sum(v)":0}
       tick 6
       {"batch_window_start":6,"batch_window_end":7,"k":"a","sum(v)":2}
       {"batch_window_start":6,"batch_window_end":7,"k":"b","sum(v)":1}
       {"batch_window_start":6,"batch_window_end":7,"k":"c","sum(v)":0}
       tick 7
       {"batch_window_start":7,"batch_window_end":8,"k":"a","sum(v)":2}
       {"batch_window_start":7,"batch_window_end":8,"k":"b","sum(v)":2}
       {"batch_window_start":7,"batch_window_end":8,"k":"c","sum(v)":1}
       tick 8
       {"batch_window_start":8,"batch_window_end":9,"k":"a","sum(v)":2}
       {"batch_window_start":8,"batch_window_end":9,"k":"b","sum(v)":2}
       {"batch_window_start":8,"batch_window_end":9,"k":"c","sum(v)":1}
       tick 9
       {"batch_window_start":9,"batch_window_end":10,"k":"a","sum(v)":2}
       {"batch_window_start":9,"batch_window_end":10,"k":"b","sum(v)":1}
       {"batch_window_start":9,"batch_window_end":10,"k":"c","sum(v)":0}
       tick 10
       {"batch_window_start":10,"batch_window_end":11,"k":"a","sum(v)":1}
       {"batch_window_start":10,"batch_window_end":11,"k":"b","sum(v)":0}
       {"batch_window_start":10,"batch_window_end":11,"k":"c","sum(v)":0}
       tick 11
       end
     )~"},
    {"ReduceByKeyAndWindowInverseAndFilterBigTest",
     "WindowOperationsSuite \"reduceByKeyAndWindow with inverse and filter functions - big test\"",
     "--batch-window 2 --by k --agg 'sum(v)' --inverse --drop-zero",
     R"~(
       {"k":"a","v":1}
       tick
       {"k":"a","v":1}
       {"k":"b","v":1}
       tick
       {"k":"a","v":1}
       {"k":"b","v":1}
       {"k":"c","v":1}
       tick
       {"k":"a","v":1}
       {"k":"b","v":1}
       tick
       {"k":"a","v":1}
       tick
       tick
       {"k":"a","v":1}
       tick
       {"k":"a","v":1}
       {"k":"b","v":1}
       tick
       {"k":"a","v":1}
       {"k":"b","v":1}
       {"k":"c","v":1}
       tick
       {"k":"a","v":1}
       {"k":"b","v":1}
       tick
       {"k":"a","v":1}
       tick
       tick
       end
     )~",
     R"~(
       {"batch_window_start":-1,"batch_window_end":0,"k":"a","sum(v)":1}
       tick 0
       {"batch_window_start":0,"batch_window_end":1,"k":"a","sum(v)":2}
       {"batch_window_start":0,"batch_window_end":1,"k":"b","sum(v)":1}
       tick 1
       {"batch_window_start":1,"batch_window_end":2,"k":"a","sum(v)":2}
       {"batch_window_start":1,"batch_window_end":2,"k":"b","sum(v)":2}
       {"batch_window_start":1,"batch_window_end":2,"k":"c","sum(v)":1}
       tick 2
       {"batch_window_start":2,"batch_window_end":3,"k":"a","sum(v)":2}
       {"batch_window_start":2,"batch_window_end":3,"k":"b","sum(v)":2}
       {"batch_window_start":2,"batch_window_end":3,"k":"c","sum(v)":1}
       tick 3
       {"batch_window_start":3,"batch_window_end":4,"k":"a","sum(v)":2}
       {"batch_window_start":3,"batch_window_end":4,"k":"b","sum(v)":1}
       tick 4
       {"batch_window_start":4,"batch_window_end":5,"k":"a","sum(v)":1}
       tick 5
       {"batch_window_start":5,"batch_window_end":6,"k":"a","sum(v)":1}
       tick 6
       {"batch_window_start":6,"batch_window_end":7,"k":"a","sum(v)":2}
       {"batch_window_start":6,"batch_window_end":7,"k":"b","sum(v)":1}
       tick 7
       {"batch_window_start":7,"batch_window_end":8,"k":"a","sum(v)":2}
       {"batch_window_start":7,"batch_window_end":8,"k":"b","sum(v)":2}
       {"batch_window_start":7,"batch_window_end":8,"k":"c","sum(v)":1}
       tick 8
       {"batch_window_start":8,"batch_window_end":9,"k":"a","sum(v)":2}
       {"batch_window_start":8,"batch_window_end":9,"k":"b","sum(v)":2}
       {"batch_window_start":8,"batch_window_end":9,"k":"c","sum(v)":1}
       tick 9
       {"batch_window_start":9,"batch_window_end":10,"k":"a","sum(v)":2}
       {"batch_window_start":9,"batch_window_end":10,"k":"b","sum(v)":1}
       tick 10
       {"batch_window_start":10,"batch_window_end":11,"k":"a","sum(v)":1}
       tick 11
       end
     )~"},
    {"ReduceByKeyAndWindowInverseKeyRemoved",
     "WindowOperationsSuite \"reduceByKeyAndWindow with inverse function - key removed from "
     "window\"",
     "--batch-window 2 --by k --agg 'sum(v)' --inverse",
     R"~(
       {"k":"a","v":1}
       tick
       {"k":"a","v":1}
       tick
       tick
       tick
       end
     )~",
     R"~(
       {"batch_window_start":-1,"batch_window_end":0,"k":"a","sum(v)":1}
       tick 0
       {"batch_window_start":0,"batch_window_end":1,"k":"a","sum(v)":2}
       tick 1
       {"batch_window_start":1,"batch_window_end":2,"k":"a","sum(v)":1}
       tick 2
       {"batch_window_start":2,"batch_window_end":3,"k":"a","sum(v)":0}
       tick 3
       end
     )~"},
    {"CountByValueAndWindow", "WindowOperationsSuite \"countByValueAndWindow\"",
     "--batch-window 2 --by value",
     R"~(
       {"value":"a"}
       tick
       {"value":"b"}
       {"value":"b"}
       tick
       {"value":"a"}
       {"value":"b"}
       tick
       end
     )~",
     R"~(
       {"batch_window_start":-1,"batch_window_end":0,"value":"a","count":1}
       tick 0
       {"batch_window_start":0,"batch_window_end":1,"value":"a","count":1}
       {"batch_window_start":0,"batch_window_end":1,"value":"b","count":2}
       tick 1
       {"batch_window_start":1,"batch_window_end":2,"value":"a","count":1}
       {"batch_window_start":1,"batch_window_end":2,"value":"b","count":3}
       tick 2
       end
     )~"},

    // ---- refused queries (SPEC §3 rule 10) ----
    {"AppendWithoutWatermarkIsRefused", "StreamingAggregationSuite \"simple count, append mode\"",
     "--time t --tumbling 10s --by value --mode append", "",
     "error: append mode needs a watermark"},
    {"SlideLongerThanWindowIsRefused",
     "AnalysisErrorSuite \"slide duration greater than window in time window\"",
     "--time t --sliding 1s --slide 2s --mode update", "",
     "error: --slide must not be longer than the window"},
    {"StartTimeEqualToSlideIsRefused",
     "AnalysisErrorSuite \"start time equal to slide duration in time window\"",
     "--time t --tumbling 1s --offset 1s --mode update", "",
     "error: --offset must be smaller than the slide"},

    // ---- end of input (SPEC §3 rule 5; sstream(7) END) ----
    // Replaying a whole input as one batch gives the batch query's answer:
    // every window, whatever the watermark.
    {"EndOfInputFlushesOpenWindows",
     "EventTimeWatermarkSuite \"EventTime watermark should be ignored in batch query.\"",
     "--time t --time-format s --tumbling 10s --watermark 1m --mode append",
     R"~(
       {"t":5}
       {"t":25}
       {"t":15}
       {"t":7}
       end
     )~",
     R"~(
       tick 0
       {"window_start":0,"window_end":10,"count":2}
       {"window_start":10,"window_end":20,"count":1}
       {"window_start":20,"window_end":30,"count":1}
       end
     )~"},
};

class WindowScenarioTest : public ::testing::TestWithParam<Scenario> {};

TEST_P(WindowScenarioTest, Spark) {
  const Scenario& s = GetParam();
  SCOPED_TRACE(std::string("Spark: ") + s.spark);
  WindowOptions options;
  ASSERT_TRUE(ParseArgs(s.args, &options));
  std::unique_ptr<Operator> op;
  Status status = NewWindowStage(options, &op);
  const std::string expected = Compact(s.expected);
  if (expected.rfind("error: ", 0) == 0) {
    EXPECT_TRUE(testing_util::FailsWith(status, expected.substr(7, expected.size() - 8)));
    return;
  }
  ASSERT_TRUE(status.ok()) << status.ToString();
  testing_util::StageRun run = testing_util::RunOperator(op.get(), WireInput(s.input));
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(CompactOutput(run.lines), expected);
}

INSTANTIATE_TEST_SUITE_P(WindowScenarios, WindowScenarioTest, ::testing::ValuesIn(kScenarios),
                         [](const ::testing::TestParamInfo<Scenario>& param) {
                           return std::string(param.param.name);
                         });

}  // namespace
}  // namespace sstream
