bats_require_minimum_version 1.8.0
load test_helper

# sstream-window: event-time windows with Spark's watermark rules, shown as
# Spark's own tests show them: explicit batches of rows, and what each batch
# emits.

tick() { printf '{"@sstream":"tick","epoch":%s}' "$1"; }
wm() { printf '{"@sstream":"watermark","ms":%s,"time":"%s"}' "$1" "$2"; }
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
    echo '{"@sstream":"end"}'
  } > batches.ndjson
}

@test "append mode emits a window once, in the batch where the watermark passes its end" {
  run -0 --separate-stderr sstream-window --time t --tumbling 10s --watermark 5s --by k \
    < batches.ndjson
  assert_output "$(printf '%s\n' \
    "$(wm 1767225599000 2025-12-31T23:59:59.000Z)" "$(tick 0)" \
    "$(wm 1767225607000 2026-01-01T00:00:07.000Z)" "$(tick 1)" \
    "$(row 00 10 a 2)" "$(row 00 10 b 1)" \
    "$(wm 1767225612000 2026-01-01T00:00:12.000Z)" "$(tick 2)" \
    "$(row 10 20 a 2)" \
    "$(wm 1767225621000 2026-01-01T00:00:21.000Z)" "$(tick 3)" \
    "$(tick 4)" \
    "$(row 20 30 b 1)" \
    '{"@sstream":"end"}')"
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
  run -0 --separate-stderr sstream-window --time t --tumbling 10s --watermark 5s --by k \
    --mode update < batches.ndjson
  assert_output "$(printf '%s\n' \
    "$(row 00 10 a 1)" "$(row 00 10 b 1)" \
    "$(wm 1767225599000 2025-12-31T23:59:59.000Z)" "$(tick 0)" \
    "$(row 10 20 a 1)" \
    "$(wm 1767225607000 2026-01-01T00:00:07.000Z)" "$(tick 1)" \
    "$(row 00 10 a 2)" "$(row 10 20 a 2)" \
    "$(wm 1767225612000 2026-01-01T00:00:12.000Z)" "$(tick 2)" \
    "$(row 20 30 b 1)" \
    "$(wm 1767225621000 2026-01-01T00:00:21.000Z)" "$(tick 3)" \
    "$(tick 4)" \
    '{"@sstream":"end"}')"
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
  run -0 --separate-stderr sstream-window --time t --tumbling 10s --by k --mode complete < in.ndjson
  assert_output "$(printf '%s\n' \
    "$(row 00 10 a 1)" "$(tick 0)" \
    "$(row 00 10 a 1)" "$(row 20 30 b 1)" "$(tick 1)" \
    "$(row 00 10 a 2)" "$(row 20 30 b 1)" "$(tick 2)" \
    '{"@sstream":"end"}')"
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
  run -0 sstream-window --time ts --tumbling 10s --watermark 0s --agg 'sum(x), avg(x)' \
    --data-only < in.ndjson
  assert_output '{"window_start":1767225600,"window_end":1767225610,"sum(x)":null,"avg(x)":null}'
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
  run_pipeline -0 "printf '%s\n' '{\"t\":7000}' '{\"t\":12000}' '{\"@sstream\":\"tick\",\"epoch\":0}' '{\"t\":4000}' '{\"@sstream\":\"tick\",\"epoch\":1}' | sstream-window --time t --time-format ms --sliding 10s --slide 5s --watermark 3s --data-only 2>&1"
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
  run_pipeline -0 "printf '%s\n' '{\"t\":15000}' '{\"@sstream\":\"tick\",\"epoch\":0}' '{\"t\":1000,\"id\":\"x\"}' '{\"@sstream\":\"tick\",\"epoch\":1}' | sstream-window --time t --time-format ms --tumbling 10s --watermark 1s --late-output late.ndjson --data-only"
  assert_output '{"window_start":10000,"window_end":20000,"count":1}'
  run -0 cat late.ndjson
  assert_output '{"window_start":0,"window_end":10000,"watermark":14000,"record":{"t":1000,"id":"x"}}'
  run -2 --separate-stderr sstream-window --time t --tumbling 10s --mode update --late-output x < /dev/null
  assert_stderr_contains "--late-output needs --watermark"
}

# Spark guide, "Types of time windows": session windows with a 10-second gap.
@test "session windows merge a key's events that come within the gap, across batches" {
  run_pipeline -0 "printf '%s\n' '{\"t\":\"2026-01-01T12:00:01Z\",\"u\":\"a\"}' '{\"t\":\"2026-01-01T12:00:08Z\",\"u\":\"a\"}' '{\"t\":\"2026-01-01T12:00:02Z\",\"u\":\"b\"}' '{\"@sstream\":\"tick\",\"epoch\":0}' '{\"t\":\"2026-01-01T12:00:15Z\",\"u\":\"a\"}' '{\"@sstream\":\"tick\",\"epoch\":1}' | sstream-window --time t --session 10s --watermark 5s --by u --data-only"
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
  run_pipeline -0 "printf '%s\n' '{\"id\":1,\"t\":1000}' '{\"id\":1,\"t\":4000}' '{\"id\":2,\"t\":20000}' '{\"@sstream\":\"tick\",\"epoch\":0}' '{\"id\":1,\"t\":16000}' '{\"@sstream\":\"tick\",\"epoch\":1}' | sstream-window --dedup id --time t --time-format ms --watermark 5s --within-watermark --data-only"
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
  mkfifo in.fifo
  sstream-window --time t --time-format ms --tumbling 10s --watermark 5s --idle-timeout 300ms --data-only < in.fifo > out.ndjson 3>&- &
  local pid=$!
  exec 4> in.fifo
  printf '%s\n' '{"t":1000}' '{"t":12000}' '{"@sstream":"tick","epoch":0}' >&4
  # The input stays open but quiet: the windows must come out before it ends
  # (end of input would flush them anyway, so look while it is still open).
  local i seen=0
  for i in $(seq 1 100); do
    if [[ $(wc -l < out.ndjson) -ge 2 ]]; then seen=1; break; fi
    sleep 0.05
  done
  run -0 cat out.ndjson
  exec 4>&-
  wait "$pid"
  [[ $seen == 1 ]] || fail "no window emitted within 5 s of quiet input: $output"
  assert_output - <<'OUT'
{"window_start":0,"window_end":10000,"count":1}
{"window_start":10000,"window_end":20000,"count":1}
OUT
}

# DStreams guide, "Window Operations": countByWindow and reduceByKeyAndWindow
# over the last two batches.
@test "--batch-window counts over the last N batches, with 0 for an empty window" {
  run_pipeline -0 "printf '%s\n' '{\"v\":1}' '{\"@sstream\":\"tick\",\"epoch\":0}' '{\"v\":2}' '{\"v\":2}' '{\"@sstream\":\"tick\",\"epoch\":1}' '{\"@sstream\":\"tick\",\"epoch\":2}' '{\"@sstream\":\"tick\",\"epoch\":3}' | sstream-window --batch-window 2 --data-only"
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
  run_pipeline -0 "printf '%s\n' '{\"t\":30000}' '{\"@sstream\":\"tick\",\"epoch\":0}' '{\"t\":1000}' | sstream-window --time t --time-format ms --sliding 10s --slide 2s --watermark 1s --data-only 2>&1 >/dev/null"
  assert_output "sstream-window: warning: dropped 1 late row(s): their window had closed (end <= watermark)"
}
