# Shared set-up for the CLI tests: the build's tools first on PATH, a private
# directory per test, and a few helpers.
bats_load_library bats-support
bats_load_library bats-assert

: "${SSTREAM_BIN_DIR:?run through ctest, or set SSTREAM_BIN_DIR to the build's tools directory}"
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
