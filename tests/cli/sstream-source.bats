bats_require_minimum_version 1.8.0
load test_helper

# sstream-source: files, stdin and generators, cut into numbered batches.

@test "a file of JSON lines comes out record by record, then one tick and the end" {
  printf '{"a":1}\n{"a":2}\n' > in.ndjson
  run -0 --separate-stderr sstream-source --control always in.ndjson
  assert_output "$(printf '%s\n' '{"a":1}' '{"a":2}' "$(tick 0)" "$END")"
  assert_stderr_empty
}

@test "records are read from stdin when no input or '-' is given" {
  run_pipeline -0 "printf '{\"a\":1}\n' | sstream-source --data-only"
  assert_output '{"a":1}'
  run_pipeline -0 "printf '{\"a\":1}\n' | sstream-source --data-only -"
  assert_output '{"a":1}'
}

@test "blank lines and CRLF line ends are accepted in JSON input" {
  printf '{"a":1}\r\n\n   \n{"a":2}\r\n' > in.ndjson
  run -0 --separate-stderr sstream-source --data-only in.ndjson
  assert_output "$(printf '%s\n' '{"a":1}' '{"a":2}')"
  assert_stderr_empty
}

@test "a line that is not JSON fails with exit 1 naming the file and line" {
  printf '{"a":1}\nnot json\n{"a":3}\n' > in.ndjson
  run -1 --separate-stderr sstream-source in.ndjson
  assert_stderr_contains "sstream-source: error: in.ndjson: line 2: invalid JSON"
}

@test "a JSON value that is not an object is a bad record with its line" {
  printf '{"a":1}\n{"a":2}\n[1,2]\n' > in.ndjson
  run -1 --separate-stderr sstream-source in.ndjson
  assert_stderr_contains "in.ndjson: line 3:"
}

@test "a bad line read from stdin is reported as stdin with its line" {
  run_pipeline -1 "printf '{\"a\":1}\n{\"a\":\n' | sstream-source"
  assert_output --partial "stdin: line 2: invalid JSON"
}

@test "--bad-records skip drops bad lines, continues, and reports the count" {
  printf '{"a":1}\nnot json\n{"a":3}\n[]\n{"a":5}\n' > in.ndjson
  run -0 --separate-stderr sstream-source --control always --bad-records skip in.ndjson
  assert_output "$(printf '%s\n' '{"a":1}' '{"a":3}' '{"a":5}' "$(tick 0)" "$END")"
  assert_stderr_contains "skipping in.ndjson: line 2" "skipping in.ndjson: line 4" \
    "skipped 2 bad record(s)"
}

@test "--dead-letter FILE writes each bad line as a {position, error, record} JSON line" {
  printf '{"a":1}\nnot json\n{"a":3}\n"text"\n' > in.ndjson
  run -0 --separate-stderr sstream-source --control always --dead-letter dead.ndjson in.ndjson
  assert_output "$(printf '%s\n' '{"a":1}' '{"a":3}' "$(tick 0)" "$END")"
  assert_stderr_contains "2 bad record(s) written to dead.ndjson"
  run -0 jq -c '[.position, .record]' dead.ndjson
  assert_output "$(printf '%s\n' '["in.ndjson: line 2","not json"]' '["in.ndjson: line 4","\"text\""]')"
  run -0 jq -r '.error' dead.ndjson
  assert_line --index 0 --partial "invalid JSON"
}

@test "--dead-letter appends to an existing file" {
  echo '{"old":true}' > dead.ndjson
  printf 'bad\n' > in.ndjson
  run -0 --separate-stderr sstream-source --dead-letter dead.ndjson in.ndjson
  run -0 wc -l < dead.ndjson
  assert_output 2
}

@test "--bad-records dead-letter without --dead-letter is a usage error" {
  run -2 --separate-stderr sstream-source --bad-records dead-letter /dev/null
  assert_stderr_contains "--dead-letter FILE"
}

@test "a line longer than --max-record-bytes is a bad record with its line" {
  printf '{"a":1}\n{"a":"%s"}\n{"a":3}\n' "$(printf 'x%.0s' $(seq 1 200))" > in.ndjson
  run -1 --separate-stderr sstream-source --max-record-bytes 100 in.ndjson
  assert_stderr_contains "in.ndjson: line 2: line longer than 100 bytes"
  run -0 --separate-stderr sstream-source --max-record-bytes 100 --bad-records skip --data-only \
    in.ndjson
  assert_output "$(printf '%s\n' '{"a":1}' '{"a":3}')"
  assert_stderr_contains "skipped 1 bad record(s)"
}

@test "--format text makes each line a {\"value\": line} record, escaped as JSON" {
  printf 'hello "world"\n\ttab\\slash\nlast line without newline' > in.txt
  run -0 --separate-stderr sstream-source --format text --data-only in.txt
  assert_output "$(printf '%s\n' '{"value":"hello \"world\""}' '{"value":"\ttab\\slash"}' \
    '{"value":"last line without newline"}')"
  assert_stderr_empty
}

@test "--format text keeps blank lines as empty values, as Spark's text source" {
  printf 'a\n\nb\n' > in.txt
  run -0 --separate-stderr sstream-source --format text --data-only in.txt
  assert_output "$(printf '%s\n' '{"value":"a"}' '{"value":""}' '{"value":"b"}')"
  assert_stderr_empty
}

@test "--format text does not interpret JSON or control lines in the text" {
  printf '{"@sstream":"end"}\n{"a":1}\n' > in.txt
  run -0 --separate-stderr sstream-source --format text --data-only in.txt
  assert_output "$(printf '%s\n' '{"value":"{\"@sstream\":\"end\"}"}' '{"value":"{\"a\":1}"}')"
}

@test "--format text fails on invalid UTF-8 with the line, or skips it under --bad-records skip" {
  printf 'ok\n\xff\xfe bad\nfine\n' > in.txt
  run -1 --separate-stderr sstream-source --format text in.txt
  assert_stderr_contains "in.txt: line 2: invalid UTF-8"
  run -0 --separate-stderr sstream-source --format text --bad-records skip --data-only in.txt
  assert_output "$(printf '%s\n' '{"value":"ok"}' '{"value":"fine"}')"
  assert_stderr_contains "skipped 1 bad record(s)"
}

@test "--format text writes invalid UTF-8 lines to the dead-letter file as valid JSON" {
  printf 'ok\n\xff bad\n' > in.txt
  run -0 --separate-stderr sstream-source --format text --dead-letter dead.ndjson --data-only in.txt
  assert_output '{"value":"ok"}'
  run -0 jq -r '.position + " | " + .error' dead.ndjson
  assert_output "in.txt: line 2 | invalid UTF-8"
}

@test "several files are read in the order given, as one stream" {
  printf '{"f":1,"i":1}\n{"f":1,"i":2}\n' > one.ndjson
  printf '{"f":2,"i":1}\n' > two.ndjson
  run -0 --separate-stderr sstream-source --data-only two.ndjson one.ndjson two.ndjson
  assert_output "$(printf '%s\n' '{"f":2,"i":1}' '{"f":1,"i":1}' '{"f":1,"i":2}' '{"f":2,"i":1}')"
  assert_stderr_empty
}

@test "line numbers in errors count from the start of each file" {
  printf '{"a":1}\n{"a":2}\n' > one.ndjson
  printf '{"a":3}\noops\n' > two.ndjson
  run -1 --separate-stderr sstream-source one.ndjson two.ndjson
  assert_stderr_contains "two.ndjson: line 2:"
}

@test "a missing input file fails with exit 1 naming the file" {
  printf '{"a":1}\n' > here.ndjson
  run -1 --separate-stderr sstream-source here.ndjson not-there.ndjson
  assert_stderr_contains "not-there.ndjson" "No such file or directory"
}

@test "a generator mixed with files is refused" {
  printf '{"a":1}\n' > in.ndjson
  run --separate-stderr sstream-source gen:ysb in.ndjson
  assert_failure
  assert_stderr_contains "a generator must be the only input"
}

@test "--trigger once makes all input one batch: one tick, then the end" {
  for i in 1 2 3 4 5; do echo "{\"i\":$i}"; done > in.ndjson
  run -0 --separate-stderr sstream-source --control always --trigger once in.ndjson
  assert_output "$(printf '%s\n' '{"i":1}' '{"i":2}' '{"i":3}' '{"i":4}' '{"i":5}' "$(tick 0)" "$END")"
  assert_stderr_empty
}

@test "--trigger once ignores --max-batch-records, as Spark's Trigger.Once, and warns" {
  for i in 1 2 3; do echo "{\"i\":$i}"; done > in.ndjson
  run -0 --separate-stderr sstream-source --control always --trigger once --max-batch-records 2 in.ndjson
  assert_output "$(printf '%s\n' '{"i":1}' '{"i":2}' '{"i":3}' "$(tick 0)" "$END")"
  assert_stderr_contains "do nothing with --trigger once"
}

@test "--trigger once waits for the whole of a slow input before its single tick" {
  run_pipeline -0 "(echo '{\"i\":1}'; sleep 1.2; echo '{\"i\":2}') | sstream-source --control always --trigger once"
  assert_output "$(printf '%s\n' '{"i":1}' '{"i":2}' "$(tick 0)" "$END")"
}

@test "--trigger available-now with --max-batch-records cuts epochs 0..k in order, then ends" {
  for i in 1 2 3 4 5 6 7; do echo "{\"i\":$i}"; done > in.ndjson
  run -0 --separate-stderr sstream-source --control always --trigger available-now --max-batch-records 3 in.ndjson
  assert_output "$(printf '%s\n' '{"i":1}' '{"i":2}' '{"i":3}' "$(tick 0)" \
    '{"i":4}' '{"i":5}' '{"i":6}' "$(tick 1)" \
    '{"i":7}' "$(tick 2)" "$END")"
  assert_stderr_empty
}

@test "--max-batch-records closing the last batch exactly does not add an empty batch" {
  for i in 1 2 3 4; do echo "{\"i\":$i}"; done > in.ndjson
  run -0 sstream-source --control always --trigger available-now --max-batch-records 2 in.ndjson
  run -0 grep -c '"tick"' <<< "$output"
  assert_output 2
}

@test "--max-batch-bytes closes a batch once it holds N bytes of record text" {
  # Each record is 7 bytes ({"i":1}); line ends do not count.
  for i in 1 2 3 4 5; do echo "{\"i\":$i}"; done > in.ndjson
  run -0 --separate-stderr sstream-source --control always --trigger available-now --max-batch-bytes 14 in.ndjson
  assert_output "$(printf '%s\n' '{"i":1}' '{"i":2}' "$(tick 0)" '{"i":3}' '{"i":4}' "$(tick 1)" \
    '{"i":5}' "$(tick 2)" "$END")"
  assert_stderr_empty
  run -0 --separate-stderr sstream-source --control always --trigger available-now --max-batch-bytes 15 in.ndjson
  assert_output "$(printf '%s\n' '{"i":1}' '{"i":2}' '{"i":3}' "$(tick 0)" '{"i":4}' '{"i":5}' \
    "$(tick 1)" "$END")"
  assert_stderr_empty
}

@test "an interval trigger closes a batch while a slow producer pauses" {
  run_pipeline -0 "(echo '{\"i\":1}'; sleep 1.2; echo '{\"i\":2}') | sstream-source --control always --trigger 300ms"
  # Timing is loose on a busy machine: only ask for at least two ticks, in order.
  run -0 jq -r 'select(."@sstream" == "tick") | .epoch' <<< "$output"
  [[ "${#lines[@]}" -ge 2 ]] || fail "expected at least 2 ticks, got: $output"
  assert_line --index 0 0
  assert_line --index 1 1
}

@test "an interval trigger does not emit ticks for empty batches" {
  run_pipeline -0 "(echo '{\"i\":1}'; sleep 1) | sstream-source --control always --trigger 100ms"
  assert_output "$(printf '%s\n' '{"i":1}' "$(tick 0)" "$END")"
}

@test "gen:ysb is deterministic: the same seed gives identical bytes" {
  sstream-source gen:ysb --count 2000 --seed 7 > a.out
  sstream-source gen:ysb --count 2000 --seed 7 > b.out
  run -0 cmp a.out b.out
}

@test "gen:ysb with a different seed gives different events" {
  sstream-source gen:ysb --count 2000 --seed 7 > a.out
  sstream-source gen:ysb --count 2000 --seed 8 > b.out
  run -1 cmp -s a.out b.out
}

@test "gen:ysb events carry the YSB fields" {
  run -0 --separate-stderr sstream-source gen:ysb --count 1 --data-only
  assert_stderr_empty
  run -0 jq -c 'keys' <<< "$output"
  assert_output '["ad_id","ad_type","event_time","event_type","ip_address","page_id","user_id"]'
}

@test "gen:ysb spaces event times by --events-per-second from --start" {
  run -0 --separate-stderr sstream-source gen:ysb --count 5 --events-per-second 4 \
    --start 2026-01-01T00:00:00Z --data-only
  assert_stderr_empty
  run -0 jq -r '.event_time' <<< "$output"
  assert_output "$(printf '%s\n' 1767225600000 1767225600250 1767225600500 1767225600750 \
    1767225601000)"
}

@test "gen:ysb --disorder delays events by at most DURATION, never before --start" {
  sstream-source gen:ysb --count 20000 --disorder 2s --data-only > events.ndjson
  # Event i is due at start + i/10 ms (10000 events a second).
  run -0 jq -s -c '[.[].event_time | tonumber] as $t
    | [range(0; $t | length) | (1767225600000 + ((. / 10) | floor)) - $t[.]] as $lag
    | [($lag | min) >= 0, ($lag | max) <= 2000, ($t | min) >= 1767225600000,
       ([range(1; $t | length) | select($t[.] < $t[. - 1])] | length) > 0]' events.ndjson
  assert_output '[true,true,true,true]'
}

@test "gen:ysb with --count N writes exactly N events" {
  run -0 --separate-stderr sstream-source gen:ysb --count 1234 --data-only
  assert_equal "${#lines[@]}" 1234
}

@test "gen:ysb-campaigns has 1000 ads in 100 distinct campaigns" {
  run -0 --separate-stderr sstream-source gen:ysb-campaigns --data-only
  assert_stderr_empty
  assert_equal "${#lines[@]}" 1000
  printf '%s\n' "$output" > campaigns.ndjson
  run_pipeline -0 "jq -r '.campaign_id' campaigns.ndjson | sort -u | wc -l"
  assert_output 100
  run_pipeline -0 "jq -r '.ad_id' campaigns.ndjson | sort -u | wc -l"
  assert_output 1000
}

@test "every gen:ysb ad_id appears in gen:ysb-campaigns" {
  sstream-source gen:ysb-campaigns --data-only | jq -r '.ad_id' | sort > ads.txt
  sstream-source gen:ysb --count 5000 --data-only | jq -r '.ad_id' | sort -u > used.txt
  run -0 comm -13 ads.txt used.txt
  assert_output ""
}

@test "gen:rate with --count writes numbered rows with timestamps" {
  run -0 --separate-stderr sstream-source gen:rate --count 3 --rows-per-second 100
  assert_stderr_empty
  run -0 jq -c 'select(."@sstream" == null) | [.value, (.timestamp | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T"))]' <<< "$output"
  assert_output "$(printf '%s\n' '[0,true]' '[1,true]' '[2,true]')"
}

@test "--rows-per-second paces generated rows in processing time" {
  local t0 t1
  t0=$(date +%s%N)
  run -0 --separate-stderr sstream-source gen:rate --count 4 --rows-per-second 10 --data-only
  t1=$(date +%s%N)
  assert_stderr_empty
  # Rows 0..3 are due 0, 100, 200 and 300 ms after the start (loose bound).
  (( (t1 - t0) / 1000000 >= 250 )) || fail "gen:rate took $(( (t1 - t0) / 1000000 )) ms"
  run -0 jq -s -c '[.[].value],
    ([.[].timestamp | (.[0:19] + "Z" | fromdate) * 1000 + (.[20:23] | tonumber)]
     | . as $t | [range(1; length) | $t[.] - $t[. - 1]])' <<< "$output"
  assert_output "$(printf '%s\n' '[0,1,2,3]' '[100,100,100]')"
  t0=$(date +%s%N)
  run -0 --separate-stderr sstream-source gen:ysb --count 4 --rows-per-second 10 --data-only
  t1=$(date +%s%N)
  assert_equal "${#lines[@]}" 4
  (( (t1 - t0) / 1000000 >= 250 )) || fail "gen:ysb took $(( (t1 - t0) / 1000000 )) ms"
}

@test "gen:ysb --start now starts event time at the current time" {
  local before after
  before=$(date +%s%3N)
  run -0 --separate-stderr sstream-source gen:ysb --count 3 --events-per-second 4 --start now \
    --data-only
  after=$(date +%s%3N)
  assert_stderr_empty
  run -0 jq -s -c --argjson before "$before" --argjson after "$after" \
    '[.[].event_time | tonumber] | . as $t
     | [$t[0] >= $before - 60000 and $t[0] <= $after + 60000, map(. - $t[0])]' <<< "$output"
  assert_output '[true,[0,250,500]]'
}

@test "--data-only leaves out every control line" {
  run -0 --separate-stderr sstream-source gen:ysb --count 50 --trigger available-now \
    --max-batch-records 10 --data-only
  assert_equal "${#lines[@]}" 50
  refute_output --partial '@sstream'
}

@test "--wire binary output starts with the stream magic and version 1" {
  run -0 bash -c "sstream-source gen:ysb --count 3 --wire binary | od -An -tx1 -N16 | tr -s ' \n' ' '"
  assert_output " 89 53 53 54 52 0d 0a 1a 01 00 00 00 00 00 00 00 "
}

@test "SSTREAM_WIRE=binary selects binary output too" {
  run -0 bash -c "SSTREAM_WIRE=binary sstream-source gen:ysb --count 3 | od -An -c -N8 | tr -s ' \n' ' '"
  assert_output --partial "S S T R \r \n 032"
}

@test "downstream closing the pipe ends the source quietly with exit 0" {
  run_pipeline -0 'sstream-source gen:ysb | head -n 1'
  assert_equal "${#lines[@]}" 1
  refute_output --partial 'error'
}

@test "SIGTERM stops an unbounded generator: the stream is ended and the exit is 0" {
  sstream-source gen:ysb --rows-per-second 2000 > out.ndjson 2> err.txt 3>&- &
  local pid=$!
  wait_for_file out.ndjson
  sleep 0.3
  kill -TERM "$pid"
  wait_exit "$pid" 3
  assert_equal "$status" 0
  run -0 tail -n 1 out.ndjson
  assert_output "$END"
  run -0 cat err.txt
  assert_output ""
}

@test "SIGTERM while waiting on an open stdin closes the batch, ends the stream and exits 0" {
  echo '{"a":1}' > in.ndjson
  # An hour-long trigger: only the stop can close the batch.
  start_on_quiet_stdin source --input in.ndjson sstream-source --trigger 1h
  sleep 0.3
  kill -TERM "$QUIET_PID"
  wait_exit "$QUIET_PID" 3
  assert_equal "$status" 0
  run -0 cat source.out
  assert_output "$(printf '%s\n' '{"a":1}' "$(tick 0)" "$END")"
  run -0 cat source.err
  assert_output ""
}

@test "option values that cannot be used are usage errors (exit 2)" {
  run -2 --separate-stderr sstream-source --trigger sometimes /dev/null
  assert_stderr_contains "--trigger"
  run -2 --separate-stderr sstream-source --max-batch-records -1 /dev/null
  assert_output ""
  assert_stderr_contains "sstream-source: error: batch caps must not be negative"
}

@test "gen:ysb option values that cannot be used are usage errors (exit 2), like --trigger" {
  run -2 --separate-stderr sstream-source gen:ysb --count 1 --start yesterday
  assert_stderr_contains "--start"
  run -2 --separate-stderr sstream-source gen:ysb --count 1 --disorder 5
  assert_stderr_contains "--disorder"
  run -2 --separate-stderr sstream-source gen:ysb --count 1 --events-per-second 0
  assert_output ""
  assert_stderr_contains "sstream-source: error: --events-per-second must be positive"
  run -2 --separate-stderr sstream-source gen:nope
  assert_stderr_contains "unknown generator"
}

@test "negative rates and batch caps are usage errors (exit 2) naming the option" {
  assert_usage_error "--rows-per-second must not be negative" \
    sstream-source gen:rate --count 1 --rows-per-second -1
  assert_usage_error "--rows-per-second must not be negative" sstream-source --rows-per-second -1 -
  assert_usage_error "batch caps must not be negative" sstream-source --max-batch-bytes -1 -
}

@test "-v logs how many records and batches were written" {
  for i in 1 2 3; do echo "{\"i\":$i}"; done > in.ndjson
  run -0 --separate-stderr sstream-source -v --trigger available-now --max-batch-records 2 \
    --data-only in.ndjson
  assert_equal "${#lines[@]}" 3
  assert_equal "$stderr" "sstream-source: info: 3 records in 2 batches"
  run -0 --separate-stderr sstream-source --trigger available-now --max-batch-records 2 \
    --data-only in.ndjson
  assert_stderr_empty
}

@test "-q silences the warnings about skipped records, but not errors" {
  printf '{"a":1}\nnot json\n{"a":3}\n' > in.ndjson
  run -0 --separate-stderr sstream-source --control always -q --bad-records skip in.ndjson
  assert_output "$(printf '%s\n' '{"a":1}' '{"a":3}' "$(tick 0)" "$END")"
  assert_stderr_empty
  run -1 --separate-stderr sstream-source --control always -q in.ndjson
  assert_stderr_contains "sstream-source: error: in.ndjson: line 2: invalid JSON"
}

# --- issue 10: every row accounted for ---------------------------------------

# issue 10, item 8
@test "issue-10: options of one kind of input are refused with another, naming which inputs take them" {
  printf '{"a":1}\n{"a":2}\n{"a":3}\n' > in.json
  run -2 --separate-stderr sstream-source --count 2 in.json
  assert_output ""
  assert_stderr_contains "--count applies to generators only, not to files and stdin"
  run -2 --separate-stderr sstream-source --rows-per-second 5 in.json
  assert_stderr_contains "--rows-per-second applies to generators only, not to files and stdin"
  run -2 --separate-stderr sstream-source --format text gen:rate
  assert_stderr_contains "--format applies to files and stdin only, not to gen:rate"
  run -2 --separate-stderr sstream-source --seed 7 gen:rate
  assert_stderr_contains "--seed applies to gen:ysb only, not to gen:rate"
  run -2 --separate-stderr sstream-source --disorder 2s in.json
  assert_stderr_contains "--disorder applies to gen:ysb only, not to files and stdin"
  run -2 --separate-stderr sstream-source --events-per-second 5 gen:ysb-campaigns
  assert_stderr_contains "--events-per-second applies to gen:ysb only, not to gen:ysb-campaigns"
  # The defaults, written out, change nothing and are accepted.
  run -0 --separate-stderr sstream-source --data-only --count -1 --rows-per-second 0 in.json
  assert_equal "${#lines[@]}" 3
  # Batch caps, which a run-once trigger ignores, are kept, with a warning.
  run -0 --separate-stderr sstream-source --data-only --trigger once --max-batch-records 1 in.json
  assert_equal "${#lines[@]}" 3
  assert_stderr_contains "--max-batch-records and --max-batch-bytes do nothing with --trigger once"
  # --count and --rows-per-second apply to every generator, the campaigns table too.
  run -0 --separate-stderr sstream-source --data-only --count 2 --rows-per-second 1000 gen:ysb-campaigns
  assert_equal "${#lines[@]}" 2
}

# The pipeline of item 15, one run: the source under `--trigger $1`.
once_run() {
  run_pipeline "sstream-source in.json --checkpoint ck --trigger ${1:-once} |
    sstream-window --checkpoint ck --time value --time-format s --tumbling 5s --watermark 10s |
    sstream-sink --checkpoint ck"
}

# issue 10, item 15
@test "issue-10: trigger once runs no no-data batch: what a run's watermark closes comes out in the next run, as in Spark" {
  : > in.json
  echo '{"value":15}' >> in.json
  once_run
  assert_success
  assert_output ""
  printf '%s\n' '{"value":10}' '{"value":12}' '{"value":14}' >> in.json
  once_run
  assert_success
  assert_output ""
  echo '{"value":25}' >> in.json
  once_run  # the watermark is 5 s; it becomes 15 s, but [10,15) waits for the next run
  assert_success
  assert_output ""
  echo '{"value":50}' >> in.json
  once_run  # evicts by 15 s: [10,15); the watermark becomes 40 s
  assert_success
  assert_output '{"window_start":10,"window_end":15,"count":3}'
  once_run  # no new data: Trigger.Once runs no batch at all, not even a no-data one
  assert_success
  assert_output ""
  once_run
  assert_success
  assert_output ""
  echo '{"value":60}' >> in.json
  once_run  # the next batch evicts by 40 s: [15,20) and [25,30), one run later than available-now
  assert_success
  assert_output "$(printf '%s\n' '{"window_start":15,"window_end":20,"count":1}' \
    '{"window_start":25,"window_end":30,"count":1}')"
  # The last TICK of a run-once trigger says so, in both wires.
  run -0 --separate-stderr sstream-source --control always in.json --checkpoint ck2 --trigger once
  assert_line '{"@sstream":"tick","epoch":0,"last":true}'
  run -0 bash -c "sstream-source in.json --checkpoint ck3 --trigger once --wire binary | sstream-map --control always --where 'true' | grep tick"
  assert_output '{"@sstream":"tick","epoch":0,"last":true}'
}

# issue 10, item 15
@test "issue-10: after a run-once trigger's batch, deduplication keeps the keys its watermark expires through the next run's batch" {
  dedup_run() {
    run_pipeline "sstream-source in.json --checkpoint ck --trigger once |
      sstream-window --checkpoint ck --dedup k --within-watermark --time t --time-format s --watermark 5s |
      sstream-sink --checkpoint ck"
  }
  echo '{"k":"a","t":10}' > in.json
  dedup_run
  assert_output '{"k":"a","t":10}'
  echo '{"k":"b","t":30}' >> in.json
  dedup_run  # the watermark becomes 25 s; "a" (kept to 10 s + 5 s) is forgotten in the next batch
  assert_output '{"k":"b","t":30}'
  echo '{"k":"a","t":26}' >> in.json
  dedup_run  # as in Spark, that batch still knows "a": a duplicate
  assert_success
  assert_output ""
}

# issue 10, item 15
@test "issue-10: available-now runs the final no-data batch: what its watermark closes comes out in the same run" {
  echo '{"value":15}' > in.json
  once_run available-now
  assert_output ""
  printf '%s\n' '{"value":10}' '{"value":12}' '{"value":14}' '{"value":25}' >> in.json
  once_run available-now  # the watermark becomes 15 s at the batch's end: [10,15) closes now
  assert_success
  assert_output '{"window_start":10,"window_end":15,"count":3}'
}

# One cron run over the arguments: source, then a sink that prints the values.
cron_run() {
  run_pipeline "sstream-source --checkpoint cp --trigger available-now $* 2>src.err | sstream-sink --checkpoint cp"
}

# issue 10, item 5
@test "issue-10: under a checkpoint a growing set of files is new input, each file read once" {
  mkdir clicks
  printf '{"v":1}\n{"v":2}\n' > clicks/a.json
  cron_run clicks/*.json
  assert_success
  assert_output "$(printf '%s\n' '{"v":1}' '{"v":2}')"
  printf '{"v":3}\n' > clicks/b.json  # a new file matches the glob
  printf '{"v":4}\n' >> clicks/a.json  # and a known one grew
  cron_run clicks/*.json
  assert_success
  assert_output "$(printf '%s\n' '{"v":4}' '{"v":3}')"  # known files first, then new ones
  cron_run clicks/*.json
  assert_success
  assert_output ""
  # A directory stands for its regular files, by name: the same files, known already.
  printf '{"v":5}\n' > clicks/c.json
  mkdir clicks/sub && printf '{"v":0}\n' > clicks/sub/x.json  # not descended into
  printf '{"v":0}\n' > clicks/.hidden.json
  printf '{"v":0}\n' > outside.json
  ln -s ../outside.json clicks/link.json  # a link out of the directory: left out
  ln -s c.json clicks/same.json           # a link to a file inside: the same file, read once
  cron_run clicks
  assert_success
  assert_output '{"v":5}'
  # Without a checkpoint inputs are read as named, like cat: the link too.
  run -0 --separate-stderr sstream-source --data-only clicks
  assert_output "$(printf '%s\n' '{"v":1}' '{"v":2}' '{"v":4}' '{"v":3}' '{"v":5}' '{"v":5}')"
  assert_stderr_contains "clicks/link.json: a link out of the directory clicks: left out"
}

# issue 10, item 5
@test "issue-10: a rotated log is continued by identity under its new name, a truncated one read again" {
  printf '{"v":1}\n{"v":2}\n' > app.log
  cron_run app.log
  assert_output "$(printf '%s\n' '{"v":1}' '{"v":2}')"
  printf '{"v":3}\n' >> app.log
  mv app.log app.log.1  # rotation: the old file keeps its inode under a new name
  printf '{"v":4}\n' > app.log
  cron_run app.log app.log.1
  assert_success
  assert_output "$(printf '%s\n' '{"v":3}' '{"v":4}')"  # the rest of the old file first
  rm app.log.1
  printf '{"v":5}\n' >> app.log
  cron_run app.log
  assert_output '{"v":5}'
  # Truncated in place (same inode, fewer bytes): a warning, and read from the start.
  printf '{"v":6}\n' > app.log
  run_pipeline "sstream-source --checkpoint cp --trigger available-now app.log 2>err.txt | sstream-sink --checkpoint cp"
  assert_success
  assert_output '{"v":6}'
  run -0 cat err.txt
  assert_output --partial "app.log: 8 bytes, shorter than the 16 already read: truncated, reading it again from the start"
  # Only a changed query is refused.
  run -1 --separate-stderr sstream-source --checkpoint cp --format text app.log
  assert_stderr_contains "stage 'source' ran a different query there"
}

# issue 10, item 5: a truncated file's first bytes are taken anew, so when it
# grows again it is still the same file, not a new one read from its start.
@test "issue-10: a file truncated in place and grown again is read on, not twice" {
  local pad=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
  printf '{"old":%d,"pad":"%s"}\n' 1 $pad 2 $pad 3 $pad > app.log  # over 64 bytes
  cron_run app.log
  assert_success
  printf '{"new":1}\n{"new":2}\n' > app.log  # truncated in place
  cron_run app.log
  assert_output "$(printf '%s\n' '{"new":1}' '{"new":2}')"
  printf '{"new":%d,"pad":"%s"}\n' 3 $pad 4 $pad >> app.log  # grows past 64 bytes
  cron_run app.log
  assert_success
  assert_output "$(printf '{"new":%d,"pad":"%s"}\n' 3 $pad 4 $pad)"
}

# issue 10, item 5: a truncation seen by a run that reads no record is kept
# too, so the refilled file is read from its start, not from the old offset.
@test "issue-10: a file truncated to nothing, then refilled, is read from its start" {
  printf '{"v":1}\n{"v":2}\n' > app.log
  cron_run app.log
  assert_output "$(printf '%s\n' '{"v":1}' '{"v":2}')"
  : > app.log
  cron_run app.log
  assert_success
  assert_output ""
  printf '{"v":1}\n{"v":2}\n{"v":9}\n' > app.log
  cron_run app.log
  assert_output "$(printf '%s\n' '{"v":1}' '{"v":2}' '{"v":9}')"
}

# issue 10, item 5: a replay meets files in the order the first run did, an
# empty one too, so later runs read them in the same order as after an
# uninterrupted run.
@test "issue-10: after a replay, files keep the order in which they were first met" {
  mkdir in
  : > in/a.json
  echo '{"f":"b","i":1}' > in/b.json
  # U: committed at once. K: the source records epoch 0, no sink commits it,
  # and the next run replays it.
  run_pipeline -0 "sstream-source --checkpoint ckU --trigger available-now in | sstream-sink --checkpoint ckU"
  run -0 --separate-stderr sstream-source --checkpoint ckK --trigger available-now in
  run_pipeline -0 "sstream-source --checkpoint ckK --trigger available-now in | sstream-sink --checkpoint ckK"
  assert_output '{"f":"b","i":1}'
  echo '{"f":"a","i":2}' >> in/a.json
  echo '{"f":"b","i":3}' >> in/b.json
  run_pipeline -0 "sstream-source --checkpoint ckU --trigger available-now in | sstream-sink --checkpoint ckU"
  local uninterrupted=$output
  assert_equal "$uninterrupted" "$(printf '%s\n' '{"f":"a","i":2}' '{"f":"b","i":3}')"
  run_pipeline -0 "sstream-source --checkpoint ckK --trigger available-now in | sstream-sink --checkpoint ckK"
  assert_output "$uninterrupted"
}

# issue 10, item 5
@test "issue-10: a new file that reuses a known file's inode is read from its start, not from the old offset" {
  printf '{"v":1}\n{"v":2}\n' > a.json
  cron_run a.json
  assert_output "$(printf '%s\n' '{"v":1}' '{"v":2}')"
  local ino n file
  ino=$(stat -c %i a.json)
  rm a.json
  for ((n = 0; n < 200; n++)); do  # until a new file gets the old inode
    file=n$n.json
    printf '{"w":1}\n{"w":2}\n{"w":3}\n' > "$file"
    [[ $(stat -c %i "$file") != "$ino" ]] || break
    rm "$file"
  done
  ((n < 200)) || skip "the file system gave no new file the inode of the old one"
  cron_run "$file"
  assert_success
  assert_output "$(printf '%s\n' '{"w":1}' '{"w":2}' '{"w":3}')"
  run -0 cat src.err
  assert_output --partial "$file: not the file read before as a.json (same inode, other first bytes): reading it from the start as a new file"
}

# issue 10, item 5
@test "issue-10: epochs recorded but not committed are replayed with the files they covered, whatever the input set now" {
  printf '{"v":1}\n{"v":2}\n{"v":3}\n' > a.json
  # The source records epochs 0 and 1 (caps of 2), but no sink commits them.
  run -0 --separate-stderr sstream-source --control always --checkpoint cp --trigger available-now --max-batch-records 2 a.json
  assert_output "$(printf '%s\n' '{"v":1}' '{"v":2}' "$(tick 0)" '{"v":3}' "$(tick 1)")"
  mv a.json a.old                  # renamed,
  printf '{"v":0}\n' > 0.json      # a new file named first,
  # and another cap: the epochs come back as they were, then the new input.
  run -0 --separate-stderr sstream-source --control always --checkpoint cp --trigger available-now --max-batch-records 5 0.json a.old
  assert_output "$(printf '%s\n' '{"v":1}' '{"v":2}' "$(tick 0)" '{"v":3}' "$(tick 1)" '{"v":0}' "$(tick 2)")"
  # A recorded stretch that is gone cannot be replayed: refused, naming it.
  rm a.old
  run -1 --separate-stderr sstream-source --checkpoint cp --trigger available-now 0.json
  assert_stderr_contains "the input ended before epoch 0 could be replayed as recorded" "a.old" "the file is gone"
}

# A run of gen:ysb with late data through a window, drained by SIGTERM after
# $1 seconds and resumed, compared with one uninterrupted run. $2: the cap,
# $3: the trigger (default available-now).
# (Without the drain rule, the drained run closes a short batch, and every
# later boundary, and so which rows are late, moves.)
drained_like_uninterrupted() {
  local gen="sstream-source gen:ysb --count 3000 --events-per-second 200 --disorder 4s --trigger ${3:-available-now} --max-batch-records $2"
  local win="sstream-window --time event_time --tumbling 1s --watermark 1s --by ad_type"
  # Open windows stay open at the end of an available-now run under a
  # checkpoint: the reference runs under one too (an interval trigger ends
  # both with END).
  run_pipeline "$gen --checkpoint ref | $win --checkpoint ref | sstream-sink --checkpoint ref --path whole"
  assert_success
  mkfifo src.fifo
  $gen -v --checkpoint cp --rows-per-second 2000 > src.fifo 2> src.log &
  local src=$!
  $win --checkpoint cp < src.fifo 2> /dev/null | sstream-sink --checkpoint cp --path out &
  local rest=$!
  sleep "$1"
  kill -TERM "$src"
  wait_exit "$rest" 10
  wait "$src"
  run_pipeline "$gen --checkpoint cp | $win --checkpoint cp | sstream-sink --checkpoint cp --path out"
  assert_success
  [[ $(parts whole | wc -l) -gt 20 ]]
  cmp <(parts whole) <(parts out)
}

# issue 10, item 4
@test "issue-10: a SIGTERM drain under available-now closes its batch where an uninterrupted run would" {
  drained_like_uninterrupted 0.4 100
  run -0 cat src.log
  # (Whether the stop fell inside a batch, "reading on to the end of epoch",
  # or on a boundary depends on timing; the output above may not.)
  assert_output --partial "stopped after epoch"
}

# issue 10, item 4
@test "issue-10: a drain that cannot reach the batch's end within a second leaves the batch to the next run" {
  drained_like_uninterrupted 0.2 2900  # the first batch takes 1.45 s at 2000 rows a second
  run -0 cat src.log
  assert_output --partial "it is not recorded, and the next run reads it again"
}

# issue 10, item 4
@test "issue-10: under an interval trigger with a cap, a drain reads on to the cap too" {
  drained_like_uninterrupted 0.4 100 24h  # the deadline, at midnight, is not reached
  run -0 cat src.log
  assert_output --partial "stopping: reading on to the end of epoch"
}
