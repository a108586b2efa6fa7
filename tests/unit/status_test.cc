// Status and the shared exit-status table (status.h).
#include "sstream/status.h"

#include <gtest/gtest.h>

namespace sstream {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.ToString(), "OK");
  EXPECT_TRUE(Status::OK().ok());
}

TEST(StatusTest, FactoriesSetCodeAndMessage) {
  Status s = Status::InvalidArgument("bad value");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_FALSE(s.IsCorruption());
  EXPECT_EQ(s.message(), "bad value");
  EXPECT_EQ(s.ToString(), "invalid argument: bad value");

  EXPECT_TRUE(Status::Corruption("x").IsCorruption());
  EXPECT_EQ(Status::IOError("x").code(), StatusCode::kIOError);
  EXPECT_EQ(Status::NotFound("x").code(), StatusCode::kNotFound);
  EXPECT_EQ(Status::Unavailable("x").code(), StatusCode::kUnavailable);
  EXPECT_EQ(Status::Internal("x").code(), StatusCode::kInternal);
  EXPECT_TRUE(Status::PipeClosed().IsPipeClosed());
  EXPECT_FALSE(Status::PipeClosed().ok());
}

// The one exit-status table of every tool: success and a closed pipe exit 0,
// a damaged frame stream 3, every other error 1.
TEST(StatusTest, ExitCodeForTable) {
  EXPECT_EQ(ExitCodeFor(Status::OK()), kExitOk);
  EXPECT_EQ(ExitCodeFor(Status::PipeClosed()), kExitOk);
  EXPECT_EQ(ExitCodeFor(Status::Corruption("bad magic")), kExitCorrupt);
  EXPECT_EQ(ExitCodeFor(Status::InvalidArgument("x")), kExitFailure);
  EXPECT_EQ(ExitCodeFor(Status::IOError("x")), kExitFailure);
  EXPECT_EQ(ExitCodeFor(Status::NotFound("x")), kExitFailure);
  EXPECT_EQ(ExitCodeFor(Status::Unavailable("x")), kExitFailure);
  EXPECT_EQ(ExitCodeFor(Status::Internal("x")), kExitFailure);
  EXPECT_EQ(ExitCodeFor(Status::Usage("--tumbling: bad duration")), kExitUsage);
  EXPECT_EQ(kExitOk, 0);
  EXPECT_EQ(kExitFailure, 1);
  EXPECT_EQ(kExitUsage, 2);
  EXPECT_EQ(kExitCorrupt, 3);
}

TEST(StatusTest, WithContextPrefixesAndKeepsCode) {
  Status s = Status::InvalidArgument("expected 2 fields, found 1");
  Status c = s.WithContext("line 3").WithContext("reading campaigns.csv");
  EXPECT_EQ(c.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(c.message(), "reading campaigns.csv: line 3: expected 2 fields, found 1");
  // The original is unchanged (WithContext returns a copy).
  EXPECT_EQ(s.message(), "expected 2 fields, found 1");
  EXPECT_EQ(Status::Corruption("bad").WithContext("stdin: byte 16").ToString(),
            "corrupt input: stdin: byte 16: bad");
}

// Option values found unusable before any I/O are usage errors (exit 2);
// other failures while checking options (a missing file) keep their code.
TEST(StatusTest, AsUsageConvertsOnlyInvalidArgument) {
  Status u = Status::AsUsage(Status::InvalidArgument("--tick: bad"));
  EXPECT_EQ(u.code(), StatusCode::kUsage);
  EXPECT_EQ(u.message(), "--tick: bad");
  EXPECT_EQ(ExitCodeFor(u), kExitUsage);
  EXPECT_EQ(Status::AsUsage(Status::NotFound("x.csv")).code(), StatusCode::kNotFound);
  EXPECT_TRUE(Status::AsUsage(Status::OK()).ok());
  EXPECT_EQ(Status::Usage("m").ToString(), "usage error: m");
}

TEST(StatusTest, WithContextOnOkStaysOk) {
  Status s = Status::OK().WithContext("anything");
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.message(), "");
}

Status FailsAt(int step, int* reached) {
  for (int i = 0; i < 3; ++i) {
    *reached = i;
    SSTREAM_RETURN_IF_ERROR(i == step ? Status::IOError("step failed") : Status::OK());
  }
  return Status::OK();
}

TEST(StatusTest, ReturnIfErrorStopsAtFirstError) {
  int reached = -1;
  EXPECT_EQ(FailsAt(1, &reached).code(), StatusCode::kIOError);
  EXPECT_EQ(reached, 1);
  EXPECT_TRUE(FailsAt(5, &reached).ok());
  EXPECT_EQ(reached, 2);
}

}  // namespace
}  // namespace sstream
