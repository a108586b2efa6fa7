# Shared set-up for the CLI tests: the build's tools first on PATH, a private
# directory per test, and a few helpers.
bats_load_library bats-support
bats_load_library bats-assert

: "${SSTREAM_BIN_DIR:?run through ctest, or set SSTREAM_BIN_DIR to the tools directory of a build}"
: "${SSTREAM_SOURCE_DIR:=$(cd "$(dirname "${BATS_TEST_FILENAME}")/../.." && pwd)}"
export PATH="$SSTREAM_BIN_DIR:$PATH"
export SSTREAM_SOURCE_DIR
unset SSTREAM_WIRE

FIXTURES="$SSTREAM_SOURCE_DIR/tests/fixtures"
TOOLS=(sstream-source sstream-map sstream-window sstream-join sstream-sink)

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
