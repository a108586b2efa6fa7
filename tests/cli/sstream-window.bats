bats_require_minimum_version 1.8.0
load test_helper

# sstream-window: event-time windows with Spark's watermark rules, shown as
# Spark's own tests show them: explicit batches of rows, and what each batch
# emits.

row() { printf '{"window_start":"2026-01-01T00:00:%s.000Z","window_end":"2026-01-01T00:00:%s.000Z","k":"%s","count":%s}' "$@"; }

# Five batches of rows keyed by k, in ISO event time. With 10 s windows and a
# 5 s watermark delay:
#   batch 0: 01 a, 04 b         max 04 -> watermark 23:59:59 (the day before)
#   batch 1: 12 a               max 12 -> watermark 07
#   batch 2: 08 a, 17 a         08 is not late ([00,10) ends after 07);
#                               max 17 -> watermark 12: [00,10) is final
#   batch 3: 03 a, 26 b         03 is late ([00,10) ended at 10 <= 12);
#                               max 26 -> watermark 21: [10,20) is final
#   batch 4: 14 b               late ([10,20) ended at 20 <= 21)
#   end:                        [20,30) is flushed
setup() {
  cd "$BATS_TEST_TMPDIR" || return 1
  {
    echo '{"t":"2026-01-01T00:00:01Z","k":"a"}'
    echo '{"t":"2026-01-01T00:00:04Z","k":"b"}'
    tick 0; echo
    echo '{"t":"2026-01-01T00:00:12Z","k":"a"}'
    tick 1; echo
    echo '{"t":"2026-01-01T00:00:08Z","k":"a"}'
    echo '{"t":"2026-01-01T00:00:17Z","k":"a"}'
    tick 2; echo
    echo '{"t":"2026-01-01T00:00:03Z","k":"a"}'
    echo '{"t":"2026-01-01T00:00:26Z","k":"b"}'
    tick 3; echo
    echo '{"t":"2026-01-01T00:00:14Z","k":"b"}'
    tick 4; echo
    echo "$END"
  } > batches.ndjson
}

@test "append mode emits a window once, in the batch where the watermark passes its end" {
  run -0 --separate-stderr sstream-window --control always --time t --tumbling 10s --watermark 5s --by k \
    < batches.ndjson
  assert_output "$(printf '%s\n' "$(stream aggregation append)" \
    "$(wm 1767225599000 2025-12-31T23:59:59.000Z)" "$(tick 0)" \
    "$(wm 1767225607000 2026-01-01T00:00:07.000Z)" "$(tick 1)" \
    "$(row 00 10 a 2)" "$(row 00 10 b 1)" \
    "$(wm 1767225612000 2026-01-01T00:00:12.000Z)" "$(tick 2)" \
    "$(row 10 20 a 2)" \
    "$(wm 1767225621000 2026-01-01T00:00:21.000Z)" "$(tick 3)" \
    "$(tick 4)" \
    "$(row 20 30 b 1)" \
    "$END")"
}

@test "late rows are dropped and counted in a warning on stderr" {
  run -0 --separate-stderr sstream-window --time t --tumbling 10s --watermark 5s --by k \
    --data-only < batches.ndjson
  refute_output --partial '"k":"b","count":2'
  assert_equal "$stderr" \
    "sstream-window: warning: dropped 2 late row(s): their window had closed (end <= watermark)"
}

@test "end of input flushes the windows the watermark has not closed" {
  {
    echo '{"t":"2026-01-01T00:00:01Z","k":"a"}'
    tick 0; echo
    echo '{"t":"2026-01-01T00:00:11Z","k":"a"}'
  } > in.ndjson
  run -0 --separate-stderr sstream-window --time t --tumbling 10s --watermark 1m --by k \
    --data-only < in.ndjson
  assert_output "$(printf '%s\n' "$(row 00 10 a 1)" "$(row 10 20 a 1)")"
  assert_stderr_empty
}

@test "update mode emits the groups each batch changed, and drops late rows" {
  run -0 --separate-stderr sstream-window --control always --time t --tumbling 10s --watermark 5s --by k \
    --mode update < batches.ndjson
  assert_output "$(printf '%s\n' "$(stream aggregation update)" \
    "$(row 00 10 a 1)" "$(row 00 10 b 1)" \
    "$(wm 1767225599000 2025-12-31T23:59:59.000Z)" "$(tick 0)" \
    "$(row 10 20 a 1)" \
    "$(wm 1767225607000 2026-01-01T00:00:07.000Z)" "$(tick 1)" \
    "$(row 00 10 a 2)" "$(row 10 20 a 2)" \
    "$(wm 1767225612000 2026-01-01T00:00:12.000Z)" "$(tick 2)" \
    "$(row 20 30 b 1)" \
    "$(wm 1767225621000 2026-01-01T00:00:21.000Z)" "$(tick 3)" \
    "$(tick 4)" \
    "$END")"
  assert_stderr_contains "dropped 2 late row(s)"
}

@test "update mode works without a watermark and keeps every window open" {
  run -0 --separate-stderr sstream-window --time t --tumbling 10s --by k --mode update \
    --data-only < batches.ndjson
  assert_line --index 5 "$(row 00 10 a 3)"
  assert_line --index 7 "$(row 10 20 b 1)"
  assert_equal "${#lines[@]}" 8
  assert_stderr_empty
}

@test "complete mode emits the whole table every batch" {
  {
    echo '{"t":"2026-01-01T00:00:01Z","k":"a"}'
    tick 0; echo
    echo '{"t":"2026-01-01T00:00:21Z","k":"b"}'
    tick 1; echo
    echo '{"t":"2026-01-01T00:00:02Z","k":"a"}'
    tick 2; echo
  } > in.ndjson
  run -0 --separate-stderr sstream-window --control always --time t --tumbling 10s --by k --mode complete < in.ndjson
  assert_output "$(printf '%s\n' "$(stream aggregation complete)" \
    "$(row 00 10 a 1)" "$(tick 0)" \
    "$(row 00 10 a 1)" "$(row 20 30 b 1)" "$(tick 1)" \
    "$(row 00 10 a 2)" "$(row 20 30 b 1)" "$(tick 2)" \
    "$END")"
  assert_stderr_empty
}

@test "complete mode never drops late rows, even with a watermark" {
  run -0 --separate-stderr sstream-window --time t --tumbling 10s --watermark 5s --by k \
    --mode complete --data-only < batches.ndjson
  # The last batch's table: every row counted, late or not.
  assert_equal "$(printf '%s\n' "${lines[@]: -5}")" "$(printf '%s\n' \
    "$(row 00 10 a 3)" "$(row 00 10 b 1)" "$(row 10 20 a 2)" "$(row 10 20 b 1)" "$(row 20 30 b 1)")"
  assert_stderr_empty
}

@test "several aggregates, with AS names and Spark's default names" {
  cat > in.ndjson <<'EOF'
{"ts":1767225601,"k":"a","price":10,"q":1}
{"ts":1767225602,"k":"a","price":20.5,"q":null}
{"ts":1767225603,"k":"b","price":"7","q":3}
{"ts":1767225604,"k":"a","q":2}
{"ts":1767225615,"k":"b","price":1,"q":1}
EOF
  run -0 --separate-stderr sstream-window --time ts --tumbling 10s --watermark 0s --by k \
    --agg 'count, count(q) AS nq, sum(price) AS total, avg(price), min(price) AS lo, max(price) AS hi' \
    --data-only < in.ndjson
  assert_output "$(printf '%s\n' \
    '{"window_start":1767225600,"window_end":1767225610,"k":"a","count":3,"nq":2,"total":30.5,"avg(price)":15.25,"lo":10,"hi":20.5}' \
    '{"window_start":1767225600,"window_end":1767225610,"k":"b","count":1,"nq":1,"total":7,"avg(price)":7,"lo":7,"hi":7}' \
    '{"window_start":1767225610,"window_end":1767225620,"k":"b","count":1,"nq":1,"total":1,"avg(price)":1,"lo":1,"hi":1}')"
  assert_stderr_empty
}

@test "an aggregate over a field no row has is null" {
  printf '{"ts":1767225601}\n' > in.ndjson
  run -0 --separate-stderr sstream-window --time ts --tumbling 10s --watermark 0s \
    --agg 'sum(x), avg(x)' --data-only < in.ndjson
  assert_output '{"window_start":1767225600,"window_end":1767225610,"sum(x)":null,"avg(x)":null}'
  # ... and reported, once (issue 10).
  [ "$stderr" = "sstream-window: warning: --agg: no record of batch 0 (1 record(s)) has the field 'x'; it reads as null (warned once; --strict makes this an error)" ]
}

@test "an unknown aggregate is a usage error" {
  run -2 --separate-stderr sstream-window --time ts --tumbling 10s --watermark 0s \
    --agg 'median(x)' < /dev/null
  assert_stderr_contains "unknown aggregate 'median'"
}

@test "append mode without --watermark is refused before reading, naming the watermark" {
  run -2 --separate-stderr sstream-window --time t --tumbling 10s < batches.ndjson
  assert_output ""
  assert_stderr_contains "sstream-window: error: append mode needs a watermark" "--watermark"
}

@test "a duration without a unit is a usage error" {
  run -2 --separate-stderr sstream-window --time t --tumbling 10 --watermark 1s < /dev/null
  assert_stderr_contains "--tumbling" "missing unit"
}

@test "ISO event times give ISO window bounds" {
  printf '{"t":"2026-03-04T05:06:07.890+01:00"}\n' > in.ndjson
  run -0 sstream-window --time t --tumbling 1m --watermark 0s --data-only < in.ndjson
  assert_output '{"window_start":"2026-03-04T04:06:00.000Z","window_end":"2026-03-04T04:07:00.000Z","count":1}'
}

@test "epoch-second numbers give epoch-second window bounds" {
  printf '{"ts":1767225601.5}\n{"ts":1767225609}\n' > in.ndjson
  run -0 sstream-window --time ts --tumbling 5s --watermark 0s --data-only < in.ndjson
  assert_output "$(printf '%s\n' \
    '{"window_start":1767225600,"window_end":1767225605,"count":1}' \
    '{"window_start":1767225605,"window_end":1767225610,"count":1}')"
}

@test "epoch-millisecond strings give millisecond bounds; --output-time-format iso converts" {
  printf '{"ts":"1767225601000"}\n' > in.ndjson
  run -0 sstream-window --time ts --tumbling 10s --watermark 0s --data-only < in.ndjson
  assert_output '{"window_start":1767225600000,"window_end":1767225610000,"count":1}'
  run -0 sstream-window --time ts --tumbling 10s --watermark 0s --output-time-format iso \
    --data-only < in.ndjson
  assert_output '{"window_start":"2026-01-01T00:00:00.000Z","window_end":"2026-01-01T00:00:10.000Z","count":1}'
}

@test "--offset shifts the window grid" {
  printf '{"ts":1767225601000}\n' > in.ndjson
  run -0 sstream-window --time ts --tumbling 10s --offset 3s --watermark 0s --data-only < in.ndjson
  assert_output '{"window_start":1767225593000,"window_end":1767225603000,"count":1}'
}

@test "group-by over several fields, with a missing field grouped as null" {
  printf '%s\n' '{"ts":1767225601,"a":1,"b":"x"}' '{"ts":1767225602,"a":1,"b":"x"}' \
    '{"ts":1767225603,"a":1}' > in.ndjson
  run -0 sstream-window --time ts --tumbling 10s --watermark 0s --by a,b --data-only < in.ndjson
  assert_output "$(printf '%s\n' \
    '{"window_start":1767225600,"window_end":1767225610,"a":1,"b":"x","count":2}' \
    '{"window_start":1767225600,"window_end":1767225610,"a":1,"b":null,"count":1}')"
}

@test "a record without the time field fails with its position" {
  printf '{"ts":1767225601}\n{"x":1}\n' > in.ndjson
  run -1 --separate-stderr sstream-window --time ts --tumbling 10s --watermark 0s < in.ndjson
  assert_stderr_contains "stdin: line 2: field 'ts': event-time field is missing"
}

@test "records without a usable time are skipped with --bad-records skip" {
  printf '{"ts":1767225601}\n{"x":1}\n{"ts":"garbage"}\n' > in.ndjson
  run -0 --separate-stderr sstream-window --time ts --tumbling 10s --watermark 0s \
    --bad-records skip --data-only < in.ndjson
  assert_output '{"window_start":1767225600,"window_end":1767225610,"count":1}'
  assert_stderr_contains "skipping stdin: line 2" "skipping stdin: line 3: field 'ts': invalid timestamp 'garbage'" \
    "skipped 2 bad record(s)"
}

@test "plain JSON lines with no control lines (as after grep) still give results at end of input" {
  sstream-source gen:ysb --count 30000 --data-only | grep '"view"' > views.ndjson
  run -0 --separate-stderr sstream-window --time event_time --tumbling 1s --watermark 0s \
    < views.ndjson
  # 30000 events at 10000/s: three one-second windows, every view counted.
  run -0 jq -s -c '[map(select(.count)) | length, (map(.count) | add)]' <<< "$output"
  assert_output "[3,$(wc -l < views.ndjson)]"
}

# Spark guide, "Window Operations on Event Time": 10-minute windows sliding
# every 5 minutes; a row counts in both windows that hold it.
@test "sliding windows count a row in every window that holds it" {
  run_pipeline -0 "printf '%s\n' '{\"t\":\"2026-01-01T12:07:00Z\",\"w\":\"cat\"}' '{\"t\":\"2026-01-01T12:11:00Z\",\"w\":\"dog\"}' | sstream-window --time t --sliding 10m --slide 5m --by w --mode complete --data-only"
  assert_output - <<'OUT'
{"window_start":"2026-01-01T12:00:00.000Z","window_end":"2026-01-01T12:10:00.000Z","w":"cat","count":1}
{"window_start":"2026-01-01T12:05:00.000Z","window_end":"2026-01-01T12:15:00.000Z","w":"cat","count":1}
{"window_start":"2026-01-01T12:05:00.000Z","window_end":"2026-01-01T12:15:00.000Z","w":"dog","count":1}
{"window_start":"2026-01-01T12:10:00.000Z","window_end":"2026-01-01T12:20:00.000Z","w":"dog","count":1}
OUT
}

@test "a sliding row late for its earlier window still counts in the later one" {
  printf '%s\n' '{"t":7000}' '{"t":12000}' "$(tick 0)" '{"t":4000}' "$(tick 1)" > in.ndjson
  run -0 sstream-window --time t --time-format ms --sliding 10s --slide 5s --watermark 3s \
    --data-only < in.ndjson
  assert_line --index 0 '{"window_start":0,"window_end":10000,"count":2}'
  assert_line --index 1 '{"window_start":5000,"window_end":15000,"count":2}'
  assert_line --index 2 '{"window_start":10000,"window_end":20000,"count":1}'
  assert_line --index 3 'sstream-window: warning: dropped 1 late row(s): their window had closed (end <= watermark)'
}

@test "sliding window options are checked before any input is read" {
  run -2 --separate-stderr sstream-window --time t --sliding 10s --watermark 1s < /dev/null
  assert_stderr_contains "--slide"
  run -2 --separate-stderr sstream-window --time t --sliding 10s --slide 20s --watermark 1s < /dev/null
  assert_stderr_contains "--slide must not be longer"
  run -2 --separate-stderr sstream-window --time t --tumbling 10s --sliding 10s --watermark 1s < /dev/null
  assert_stderr_contains "give one of --tumbling"
}

@test "--late-output keeps late rows with the window they missed instead of only counting them" {
  printf '%s\n' '{"t":15000}' "$(tick 0)" '{"t":1000,"id":"x"}' "$(tick 1)" > in.ndjson
  run -0 sstream-window --time t --time-format ms --tumbling 10s --watermark 1s \
    --late-output late.ndjson --data-only < in.ndjson
  assert_output '{"window_start":10000,"window_end":20000,"count":1}'
  run -0 cat late.ndjson
  assert_output '{"window_start":0,"window_end":10000,"watermark":14000,"record":{"t":1000,"id":"x"}}'
  run -2 --separate-stderr sstream-window --time t --tumbling 10s --mode update --late-output x < /dev/null
  assert_stderr_contains "--late-output needs --watermark"
}

# Spark guide, "Types of time windows": session windows with a 10-second gap.
@test "session windows merge a key's events that come within the gap, across batches" {
  printf '%s\n' '{"t":"2026-01-01T12:00:01Z","u":"a"}' '{"t":"2026-01-01T12:00:08Z","u":"a"}' \
    '{"t":"2026-01-01T12:00:02Z","u":"b"}' "$(tick 0)" '{"t":"2026-01-01T12:00:15Z","u":"a"}' \
    "$(tick 1)" > in.ndjson
  run -0 sstream-window --time t --session 10s --watermark 5s --by u --data-only < in.ndjson
  assert_output - <<'OUT'
{"session_start":"2026-01-01T12:00:01.000Z","session_end":"2026-01-01T12:00:25.000Z","u":"a","count":3}
{"session_start":"2026-01-01T12:00:02.000Z","session_end":"2026-01-01T12:00:12.000Z","u":"b","count":1}
OUT
}

@test "session windows refuse update mode and a missing group key, as Spark" {
  run -2 --separate-stderr sstream-window --time t --session 10s --mode update --by u < /dev/null
  assert_stderr_contains "update mode is not supported with session windows"
  run -2 --separate-stderr sstream-window --time t --session 10s --watermark 1s < /dev/null
  assert_stderr_contains "session windows need a group key"
}

@test "--dedup passes the first row of each key at once and drops the rest" {
  run_pipeline -0 "printf '%s\n' '{\"id\":1,\"v\":\"a\"}' '{\"id\":1,\"v\":\"b\"}' '{\"id\":2,\"v\":\"c\"}' | sstream-window --dedup id --data-only 2>err"
  assert_output - <<'OUT'
{"id":1,"v":"a"}
{"id":2,"v":"c"}
OUT
  run -0 cat err
  assert_output --partial "deduplication state grows without bound"
}

@test "--dedup --within-watermark forgets keys once the watermark passes time + delay" {
  printf '%s\n' '{"id":1,"t":1000}' '{"id":1,"t":4000}' '{"id":2,"t":20000}' "$(tick 0)" \
    '{"id":1,"t":16000}' "$(tick 1)" > in.ndjson
  run -0 sstream-window --dedup id --time t --time-format ms --watermark 5s --within-watermark \
    --data-only < in.ndjson
  assert_output - <<'OUT'
{"id":1,"t":1000}
{"id":2,"t":20000}
{"id":1,"t":16000}
OUT
  run -2 --separate-stderr sstream-window --dedup id --tumbling 10s --time t < /dev/null
  assert_stderr_contains "--tumbling does not combine with --dedup"
}

@test "every option a mode does not use is refused by name, not ignored" {
  run -2 --separate-stderr sstream-window --dedup id --by k --idle-timeout 1s --output-time-format iso < /dev/null
  assert_stderr_contains "--output-time-format, --by, --idle-timeout do not combine with --dedup"
  run -2 --separate-stderr sstream-window --batch-window 2 --time t --watermark-policy max < /dev/null
  assert_stderr_contains "--time, --watermark-policy do not combine with --batch-window"
  run -2 --separate-stderr sstream-window --time t --tumbling 10s --watermark 1s --within-watermark < /dev/null
  assert_stderr_contains "--within-watermark does not combine with event-time windows"
}

@test "--idle-timeout emits open windows when the input goes quiet, without waiting for more data" {
  printf '%s\n' '{"t":1000}' '{"t":12000}' "$(tick 0)" > in.ndjson
  start_on_quiet_stdin window --input in.ndjson sstream-window --time t --time-format ms \
    --tumbling 10s --watermark 5s --idle-timeout 300ms --data-only
  # The input stays open but quiet: the windows must come out before it ends
  # (end of input would flush them anyway, so look while it is still open).
  local i seen=0
  for i in $(seq 1 100); do
    if [[ $(wc -l < window.out) -ge 2 ]]; then seen=1; break; fi
    sleep 0.05
  done
  kill -0 "$QUIET_HOLDER" || fail "the input was closed before the windows were looked for"
  run -0 cat window.out
  end_quiet_stdin
  wait_exit "$QUIET_PID"
  [[ $seen == 1 ]] || fail "no window emitted within 5 s of quiet input: $output"
  assert_output - <<'OUT'
{"window_start":0,"window_end":10000,"count":1}
{"window_start":10000,"window_end":20000,"count":1}
OUT
}

# DStreams guide, "Window Operations": countByWindow and reduceByKeyAndWindow
# over the last two batches.
@test "--batch-window counts over the last N batches, with 0 for an empty window" {
  printf '%s\n' '{"v":1}' "$(tick 0)" '{"v":2}' '{"v":2}' "$(tick 1)" "$(tick 2)" "$(tick 3)" \
    > in.ndjson
  run -0 sstream-window --batch-window 2 --data-only < in.ndjson
  assert_output - <<'OUT'
{"batch_window_start":-1,"batch_window_end":0,"count":1}
{"batch_window_start":0,"batch_window_end":1,"count":3}
{"batch_window_start":1,"batch_window_end":2,"count":2}
{"batch_window_start":2,"batch_window_end":3,"count":0}
OUT
  run -2 --separate-stderr sstream-window --batch-window 2 --tumbling 10s --time t < /dev/null
  assert_stderr_contains "--time, --tumbling do not combine with --batch-window"
  run -2 --separate-stderr sstream-window --inverse --tumbling 10s --time t --watermark 1s < /dev/null
  assert_stderr_contains "--inverse does not combine with event-time windows"
}

@test "a row late for several sliding windows counts as one late row" {
  printf '%s\n' '{"t":30000}' "$(tick 0)" '{"t":1000}' > in.ndjson
  run -0 --separate-stderr sstream-window --time t --time-format ms --sliding 10s --slide 2s \
    --watermark 1s --data-only < in.ndjson
  assert_equal "$stderr" \
    "sstream-window: warning: dropped 1 late row(s): their window had closed (end <= watermark)"
}

# Batch 0 has rows at 5 s and 25 s, and upstream announces a watermark of 8 s;
# the stage's own watermark (delay 0s) is 25 s. A row at 9 s follows in batch 1.
make_upstream_watermark_input() {
  printf '%s\n' '{"t":5000}' '{"t":25000}' "$(wm 8000)" "$(tick 0)" '{"t":9000}' "$(tick 1)" \
    > in.ndjson
}

@test "an upstream watermark combines with the stage's own by the minimum by default" {
  make_upstream_watermark_input
  # min(25 s, 8 s) = 8 s: no window is final, and the row at 9 s is not late.
  run -0 --separate-stderr sstream-window --control always --time t --time-format ms --tumbling 10s \
    --watermark 0s < in.ndjson
  assert_output "$(printf '%s\n' "$(stream aggregation append)" \
    "$(wm 8000 1970-01-01T00:00:08.000Z)" "$(tick 0)" "$(tick 1)" \
    '{"window_start":0,"window_end":10000,"count":2}' \
    '{"window_start":20000,"window_end":30000,"count":1}' "$END")"
  assert_stderr_empty
  run -0 --separate-stderr sstream-window --control always --time t --time-format ms --tumbling 10s \
    --watermark 0s --watermark-policy min < in.ndjson
  assert_line --index 1 "$(wm 8000 1970-01-01T00:00:08.000Z)"
}

@test "--watermark-policy max combines an upstream watermark with the stage's own by the maximum" {
  make_upstream_watermark_input
  # max(25 s, 8 s) = 25 s: [0 s, 10 s) is final after batch 0, and 9 s is late.
  run -0 --separate-stderr sstream-window --control always --time t --time-format ms --tumbling 10s \
    --watermark 0s --watermark-policy max < in.ndjson
  assert_output "$(printf '%s\n' "$(stream aggregation append)" \
    '{"window_start":0,"window_end":10000,"count":1}' \
    "$(wm 25000 1970-01-01T00:00:25.000Z)" "$(tick 0)" "$(tick 1)" \
    '{"window_start":20000,"window_end":30000,"count":1}' "$END")"
  assert_equal "$stderr" \
    "sstream-window: warning: dropped 1 late row(s): their window had closed (end <= watermark)"
}

@test "--session-gap-field takes each row's gap from a field, dropping rows without a positive one" {
  printf '%s\n' '{"t":1000,"u":"a","g":"5 seconds"}' '{"t":4000,"u":"a","g":1000}' \
    '{"t":20000,"u":"a","g":"500ms"}' '{"t":3000,"u":"b","g":0}' '{"t":3000,"u":"b"}' \
    '{"t":3500,"u":"b","g":2000}' '{"t":3000,"u":"c","g":null}' > in.ndjson
  # a: [1 s, 6 s) holds [4 s, 5 s); [20 s, 20.5 s) stands alone. b and c: only
  # the row with a positive gap is kept.
  run -0 --separate-stderr sstream-window --time t --time-format ms --session-gap-field g \
    --watermark 0s --by u --data-only < in.ndjson
  assert_output "$(printf '%s\n' \
    '{"session_start":1000,"session_end":6000,"u":"a","count":2}' \
    '{"session_start":3500,"session_end":5500,"u":"b","count":1}' \
    '{"session_start":20000,"session_end":20500,"u":"a","count":1}')"
  assert_equal "$stderr" \
    "sstream-window: warning: dropped 3 row(s) whose session gap was missing, not a duration or not positive"
}

@test "--inverse keeps keys whose count fell to zero, and --drop-zero drops them" {
  printf '%s\n' '{"k":"a"}' '{"k":"b"}' "$(tick 0)" '{"k":"a"}' "$(tick 1)" "$(tick 2)" "$(tick 3)" \
    > in.ndjson
  local counts
  counts=$(printf '%s\n' \
    '{"batch_window_start":-1,"batch_window_end":0,"k":"a","count":1}' \
    '{"batch_window_start":-1,"batch_window_end":0,"k":"b","count":1}' \
    '{"batch_window_start":0,"batch_window_end":1,"k":"a","count":2}' \
    '{"batch_window_start":0,"batch_window_end":1,"k":"b","count":1}' \
    '{"batch_window_start":1,"batch_window_end":2,"k":"a","count":1}')
  run -0 --separate-stderr sstream-window --batch-window 2 --by k --inverse --data-only < in.ndjson
  assert_output "$(printf '%s\n' "$counts" \
    '{"batch_window_start":1,"batch_window_end":2,"k":"b","count":0}' \
    '{"batch_window_start":2,"batch_window_end":3,"k":"a","count":0}' \
    '{"batch_window_start":2,"batch_window_end":3,"k":"b","count":0}')"
  assert_stderr_empty
  run -0 --separate-stderr sstream-window --batch-window 2 --by k --inverse --drop-zero \
    --data-only < in.ndjson
  assert_output "$counts"
  assert_stderr_empty
  assert_usage_error "--drop-zero goes with --inverse" sstream-window --batch-window 2 --by k --drop-zero
}

@test "--batch-slide emits a window of the last N batches every M batches" {
  # Batch i holds one row with v = 2^i, so sum(v) names the batches in a window.
  local i
  for i in 0 1 2 3 4 5; do
    echo "{\"v\":$((1 << i))}"
    tick "$i"; echo
  done > in.ndjson
  run -0 --separate-stderr sstream-window --control always --batch-window 3 --batch-slide 2 --agg 'count, sum(v)' \
    < in.ndjson
  assert_output "$(printf '%s\n' "$(stream aggregation append)" "$(tick 0)" \
    '{"batch_window_start":-1,"batch_window_end":1,"count":2,"sum(v)":3}' "$(tick 1)" "$(tick 2)" \
    '{"batch_window_start":1,"batch_window_end":3,"count":3,"sum(v)":14}' "$(tick 3)" "$(tick 4)" \
    '{"batch_window_start":3,"batch_window_end":5,"count":3,"sum(v)":56}' "$(tick 5)" "$END")"
  assert_stderr_empty
}

# window_of FORMAT RECORD: the 10 s window sstream-window puts RECORD in when
# its time field t is read as FORMAT.
window_of() {
  run -0 --separate-stderr sstream-window --time t --time-format "$1" --tumbling 10s \
    --watermark 0s --data-only <<< "$2"
  assert_stderr_empty
}

@test "--time-format s, us and ns force the epoch unit that auto would guess otherwise" {
  # auto reads 200000000005 as milliseconds, 12000000 and 12000000000 as seconds.
  window_of s '{"t":200000000005}'
  assert_output '{"window_start":200000000000,"window_end":200000000010,"count":1}'
  window_of us '{"t":12000000}'
  assert_output '{"window_start":10000000,"window_end":20000000,"count":1}'
  window_of ns '{"t":"12000000000"}'
  assert_output '{"window_start":10000000000,"window_end":20000000000,"count":1}'
}

@test "--time-format iso reads ISO-8601 text and refuses an epoch number" {
  window_of iso '{"t":"2026-01-01T00:00:12+01:00"}'
  assert_output '{"window_start":"2025-12-31T23:00:10.000Z","window_end":"2025-12-31T23:00:20.000Z","count":1}'
  run -1 --separate-stderr sstream-window --time t --time-format iso --tumbling 10s \
    --watermark 0s --data-only <<< '{"t":12}'
  assert_stderr_contains "stdin: line 1: field 't': event time is a number but --time-format is iso"
}

@test "--offset shifts sliding windows on the slide's grid, and must be smaller than it" {
  run -0 --separate-stderr sstream-window --time t --time-format ms --sliding 10s --slide 5s \
    --offset 2s --watermark 0s --data-only <<< '{"t":1000}'
  assert_output "$(printf '%s\n' '{"window_start":-8000,"window_end":2000,"count":1}' \
    '{"window_start":-3000,"window_end":7000,"count":1}')"
  assert_stderr_empty
  assert_usage_error "--offset must be smaller than the slide (or tumbling size)" \
    sstream-window --time t --sliding 10s --slide 5s --offset 5s --watermark 0s
  assert_usage_error "--offset must be smaller than the slide (or tumbling size)" \
    sstream-window --time t --tumbling 10s --offset 10s --watermark 0s
}

@test "window, aggregate and timing option values that cannot work are usage errors (exit 2)" {
  local w=(sstream-window --time t --tumbling 10s --watermark 0s)
  assert_usage_error "--agg 'approx_count_distinct(u, 2)': rsd must be a number between 0 and 1" \
    "${w[@]}" --agg 'approx_count_distinct(u, 2)'
  assert_usage_error "--agg 'percentile_approx(v, 0.5, 0)': the accuracy must be a number >= 1" \
    "${w[@]}" --agg 'percentile_approx(v, 0.5, 0)'
  assert_usage_error "--slide must be positive" \
    sstream-window --time t --sliding 10s --slide 0s --watermark 0s
  assert_usage_error "--idle-timeout must be positive" "${w[@]}" --idle-timeout 0s
  assert_usage_error "give --session GAP or --session-gap-field FIELD, not both" \
    sstream-window --time t --session 10s --session-gap-field g --by u --watermark 0s
  assert_usage_error "--session: the gap must be positive" \
    sstream-window --time t --session 0s --by u --watermark 0s
  assert_usage_error "--within-watermark does not combine with event-time windows" \
    sstream-window --time t --tumbling 10s --watermark 1s --within-watermark
  assert_usage_error "--tick must be at least 1ms" "${w[@]}" --tick 0s
}

@test "-v logs the largest state and how many late rows went to --late-output" {
  printf '%s\n' '{"t":15000}' "$(tick 0)" '{"t":1000}' "$(tick 1)" > in.ndjson
  run -0 --separate-stderr sstream-window -v --time t --time-format ms --tumbling 10s \
    --watermark 1s --late-output late.ndjson --data-only < in.ndjson
  assert_output '{"window_start":10000,"window_end":20000,"count":1}'
  assert_equal "$stderr" "sstream-window: info: state at its largest: 1 group(s) in 1 window(s), 0.0 MiB
sstream-window: info: 1 late row(s) written to the late output"
  run -0 --separate-stderr sstream-window --time t --time-format ms --tumbling 10s \
    --watermark 1s --late-output late2.ndjson --data-only < in.ndjson
  assert_stderr_empty
}

@test "-q silences the late-row warning" {
  run -0 --separate-stderr sstream-window -q --time t --tumbling 10s --watermark 5s --by k \
    --data-only < batches.ndjson
  assert_output "$(printf '%s\n' "$(row 00 10 a 2)" "$(row 00 10 b 1)" "$(row 10 20 a 2)" \
    "$(row 20 30 b 1)")"
  assert_stderr_empty
}

@test "window options that sessions do not use are refused by name" {
  assert_usage_error "--offset does not combine with session windows" \
    sstream-window --time t --session 10s --by u --watermark 1s --offset 2s
  assert_usage_error "--tumbling does not combine with session windows" \
    sstream-window --time t --session 10s --tumbling 10s --by u --watermark 1s
}

@test "man page example: a sliding row late for one window but not the next" {
  run -0 --separate-stderr bash -c "printf '%s\n' '{\"t\":11000}' '{\"t\":26000}' '$(tick 0)' \
    '{\"t\":14000}' '$(tick 1)' |
    sstream-window --time t --time-format ms --sliding 10s --slide 5s --watermark 8s \
      --mode update --data-only"
  assert_output '{"window_start":5000,"window_end":15000,"count":1}
{"window_start":10000,"window_end":20000,"count":1}
{"window_start":20000,"window_end":30000,"count":1}
{"window_start":25000,"window_end":35000,"count":1}
{"window_start":10000,"window_end":20000,"count":2}'
  assert_stderr_contains "dropped 1 late row(s)"
}

@test "man page example: sessions merged by a row that bridges them" {
  run -0 bash -c "printf '%s\n' '{\"t\":1000,\"u\":\"a\"}' '{\"t\":9000,\"u\":\"a\"}' '$(tick 0)' \
    '{\"t\":5000,\"u\":\"a\"}' '{\"t\":30000,\"u\":\"b\"}' '$(tick 1)' |
    sstream-window --time t --time-format ms --session 4s --watermark 10s --by u --data-only"
  assert_output '{"session_start":1000,"session_end":13000,"u":"a","count":3}
{"session_start":30000,"session_end":34000,"u":"b","count":1}'
}

@test "--time, --by and aggregate arguments take expressions" {
  printf '%s\n' '{"ts":"02/01/2026 00:00:01","user":"Ann","price":2,"qty":3}' \
    '{"ts":"02/01/2026 00:00:04","user":"ann","price":1.5,"qty":2}' \
    '{"ts":"02/01/2026 00:00:12","user":"BOB","price":1,"qty":1}' > sales.ndjson
  run -0 sstream-window --time "to_timestamp(ts, 'dd/MM/yyyy HH:mm:ss')" --tumbling 10s \
    --watermark 1s --by "lower(user) AS user" --agg "count, sum(price * qty) AS revenue" \
    --data-only < sales.ndjson
  assert_output '{"window_start":"2026-01-02T00:00:00.000Z","window_end":"2026-01-02T00:00:10.000Z","user":"ann","count":2,"revenue":9}
{"window_start":"2026-01-02T00:00:10.000Z","window_end":"2026-01-02T00:00:20.000Z","user":"bob","count":1,"revenue":1}'
  run -0 sstream-window --time "to_timestamp(ts, 'dd/MM/yyyy HH:mm:ss')" --tumbling 10s \
    --watermark 1s --by "upper(substr(user, 1, 1))" --data-only < sales.ndjson
  assert_line --index 0 --partial '"upper(substr(user, 1, 1))":"A","count":2}'
  run -2 --separate-stderr sstream-window --time "nosuch(t)" --tumbling 1s --mode update
  assert_stderr_contains "--time: column 1: unknown function 'nosuch'"
}

@test "--dedup keys may be expressions" {
  printf '%s\n' '{"e":"A@x.org"}' '{"e":"a@X.org"}' '{"e":"b@x.org"}' > mails.ndjson
  run -0 --separate-stderr sstream-window --dedup "lower(e)" --data-only < mails.ndjson
  assert_output '{"e":"A@x.org"}
{"e":"b@x.org"}'
}

# Issue 10 ("Every row accounted for"): a misspelled field is reported.
@test "issue-10: a --by, --agg or --time field no record of a batch has is warned about; --strict makes it an error" {
  printf '%s\n' '{"t":1,"campaign_id":"a","price":2}' '{"t":2,"campaign_id":"b","price":3}' > ev.ndjson
  run -0 --separate-stderr sstream-window --time t --tumbling 10s --by campain_id --agg 'count, sum(prise)' \
    --mode update --data-only < ev.ndjson
  assert_output '{"window_start":0,"window_end":10,"campain_id":null,"count":2,"sum(prise)":null}'
  assert_stderr_contains "sstream-window: warning: --by: no record of batch 0 (2 record(s)) has the field 'campain_id' (did you mean 'campaign_id'?)"
  assert_stderr_contains "sstream-window: warning: --agg: no record of batch 0 (2 record(s)) has the field 'prise' (did you mean 'price'?)"
  run -1 --separate-stderr sstream-window --strict --time t --tumbling 10s --by campain_id --mode update \
    --data-only < ev.ndjson
  assert_output ''
  assert_stderr_contains "sstream-window: error: --by: no record of batch 0 (2 record(s)) has the field 'campain_id'"
  run -0 --separate-stderr sstream-window --strict --time t --tumbling 10s --by campaign_id --mode update \
    --data-only < ev.ndjson
  assert_stderr_empty
}

@test "issue-10: --dedup keys and --batch-window fields no record has are reported too" {
  printf '%s\n' '{"id":1,"v":2}' '{"id":2,"v":3}' > ev.ndjson
  run -1 --separate-stderr sstream-window --strict --dedup idd --data-only < ev.ndjson
  assert_stderr_contains "sstream-window: error: --dedup: no record of batch 0 (2 record(s)) has the field 'idd' (did you mean 'id'?)"
  run -0 --separate-stderr sstream-window --batch-window 2 --agg 'sum(w)' --data-only < ev.ndjson
  assert_stderr_contains "sstream-window: warning: --agg: no record of batch 0 (2 record(s)) has the field 'w'"
}

# issue-10 item 18: a null event time is left out and counted, as Spark's window
# and watermark ignore it; a missing or unreadable time stays a bad record.
@test "issue-10: rows whose event time is null are dropped and counted; a missing time is a bad record" {
  printf '%s\n' '{"t":null,"k":"a"}' '{"t":1000,"k":"a"}' '{"t":null,"k":"a"}' > in.ndjson
  run -0 --separate-stderr sstream-window --time t --time-format ms --tumbling 10s \
    --watermark 0s --by k --data-only < in.ndjson
  assert_output '{"window_start":0,"window_end":10000,"k":"a","count":1}'
  assert_equal "$stderr" "sstream-window: warning: dropped 2 row(s) whose event time was null"
  run -0 --separate-stderr sstream-window --time t --time-format ms --session 1s \
    --watermark 0s --by k --data-only < in.ndjson
  assert_output '{"session_start":1000,"session_end":2000,"k":"a","count":1}'
  assert_stderr_contains "dropped 2 row(s) whose event time was null"
  run -0 --separate-stderr sstream-window --dedup k --time t --time-format ms --watermark 0s \
    --data-only < in.ndjson
  assert_output '{"t":1000,"k":"a"}'
  assert_stderr_contains "dropped 2 row(s) whose event time was null"
  run -1 --separate-stderr sstream-window --time t --tumbling 10s --watermark 0s \
    <<< '{"k":"a"}'
  assert_stderr_contains "stdin: line 1: field 't': event-time field is missing"
  run -1 --separate-stderr sstream-window --dedup k --time t --watermark 0s <<< '{"k":"a"}'
  assert_stderr_contains "stdin: line 1: event time: event-time field is missing"
}

# issue-10 item 20: an out-of-range time wrapped the watermark (signed overflow
# in the ms conversion) and every later row was dropped as late.
@test "issue-10: an out-of-range event time is a bad record and leaves the watermark alone" {
  printf '%s\n' '{"t":-9223372036854775000}' '{"t":5000}' > in.ndjson
  run -1 --separate-stderr sstream-window --time t --time-format ms --tumbling 10s \
    --watermark 1s < in.ndjson
  assert_stderr_contains "stdin: line 1: field 't': event time out of range"
  run -0 --separate-stderr sstream-window --control always --time t --time-format ms --tumbling 10s \
    --watermark 1s --bad-records skip < in.ndjson
  assert_output "$(printf '%s\n' "$(stream aggregation append)" '{"@sstream":"watermark","ms":4000,"time":"1970-01-01T00:00:04.000Z"}' \
    '{"@sstream":"tick","epoch":0}' '{"window_start":0,"window_end":10000,"count":1}' \
    '{"@sstream":"end"}')"
  assert_stderr_contains "skipped 1 bad record(s)"
  local unit v
  for unit in s ms us; do
    for v in 9223372036854775807 -9223372036854775808 '"9223372036854775807"' 1e300; do
      run -1 --separate-stderr sstream-window --time t --time-format $unit --tumbling 10s \
        --watermark 1s <<< "{\"t\":$v}"
      assert_stderr_contains "event time out of range"
    done
  done
  # The largest times and durations keep window and watermark arithmetic in range.
  run -0 --separate-stderr sstream-window --time t --time-format ms --sliding 106481d \
    --slide 53240d --watermark 106481d --data-only <<< '{"t":9200000000000000}'
  assert_equal "${#lines[@]}" 2
  assert_stderr_empty
}

# issue-10 item 23: "." and "-." passed the numeric check and read as epoch 0.
@test "issue-10: event-time text \".\" or \"-.\" is a bad record, not epoch 0" {
  run -1 --separate-stderr sstream-window --time t --tumbling 10s --watermark 0s <<< '{"t":"."}'
  assert_stderr_contains "stdin: line 1: field 't': event time '.' is not a number"
  run -0 --separate-stderr sstream-window --time t --tumbling 10s --watermark 0s \
    --bad-records skip --data-only <<< '{"t":"-."}'
  assert_output ""
  assert_stderr_contains "event time '-.' is not a number" "skipped 1 bad record(s)"
}

# issue-10: Spark's running word count, groupBy(word).count(), needs no window.
@test "issue-10: aggregation without a window runs in update and complete mode; append is refused" {
  printf '%s\n' '{"word":"b"}' '{"word":"a"}' "$(tick 0)" '{"word":"a"}' "$(tick 1)" > in.ndjson
  run -0 --separate-stderr sstream-window --by word --agg count --mode complete --data-only \
    < in.ndjson
  assert_output "$(printf '%s\n' '{"word":"a","count":1}' '{"word":"b","count":1}' \
    '{"word":"a","count":2}' '{"word":"b","count":1}')"
  assert_stderr_empty
  run -0 --separate-stderr sstream-window --by word --mode update --data-only < in.ndjson
  assert_output "$(printf '%s\n' '{"word":"a","count":1}' '{"word":"b","count":1}' \
    '{"word":"a","count":2}')"
  assert_usage_error "append mode needs a window that a watermark closes" \
    sstream-window --by word
  assert_usage_error \
    "--time, --watermark do not combine with aggregation without a window (give --tumbling, --sliding or --session" \
    sstream-window --by word --mode update --time t --watermark 1s
}

# issue-10 item 20 (window arithmetic near the limits): a row belongs to
# size/slide sliding windows; a slide that would make that count absurd is
# refused instead of looping for hours on the first row.
@test "issue-10: a sliding window that would put each row in over a million windows is a usage error" {
  assert_usage_error \
    "--sliding 106481d with --slide 1ms puts each row in 9199958400000 windows; at most 1000000 are allowed" \
    sstream-window --time t --sliding 106481d --slide 1ms --watermark 0s
  run -0 --separate-stderr sstream-window --time t --sliding 1000s --slide 1ms --watermark 0s \
    < /dev/null  # exactly a million: allowed
  assert_stderr_empty
}
