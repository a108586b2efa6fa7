bats_require_minimum_version 1.8.0
load test_helper

# The man pages and completions are generated from the tools' option
# definitions and committed; regenerating them must change nothing.

@test "committed man pages and completions match the option definitions" {
  run -0 "$SSTREAM_SOURCE_DIR/tools/regen-docs.sh" "$SSTREAM_BIN_DIR" "$BATS_TEST_TMPDIR/gen"
  run diff -ru "$SSTREAM_SOURCE_DIR/completions/bash" "$BATS_TEST_TMPDIR/gen/completions/bash"
  assert_success
  run diff -ru "$SSTREAM_SOURCE_DIR/completions/zsh" "$BATS_TEST_TMPDIR/gen/completions/zsh"
  assert_success
  run diff -ru "$SSTREAM_SOURCE_DIR/completions/fish" "$BATS_TEST_TMPDIR/gen/completions/fish"
  assert_success
  for tool in "${TOOLS[@]}"; do
    run diff -u "$SSTREAM_SOURCE_DIR/man/$tool.1" "$BATS_TEST_TMPDIR/gen/man/$tool.1"
    assert_success
  done
}

@test "every man page is lint-clean roff" {
  command -v groff >/dev/null || skip "groff is not installed"
  # The hand-written pages are named so a rename cannot drop one silently.
  local page
  for page in sstream.7 sstream-expr.7 sstream-frame.5; do
    [ -f "$SSTREAM_SOURCE_DIR/man/$page" ] || fail "man/$page is missing"
  done
  for page in "$SSTREAM_SOURCE_DIR"/man/*.[157]; do
    run --separate-stderr groff -man -ww -z "$page"
    assert_success
    [ -z "$stderr" ] || fail "$page: $stderr"
  done
}

@test "generated bash completions load and complete option names and choices" {
  for tool in "${TOOLS[@]}"; do
    run -0 bash -c "source '$SSTREAM_SOURCE_DIR/completions/bash/$tool' && complete -p $tool"
  done
  run -0 bash -c "
    source '$SSTREAM_SOURCE_DIR/completions/bash/sstream-window'
    COMP_WORDS=(sstream-window --mode ''); COMP_CWORD=2
    _sstream_window; echo \"\${COMPREPLY[*]}\""
  assert_output "append update complete"
}

@test "generated zsh and fish completions offer the --mode option and its choices" {
  run -0 grep -F -- '{-m,--mode}' "$SSTREAM_SOURCE_DIR/completions/zsh/_sstream-window"
  assert_output --partial ':CHOICE:(append update complete)'
  run -0 grep -F -- '-l mode' "$SSTREAM_SOURCE_DIR/completions/fish/sstream-window.fish"
  assert_output --partial "-s m -l mode -x -a 'append update complete'"
}

@test "generated zsh completions are syntactically valid" {
  command -v zsh >/dev/null || skip "zsh is not installed"
  local f
  for f in "$SSTREAM_SOURCE_DIR"/completions/zsh/_*; do run -0 zsh -n "$f"; done
}

@test "generated fish completions are syntactically valid" {
  command -v fish >/dev/null || skip "fish is not installed"
  local f
  for f in "$SSTREAM_SOURCE_DIR"/completions/fish/*.fish; do run -0 fish -n "$f"; done
}
