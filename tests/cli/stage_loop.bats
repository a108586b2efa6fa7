bats_require_minimum_version 1.8.0
load test_helper

# The stage loop every filter shares, seen from the shell: batches on the
# stage's own clock, the end of a stream, epochs, truncated input, the STREAM
# signal, and what every stage reads (byte-order marks, numbers, limits).

# issue-10: own-clock ticks behind a foreign filter used to wait until end of
# input when records trickled in faster than the tick interval.
@test "issue-10: records that trickle in through a foreign filter still get batches on the stage's clock" {
  run_pipeline() {
    for i in 1 2 3 4 5 6; do
      echo "{\"i\":$i}"
      sleep 0.2
    done | grep --line-buffered '"i"' | sstream-map --tick 300ms > out.ndjson
  }
  run -0 run_pipeline
  # A TICK comes out before the last record: the batch closed while records
  # were still arriving, not at the end of input.
  local first_tick last_record
  first_tick=$(grep -n '"@sstream":"tick"' out.ndjson | head -n 1 | cut -d: -f1)
  last_record=$(grep -n '"i":6' out.ndjson | cut -d: -f1)
  [[ -n "$first_tick" && "$first_tick" -lt "$last_record" ]]
}

# issue-10: saved runs concatenated (or two sources in one pipe) used to lose
# the second stream silently after the first END.
@test "issue-10: input after END stops the stage with an error that says what happened" {
  printf '{"a":%s}\n' 1 2 3 > in.ndjson
  sstream-source in.ndjson > run1.ndjson
  sstream-source in.ndjson > run2.ndjson
  run -1 --separate-stderr sh -c 'cat run1.ndjson run2.ndjson | sstream-map --data-only'
  assert_stderr_contains "sstream-map: error: stdin: line 6: input continues after the end of the stream (stdin: line 5)" \
    "two sstream streams were joined into one pipe" "grep -v"
  # The way out the message names reads both streams' records.
  run -0 --separate-stderr sh -c "cat run1.ndjson run2.ndjson | grep -v '\"@sstream\"' | sstream-map --data-only"
  assert_equal "${#lines[@]}" 6
}

# issue-10: an epoch that goes backwards used to make a checkpointed sink drop
# the records after it as "already committed".
@test "issue-10: epochs that do not increase stop every stage, the checkpointed sink included" {
  printf '%s\n' '{"a":1}' "$(tick 5)" '{"a":2}' "$(tick 2)" '{"a":3}' "$(tick 7)" "$END" > in.ndjson
  run -1 --separate-stderr sstream-sink --checkpoint C --path O < in.ndjson
  assert_stderr_contains "sstream-sink: error: stdin: line 4: epoch 2 follows epoch 5: upstream epochs must increase"
  run -1 --separate-stderr sstream-map < in.ndjson
  assert_stderr_contains "stdin: line 4: epoch 2 follows epoch 5"
}

# issue-10: a record cut by a killed upstream used to be a bad record (exit 1,
# or a dead letter); a complete last line without a newline stays a record.
@test "issue-10: a last line cut by a dead upstream is a truncated stream, not a bad record" {
  printf '{"a":1}\n{"a":2}\n{"a":"hal' > cut.ndjson
  run -0 --separate-stderr sstream-map --dead-letter dead.jsonl --data-only < cut.ndjson
  assert_output "$(printf '%s\n' '{"a":1}' '{"a":2}')"
  assert_stderr_contains "sstream-map: warning: stdin: line 3: input ends inside a record (9 byte(s) of it): upstream stopped while writing"
  [[ ! -s dead.jsonl ]]
  run -0 --separate-stderr sh -c "printf '{\"a\":1}' | sstream-map --data-only"
  assert_output '{"a":1}'
  assert_stderr_empty
}

# issue-10: chained stateful stages are refused where Spark refuses them, as
# soon as the upstream's STREAM signal arrives.
@test "issue-10: an aggregation after an update-mode aggregation is refused before any output" {
  printf '{"t":%s}\n' 1000 2000 12000 > in.ndjson
  run_pipeline() {
    sstream-window --time t --time-format ms --tumbling 10s --mode update < in.ndjson \
      | sstream-map \
      | sstream-window --time window_start --time-format ms --tumbling 1m --mode update > out.ndjson
  }
  run -2 --separate-stderr run_pipeline
  assert_stderr_contains "sstream-window: error: stdin: line 1: this aggregation in update mode follows an aggregation in update mode"
  [[ ! -s out.ndjson ]]
  # Append after append is what Spark allows.
  run -0 --separate-stderr sh -c "sstream-window --time t --time-format ms --tumbling 10s --watermark 0s < in.ndjson \
    | sstream-window --time window_start --time-format ms --tumbling 1m --watermark 0s --data-only"
  assert_output '{"window_start":0,"window_end":60000,"count":2}'
  # Deduplication after an aggregation is refused in any mode.
  run -2 --separate-stderr sh -c "sstream-window --time t --time-format ms --tumbling 10s --watermark 0s < in.ndjson \
    | sstream-window --dedup window_start"
  assert_stderr_contains "deduplication after an aggregation"
}

# issue-10: --idle-timeout under a checkpoint used to close batches with epoch
# numbers of its own, which collided with upstream's, so the sink skipped
# whole windows as already committed.
@test "issue-10: --idle-timeout under a checkpoint loses no window" {
  run_pipeline() {
    sstream-source gen:rate --rows-per-second 4 --count 5 --trigger 600ms --checkpoint C \
      | sstream-window --checkpoint C --time timestamp --tumbling 250ms --watermark 25ms \
        --idle-timeout 150ms \
      | sstream-sink --checkpoint C --path O
  }
  run -0 run_pipeline
  assert_equal "$(cat O/* | wc -l)" 5
}

# issue-10: the field index of a binary record used to count against
# --max-record-bytes, and a record over the limit was fatal (exit 3).
@test "issue-10: --max-record-bytes limits the record alike in both wires, as a bad record" {
  local rec
  rec=$(printf '{"f0":"%s","f1":1,"f2":2,"f3":3,"f4":4,"f5":5,"f6":6,"f7":7,"f8":8,"f9":9}' \
    "$(printf 'x%.0s' $(seq 1 90))")
  assert_equal "${#rec}" 162
  echo "$rec" > in.ndjson
  sstream-source --wire binary in.ndjson > in.bin
  run -0 --separate-stderr sstream-map --max-record-bytes 200 --data-only < in.bin
  assert_output "$rec"
  run -0 --separate-stderr sstream-map --max-record-bytes 200 --data-only < in.ndjson
  assert_output "$rec"
  run -0 --separate-stderr sstream-map --max-record-bytes 100 --bad-records skip --data-only < in.bin
  assert_output ''
  assert_stderr_contains "skipping stdin: byte 16: record longer than 100 bytes"
}

# issue-10: a UTF-8 byte-order mark used to fail the stage as invalid JSON.
@test "issue-10: a byte-order mark at the start of input is skipped by every stage and the source" {
  printf '\xef\xbb\xbf{"a":1}\n{"a":2}\n' > bom.ndjson
  run -0 --separate-stderr sstream-map --data-only < bom.ndjson
  assert_output "$(printf '%s\n' '{"a":1}' '{"a":2}')"
  run -0 --separate-stderr sstream-source --data-only bom.ndjson
  assert_output "$(printf '%s\n' '{"a":1}' '{"a":2}')"
  run -0 --separate-stderr sstream-sink --format csv < bom.ndjson
  assert_output "$(printf '%s\n' a 1 2)"
}

# issue-10: the source refused numbers beyond a double's or an int64's range
# that every other stage passed through.
@test "issue-10: numbers out of range are valid JSON to the source as to every stage" {
  echo '{"x":1e400,"y":99999999999999999999999}' > in.ndjson
  run -0 --separate-stderr sstream-source --data-only in.ndjson
  assert_output '{"x":1e400,"y":99999999999999999999999}'
  assert_stderr_empty
  run -0 --separate-stderr sstream-map --data-only < in.ndjson
  assert_output '{"x":1e400,"y":99999999999999999999999}'
}
