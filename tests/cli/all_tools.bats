bats_require_minimum_version 1.8.0
load test_helper

# Conventions every tool keeps (coreutils' help/version style, the shared exit
# statuses, pipes and signals, the binary frame reader).

STAGES=(sstream-map sstream-window sstream-join sstream-sink)

# The smallest options that make each stage run on gen:ysb events.
stage_args() {
  case "$1" in
    sstream-window) echo "--time event_time --tumbling 1s --mode update" ;;
    sstream-join) echo "--static campaigns.csv --on ad_id" ;;
    *) echo "" ;;
  esac
}

# An option value outside the tool's choices (none: the tool has no
# enumerated option).
bad_choice() {
  case "$1" in
    sstream-source) echo "--format xml" ;;
    sstream-map) echo "--wire xml" ;;
    sstream-window) echo "--time t --tumbling 1s --mode sometimes" ;;
    sstream-join) echo "--static campaigns.csv --on ad_id --how outer" ;;
    sstream-sink) echo "--format xml" ;;
  esac
}

project_version() {
  sed -n 's/^project(sstream VERSION \([0-9.]*\).*/\1/p' "$SSTREAM_SOURCE_DIR/CMakeLists.txt"
}

@test "--help exits 0 and shows the usage line, the options and examples" {
  local tool
  for tool in "${TOOLS[@]}"; do
    run -0 --separate-stderr "$tool" --help
    assert_stderr_empty
    assert_line --regexp "^Usage: $tool \\[OPTIONS\\]"
    assert_line --partial "--help"
    assert_line "Examples:"
    assert_line "See $tool(1) and sstream(7) for details."
  done
}

@test "--version prints the tool, the project version and the wire format version" {
  local tool version
  version=$(project_version)
  [[ -n "$version" ]]
  for tool in "${TOOLS[@]}"; do
    run -0 --separate-stderr "$tool" --version
    assert_output "$tool $version (wire format version 1)"
    assert_stderr_empty
  done
}

@test "an unknown option exits 2 with a hint to try --help" {
  local tool
  for tool in "${TOOLS[@]}"; do
    run -2 --separate-stderr "$tool" --no-such-option < /dev/null
    assert_output ""
    assert_stderr_contains "$tool: error: " "Try '$tool --help' for more information."
  done
}

@test "a value outside an option's choices exits 2 naming the choices" {
  make_campaigns campaigns.csv
  local tool
  for tool in "${TOOLS[@]}"; do
    [[ -n "$(bad_choice "$tool")" ]] || continue
    # shellcheck disable=SC2046
    run -2 --separate-stderr "$tool" $(bad_choice "$tool") < /dev/null
    assert_output ""
    assert_stderr_contains "$tool: error: " "not in {" "Try '$tool --help'"
  done
}

# issue-10: a bad --checkpoint-name exited 1.
@test "issue-10: a bad --checkpoint-name is a usage error (exit 2) in every tool" {
  make_campaigns
  local tool
  for tool in "${STAGES[@]}"; do
    for name in a/b "$(printf 'a\tb')" "$(printf 'n%.0s' {1..101})"; do
      run -2 --separate-stderr "$tool" $(stage_args "$tool") --checkpoint cp --checkpoint-name "$name" </dev/null
      assert_stderr_contains "$tool: error: --checkpoint-name: bad stage name"
    done
  done
  run -2 --separate-stderr sstream-source --checkpoint cp --checkpoint-name a/b gen:rate --count 1
  assert_stderr_contains "sstream-source: error: --checkpoint-name: bad stage name 'a/b'"
  [[ ! -e cp ]]
}

@test "a missing option value exits 2" {
  local tool
  for tool in "${TOOLS[@]}"; do
    run -2 --separate-stderr "$tool" --bad-records < /dev/null
    assert_stderr_contains "Try '$tool --help'"
  done
}

# The hidden --generate mode (used by tools/regen-docs.sh) of one tool; the
# spec must list an option the tool has (--bad-records for every stage).
check_spec() {
  local option=--bad-records
  [[ "$1" != sstream-checkpoint ]] || option=--json
  run -0 --separate-stderr "$1" --generate=spec
  assert_stderr_empty
  run -0 jq -r --arg option "$option" \
    '.name, (.options | length > 0), ([.options[].names[]] | index($option) != null)' \
    <<< "$output"
  assert_line --index 0 "$1"
  assert_line --index 1 true
  assert_line --index 2 true
}
check_generators() {
  local kind
  for kind in man bash zsh fish; do
    run -0 --separate-stderr "$1" --generate="$kind"
    [[ -n "$output" ]] || fail "$1 --generate=$kind printed nothing"
    assert_stderr_empty
  done
}

@test "--generate=spec prints valid JSON describing the tool's options" {
  local tool
  for tool in "${TOOLS[@]}"; do check_spec "$tool"; done
}

@test "--generate=man, bash, zsh and fish print something for every tool" {
  local tool
  for tool in "${TOOLS[@]}"; do check_generators "$tool"; done
}

@test "--generate works without the options a run requires (--time, --tumbling, --static, --on)" {
  # sstream-window and sstream-join have required options; documentation
  # generation must not need them.
  run -0 --separate-stderr sstream-window --generate spec
  run -0 jq -r '.name' <<< "$output"
  assert_output sstream-window
  run -0 --separate-stderr sstream-join --generate=bash
  assert_output --partial "sstream-join"
  run -2 --separate-stderr sstream-join --generate=pdf
}

@test "every stage exits 0 quietly when downstream closes the pipe (| head -n 1)" {
  make_campaigns campaigns.csv
  local tool
  for tool in "${STAGES[@]}"; do
    run_pipeline -0 "sstream-source gen:ysb --count 300000 | $tool $(stage_args "$tool") | head -n 1"
    assert_equal "${#lines[@]}" 1
    refute_output --partial "error"
  done
}

@test "every stage exits 0 quietly when downstream closes a binary pipe" {
  make_campaigns campaigns.csv
  local tool
  for tool in sstream-map sstream-window sstream-join; do
    run_pipeline -0 "sstream-source gen:ysb --count 300000 --wire binary 2> up.err | $tool --wire binary $(stage_args "$tool") 2> stage.err | head -c 100 | wc -c"
    assert_output 100
    run -0 cat up.err stage.err
    assert_output ""
  done
}

@test "SIGTERM makes a stage waiting on an open stdin exit 0 within about 3 s" {
  make_campaigns campaigns.csv
  local tool pids=()
  for tool in "${STAGES[@]}"; do
    # shellcheck disable=SC2046
    start_on_quiet_stdin "$tool" "$tool" $(stage_args "$tool")
    pids+=("$QUIET_PID")
  done
  sleep 0.3
  kill -TERM "${pids[@]}"
  local i
  for i in "${!pids[@]}"; do
    wait_exit "${pids[$i]}" 3
    assert_equal "${STAGES[$i]} exit $status" "${STAGES[$i]} exit 0"
    run -0 cat "${STAGES[$i]}.err"
    assert_output ""
  done
}

# Binary streams for the damage tests: ten records with event times, and the
# byte offset where the sixth frame starts (the size of the first five).
make_frames() {
  local i
  for i in 0 1 2 3 4 5 6 7 8 9; do
    echo "{\"i\":$i,\"event_time\":1767225600000,\"ad_id\":\"x\"}"
  done > ten.ndjson
  head -n 5 ten.ndjson > five.ndjson
  sstream-source --wire binary --data-only ten.ndjson > good.bin
  sixth=$(sstream-source --wire binary --data-only five.ndjson | wc -c)
}

# flip_byte FILE OFFSET: overwrite one byte with 'X'.
flip_byte() {
  printf 'X' | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

@test "every stage reads the undamaged binary stream" {
  make_campaigns campaigns.csv
  echo 'x,campaign-x' >> campaigns.csv
  make_frames
  local records tool
  records=$(cat ten.ndjson)
  # What each stage makes of the ten records (in stage_args order).
  local -A want=(
    [sstream-map]="$records"
    [sstream-window]="$(stream aggregation update)
"'{"window_start":1767225600000,"window_end":1767225601000,"count":10}'
    [sstream-join]=$(sed 's/}$/,"campaign_id":"campaign-x"}/' ten.ndjson)
    [sstream-sink]="$records"
  )
  for tool in "${STAGES[@]}"; do
    # shellcheck disable=SC2046
    local control=(--control always)  # bats reads the output: show the control lines
    [[ "$tool" == sstream-sink ]] && control=()
    run -0 --separate-stderr "$tool" "${control[@]}" $(stage_args "$tool") < good.bin
    assert_stderr_empty
    if [[ "$tool" == sstream-sink ]]; then
      assert_output "${want[$tool]}"
    else
      assert_output "$(printf '%s\n' "${want[$tool]}" "$(tick 0)" "$END")"
    fi
  done
}

@test "a damaged frame in a binary stream exits 3 naming the frame's byte position" {
  make_campaigns campaigns.csv
  make_frames
  cp good.bin damaged.bin
  flip_byte damaged.bin $((sixth + 12 + 5))
  local tool
  for tool in "${STAGES[@]}"; do
    # shellcheck disable=SC2046
    run -3 --separate-stderr "$tool" $(stage_args "$tool") < damaged.bin
    assert_stderr_contains "$tool: error: stdin: byte $sixth: frame checksum mismatch"
  done
}

@test "a damaged frame is skipped under --bad-records skip, and the rest is read" {
  make_frames
  cp good.bin damaged.bin
  flip_byte damaged.bin $((sixth + 12 + 5))
  run -0 --separate-stderr sstream-map --bad-records skip --data-only < damaged.bin
  assert_equal "${#lines[@]}" 9
  refute_output --partial '"i":5,'
  assert_stderr_contains "skipping stdin: byte $sixth" "skipped 1 bad record(s)"
}

# issue-10: a stream cut inside a record (upstream killed mid-write) is a
# truncated stream: the records before the cut are kept and the end is
# handled as upstream stopping, with a warning, in both wires.
@test "issue-10: every stage keeps the intact records of a stream cut inside a record, with a warning" {
  make_campaigns campaigns.csv
  echo 'x,campaign-x' >> campaigns.csv
  make_frames
  head -c $((sixth + 20)) good.bin > cut.bin
  head -n 5 ten.ndjson > cut.ndjson
  sed -n 6p ten.ndjson | head -c 9 >> cut.ndjson
  local tool input
  for tool in "${STAGES[@]}"; do
    for input in cut.bin cut.ndjson; do
      # shellcheck disable=SC2046
      run -0 --separate-stderr "$tool" $(stage_args "$tool") --bad-records skip < "$input"
      if [[ "$input" == cut.bin ]]; then
        assert_stderr_contains "$tool: warning: stdin: byte $sixth: input ends inside a record (20 byte(s) of it)"
      else
        assert_stderr_contains "$tool: warning: stdin: line 6: input ends inside a record (9 byte(s) of it)"
      fi
      [[ "$stderr" != *skip* ]]
      if [[ "$tool" == sstream-window ]]; then
        assert_output --partial '"count":5}'
      else
        assert_equal "$(grep -c '"i":' <<< "$output")" 5
      fi
    done
  done
}

@test "a binary stream cut inside its stream header exits 3" {
  make_campaigns campaigns.csv
  make_frames
  head -c 10 good.bin > cut-header.bin
  local tool
  for tool in "${STAGES[@]}"; do
    # shellcheck disable=SC2046
    run -3 --separate-stderr "$tool" $(stage_args "$tool") < cut-header.bin
    assert_stderr_contains "stdin: byte 0: input ends inside the stream header"
  done
}

@test "a stream with other magic bytes, or of another version, exits 3" {
  make_campaigns campaigns.csv
  make_frames
  cp good.bin magic.bin
  flip_byte magic.bin 3
  cp good.bin version.bin
  printf '\002' | dd of=version.bin bs=1 seek=8 conv=notrunc status=none
  local tool
  for tool in "${STAGES[@]}"; do
    # shellcheck disable=SC2046
    run -3 --separate-stderr "$tool" $(stage_args "$tool") < magic.bin
    assert_stderr_contains "stdin: byte 0: not an sstream frame stream (bad magic bytes)"
    # shellcheck disable=SC2046
    run -3 --separate-stderr "$tool" $(stage_args "$tool") < version.bin
    assert_stderr_contains "frame stream version 2, but this sstream reads version 1"
  done
}

@test "long binary streams are read whole (frames whose checksum starts with the magic byte)" {
  # One frame in 256 has a checksum whose first byte equals the stream magic's.
  sstream-source gen:ysb --count 3000 --wire binary > long.bin
  run -0 --separate-stderr sstream-sink < long.bin
  assert_equal "${#lines[@]}" 3000
  assert_stderr_empty
}

@test "binary output to a terminal is refused" {
  command -v script > /dev/null || skip "script(1) is not installed"
  run -0 script -qec "sstream-source gen:ysb --count 1 --wire binary; echo status=\$?" /dev/null
  assert_output --partial "refusing to write binary frames to a terminal"
  assert_output --partial "status=2"
}

@test "a terminal on stdout gets data only, no control lines" {
  command -v script > /dev/null || skip "script(1) is not installed"
  run -0 script -qec "sstream-source gen:ysb --count 2" /dev/null
  refute_output --partial '@sstream'
  assert_output --partial '"ad_id"'
}

@test "a second SIGTERM kills a stage that is still draining" {
  start_on_quiet_stdin map sstream-map
  sleep 0.3
  kill -TERM "$QUIET_PID"
  sleep 0.2
  kill -TERM "$QUIET_PID"
  wait_exit "$QUIET_PID" 1
  assert_equal "$status" 143
}

@test "a write error on stdout is an error (exit 1) naming stdout" {
  [[ -w /dev/full ]] || skip "no /dev/full"
  make_campaigns campaigns.csv
  printf '{"ad_id":"x","event_time":1767225600000}\n' > in.ndjson
  run -1 --separate-stderr bash -c 'sstream-source in.ndjson > /dev/full'
  assert_stderr_contains "sstream-source: error: writing stdout: No space left on device"
  local tool
  for tool in "${STAGES[@]}"; do
    run -1 --separate-stderr bash -c "$tool $(stage_args "$tool") < in.ndjson > /dev/full"
    assert_stderr_contains "$tool: error: writing stdout:"
  done
}

@test "--help and --version fail (exit 1) when stdout cannot be written, as coreutils" {
  [[ -w /dev/full ]] || skip "no /dev/full"
  local tool
  for tool in "${TOOLS[@]}"; do
    run -1 bash -c "$tool --help > /dev/full"
    run -1 bash -c "$tool --version > /dev/full"
  done
}
