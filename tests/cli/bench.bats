#!/usr/bin/env bats
# Smoke test of the YSB benchmark script (tests/bench/ysb.sh): correctness
# only, on a small input. Timings are printed but never asserted.
bats_require_minimum_version 1.8.0
load test_helper

# mawk is required (the reference); python3 and jq are skipped when missing.
ysb_skip_args() {
  local missing=()
  command -v python3 >/dev/null 2>&1 || missing+=(python)
  command -v jq >/dev/null 2>&1 || missing+=(jq)
  if ((${#missing[@]})); then
    local IFS=,
    echo "--skip ${missing[*]}"
  fi
}

@test "ysb.sh: every variant runs and all outputs agree" {
  command -v mawk >/dev/null 2>&1 || skip "mawk is not installed"
  # shellcheck disable=SC2046
  run "$SSTREAM_SOURCE_DIR/tests/bench/ysb.sh" -n 20000 -r 1 --jq-events 5000 $(ysb_skip_args)
  assert_success
  assert_output --partial "outputs agree: "
  assert_output --partial "summary: 20000 events, 1 run(s), outputs agree"
  refute_output --partial "FAILED"
}

@test "ysb.sh: --only runs just the named variants" {
  command -v mawk >/dev/null 2>&1 || skip "mawk is not installed"
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

@test "window.sh: sstream-window on frames and JSON agrees with mawk, and reports memory per group" {
  command -v mawk >/dev/null 2>&1 || skip "mawk is not installed"
  [[ -x /usr/bin/time ]] || skip "GNU time is not installed"
  run "$SSTREAM_SOURCE_DIR/tests/bench/window.sh" -n 30000 -r 1 --keys 10,5000
  assert_success
  assert_output --partial "outputs agree: 100 rows"
  assert_output --partial "outputs agree: 5000 rows"
  # The largest state the stage reported (-v) is what the bytes per group divide by.
  # (A run this short may measure 0.00 s: its rates then show as -.)
  assert_line --regexp '^sstream-binary +[0-9.]+ +[-0-9.]+ +[-0-9.]+ +[0-9.]+ +5000 +[0-9]+$'
  assert_output --partial "summary: 10 keys sstream-binary"
  refute_output --partial "FAILED"
}

@test "window.sh: bad arguments are refused" {
  run "$SSTREAM_SOURCE_DIR/tests/bench/window.sh" --keys 10,x
  assert_failure 2
  assert_output --partial "--keys: 'x' is not a positive integer"
  run "$SSTREAM_SOURCE_DIR/tests/bench/window.sh" -r 0
  assert_failure 2
  assert_output --partial "runs must be a positive integer"
}

@test "map.sh: sstream-map, the pipeline and the baselines write identical output" {
  command -v mawk >/dev/null 2>&1 || skip "mawk is not installed"
  # shellcheck disable=SC2046
  run "$SSTREAM_SOURCE_DIR/tests/bench/map.sh" -n 20000 -r 1 --jq-events 5000 --python-events 5000 \
    $(ysb_skip_args)
  assert_success
  assert_output --regexp "outputs agree: [0-9]+ lines identical across "
  assert_line --regexp '^sstream-map +20000 +1 '
  assert_line --regexp '^sstream-pipeline +20000 +3 '
  assert_line --regexp '^mawk +20000 +1 '
  assert_output --partial "targets : sstream-map "
  assert_output --partial "summary: 20000 events, 1 run(s), outputs agree"
  refute_output --partial "FAILED"
}

@test "map.sh: a variant whose output differs fails the run" {
  command -v mawk >/dev/null 2>&1 || skip "mawk is not installed"
  # A tools directory whose sstream-map drops the last kept event.
  mkdir bin
  for t in sstream-source sstream-sink; do ln -s "$SSTREAM_BIN_DIR/$t" "bin/$t"; done
  printf '#!/usr/bin/env bash\n"%s/sstream-map" "$@" | sed '\''$d'\''\n' "$SSTREAM_BIN_DIR" >bin/sstream-map
  chmod +x bin/sstream-map
  run "$SSTREAM_SOURCE_DIR/tests/bench/map.sh" -n 3000 -r 1 -b bin --only sstream-map,mawk
  assert_failure 1
  assert_output --partial "FAILED: sstream-map (warm-up): output differs from mawk's"
  assert_line --regexp '^sstream-map +3000 +1 +FAILED'
  assert_output --partial "summary: 3000 events, 1 run(s): FAILED"
}

@test "map.sh: bad arguments are refused" {
  run "$SSTREAM_SOURCE_DIR/tests/bench/map.sh" -n 0
  assert_failure 2
  assert_output --partial "events must be a positive integer"
  run "$SSTREAM_SOURCE_DIR/tests/bench/map.sh" --only nosuchtool
  assert_failure 2
  assert_output --partial "unknown variant"
  run "$SSTREAM_SOURCE_DIR/tests/bench/map.sh" --only mawk --skip jq
  assert_failure 2
  assert_output --partial "exclude each other"
}

@test "checkpoint.sh: outputs agree with and without checkpoints, and after a restart" {
  [[ -x /usr/bin/time ]] || skip "GNU time is not installed"
  run "$SSTREAM_SOURCE_DIR/tests/bench/checkpoint.sh" -n 20000 -r 1 --keys 2000
  assert_success
  assert_output --partial "outputs agree: 100 rows identical with and without checkpoints"
  assert_line --regexp '^checkpoint +20000 +[0-9.]+ '
  assert_output --partial "checkpoint size after a run: "
  # The drained checkpoint held the window's 2000 groups; every restart and
  # every run from scratch wrote exactly them.
  assert_output --partial "drained run (stdout sink): 2000 groups"
  assert_line --regexp '^restart-stdout +[0-9.]+ +[0-9.]+ +[0-9.]+ '
  assert_line --regexp '^restart-path +[0-9.]+ +[0-9.]+ +[0-9.]+ '
  assert_line --regexp '^scratch-stdout +- +[0-9.]+ +[0-9.]+ '
  assert_output --partial "outputs agree: 2000 rows of the closed window identical across restart-stdout restart-path scratch-stdout scratch-path"
  assert_output --partial "summary: 1 run(s), outputs agree"
  refute_output --partial "FAILED"
}

@test "checkpoint.sh: a checkpointed pipeline whose output differs fails the run" {
  [[ -x /usr/bin/time ]] || skip "GNU time is not installed"
  # A tools directory whose sstream-map drops its first record under --checkpoint.
  mkdir bin
  for t in sstream-source sstream-join sstream-window sstream-sink; do ln -s "$SSTREAM_BIN_DIR/$t" "bin/$t"; done
  cat >bin/sstream-map <<SH
#!/usr/bin/env bash
[[ " \$* " == *" --checkpoint "* ]] || exec "$SSTREAM_BIN_DIR/sstream-map" "\$@"
"$SSTREAM_BIN_DIR/sstream-map" --control always "\$@" | awk '/^\{"ad_id"/ && !n++ { next } 1'
SH
  chmod +x bin/sstream-map
  run "$SSTREAM_SOURCE_DIR/tests/bench/checkpoint.sh" -n 3000 -r 1 -b bin --only throughput
  assert_failure 1
  assert_output --partial "FAILED: throughput checkpoint (warm-up): rows differ from no-checkpoint (warm-up)"
  assert_line --regexp '^checkpoint +3000 +FAILED'
  assert_output --partial "summary: 1 run(s): FAILED"
}

@test "checkpoint.sh: bad arguments are refused" {
  run "$SSTREAM_SOURCE_DIR/tests/bench/checkpoint.sh" --keys 0
  assert_failure 2
  assert_output --partial "keys must be a positive integer"
  run "$SSTREAM_SOURCE_DIR/tests/bench/checkpoint.sh" --only nosuchpart
  assert_failure 2
  assert_output --partial "unknown part"
  run "$SSTREAM_SOURCE_DIR/tests/bench/checkpoint.sh" --wire xml
  assert_failure 2
  assert_output --partial "--wire must be json or binary"
}
