bats_require_minimum_version 1.8.0
load test_helper

# sstream-map: --where filters and --select projections in Spark SQL syntax,
# with SQL's three-valued logic.

setup() {
  cd "$BATS_TEST_TMPDIR" || return 1
  cat > people.ndjson <<'EOF'
{"id":1,"name":"ann","x":1,"n":{"a":10,"b":"p"}}
{"id":2,"name":"bob","x":2,"n":{"a":20}}
{"id":3,"name":"cy","x":null}
{"id":4,"name":"dee"}
{"id":5,"name":"10","x":"1"}
EOF
}

# ids of the records kept by `--where "$1"`, space-separated.
kept_ids() {
  run -0 --separate-stderr sstream-map --where "$1" --data-only < people.ndjson
  assert_stderr_empty
  run -0 jq -r '.id' <<< "$output"
  output=$(echo $output)
}

@test "--where compares numbers" {
  kept_ids 'id >= 2 AND id < 4'
  assert_output "2 3"
  kept_ids 'id <> 1 AND id != 2 AND id > 3.5'
  assert_output "4 5"
  kept_ids 'id = 1.0'
  assert_output "1"
}

@test "--where compares strings in byte order" {
  kept_ids "name = 'bob'"
  assert_output "2"
  kept_ids "name > 'b'"
  assert_output "2 3 4"
  kept_ids "name <= 'ann'"
  assert_output "1 5"
}

@test "--where casts a string to a number when compared with a number, as Spark" {
  kept_ids "name = 10"
  assert_output "5"
  kept_ids "x = 1"
  assert_output "1 5"
}

@test "--where reads nested fields" {
  kept_ids 'n.a > 15'
  assert_output "2"
  kept_ids "n.b = 'p'"
  assert_output "1"
}

@test "--where combines conditions with AND, OR, NOT and parentheses" {
  kept_ids "id = 1 OR name = 'dee'"
  assert_output "1 4"
  kept_ids 'NOT (id = 1 OR id = 2)'
  assert_output "3 4 5"
  kept_ids 'id = 1 OR id = 2 AND id = 3'
  assert_output "1"
  kept_ids 'id = 1 and not id = 2'
  assert_output "1"
}

@test "--where IS NULL is true for null and missing fields" {
  kept_ids 'x IS NULL'
  assert_output "3 4"
  kept_ids 'x IS NOT NULL'
  assert_output "1 2 5"
}

@test "three-valued logic: a null field drops the record under both 'x = 1' and 'NOT x = 1'" {
  kept_ids 'x = 1'
  assert_output "1 5"
  kept_ids 'NOT x = 1'
  assert_output "2"
}

@test "three-valued logic: null OR true is true, null AND false is false" {
  kept_ids 'x = 1 OR id = 3'
  assert_output "1 3 5"
  # id 3: NOT (null AND true) is null; id 4: NOT (null AND false) is true.
  kept_ids 'NOT (x = 1 AND id = 3)'
  assert_output "1 2 4 5"
}

@test "--where matches escaped JSON strings by their value" {
  printf '%s\n' '{"s":"a\"b"}' '{"s":"caf\u00e9"}' "{\"s\":\"O'Brien\"}" > esc.ndjson
  run -0 sstream-map --where "s = 'a\"b'" --data-only < esc.ndjson
  assert_output '{"s":"a\"b"}'
  run -0 sstream-map --where "s = 'café'" --data-only < esc.ndjson
  assert_output '{"s":"caf\u00e9"}'
  run -0 sstream-map --where "s = 'O''Brien'" --data-only < esc.ndjson
  assert_output "{\"s\":\"O'Brien\"}"
}

@test "--where accepts negative number literals" {
  printf '%s\n' '{"t":-10}' '{"t":3}' > temps.ndjson
  run -0 --separate-stderr sstream-map --where 't < -5' --data-only < temps.ndjson
  assert_output '{"t":-10}'
  assert_stderr_empty
}

@test "--select picks fields, renames with AS and lifts nested fields" {
  run -0 --separate-stderr sstream-map --select 'id, name AS who, n.a, n.b AS nb' --data-only \
    < people.ndjson
  assert_output "$(printf '%s\n' '{"id":1,"who":"ann","a":10,"nb":"p"}' \
    '{"id":2,"who":"bob","a":20}' '{"id":3,"who":"cy"}' '{"id":4,"who":"dee"}' \
    '{"id":5,"who":"10"}')"
  assert_stderr_empty
}

@test "--select leaves out fields a record does not have" {
  run -0 --separate-stderr sstream-map --select 'id, missing, n.zzz' --data-only < people.ndjson
  assert_output "$(printf '{"id":%s}\n' 1 2 3 4 5)"
  # No record at all has them: each is reported once (issue 10).
  assert_stderr_contains "warning: --select: no record of batch 0 (5 record(s)) has the field 'missing'"
  assert_stderr_contains "warning: --select: no record of batch 0 (5 record(s)) has the field 'n.zzz'"
}

@test "--select '*' keeps records as they are" {
  run -0 sstream-map --select '*' --data-only < people.ndjson
  assert_output "$(cat people.ndjson)"
}

@test "--select '*, expr AS name' appends a column, and a named column replaces a field of *" {
  run -0 sstream-map --where 'id <= 2' --select '*, n.a AS na' --data-only < people.ndjson
  assert_output "$(printf '%s\n' '{"id":1,"name":"ann","x":1,"n":{"a":10,"b":"p"},"na":10}' \
    '{"id":2,"name":"bob","x":2,"n":{"a":20},"na":20}')"
  run -0 sstream-map --where 'id = 4' --select "*, id AS name" --data-only < people.ndjson
  assert_output '{"id":4,"name":4}'
}

@test "--select computes expressions and literals; a null result is left out" {
  run -0 --separate-stderr sstream-map --where 'id >= 3' \
    --select "id, id = 3 AS three, 'lit' AS l, 5 AS five, x IS NULL AS nx, null AS z" \
    --data-only < people.ndjson
  assert_output "$(printf '%s\n' \
    '{"id":3,"three":true,"l":"lit","five":5,"nx":true}' \
    '{"id":4,"three":false,"l":"lit","five":5,"nx":true}' \
    '{"id":5,"three":false,"l":"lit","five":5,"nx":false}')"
  assert_stderr_empty
}

@test "--where and --select together filter first, then project" {
  run -0 sstream-map --where "x IS NOT NULL AND id < 5" --select 'name' --data-only < people.ndjson
  assert_output "$(printf '%s\n' '{"name":"ann"}' '{"name":"bob"}')"
}

@test "an expression that does not parse is a usage error showing the column and a caret" {
  run -2 --separate-stderr sstream-map --where 'id = = 1' < people.ndjson
  assert_output ""
  assert_equal "$stderr" "$(printf '%s\n' \
    "sstream-map: error: --where: column 6: expected a value, found '='" \
    "  id = = 1" \
    "       ^")"
}

@test "an unterminated string in --where points at its opening quote" {
  run -2 --separate-stderr sstream-map --where "name = 'abc" < people.ndjson
  assert_stderr_contains "--where: column 8:" "unterminated" "$(printf '  name = %s\n         ^' "'abc")"
}

@test "a --select list that does not parse names --select and the column" {
  run -2 --separate-stderr sstream-map --select 'id,, x' < people.ndjson
  assert_stderr_contains "--select: column 4:" "$(printf '  id,, x\n     ^')"
}

@test "an invalid JSON record fails with exit 1 naming stdin and its line" {
  run_pipeline -1 "printf '{\"a\":1}\n{\"a\":\n{\"a\":3}\n' | sstream-map --where 'a > 0' 2>&1 >/dev/null"
  assert_output --partial "sstream-map: error: stdin: line 2: invalid JSON"
}

@test "a record that is not a JSON object is a bad record, even without --where" {
  run_pipeline -1 "printf '{\"a\":1}\n[1,2]\n' | sstream-map 2>&1 >/dev/null"
  assert_output --partial "stdin: line 2: record is not a JSON object"
}

@test "--bad-records skip drops bad records and continues" {
  printf '{"a":1}\n{"a":\n{"a":3}\n' > in.ndjson
  run -0 --separate-stderr sstream-map --control always --bad-records skip --where 'a > 0' < in.ndjson
  assert_output "$(printf '%s\n' '{"a":1}' '{"a":3}' '{"@sstream":"tick","epoch":0}' \
    '{"@sstream":"end"}')"
  assert_stderr_contains "skipping stdin: line 2" "skipped 1 bad record(s)"
}

@test "a record longer than --max-record-bytes is a bad record" {
  printf '{"a":1}\n{"a":"%s"}\n{"a":3}\n' "$(printf 'x%.0s' $(seq 1 200))" > in.ndjson
  run -0 --separate-stderr sstream-map --max-record-bytes 100 --bad-records skip --data-only \
    < in.ndjson
  assert_output "$(printf '%s\n' '{"a":1}' '{"a":3}')"
  assert_stderr_contains "stdin: line 2: line longer than 100 bytes"
}

@test "--dead-letter keeps the bad record with its position" {
  printf '{"a":1}\n{"a":\n' > in.ndjson
  run -0 --separate-stderr sstream-map --dead-letter dead.ndjson --data-only < in.ndjson
  assert_output '{"a":1}'
  run -0 jq -c '[.position, .record]' dead.ndjson
  assert_output '["stdin: line 2","{\"a\":"]'
}

@test "control lines are forwarded in place: each tick after the data of its batch" {
  printf '%s\n' '{"a":1}' '{"a":2}' '{"@sstream":"tick","epoch":0}' \
    '{"@sstream":"watermark","ms":5000}' '{"a":3}' '{"@sstream":"tick","epoch":1}' \
    '{"@sstream":"end"}' > in.ndjson
  run -0 --separate-stderr sstream-map --control always --where 'a != 2' < in.ndjson
  assert_output "$(printf '%s\n' '{"a":1}' '{"@sstream":"tick","epoch":0}' \
    '{"@sstream":"watermark","ms":5000,"time":"1970-01-01T00:00:05.000Z"}' '{"a":3}' \
    '{"@sstream":"tick","epoch":1}' '{"@sstream":"end"}')"
  assert_stderr_empty
}

@test "control lines of an unknown kind are forwarded unchanged" {
  printf '%s\n' '{"a":1}' '{"@sstream":"checkpoint","id":7}' '{"a":2}' > in.ndjson
  run -0 --separate-stderr sstream-map --control always < in.ndjson
  assert_line --index 1 '{"@sstream":"checkpoint","id":7}'
  assert_stderr_empty
}

@test "a malformed control line is a bad record" {
  printf '%s\n' '{"a":1}' '{"@sstream":"tick"}' > in.ndjson
  run -1 --separate-stderr sstream-map < in.ndjson
  assert_stderr_contains 'stdin: line 2: control line: tick needs an integer "epoch"'
}

@test "without upstream ticks the end of input closes batch 0 and ends the stream" {
  printf '%s\n' '{"a":1}' '{"a":2}' > in.ndjson
  run -0 --separate-stderr sstream-map --control always < in.ndjson
  assert_output "$(printf '%s\n' '{"a":1}' '{"a":2}' '{"@sstream":"tick","epoch":0}' \
    '{"@sstream":"end"}')"
}

@test "binary input is detected and filtered like JSON lines" {
  for i in 1 2 3 4; do echo "{\"i\":$i}"; done > in.ndjson
  sstream-source --wire binary --trigger available-now --max-batch-records 2 in.ndjson > in.bin
  run -0 --separate-stderr sstream-map --control always --where 'i > 1' < in.bin
  assert_output "$(printf '%s\n' '{"i":2}' '{"@sstream":"tick","epoch":0}' '{"i":3}' '{"i":4}' \
    '{"@sstream":"tick","epoch":1}' '{"@sstream":"end"}')"
  assert_stderr_empty
}

@test "binary in, binary out: a second stage reads the first one's frames" {
  sstream-source gen:ysb --count 1000 --wire binary > in.bin
  run_pipeline -0 "sstream-map --wire binary --where \"event_type = 'view'\" < in.bin | sstream-map --data-only --select ad_id | wc -l"
  local want
  want=$(sstream-source gen:ysb --count 1000 --data-only | grep -c '"event_type": "view"')
  assert_output "$want"
}

@test "epochs stay increasing when the stage's own clock fires before upstream's first tick" {
  # Upstream ticks, but its first tick comes later than the map's own 200 ms
  # clock (as from sstream-source --trigger 5s reading a slow producer).
  run_pipeline -0 "(echo '{\"a\":1}'; sleep 0.6; echo '{\"@sstream\":\"tick\",\"epoch\":0}'; echo '{\"a\":2}'; echo '{\"@sstream\":\"tick\",\"epoch\":1}') | sstream-map --control always --tick 200ms"
  # The own clock closes batch 0 with {"a":1}; upstream's two ticks follow as
  # 1 and 2 (renumbered, never going back to 0).
  run -0 jq -s -c '[.[] | select(."@sstream" == "tick") | .epoch]' <<< "$output"
  assert_output '[0,1,2]'
}

@test "without upstream ticks a slow input is cut into batches on the stage's own --tick clock" {
  run_pipeline -0 "(echo '{\"a\":1}'; sleep 1.2; echo '{\"a\":2}') | sstream-map --control always --tick 300ms"
  # Loose on timing: the pause closes batch 0 before the second record.
  assert_line --index 0 '{"a":1}'
  assert_line --index 1 '{"@sstream":"tick","epoch":0}'
  assert_line --index 2 '{"a":2}'
  assert_line --index 3 '{"@sstream":"tick","epoch":1}'
  assert_line --index 4 '{"@sstream":"end"}'
}

@test "--max-record-bytes must be positive, checked before reading" {
  run -2 --separate-stderr sstream-map --max-record-bytes 0 < /dev/null
  assert_stderr_contains "--max-record-bytes must be positive"
  run -2 --separate-stderr sstream-source --max-record-bytes -1 < /dev/null
  assert_stderr_contains "--max-record-bytes must be positive"
}

@test "--tick shorter than a millisecond is a usage error (exit 2)" {
  assert_usage_error "--tick must be at least 1ms" sstream-map --tick 0s
  assert_usage_error "--tick must be at least 1ms" sstream-map --tick 500us
}

@test "-v logs on stderr that a stop was requested" {
  start_on_quiet_stdin map sstream-map -v
  sleep 0.3
  kill -TERM "$QUIET_PID"
  wait_for_file map.err
  # Ending the input lets the stage end at once instead of after its grace time.
  end_quiet_stdin
  wait_exit "$QUIET_PID" 3
  assert_equal "$status" 0
  run -0 cat map.err
  assert_output "sstream-map: info: stop requested: finishing the batch"
  run -0 cat map.out
  assert_output "$END"
}

@test "-q silences the warnings about skipped records" {
  printf '{"a":1}\nnot json\n{"a":3}\n' > in.ndjson
  run -0 --separate-stderr sstream-map --control always --bad-records skip < in.ndjson
  assert_stderr_contains "sstream-map: warning: skipped 1 bad record(s)"
  run -0 --separate-stderr sstream-map --control always --bad-records skip -q < in.ndjson
  assert_output "$(printf '%s\n' '{"a":1}' '{"a":3}' "$(tick 0)" "$END")"
  assert_stderr_empty
}

@test "-vv logs each batch at debug level, -v does not" {
  printf '%s\n' '{"a":1}' "$(tick 0)" '{"a":2}' '{"a":3}' "$(tick 1)" > in.ndjson
  run -0 --separate-stderr sstream-map -vv < in.ndjson
  # Besides the batches, -vv says who reads the output pipe (here bats).
  assert_equal "$(grep -v 'debug: output pipe read by' <<< "$stderr")" \
    "$(printf '%s\n' 'sstream-map: debug: batch 0: 1 record(s) in' 'sstream-map: debug: batch 1: 2 record(s) in')"
  assert_stderr_contains ": foreign"
  run -0 --separate-stderr sstream-map -v < in.ndjson
  assert_equal "$stderr" ""
}

# --per-batch CMD [ARG...]: a command run once per micro-batch.

# Three batches (the middle one empty) of {"user","n"} records, then END.
make_batches() {
  printf '%s\n' '{"user":"b","n":2}' '{"user":"a","n":1}' '{"user":"b","n":4}' "$(tick 0)" \
    "$(tick 1)" '{"user":"c","n":3}' "$END" > batches.ndjson
}

@test "--per-batch runs the command once per batch; ticks keep their place" {
  make_batches
  run -0 --separate-stderr sstream-map --control always --per-batch sort < batches.ndjson
  assert_output "$(printf '%s\n' '{"user":"a","n":1}' '{"user":"b","n":2}' '{"user":"b","n":4}' \
    "$(tick 0)" "$(tick 1)" '{"user":"c","n":3}' "$(tick 2)" "$END")"
  assert_stderr_empty
}

@test "--per-batch: the worked example of sstream-map(1) gives the output shown" {
  make_batches
  run -0 --separate-stderr sstream-map --control always --per-batch jq -c -s \
    'group_by(.user)[] | {user: .[0].user, total: map(.n) | add}' < batches.ndjson
  assert_output "$(printf '%s\n' '{"user":"a","total":1}' '{"user":"b","total":6}' "$(tick 0)" \
    "$(tick 1)" '{"user":"c","total":3}' "$(tick 2)" "$END")"
  assert_stderr_empty
  run -0 grep -c -F '{"user":"a","total":1}' "$SSTREAM_SOURCE_DIR/man/sstream-map.1.in"
}

@test "--per-batch: every later argument, options and --help included, belongs to the command" {
  printf '%s\n' '{"a":1}' '{"a":2}' "$(tick 0)" > in.ndjson
  run -0 --separate-stderr sstream-map --data-only --per-batch sort -r < in.ndjson
  assert_output "$(printf '%s\n' '{"a":2}' '{"a":1}')"
  # shellcheck disable=SC2016
  run -0 --separate-stderr sstream-map --data-only --per-batch \
    sh -c 'cat > /dev/null; printf "{\"args\":\"%s %s\"}\n" "$1" "$2"' sh --help --where < in.ndjson
  assert_output '{"args":"--help --where"}'
  assert_stderr_empty
}

@test "--per-batch=CMD also works" {
  printf '%s\n' '{"a":1}' '{"a":2}' "$(tick 0)" > in.ndjson
  run -0 --separate-stderr sstream-map --data-only --per-batch=sort -r < in.ndjson
  assert_output "$(printf '%s\n' '{"a":2}' '{"a":1}')"
}

@test "--per-batch: --where and --select apply before the command" {
  printf '%s\n' '{"id":1,"x":5}' '{"id":2,"x":1}' '{"id":3,"x":7}' "$(tick 0)" > in.ndjson
  run -0 --separate-stderr sstream-map --where 'x > 2' --select 'id' --data-only \
    --per-batch sort -r < in.ndjson
  assert_output "$(printf '%s\n' '{"id":3}' '{"id":1}')"
  assert_stderr_empty
}

@test "--per-batch: a batch without records does not run the command" {
  printf '%s\n' "$(tick 0)" '{"x":1}' "$(tick 1)" '{"x":9}' "$(tick 2)" "$(tick 3)" > in.ndjson
  # The command reports every run, even one with empty input.
  run -0 --separate-stderr sstream-map --control always --where 'x < 5' \
    --per-batch sh -c 'cat; echo "{\"ran\":true}"' < in.ndjson
  assert_output "$(printf '%s\n' "$(tick 0)" '{"x":1}' '{"ran":true}' "$(tick 1)" "$(tick 2)" \
    "$(tick 3)" "$END")"
}

@test "--per-batch: end of input runs the open batch through the command" {
  printf '%s\n' '{"a":1}' '{"a":2}' > plain.ndjson
  run -0 --separate-stderr sstream-map --control always --per-batch sort -r < plain.ndjson
  assert_output "$(printf '%s\n' '{"a":2}' '{"a":1}' "$(tick 0)" "$END")"
}

@test "--per-batch: a batch of several MB through cat, and head -n 1 that stops reading" {
  awk 'BEGIN { for (i = 0; i < 200000; i++) printf "{\"i\":%d,\"pad\":\"abcdefghijklmnopqrstuvwxyz\"}\n", i }' > big.ndjson
  tick 0 >> big.ndjson
  echo >> big.ndjson
  [[ $(stat -c %s big.ndjson) -gt 5000000 ]]
  run_pipeline -0 'sstream-map --control always --per-batch cat < big.ndjson | wc -l'
  assert_output 200002
  run -0 --separate-stderr sstream-map --control always --per-batch head -n 1 < big.ndjson
  assert_output "$(printf '%s\n' '{"i":0,"pad":"abcdefghijklmnopqrstuvwxyz"}' "$(tick 0)" "$END")"
  assert_stderr_empty
}

@test "--per-batch: the command's stderr passes through when it succeeds" {
  printf '%s\n' '{"a":1}' "$(tick 0)" > in.ndjson
  run -0 --separate-stderr sstream-map --data-only --per-batch sh -c 'echo "note: sorting" >&2; sort' < in.ndjson
  assert_output '{"a":1}'
  assert_equal "$stderr" "note: sorting"
}

@test "--per-batch: binary output carries the command's records" {
  printf '%s\n' '{"a":2}' '{"a":1}' "$(tick 0)" > in.ndjson
  run_pipeline -0 'sstream-map --wire binary --per-batch sort < in.ndjson | sstream-map --control always'
  assert_output "$(printf '%s\n' '{"a":1}' '{"a":2}' "$(tick 0)" "$END")"
}

@test "--per-batch without a command exits 2" {
  assert_usage_error "--per-batch needs a command" sstream-map --where 'a > 1' --per-batch
  assert_stderr_contains "Try 'sstream-map --help' for more information."
}

@test "--per-batch with a command that is not found exits 2 before reading input" {
  assert_usage_error "--per-batch: sstream-no-such-command: command not found" \
    sstream-map --per-batch sstream-no-such-command -x
  printf '#!/bin/sh\ncat\n' > script.sh
  assert_usage_error "--per-batch: ./script.sh: not an executable file" \
    sstream-map --per-batch ./script.sh
  assert_usage_error "--per-batch: ./missing.sh: no such file" sstream-map --per-batch ./missing.sh
  chmod +x script.sh
  run -0 --separate-stderr sstream-map --data-only --per-batch ./script.sh <<< '{"a":1}'
  assert_output '{"a":1}'
}

@test "--per-batch: a bad --where is still a usage error" {
  assert_usage_error "--where" sstream-map --where 'a >' --per-batch cat
}

@test "--per-batch: a failing command exits 1 naming the command, the batch, its status and stderr" {
  printf '%s\n' '{"a":1}' "$(tick 0)" '{"a":"stop"}' "$(tick 1)" '{"a":3}' "$(tick 2)" > in.ndjson
  # shellcheck disable=SC2016
  run -1 --separate-stderr sstream-map --control always --per-batch sh -c \
    'in=$(cat); case $in in *stop*) echo "first" >&2; echo "boom: cannot go on" >&2; exit 3;; esac; printf "%s\n" "$in"' \
    < in.ndjson
  assert_output "$(printf '%s\n' '{"a":1}' "$(tick 0)")"
  assert_stderr_contains "first
boom: cannot go on
sstream-map: error: --per-batch sh -c 'in=\$(cat); case" \
    "': batch 1 (1 record(s) in): exited with status 3; stderr: first | boom: cannot go on"
  [[ $(grep -c 'sstream-map: error' <<< "$stderr") -eq 1 ]]
}

@test "--per-batch: options after the command are its own, and its failure says so" {
  printf '%s\n' '{"a":1}' "$(tick 0)" > in.ndjson
  run -1 --separate-stderr sstream-map --per-batch cat --where x < in.ndjson
  assert_output ""
  assert_stderr_contains "sstream-map: error: --per-batch cat --where x: batch 0 (1 record(s) in): exited with status 1; stderr: cat: unrecognized option '--where'"
}

@test "--per-batch: a command killed by a signal exits 1 naming the signal" {
  printf '%s\n' '{"a":1}' "$(tick 5)" > in.ndjson
  run -1 --separate-stderr sstream-map --per-batch sh -c 'kill -TERM $$' < in.ndjson
  assert_stderr_contains "sstream-map: error: --per-batch sh -c 'kill -TERM \$\$': batch 5 (1 record(s) in): was killed by signal 15 (SIGTERM)"
}

@test "--per-batch: output lines that are not JSON objects fail the stage by default" {
  printf '%s\n' '{"a":1}' "$(tick 0)" '{"a":2}' "$(tick 1)" > in.ndjson
  run -1 --separate-stderr sstream-map --per-batch sh -c 'cat; echo; echo "total: 1"' < in.ndjson
  assert_output ""
  assert_stderr_contains "sstream-map: error: --per-batch sh -c 'cat; echo; echo \"total: 1\"': batch 0: output line 3: invalid JSON"
}

@test "--per-batch: --bad-records skip drops and counts bad output lines" {
  printf '%s\n' '{"a":1}' "$(tick 0)" '{"a":2}' "$(tick 1)" > in.ndjson
  run -0 --separate-stderr sstream-map --control always --bad-records skip \
    --per-batch sh -c 'cat; echo "[1]"; echo "{\"@sstream\":\"tick\",\"epoch\":99}"' < in.ndjson
  assert_output "$(printf '%s\n' '{"a":1}' "$(tick 0)" '{"a":2}' "$(tick 1)" "$END")"
  assert_stderr_contains ": batch 0: output line 2: record is not a JSON object" \
    ": batch 1: output line 3: a control line" "4 bad output line(s) not passed on"
}

@test "--per-batch: --dead-letter keeps bad output lines with their position" {
  printf '%s\n' '{"a":1}' "$(tick 3)" > in.ndjson
  run -0 --separate-stderr sstream-map --dead-letter dead.jsonl --data-only \
    --per-batch sh -c 'cat; echo oops' < in.ndjson
  assert_output '{"a":1}'
  run -0 jq -c '[.position, .record]' dead.jsonl
  assert_output '["--per-batch sh -c '"'cat; echo oops'"': batch 3: output line 2","oops"]'
}

@test "--per-batch is listed in --help, the man page and the completions" {
  run -0 sstream-map --help
  assert_line --regexp '^  --per-batch CMD \[ARG\.\.\.\] +Run CMD once per micro-batch'
  assert_output --partial "sstream-map --where 'price > 0' --per-batch sort -u"
  run -0 grep -F -- '\fB\-\-per\-batch\fR \fICMD\fR [\fIARG\fR ...]' \
    "$SSTREAM_SOURCE_DIR/man/sstream-map.1"
  run -0 sstream-map --generate=spec
  run -0 jq -c '.options[] | select(.names == ["--per-batch"]) | [.value, .rest]' <<< "$output"
  assert_output '["CMD",true]'
  # bash: a command name after --per-batch, then files for its arguments.
  run -0 bash -c "
    source '$SSTREAM_SOURCE_DIR/completions/bash/sstream-map'
    COMP_WORDS=(sstream-map --where x --per-batch sstream-ma); COMP_CWORD=4
    _sstream_map; echo \"\${COMPREPLY[*]}\""
  assert_output --partial "sstream-map"
  run -0 grep -F -- "--per-batch[" "$SSTREAM_SOURCE_DIR/completions/zsh/_sstream-map"
  assert_output --partial ":command:_command_names -e:*::arguments:_normal"
  run -0 grep -F -- "-l per-batch -x -a '(__fish_complete_command)'" \
    "$SSTREAM_SOURCE_DIR/completions/fish/sstream-map.fish"
}

@test "--explode makes one record per element, before --select, with ticks kept in place" {
  printf '%s\n' '{"id":1,"tags":"a, b"}' "$(tick 0)" '{"id":2,"tags":"c"}' '{"id":3}' > tags.ndjson
  run -0 sstream-map --control always --explode "split(tags, ',') AS tag" --select 'id, trim(tag) AS tag' \
    < tags.ndjson
  assert_output "{\"id\":1,\"tag\":\"a\"}
{\"id\":1,\"tag\":\"b\"}
$(tick 0)
{\"id\":2,\"tag\":\"c\"}
$(tick 1)
$END"
}

@test "--explode of an array field replaces it by each element, on the binary wire too" {
  echo '{"id":1,"xs":[1,{"k":2}]}' > xs.ndjson
  run -0 bash -c "sstream-map --explode xs --wire binary < xs.ndjson | sstream-sink --format json"
  assert_output '{"id":1,"xs":1}
{"id":1,"xs":{"k":2}}'
}

@test "--strict turns type errors into bad records; without it they are null" {
  printf '%s\n' '{"id":1,"p":"2"}' '{"id":2,"p":"n/a"}' > prices.ndjson
  run -0 sstream-map --select 'id, p * 2 AS q' --data-only < prices.ndjson
  assert_output '{"id":1,"q":4}
{"id":2}'
  run -1 --separate-stderr sstream-map --strict --select 'id, p * 2 AS q' --data-only < prices.ndjson
  assert_stderr_contains "sstream-map: error: stdin: line 2: --select: 'n/a' (string) is not a number, for *"
  run -0 --separate-stderr sstream-map --strict --bad-records skip --select 'id, p * 2 AS q' \
    --data-only < prices.ndjson
  assert_output '{"id":1,"q":4}'
  assert_stderr_contains "skipped 1 bad record(s)"
}

@test "expression parse errors point at the column with a caret (exit 2)" {
  run -2 --separate-stderr sstream-map --where "n BETWEEN 1 OR 2" < /dev/null
  assert_stderr_contains "--where: column 13: expected AND in BETWEEN ... AND ...
  n BETWEEN 1 OR 2
              ^"
  run -2 --separate-stderr sstream-map --explode "a, b" < /dev/null
  assert_stderr_contains "--explode takes one expression"
}

# Issue 10 ("Every row accounted for").

@test "issue-10: a bad constant regular expression or date pattern stops sstream-map at start (exit 2)" {
  run -2 --separate-stderr sstream-map --select "regexp_extract(name, '(', 1) AS r" < people.ndjson
  assert_output ''
  assert_stderr_contains "sstream-map: error: --select: column 1: regexp_extract: bad regular expression pattern '(': missing closing parenthesis at offset 1 of the pattern"
  run -2 --separate-stderr sstream-map --where "name RLIKE '[a-'" < people.ndjson
  assert_stderr_contains "--where: column 12: RLIKE: bad regular expression pattern '[a-'"
  run -2 --separate-stderr sstream-map --select "date_format(now(), 'D') AS d" < people.ndjson
  assert_stderr_contains "--select: column 1: date_format: time pattern 'D': unsupported letter 'D'"
  run -2 --separate-stderr sstream-map --select "regexp_replace(name, '(a)', '\$2') AS r" < people.ndjson
  assert_stderr_contains "regexp_replace: the replacement refers to group 2, but the pattern has 1 group(s)"
}

@test "issue-10: regexp_extract with a group index out of range never gives the match" {
  run -2 --separate-stderr sstream-map --select "regexp_extract(name, '(a)', 1e30) AS r" < people.ndjson
  assert_stderr_contains "regexp_extract: the pattern '(a)' has 1 group(s), so there is no group 1e+30"
  printf '%s\n' '{"s":"abc","g":1e30}' '{"s":"abc","g":1}' > g.ndjson
  run -1 --separate-stderr sstream-map --select "regexp_extract(s, '(a)', g) AS r" --data-only < g.ndjson
  assert_output ''
  assert_stderr_contains "stdin: line 1: --select: regexp_extract: the pattern '(a)' has 1 group(s), so there is no group 1e+30"
  run -0 --separate-stderr sstream-map --bad-records skip --select "regexp_extract(s, '(a)', g) AS r" \
    --data-only < g.ndjson
  assert_output '{"r":"a"}'
  assert_stderr_contains "skipped 1 bad record(s)"
}

@test "issue-10: a pattern from the data that does not compile makes the record bad, not null" {
  printf '%s\n' '{"s":"abc","p":"b"}' '{"s":"abc","p":"("}' > p.ndjson
  run -0 --separate-stderr sstream-map --dead-letter dead.ndjson --select "s RLIKE p AS m" \
    --data-only < p.ndjson
  assert_output '{"m":true}'
  run -0 jq -r .error dead.ndjson
  assert_output "--select: RLIKE: bad regular expression pattern '(': missing closing parenthesis at offset 1 of the pattern"
}

@test "issue-10: regular expressions match texts of any length, and a hostile one gives up with an error" {
  long=$(head -c 100000 /dev/zero | tr '\0' x)
  printf '{"s":"%s"}\n' "$long" > long.ndjson
  run -0 --separate-stderr sstream-map --select "s RLIKE '^(x|y)*\$' AS m, length(regexp_replace(s, 'x', 'yy')) AS n" \
    --data-only < long.ndjson
  assert_output '{"m":true,"n":200000}'
  printf '{"s":"%s!"}\n' "$(head -c 40 /dev/zero | tr '\0' a)" > hostile.ndjson
  run -1 --separate-stderr sstream-map --where "s RLIKE '^(a+)+\$'" < hostile.ndjson
  assert_stderr_contains "stdin: line 1: --where: RLIKE: regular expression '^(a+)+\$' gave up on a text of 41 bytes"
}

@test "issue-10: a field the query names that no record of a batch has is warned about once, with a near name" {
  run -0 --separate-stderr sstream-map --where "nmae = 'ann' OR id = 1" --select "id, nmae" \
    --data-only < people.ndjson
  assert_output '{"id":1}'
  [ "$stderr" = "sstream-map: warning: --where: no record of batch 0 (5 record(s)) has the field 'nmae' (did you mean 'name'?); it reads as null (warned once; --strict makes this an error)" ]
  # Present in one record is enough; present with null is present.
  run -0 --separate-stderr sstream-map --where "x IS NULL" --select "id, n.b" --data-only < people.ndjson
  assert_stderr_empty
}

@test "issue-10: --strict makes a field no record of a batch has an error (exit 1)" {
  run -1 --separate-stderr sstream-map --strict --select "id, nmae" < people.ndjson
  assert_stderr_contains "sstream-map: error: --select: no record of batch 0 (5 record(s)) has the field 'nmae' (did you mean 'name'?)"
  run -1 --separate-stderr sstream-map --strict --where "b > 1" < people.ndjson
  assert_stderr_contains "error: --where: no record of batch 0 (5 record(s)) has the field 'b'"
  run -0 --separate-stderr sstream-map --strict --where "x > 1" --data-only < people.ndjson
  assert_output '{"id":2,"name":"bob","x":2,"n":{"a":20}}'
}

@test "issue-10: with --per-batch, a field no record of a batch has is reported too" {
  run -1 --separate-stderr sstream-map --strict --where "nmae = 'ann'" --per-batch cat < people.ndjson
  assert_output ''
  assert_stderr_contains "sstream-map: error: --where: no record of batch 0 (5 record(s)) has the field 'nmae' (did you mean 'name'?)"
}
