# Shared set-up for the CLI tests: the build's tools first on PATH, a private
# directory per test, and a few helpers.
bats_load_library bats-support
bats_load_library bats-assert

: "${SSTREAM_BIN_DIR:?run through ctest, or set SSTREAM_BIN_DIR to the tools directory of a build}"
: "${SSTREAM_SOURCE_DIR:=$(cd "$(dirname "${BATS_TEST_FILENAME}")/../.." && pwd)}"
export PATH="$SSTREAM_BIN_DIR:$PATH"
export SSTREAM_SOURCE_DIR
unset SSTREAM_WIRE SSTREAM_CONTROL

FIXTURES="$SSTREAM_SOURCE_DIR/tests/fixtures"
TOOLS=(sstream-source sstream-map sstream-window sstream-join sstream-sink sstream-checkpoint)

setup() {
  cd "$BATS_TEST_TMPDIR" || return 1
}

# run_pipeline 'cmd | cmd | cmd': a pipeline as one command, so `run` can
# capture its status (the last command's, or the first failing one's with pipefail).
run_pipeline() {
  local status_opt=()
  if [[ "$1" == -* ]]; then status_opt=("$1"); shift; fi
  run "${status_opt[@]}" bash -o pipefail -c "$1"
}

# The campaigns table that matches gen:ysb.
make_campaigns() {
  sstream-source gen:ysb-campaigns | sstream-sink --format csv > "${1:-campaigns.csv}"
}

# Wait until a file has content (for background processes), at most ~5 s.
wait_for_file() {
  local i
  for i in $(seq 1 100); do
    [[ -s "$1" ]] && return 0
    sleep 0.05
  done
  return 1
}

# With `run --separate-stderr`: stderr must be empty (shown when it is not).
assert_stderr_empty() {
  [[ -z "${stderr-}" ]] && return 0
  batslib_print_kv_single_or_multi 6 stderr "$stderr" | batslib_decorate 'stderr is not empty' | fail
}

# With `run --separate-stderr`: stderr contains each of the given strings.
assert_stderr_contains() {
  local want
  for want in "$@"; do
    [[ "${stderr-}" == *"$want"* ]] && continue
    batslib_print_kv_single_or_multi 8 expected "$want" stderr "${stderr-}" |
      batslib_decorate 'stderr does not contain the expected text' | fail
    return 1
  done
}

# wait_exit PID [SECONDS]: wait for a background process of this test to exit,
# at most SECONDS (default 5); sets `status` to its exit status, or fails (and
# kills it) when it is still running. `run wait PID` cannot do this: `run`
# executes in a subshell, which is not the process's parent.
wait_exit() {
  local pid=$1 limit=${2:-5} i
  for ((i = 0; i < limit * 20; ++i)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
    fail "process $pid was still running after ${limit}s"
    return 1
  fi
  status=0
  wait "$pid" || status=$?
}

# Control lines as the tools write them (without a line end, for "$(...)"):
# tick N is a batch boundary, wm MS [ISO] a watermark (with the "time" the
# tools add on output when ISO is given), END the end of the stream.
tick() { printf '{"@sstream":"tick","epoch":%s}' "$1"; }
wm() {
  if [[ -n "${2-}" ]]; then
    printf '{"@sstream":"watermark","ms":%s,"time":"%s"}' "$1" "$2"
  else
    printf '{"@sstream":"watermark","ms":%s}' "$1"
  fi
}
END='{"@sstream":"end"}'
# stream OPERATOR MODE: the STREAM line a stateful stage writes first.
stream() { printf '{"@sstream":"stream","operator":"%s","mode":"%s"}' "$1" "$2"; }

# start_on_quiet_stdin NAME [--input FILE] COMMAND [ARG...]: run COMMAND in the
# background with stdin open but quiet: it reads the fifo NAME.fifo, which a
# holder process keeps open for writing (after sending FILE, if given) and
# never closes. stdout goes to NAME.out, stderr to NAME.err. Sets QUIET_PID
# (the command) and QUIET_HOLDER (its holder). end_quiet_stdin kills every
# holder, which ends the input; teardown does it too, so a failed test leaves
# nothing waiting.
QUIET_HOLDERS=()
start_on_quiet_stdin() {
  local name=$1 input=
  shift
  if [[ "$1" == --input ]]; then
    input=$2
    shift 2
  fi
  mkfifo "$name.fifo"
  # Both close fd 3, or bats would wait for them at the end of the test.
  {
    [[ -z "$input" ]] || cat "$input"
    exec sleep 30
  } > "$name.fifo" 3>&- &
  QUIET_HOLDER=$!
  QUIET_HOLDERS+=("$QUIET_HOLDER")
  "$@" < "$name.fifo" > "$name.out" 2> "$name.err" 3>&- &
  QUIET_PID=$!
}

end_quiet_stdin() {
  local pid
  for pid in "${QUIET_HOLDERS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  QUIET_HOLDERS=()
}

teardown() {
  end_quiet_stdin
}

# assert_usage_error MESSAGE COMMAND [ARG...]: COMMAND exits 2 before reading
# its (empty) input, writes nothing on stdout, and says "TOOL: error: MESSAGE..."
# on stderr.
assert_usage_error() {
  local want=$1
  shift
  run -2 --separate-stderr "$@" < /dev/null
  assert_output ""
  assert_stderr_contains "$1: error: $want"
}

# Checkpoint tests: events with ts = FIRST..LAST seconds (in ms), key "a" or "b".
events() {  # first last
  local i
  for ((i = $1; i <= $2; i++)); do
    printf '{"ts":%d,"k":"%s"}\n' $((i * 1000)) $([[ $((i % 2)) == 0 ]] && echo a || echo b)
  done
}

# All lines of the part files under a sink's --path (default out), sorted.
parts() { find "${1:-out}" -name 'part-*' -exec cat {} + | LC_ALL=C sort; }
