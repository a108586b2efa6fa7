bats_require_minimum_version 1.8.0
load test_helper

# Every examples/<name>/run.sh runs with the built tools, exits 0 without
# diagnostics, and prints exactly its expected.ndjson or expected.txt when
# the example has one.

@test "every example's run.sh succeeds and prints its expected output" {
  local scripts=("$SSTREAM_SOURCE_DIR"/examples/*/run.sh)
  [[ -e "${scripts[0]}" ]] || skip "no examples/*/run.sh yet"
  local script dir name expected checked=0
  for script in "${scripts[@]}"; do
    dir=$(dirname "$script")
    name=$(basename "$dir")
    # Examples take the tools from PATH (set by test_helper) or from $1.
    # Byte-exact output (run would strip trailing blank lines).
    status=0
    bash "$script" "$SSTREAM_BIN_DIR" > "$name.out" 2> "$name.err" || status=$?
    [[ "$status" -eq 0 ]] || fail "examples/$name/run.sh exited $status: $(cat "$name.err")"
    [[ ! -s "$name.err" ]] || fail "examples/$name/run.sh wrote to stderr: $(cat "$name.err")"
    expected=""
    [[ -f "$dir/expected.ndjson" ]] && expected="$dir/expected.ndjson"
    [[ -f "$dir/expected.txt" ]] && expected="$dir/expected.txt"
    if [[ -n "$expected" ]]; then
      run diff -u "$expected" "$name.out"
      [[ "$status" -eq 0 ]] || fail "examples/$name: output differs from $(basename "$expected"):
$output"
      checked=$((checked + 1))
    fi
  done
  echo "# ${#scripts[@]} example(s) run, $checked compared with expected output" >&3
}

@test "every example directory has a run.sh and a README.md" {
  local dirs=("$SSTREAM_SOURCE_DIR"/examples/*/)
  [[ -d "${dirs[0]}" ]] || skip "no examples yet"
  local dir
  for dir in "${dirs[@]}"; do
    [[ -f "$dir/run.sh" ]] || fail "${dir#"$SSTREAM_SOURCE_DIR"/} has no run.sh"
    [[ -f "$dir/README.md" ]] || fail "${dir#"$SSTREAM_SOURCE_DIR"/} has no README.md"
  done
}
