bats_require_minimum_version 1.8.0
load test_helper

# Whether a stage writes control signals (ticks, watermarks, end of stream)
# with its data: by default only where an sstream tool reads them (a pipe
# into a stage, a file), never into a program such as jq, grep or tee.

# Seven records the source cuts into three batches (3 + 3 + 1): a stage that
# gets the source's ticks shows epochs 0, 1, 2; one on its own clock shows a
# single batch closed by the end of input.
setup() {
  cd "$BATS_TEST_TMPDIR" || return 1
  for i in 1 2 3 4 5 6 7; do echo "{\"i\":$i}"; done > in.ndjson
  SRC=(sstream-source --trigger available-now --max-batch-records 3 in.ndjson)
}

upstream_batches() {
  printf '%s\n' '{"i":1}' '{"i":2}' '{"i":3}' "$(tick 0)" '{"i":4}' '{"i":5}' '{"i":6}' \
    "$(tick 1)" '{"i":7}' "$(tick 2)" "$END"
}

own_batch() {
  printf '%s\n' '{"i":1}' '{"i":2}' '{"i":3}' '{"i":4}' '{"i":5}' '{"i":6}' '{"i":7}' \
    "$(tick 0)" "$END"
}

# issue-10: control lines leaked into other tools.
@test "issue-10: sstream-source FILE | jq -c . shows the records and no control lines" {
  run_pipeline -0 "${SRC[*]} | jq -c ."
  assert_output "$(seq 1 7 | sed 's/.*/{"i":&}/')"
}

@test "issue-10: a stage's output into grep, head or a shell's \$(...) holds data only" {
  run_pipeline -0 "${SRC[*]} | sstream-map --where 'i > 5' | grep -c ."
  assert_output 2
  run_pipeline -0 "${SRC[*]} | sstream-map | head -n 100"
  assert_output "$(seq 1 7 | sed 's/.*/{"i":&}/')"
  run -0 --separate-stderr "${SRC[@]}"
  assert_output "$(seq 1 7 | sed 's/.*/{"i":&}/')"
  assert_stderr_empty
}

@test "issue-10: a pipe into an sstream stage still carries the ticks, as with --control always" {
  run_pipeline -0 "${SRC[*]} | sstream-map --control always"
  assert_output "$(upstream_batches)"
  local detected=$output
  run_pipeline -0 "${SRC[*]/sstream-source/sstream-source --control always} | sstream-map --control always"
  assert_output "$detected"
  # Through a stage in the middle, too: map's output reaches the window.
  run_pipeline -0 "${SRC[*]} | sstream-map | sstream-window --batch-window 1 --control always"
  assert_line --index 0 "$(stream aggregation append)"
  assert_line --index 2 "$(tick 0)"
  assert_line --index 4 "$(tick 1)"
  assert_line --index 6 "$(tick 2)"
}

@test "issue-10: a reader that starts slowly, or through env or nice, still gets the ticks" {
  run_pipeline -0 "${SRC[*]} | { sleep 0.3; exec sstream-map --control always; }"
  assert_output "$(upstream_batches)"
  run_pipeline -0 "${SRC[*]} | env SSTREAM_X=1 sstream-map --control always"
  assert_output "$(upstream_batches)"
  run_pipeline -0 "${SRC[*]} | nice -n 1 sstream-map --control always"
  assert_output "$(upstream_batches)"
}

@test "issue-10: a named pipe, a process substitution or sh -c that execs a stage still gets the ticks" {
  mkfifo fifo
  "${SRC[@]}" > fifo &
  run -0 sstream-map --control always < fifo
  assert_output "$(upstream_batches)"
  wait
  run_pipeline -0 "sstream-map --control always < <(${SRC[*]})"
  assert_output "$(upstream_batches)"
  run_pipeline -0 "${SRC[*]} | sh -c 'exec sstream-map --control always'"
  assert_output "$(upstream_batches)"
}

@test "issue-10: tee in between gets data only, and the stage after it its own clock, unless --control always" {
  run_pipeline -0 "${SRC[*]} | tee copy.ndjson | sstream-map --control always"
  assert_output "$(own_batch)"
  run -1 grep -F '@sstream' copy.ndjson
  run_pipeline -0 "${SRC[*]} --control always | tee copy.ndjson | sstream-map --control always"
  assert_output "$(upstream_batches)"
  run -0 cat copy.ndjson
  assert_output "$(upstream_batches)"
  # The variable, exported once, does the same.
  run_pipeline -0 "export SSTREAM_CONTROL=always; ${SRC[*]} | tee copy.ndjson | sstream-map"
  assert_output "$(upstream_batches)"
}

@test "issue-10: a file keeps the control lines, so it can be replayed" {
  "${SRC[@]}" > saved.ndjson
  run -0 cat saved.ndjson
  assert_output "$(upstream_batches)"
  run -0 sstream-map --control always < saved.ndjson
  assert_output "$(upstream_batches)"
}

@test "issue-10: --control never and --data-only leave them out even for a stage" {
  run_pipeline -0 "${SRC[*]} --control never | sstream-map --control always"
  assert_output "$(own_batch)"
  run_pipeline -0 "${SRC[*]} --data-only | sstream-map --control always"
  assert_output "$(own_batch)"
  run_pipeline -0 "SSTREAM_CONTROL=always ${SRC[*]} --data-only | jq -c ."
  assert_output "$(seq 1 7 | sed 's/.*/{"i":&}/')"
  run -2 --separate-stderr sstream-map --control sometimes
  assert_stderr_contains "--control"
}

@test "issue-10: binary output keeps its control frames through a program in between" {
  run_pipeline -0 "${SRC[*]} --wire binary | cat | sstream-map --control always"
  assert_output "$(upstream_batches)"
}

@test "issue-10: a shell loop reading the pipe is waited for at most a second, then gets data only" {
  run_pipeline -0 "${SRC[*]} | while read -r line; do echo \"\$line\"; done"
  assert_output "$(seq 1 7 | sed 's/.*/{"i":&}/')"
}

@test "issue-10: a terminal gets data only, unless --control always asks for the control lines" {
  command -v script >/dev/null || skip "script(1) is not installed"
  run -0 script -qec "sstream-source --trigger available-now --max-batch-records 3 in.ndjson" /dev/null
  refute_output --partial '@sstream'
  assert_output --partial '{"i":7}'
  run -0 script -qec "sstream-source --control always in.ndjson" /dev/null
  assert_output --partial '{"@sstream":"end"}'
}
