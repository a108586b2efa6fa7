#!/usr/bin/env bats
# Smoke test of the YSB benchmark script (tests/bench/ysb.sh): correctness
# only, on a small input. Timings are printed but never asserted.
bats_require_minimum_version 1.8.0
load test_helper

@test "ysb.sh: every variant runs and all outputs agree" {
  run "$SSTREAM_SOURCE_DIR/tests/bench/ysb.sh" -n 20000 -r 1 --jq-events 5000
  assert_success
  assert_output --partial "outputs agree: "
  assert_output --partial "summary: 20000 events, 1 run(s), outputs agree"
  refute_output --partial "FAILED"
}

@test "ysb.sh: --only runs just the named variants" {
  run "$SSTREAM_SOURCE_DIR/tests/bench/ysb.sh" -n 2000 -r 1 --only sstream-json,mawk
  assert_success
  assert_output --partial "outputs agree: "
  assert_line --regexp '^sstream-json +2000 +5 '
  assert_line --regexp '^mawk +2000 +1 '
  refute_line --regexp '^(python|jq|sstream-binary) '
}

@test "ysb.sh: bad arguments are refused" {
  run "$SSTREAM_SOURCE_DIR/tests/bench/ysb.sh" -n 0
  assert_failure 2
  assert_output --partial "must be a positive integer"
  run "$SSTREAM_SOURCE_DIR/tests/bench/ysb.sh" --only nosuchtool
  assert_failure 2
  assert_output --partial "unknown variant"
}
