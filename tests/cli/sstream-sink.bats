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

@test "csv format orders columns by the header and leaves missing fields empty" {
  printf '%s\n' '{"a":1,"b":2}' '{"b":3,"a":4}' '{"b":5}' > in.ndjson
  run -0 --separate-stderr sstream-sink --format csv < in.ndjson
  assert_output "$(printf '%s\n' 'a,b' '1,2' '4,3' ',5')"
  assert_stderr_empty
}

# issue-10: the CSV sink dropped the fields a later record had beyond the
# header, and exited 0.
@test "issue-10: csv: a record with a field the header lacks is a bad record naming its position and the field" {
  printf '%s\n' '{"a":1,"b":2}' '{"b":3,"c":{"x":1}}' '{"a":5,"b":6}' > in.ndjson
  run -1 --separate-stderr sstream-sink --format csv < in.ndjson
  assert_stderr_contains "stdin: line 2: csv: field 'c' is not a column of the header (a,b)"
  # The same number of fields, one of them new, is caught as well.
  printf '%s\n' '{"a":1,"b":2}' '{"a":3,"c":4}' > same.ndjson
  run -1 --separate-stderr sstream-sink --format csv < same.ndjson
  assert_stderr_contains "stdin: line 2: csv: field 'c' is not a column"
  # --bad-records decides: skip and count, or the dead-letter file.
  run -0 --separate-stderr sstream-sink --format csv --bad-records skip < in.ndjson
  assert_output "$(printf '%s\n' 'a,b' '1,2' '5,6')"
  assert_stderr_contains "skipped 1 bad record(s)"
  run -0 --separate-stderr sstream-sink --format csv --dead-letter dl.ndjson < in.ndjson
  assert_output "$(printf '%s\n' 'a,b' '1,2' '5,6')"
  run -0 jq -r '.record' dl.ndjson
  assert_output '{"b":3,"c":{"x":1}}'
  # Part files apply the same rule.
  run -1 --separate-stderr sstream-sink --format csv --path out < in.ndjson
  assert_stderr_contains "stdin: line 2: csv: field 'c'"
  run -0 --separate-stderr sstream-sink --format csv --path out2 --bad-records skip < in.ndjson
  run -0 cat out2/part-*.csv
  assert_output "$(printf '%s\n' 'a,b' '1,2' '5,6')"
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

@test "-q silences warnings, but not errors" {
  printf '%s\n' '{"a":1,"b":2}' '{"b":3,"a":4,"c":5}' > in.ndjson
  run -0 --separate-stderr sstream-sink -q --format csv --bad-records skip < in.ndjson
  assert_output "$(printf '%s\n' 'a,b' '1,2')"
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

# issue-10: the console table cut ISO timestamps at 20 characters, and
# printed nothing for a batch without rows, where Spark prints the batch.
@test "issue-10: table shows ISO timestamps whole and still cuts other long strings" {
  printf '%s\n' '{"t":"2026-12-06T00:11:22.345Z","s":"abcdefghijklmnopqrstuvwxyz","u":"2026-12-06 00:11:22.123456+01:00"}' > in.ndjson
  run -0 sstream-sink --format table < in.ndjson
  assert_line --index 6 '|2026-12-06T00:11:22.345Z|abcdefghijklmnopq...|2026-12-06 00:11:22.123456+01:00|'
}

@test "issue-10: table prints a batch without rows as Spark's console sink: banner and an empty table" {
  printf '%s\n' "$(tick 0)" '{"a":1}' "$(tick 1)" "$(tick 2)" > in.ndjson
  run -0 --separate-stderr sstream-sink --format table < in.ndjson
  assert_output "$(cat <<'EOF2'
-------------------------------------------
Batch: 0
-------------------------------------------
++
||
++
++

-------------------------------------------
Batch: 1
-------------------------------------------
+---+
|  a|
+---+
|  1|
+---+

-------------------------------------------
Batch: 2
-------------------------------------------
+---+
|  a|
+---+
+---+
EOF2
)"
  assert_stderr_empty
}

# issue-10: 12-digit epochs and 3-digit sequence numbers in part file names
# broke their order past 10^12 epochs and 999 rolled files.
@test "issue-10: part file names sort by epoch and sequence for every epoch, and past 999 rolled files" {
  printf '%s\n' '{"v":1}' "$(tick 999999999999)" '{"v":2}' "$(tick 1000000000000)" '{"v":3}' \
    "$(tick 9223372036854775807)" > in.ndjson
  run -0 --separate-stderr sstream-sink --path out < in.ndjson
  assert_stderr_empty
  run -0 ls out
  assert_output "$(printf '%s\n' part-00000000999999999999-0000000000.jsonl \
    part-00000001000000000000-0000000000.jsonl part-09223372036854775807-0000000000.jsonl)"
  run -0 bash -c 'cat out/*'
  assert_output "$(printf '%s\n' '{"v":1}' '{"v":2}' '{"v":3}')"
  { seq 1 1001 | sed 's/.*/{"v":&}/'; tick 0; echo; } > many.ndjson
  # One batch: upstream's tick 0 (no own-clock batch, however slow the writes).
  run -0 sstream-sink --tick 1h --path rolled --max-file-bytes 1 < many.ndjson
  run -0 bash -c 'ls rolled | tail -n 3'
  assert_output "$(printf 'part-00000000000000000000-%010d.jsonl\n' 998 999 1000)"
  run -0 bash -c 'cat rolled/* | sed "s/[^0-9]//g"'
  assert_output "$(seq 1 1001)"
}

# issue-10: on a fresh checkpoint the file sink deleted every part-<digits>
# file in --path, another tool's and other formats' included, and other
# processes' temporary files.
@test "issue-10: the file sink removes no file it did not write, and a non-empty --path needs --allow-existing" {
  mkdir -p out/k=a
  echo spark > out/part-00000-1b2c3d4e.c000.json
  echo spark > out/k=a/part-00001-1b2c3d4e.c000.json
  echo a,b > out/part-000000000001-000.csv
  echo '{"x":0}' > out/part-000000000003-000.jsonl
  echo '{"x":0}' > out/part-00000000000000000007-0000000000.jsonl
  echo tmp > out/.part-tmp-1-0
  echo tmp > out/.part-tmp-999999999-0
  echo tmp > out/k=a/.part-tmp-0123456789abcdef-999999999-0
  cp -a out before
  printf '%s\n' '{"k":"a","v":1}' '{"k":"b","v":2}' "$END" > in.ndjson
  # Refused, with a checkpoint that does not record the directory or without one.
  run -1 --separate-stderr sstream-sink --checkpoint cp --path out --partition-by k < in.ndjson
  assert_stderr_contains "--path out is not empty, and no checkpoint records it as this sink's output"
  assert_stderr_contains "--allow-existing"
  diff -r before out
  run -1 --separate-stderr sstream-sink --path out --partition-by k < in.ndjson
  assert_stderr_contains "--path out is not empty"
  diff -r before out
  # Allowed, the sink adds its files and leaves every other byte alone.
  run -0 --separate-stderr sstream-sink --checkpoint cp --path out --partition-by k --allow-existing < in.ndjson
  assert_stderr_empty
  run -0 cat out/k=a/part-00000000000000000000-0000000000.jsonl out/k=b/part-00000000000000000000-0000000000.jsonl
  assert_output "$(head -n 2 in.ndjson)"
  rm out/k=a/part-00000000000000000000-0000000000.jsonl
  rm -r out/k=b
  diff -r before out
  # The checkpoint now records the directory as the sink's: a rerun needs no
  # flag, and still touches nothing else.
  printf '%s\n' '{"k":"c","v":3}' "$(tick 1)" "$END" > more.ndjson
  run -0 --separate-stderr sstream-sink --checkpoint cp --path out --partition-by k < more.ndjson
  assert_stderr_empty
  [[ -f out/k=c/part-00000000000000000001-0000000000.jsonl ]]
  rm -r out/k=c
  diff -r before out
}

@test "issue-10: an existing part file name is never replaced, also under --allow-existing" {
  mkdir out
  echo mine > out/part-00000000000000000000-0000000000.jsonl
  cp out/part-00000000000000000000-0000000000.jsonl before.jsonl
  run -1 --separate-stderr sstream-sink --path out --allow-existing <<< '{"v":1}'
  assert_stderr_contains "part-00000000000000000000-0000000000.jsonl exists and is not this sink's to replace"
  cmp before.jsonl out/part-00000000000000000000-0000000000.jsonl
  run -0 find out -name '.part-tmp-*'
  assert_output ""
}

# issue-10 item 11: the list of an epoch's files is recorded before the
# renames; a name the sink could not take (another writer's file was there)
# stays listed, and a rerun must not remove that file as its own.
@test "issue-10: a rerun after a failed rename does not remove the file that held the name" {
  mkdir -m 700 cp
  mkdir out
  printf '%s\n' '{"who":"sink"}' "$(tick 0)" > in.ndjson
  echo FOREIGN > "out/$(printf 'part-%020d-%010d.jsonl' 0 0)"
  run -1 --separate-stderr sstream-sink --checkpoint cp --path out --allow-existing < in.ndjson
  assert_stderr_contains "exists and is not this sink's to replace"
  run -1 --separate-stderr sstream-sink --checkpoint cp --path out --allow-existing < in.ndjson
  run -0 cat "out/$(printf 'part-%020d-%010d.jsonl' 0 0)"
  assert_output FOREIGN
}

# issue-10: writes and cleanup followed a partition directory that was a
# symbolic link out of --path.
@test "issue-10: a partition directory that is a symbolic link is a bad record; nothing is written or removed through it" {
  mkdir outside out
  echo keep > outside/part-00000000000000000000-0000000000.jsonl
  echo keep > outside/part-000000000001-000.jsonl
  cp -a outside outside.before
  ln -s ../outside 'out/k=a'
  printf '%s\n' '{"k":"a","v":1}' '{"k":"b","v":2}' > in.ndjson
  run -1 --separate-stderr sstream-sink --path out --allow-existing --partition-by k < in.ndjson
  assert_stderr_contains "stdin: line 1: partition directory out/k=a is a symbolic link or not a directory: refused"
  run -0 --separate-stderr sstream-sink --path out --allow-existing --partition-by k --bad-records skip < in.ndjson
  run -0 cat out/k=b/part-00000000000000000000-0000000000.jsonl
  assert_output '{"k":"b","v":2}'
  diff -r outside.before outside
  # Cleanup under a checkpoint: epoch 1 wrote to k=x (a real directory then)
  # and is rewound; k=x is now a link out of --path. The replay's cleanup
  # removes nothing through it.
  printf '%s\n' '{"k":"x","v":1}' "$(tick 0)" '{"k":"x","v":2}' "$(tick 1)" > ck.ndjson
  run -0 --separate-stderr sstream-sink --checkpoint cp --path co --partition-by k < ck.ndjson
  run -0 sstream-checkpoint rewind cp --to 0
  mv co/k=x moved
  ln -s ../outside co/k=x
  echo keep > outside/part-00000000000000000001-0000000000.jsonl
  cp -a outside outside.before2
  run -0 --separate-stderr sstream-sink --checkpoint cp --path co --partition-by k < /dev/null
  diff -r outside.before2 outside
}

# issue-10: a partition value longer than a file name may be stopped the
# pipeline ("File name too long").
@test "issue-10: a partition value too long for a file name gets a shortened, hashed directory name" {
  local long
  long=$(printf 'x%.0s' {1..300})
  printf '{"k":"%s","n":1}\n{"k":"%sy","n":2}\n{"k":"a/b","n":3}\n' "$long" "$long" > in.ndjson
  run -0 --separate-stderr sstream-sink --path out --partition-by k < in.ndjson
  assert_stderr_empty
  run -0 bash -c 'ls out | wc -l'
  assert_output 3
  run -0 bash -c "ls out | grep -c '^k=x*%h[0-9a-f]\{16\}$'"
  assert_output 2
  run -0 bash -c 'ls out | awk "length > 255"'
  assert_output ""
  [[ -f 'out/k=a%2Fb/part-00000000000000000000-0000000000.jsonl' ]]
  cmp <(parts) <(LC_ALL=C sort in.ndjson)
}

# issue-10: the file sink kept a descriptor open per partition until the
# epoch committed, so many partitions failed with "Too many open files" and
# left empty directories behind.
@test "issue-10: high-cardinality partitioning works within a small descriptor limit" {
  seq 1 300 | sed 's/.*/{"v":&}/' > in.ndjson
  run -0 --separate-stderr bash -c 'ulimit -n 40 && sstream-sink --path out --partition-by v --tick 1h < in.ndjson'
  assert_stderr_empty
  assert_equal "$(find out -name 'part-*' | wc -l)" 300
  cmp <(parts) <(LC_ALL=C sort in.ndjson)
}

@test "issue-10: a failed epoch leaves no temporary files and no empty directories behind" {
  { seq 1 50 | sed 's/.*/{"v":&}/'; echo '{"v":'; } > in.ndjson
  run -1 --separate-stderr bash -c 'ulimit -n 40 && sstream-sink --path out --partition-by v < in.ndjson'
  assert_stderr_contains "stdin: line 51: invalid JSON"
  run -0 find out -mindepth 1
  assert_output ""
}

# issue-10: --path and partition directories were created without an fsync
# of their parent, so a power loss could lose them after the epoch committed.
@test "issue-10: --path, its missing parents and partition directories are synced into their parents before the commit" {
  command -v strace > /dev/null || skip "strace is not installed"
  printf '%s\n' '{"k":"a"}' > in.ndjson
  strace -o trace.txt -e trace=mkdir,mkdirat,openat,fsync,renameat2 \
    sstream-sink --path new/out --partition-by k < in.ndjson || skip "strace cannot trace here"
  # Each directory made, then its parent opened and synced.
  run -0 grep -A2 '^mkdir("new", .* = 0$' trace.txt
  assert_line --index 1 --regexp '^openat\(AT_FDCWD, "\.", .*O_DIRECTORY\) = [0-9]+$'
  assert_line --index 2 --regexp '^fsync\([0-9]+\) += 0$'
  run -0 grep -A2 '^mkdir("new/out", .* = 0$' trace.txt
  assert_line --index 1 --regexp '^openat\(AT_FDCWD, "new", .*O_DIRECTORY\) = [0-9]+$'
  assert_line --index 2 --regexp '^fsync\([0-9]+\) += 0$'
  # The partition directory: --path's descriptor is synced after it is made
  # and before the file is renamed into it.
  local dir_fd made synced renamed
  dir_fd=$(sed -n 's/^openat(AT_FDCWD, "new\/out", .*) = \([0-9]*\)$/\1/p' trace.txt)
  made=$(grep -n "^mkdirat($dir_fd, \"k=a\"" trace.txt | cut -d: -f1)
  synced=$(grep -n "^fsync($dir_fd) " trace.txt | cut -d: -f1 | tail -n 1)
  renamed=$(grep -n '^renameat2(' trace.txt | cut -d: -f1)
  [[ -n $made && -n $synced && -n $renamed && $made -lt $synced && $synced -lt $renamed ]]
}

# issue-10: checkpoints of earlier versions recorded no part files; their
# 12-digit names are still cleaned up after the commit, and nothing else.
@test "issue-10: a checkpoint of an earlier version (no record of files) owns --path and removes only its uncommitted 12-digit part files" {
  command -v mdb_load > /dev/null || skip "the LMDB tools are not installed"
  printf '%s\n' '{"v":1}' "$(tick 0)" | sstream-sink --checkpoint cp --path out
  # The same checkpoint without the sink's record of its files.
  mdb_dump -a cp | awk '/^VERSION=/ { keep = 1; block = "" } { block = block $0 "\n" }
    /^database=sink.files$/ { keep = 0 } /^DATA=END$/ { if (keep) printf "%s", block }' > old.dump
  mkdir -m 700 old
  mdb_load -f old.dump old 2> /dev/null
  rm -r out && mkdir out
  echo '{"v":1}' > out/part-000000000000-000.jsonl
  echo '{"v":2}' > out/part-000000000001-000.jsonl  # renamed, never committed
  echo x > out/part-000000000001-000.csv
  echo x > out/part-00001-1b2c.c000.json
  printf '%s\n' '{"v":2}' "$(tick 1)" | sstream-sink --checkpoint old --path out
  run -0 bash -c 'cd out && LC_ALL=C ls'
  assert_output "$(printf '%s\n' part-000000000000-000.jsonl part-00000000000000000001-0000000000.jsonl \
    part-000000000001-000.csv part-00001-1b2c.c000.json)"
  run -0 cat out/part-00000000000000000001-0000000000.jsonl
  assert_output '{"v":2}'
}
