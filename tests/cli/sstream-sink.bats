bats_require_minimum_version 1.8.0
load test_helper

# sstream-sink: the end of a pipeline, as JSON lines, CSV, or Spark's console
# sink tables.

# The data records of batches.ndjson, as the json format writes them.
RECORDS=(
  '{"id":1,"name":"ann","note":"a,b"}'
  '{"id":2,"name":"bob \"the\" builder","note":null}'
  '{"id":3,"name":"a name of twenty-one!","note":"x"}'
)

setup() {
  cd "$BATS_TEST_TMPDIR" || return 1
  printf '%s\n' "${RECORDS[0]}" "${RECORDS[1]}" "$(tick 0)" "$(wm 1000)" "${RECORDS[2]}" \
    "$(tick 1)" "$END" > batches.ndjson
}

@test "json format writes the records and no control lines" {
  run -0 --separate-stderr sstream-sink < batches.ndjson
  assert_output "$(printf '%s\n' "${RECORDS[@]}")"
  assert_stderr_empty
}

@test "json format reads binary frames too" {
  sstream-source --wire binary --trigger available-now --max-batch-records 1 batches.ndjson > in.bin
  run -0 --separate-stderr sstream-sink < in.bin
  assert_output "$(printf '%s\n' "${RECORDS[@]}")"
  assert_stderr_empty
}

@test "csv format writes a header, quotes fields that need it, and leaves null empty" {
  run -0 --separate-stderr sstream-sink --format csv < batches.ndjson
  assert_output "$(printf '%s\n' 'id,name,note' '1,ann,"a,b"' '2,"bob ""the"" builder",' \
    '3,a name of twenty-one!,x')"
  assert_stderr_empty
}

@test "csv format quotes fields with line breaks and writes nested values as JSON" {
  printf '%s\n' '{"a":"two\nlines","n":{"x":1}}' > in.ndjson
  run -0 sstream-sink --format csv < in.ndjson
  assert_output "$(printf '%s\n' 'a,n' '"two' 'lines","{""x"":1}"')"
}

@test "csv format orders columns by the header and warns about extra fields" {
  printf '%s\n' '{"a":1,"b":2}' '{"b":3,"a":4,"c":5}' > in.ndjson
  run -0 --separate-stderr sstream-sink --format csv < in.ndjson
  assert_output "$(printf '%s\n' 'a,b' '1,2' '4,3')"
  assert_stderr_contains "fields beyond the header"
}

@test "table format prints each batch as Spark's console sink does" {
  run -0 --separate-stderr sstream-sink --format table < batches.ndjson
  assert_output "$(cat <<'EOF'
-------------------------------------------
Batch: 0
-------------------------------------------
+---+-----------------+----+
| id|             name|note|
+---+-----------------+----+
|  1|              ann| a,b|
|  2|bob "the" builder|null|
+---+-----------------+----+

-------------------------------------------
Batch: 1
-------------------------------------------
+---+--------------------+----+
| id|                name|note|
+---+--------------------+----+
|  3|a name of twenty-...|   x|
+---+--------------------+----+
EOF
)"
  assert_stderr_empty
}

@test "table format ends each table with a blank line, as Spark's println does" {
  sstream-sink --format table < batches.ndjson > out.txt
  run -0 tail -c 2 out.txt
  assert_output ""
  run -0 grep -c '^$' out.txt
  assert_output 2
}

@test "table format cuts cells at 20 characters with '...', and keeps 20 whole" {
  printf '%s\n' '{"v":"12345678901234567890","w":"123456789012345678901"}' '{"v":"é","w":null}' \
    > in.ndjson
  run -0 sstream-sink --format table < in.ndjson
  assert_output "$(cat <<'EOF'
-------------------------------------------
Batch: 0
-------------------------------------------
+--------------------+--------------------+
|                   v|                   w|
+--------------------+--------------------+
|12345678901234567890|12345678901234567...|
|                   é|                null|
+--------------------+--------------------+
EOF
)"
}

@test "table format with --num-rows smaller than the batch says 'only showing top N rows'" {
  for i in 1 2 3 4; do echo "{\"n\":$i}"; done > in.ndjson
  run -0 sstream-sink --format table --num-rows 2 < in.ndjson
  assert_output "$(cat <<'EOF'
-------------------------------------------
Batch: 0
-------------------------------------------
+---+
|  n|
+---+
|  1|
|  2|
+---+
only showing top 2 rows
EOF
)"
  run -0 sstream-sink --format table --num-rows 1 < in.ndjson
  assert_line --index 8 "only showing top 1 row"
}

@test "table format shows a record's missing columns as null and adds new columns" {
  printf '%s\n' '{"a":1}' '{"b":"x"}' > in.ndjson
  run -0 sstream-sink --format table < in.ndjson
  assert_line --index 4 '|   a|   b|'
  assert_line --index 6 '|   1|null|'
  assert_line --index 7 '|null|   x|'
}

@test "table format prints one table per batch, numbered by the batch's epoch" {
  sstream-source gen:ysb --count 30 --trigger available-now --max-batch-records 10 > in.ndjson
  run -0 --separate-stderr sstream-sink --format table --num-rows 3 < in.ndjson
  run -0 grep '^Batch: ' <<< "$output"
  assert_output "$(printf 'Batch: %s\n' 0 1 2)"
}

@test "table format with --truncate 0 shows whole cells, left-aligned as Spark's truncate=false" {
  printf '%s\n' '{"k":"a","v":"a value longer than twenty characters"}' > in.ndjson
  run -0 sstream-sink --format table --truncate 0 < in.ndjson
  assert_output "$(cat <<'EOF'
-------------------------------------------
Batch: 0
-------------------------------------------
+---+-------------------------------------+
|k  |v                                    |
+---+-------------------------------------+
|a  |a value longer than twenty characters|
+---+-------------------------------------+
EOF
)"
}

@test "table format escapes line breaks and tabs in cells, as Spark's showString" {
  printf '%s\n' '{"v":"line\nbreak\tx"}' > in.ndjson
  run -0 sstream-sink --format table < in.ndjson
  assert_line --index 6 '|line\nbreak\tx|'
}

@test "a bad record fails the sink with its position" {
  printf '%s\n' '{"a":1}' '{"a":' > in.ndjson
  run -1 --separate-stderr sstream-sink < in.ndjson
  assert_stderr_contains "stdin: line 2: invalid JSON"
}

@test "table format exits 0 quietly when its reader goes away" {
  # The json format is covered with every stage in all_tools.bats.
  run_pipeline -0 'sstream-source gen:ysb --count 100000 | sstream-sink --format table | head -n 1'
  assert_output -------------------------------------------
}

@test "negative row counts and cell widths are usage errors (exit 2)" {
  assert_usage_error "--num-rows must not be negative" sstream-sink --format table --num-rows -1
  assert_usage_error "--truncate must not be negative" sstream-sink --format table --truncate -1
  assert_usage_error "--tick must be at least 1ms" sstream-sink --tick 0s
}

@test "-v logs on stderr that a stop was requested" {
  start_on_quiet_stdin sink sstream-sink -v
  sleep 0.3
  kill -TERM "$QUIET_PID"
  wait_for_file sink.err
  # Ending the input lets the stage end at once instead of after its grace time.
  end_quiet_stdin
  wait_exit "$QUIET_PID" 3
  assert_equal "$status" 0
  run -0 cat sink.err
  assert_output "sstream-sink: info: stop requested: finishing the batch"
}

@test "-q silences the csv warning about fields beyond the header, but not errors" {
  printf '%s\n' '{"a":1,"b":2}' '{"b":3,"a":4,"c":5}' > in.ndjson
  run -0 --separate-stderr sstream-sink -q --format csv < in.ndjson
  assert_output "$(printf '%s\n' 'a,b' '1,2' '4,3')"
  assert_stderr_empty
  printf '%s\n' '{"a":1}' "$(tick 0)" '{"a":' > bad.ndjson
  run -1 --separate-stderr sstream-sink -q < bad.ndjson
  assert_output '{"a":1}'
  assert_stderr_contains "sstream-sink: error: stdin: line 3: invalid JSON"
}

@test "table columns come from every record of the batch, also the rows not shown" {
  run_pipeline -0 "printf '%s\n' '{\"a\":1}' '{\"b\":\"x\"}' | sstream-sink --format table --num-rows 1"
  assert_line --index 3 '+---+----+'
  assert_line --index 4 '|  a|   b|'
  assert_line --index 6 '|  1|null|'
  assert_line --index 8 'only showing top 1 row'
  run_pipeline -0 "printf '%s\n' '{\"n\":1}' '{\"n\":2}' | sstream-sink --format table --num-rows 0"
  assert_line --index 4 '|  n|'
  assert_line --index 7 'only showing top 0 rows'
}
