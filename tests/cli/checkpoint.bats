bats_require_minimum_version 1.8.0
load test_helper

# Checkpoints end to end (sstream(7), CHECKPOINTS): triggers, drains,
# restarts, and every bad state refused with a clear message. The chaos test
# (tests/chaos) covers kill -9 at random moments.

window_pipeline() {  # trigger
  run_pipeline "sstream-source --checkpoint cp --trigger $1 --max-batch-records 4 in.json |
    sstream-window --checkpoint cp --time ts --time-format ms --tumbling 10s --watermark 0s --by k |
    sstream-sink --checkpoint cp --path out"
}

@test "the checkpoint directory is private, and a finished job run again adds nothing" {
  events 0 24 > in.json
  window_pipeline 1h
  assert_success
  [[ $(stat -c %a cp) == 700 ]]
  parts > first.txt
  assert_equal "$(wc -l < first.txt)" 6  # three windows, two keys
  window_pipeline 1h
  assert_success
  parts > second.txt
  cmp first.txt second.txt
}

@test "available-now catches up, keeps open windows for the next run, and exits 0 (the cron mode)" {
  events 0 24 > in.json
  window_pipeline available-now
  assert_success
  # [0,10) and [10,20) closed under the watermark (24 s); [20,30) stays open.
  assert_equal "$(parts | wc -l)" 4
  run grep -c '"window_start":20000' <(parts)
  assert_output 0
  events 25 44 >> in.json  # new input arrives before the next run
  window_pipeline available-now
  assert_success
  assert_equal "$(parts | wc -l)" 8
  # The open window lost nothing across the runs: 10 rows, 5 per key.
  run grep -c '"window_start":20000,"window_end":30000,"k":"[ab]","count":5}' <(parts)
  assert_output 2
  # An interval run reaches the end of the input: everything is flushed.
  window_pipeline 1h
  assert_success
  assert_equal "$(parts | wc -l)" 10
  run_pipeline "sstream-source --trigger 1h --max-batch-records 4 in.json |
    sstream-window --time ts --time-format ms --tumbling 10s --watermark 0s --by k | sstream-sink --path all"
  assert_success
  cmp <(parts all) <(parts out)
}

@test "trigger once: one batch per run, state kept between runs, what a watermark closes emitted by the next run" {
  events 0 14 > in.json
  window_pipeline once
  assert_success
  # The watermark is 14 s now, but Spark runs no no-data batch after
  # Trigger.Once: [0,10) closes in the next run.
  assert_equal "$(parts | wc -l)" 0
  events 15 24 >> in.json
  window_pipeline once
  assert_success
  assert_equal "$(parts | wc -l)" 2  # [0,10), one row per key
  window_pipeline once  # no new input: as under Spark's Trigger.Once, no batch at all
  assert_success
  assert_equal "$(parts | wc -l)" 2
  events 25 25 >> in.json
  window_pipeline once  # the next run with data evicts by 24 s first
  assert_success
  run grep -c '"window_start":10000,"window_end":20000,"k":"[ab]","count":5}' <(parts)
  assert_output 2
  assert_equal "$(parts | wc -l)" 4
}

@test "SIGTERM drains: every stage finishes its epoch and exits 0; the rerun continues exactly" {
  local cp="$BATS_TEST_TMPDIR/drain-cp"
  sstream-source -v --checkpoint "$cp" --rows-per-second 400 --trigger 200ms gen:rate 2>src.log |
    sstream-map --checkpoint "$cp" --select "value" 2>map.log |
    sstream-sink --checkpoint "$cp" --path out 2>sink.log &
  local pipeline=$!
  sleep 1.5
  # Only this test's stages: tests of other files run at the same time.
  pkill -TERM -f -- "--checkpoint $cp" || true
  wait_exit "$pipeline" 10
  assert_equal "$status" 0
  grep -q "stopped after epoch" src.log
  first=$(parts | wc -l)
  [[ $first -gt 100 ]]
  sstream-source --checkpoint "$cp" --rows-per-second 400 --trigger 200ms --count 1000 gen:rate |
    sstream-map --checkpoint "$cp" --select "value" | sstream-sink --checkpoint "$cp" --path out
  # Rows 0..999, each exactly once, across both runs.
  run bash -c "find out -name 'part-*' -exec cat {} + | sed 's/[^0-9]//g' | sort -n | uniq -d | wc -l"
  assert_output 0
  assert_equal "$(parts | wc -l)" 1000
}

@test "a stage already running on the checkpoint is refused, naming its pid" {
  mkfifo feed
  local fd
  exec {fd}<>feed
  sstream-window --checkpoint cp --time ts --time-format ms --tumbling 10s --watermark 0s <feed >/dev/null 2>&1 &
  local holder=$!
  sleep 0.5
  run --separate-stderr sstream-window --checkpoint cp --time ts --time-format ms --tumbling 10s --watermark 0s </dev/null
  kill "$holder"
  exec {fd}>&-
  assert_failure 1
  assert_stderr_contains "stage 'window' is in use by a running pipeline (pid $holder)"
}

@test "a changed query, a new stage, damage and stdin input are refused, never reset" {
  events 0 24 > in.json
  window_pipeline 1h
  assert_success
  run --separate-stderr sstream-window --checkpoint cp --time ts --time-format ms --tumbling 20s --watermark 0s --by k </dev/null
  assert_failure 1
  assert_stderr_contains "stage 'window' ran a different query there" \
    "then: sstream-window --time 'ts' --time-format 'ms' --tumbling '10s' --watermark '0s' --by 'k'" \
    "now:  sstream-window --time 'ts' --time-format 'ms' --tumbling '20s' --watermark '0s' --by 'k'"
  run --separate-stderr sstream-window --checkpoint cp --checkpoint-name dedup --dedup k </dev/null
  assert_failure 1
  assert_stderr_contains "stage 'dedup' is new, but the pipeline there has committed epoch"
  run --separate-stderr sstream-source --checkpoint cp2
  assert_failure 2
  assert_stderr_contains "stdin cannot be replayed"
  mkdir bad && chmod 700 bad && head -c 8192 /dev/urandom > bad/data.mdb
  cp bad/data.mdb damaged.copy
  run --separate-stderr sstream-sink --checkpoint bad </dev/null
  assert_failure 3
  assert_stderr_contains "the checkpoint is damaged"
  cmp damaged.copy bad/data.mdb  # left as it was, not reset
}

@test "SSTREAM_CHECKPOINT names the checkpoint for every stage of a script" {
  events 0 24 > in.json
  export SSTREAM_CHECKPOINT=env-cp
  run_pipeline "sstream-source --trigger 1h --max-batch-records 4 in.json |
    sstream-window --time ts --time-format ms --tumbling 10s --watermark 0s --by k | sstream-sink --path out"
  assert_success
  [[ -f env-cp/lock-source && -f env-cp/lock-window && -f env-cp/lock-sink ]]
  assert_equal "$(parts | wc -l)" 6
}

@test "the file sink partitions by a field, rolls by size, and writes csv with a header each" {
  events 0 9 > in.json
  run_pipeline "sstream-source --trigger 1h --max-batch-records 100 in.json |
    sstream-sink --path out --partition-by k --max-file-bytes 20 --format csv"
  assert_success
  [[ -f out/k=a/part-00000000000000000000-0000000000.csv && -f out/k=a/part-00000000000000000000-0000000001.csv ]]
  run head -1 out/k=b/part-00000000000000000000-0000000000.csv
  assert_output 'ts,k'
  assert_equal "$(cat out/k=a/*.csv | grep -vc '^ts,k$')" 5
  run --separate-stderr sstream-sink --path out --format table </dev/null
  assert_failure 2
  assert_stderr_contains "--format table is for reading"
}

@test "trigger continuous: each record reaches the end of the pipeline at once, ticks still come" {
  sstream-source --rows-per-second 10 --trigger continuous:1h gen:rate |
    sstream-map --select value | sstream-map --where "value >= 0" > out.jsonl &
  local pipeline=$!
  sleep 1.5
  local rows
  rows=$(grep -c value out.jsonl || true)
  kill "$pipeline" 2>/dev/null || true
  pkill -f "continuous:1h" || true
  # An hour-long batch, yet the rows of its first second are already out.
  [[ $rows -ge 5 ]]
  run --separate-stderr sstream-source --trigger continuous:0s gen:rate
  assert_failure 2
  assert_stderr_contains "trigger interval must be at least 1ms"
}

# Runs `sstream-window ARGS` over in.json in two runs (the first drains after
# half the input, which arrives only then) and in one, and compares.
same_across_a_drain() {
  awk 'BEGIN { srand(3); for (i = 0; i < 400; i++) printf "{\"ts\":%d,\"k\":\"%s\",\"v\":%d}\n", i * 250 - int(rand() * 1500), substr("abc", i % 3 + 1, 1), int(rand() * 20) }' > all.json
  head -200 all.json > in.json
  local window="sstream-window --checkpoint cp $*"
  run_pipeline "sstream-source --checkpoint cp --trigger available-now --max-batch-records 8 in.json |
    $window | sstream-sink --checkpoint cp --path out"
  assert_success
  tail -n +201 all.json >> in.json
  run_pipeline "sstream-source --checkpoint cp --trigger 1h --max-batch-records 8 in.json |
    $window | sstream-sink --checkpoint cp --path out"
  assert_success
  local args="$*"
  local plain="${args//--state-store lmdb/}"  # the reference keeps state in memory
  run_pipeline "sstream-source --trigger 1h --max-batch-records 8 all.json |
    sstream-window $plain | sstream-sink --path whole"
  assert_success
  [[ $(parts whole | wc -l) -gt 10 ]]
  cmp <(parts whole) <(parts out)
}

@test "sliding windows keep every aggregate, sketches included, across a drain" {
  same_across_a_drain --time ts --time-format ms --sliding 10s --slide 5s --watermark 1s --by k \
    --agg "'count, count(DISTINCT v) AS d, approx_count_distinct(v) AS a, percentile_approx(v, 0.5) AS p, sum(v) AS s, avg(v) AS av, min(v) AS mn, max(v) AS mx, first(v) AS f, last(v) AS l'"
}

@test "session windows, update and complete modes keep their state across a drain" {
  same_across_a_drain --time ts --time-format ms --session 600ms --watermark 1s --by k --agg "'count, sum(v) AS s'"
  rm -rf cp out whole
  same_across_a_drain --time ts --time-format ms --tumbling 10s --mode update --by k
  rm -rf cp out whole
  same_across_a_drain --time ts --time-format ms --tumbling 20s --mode complete --by k
}

@test "batch-counted windows and deduplication keep their state across a drain" {
  same_across_a_drain --batch-window 3 --inverse --drop-zero --by k --agg "'count, sum(v) AS s'"
  rm -rf cp out whole
  same_across_a_drain --dedup v
  rm -rf cp out whole
  same_across_a_drain --dedup "'k, v'" --within-watermark --time ts --time-format ms --watermark 2s
}

@test "--state-store lmdb keeps windows in the checkpoint: same output, only the batch's groups in memory" {
  same_across_a_drain --state-store lmdb --time ts --time-format ms --sliding 10s --slide 5s --watermark 1s --by k \
    --agg "'count, count(DISTINCT v) AS d, percentile_approx(v, 0.5) AS p, first(v) AS f, last(v) AS l'"
  rm -rf cp out whole
  same_across_a_drain --state-store lmdb --time ts --time-format ms --tumbling 10s --mode update --by k
  # 5,000 keys in one open window; batches of 500 records touch at most 500.
  awk 'BEGIN { for (i = 0; i < 5000; i++) printf "{\"ts\":%d,\"k\":\"key%d\"}\n", i, i }' > keys.json
  run_pipeline "sstream-source --checkpoint cp2 --trigger 1h --max-batch-records 500 keys.json |
    sstream-window -v --checkpoint cp2 --state-store lmdb --time ts --time-format ms --tumbling 1h --watermark 1s --by k 2>win.log |
    sstream-sink --checkpoint cp2 --path out2"
  assert_success
  grep -q "state at its largest: 500 group(s)" win.log
  assert_equal "$(parts out2 | wc -l)" 5000
  run --separate-stderr sstream-window --state-store lmdb --time ts --tumbling 1h --watermark 1s </dev/null
  assert_failure 2
  assert_stderr_contains "--state-store lmdb keeps the windows in the checkpoint: give --checkpoint DIR"
  run --separate-stderr sstream-window --checkpoint cp3 --state-store lmdb --time ts --tumbling 1h --mode complete </dev/null
  assert_failure 2
  assert_stderr_contains "does not combine with complete mode"
  run --separate-stderr sstream-window --checkpoint cp3 --state-store lmdb --time ts --session 1h --by k --watermark 1s </dev/null
  assert_failure 2
  assert_stderr_contains "--state-store does not combine with session windows"
}

@test "the source's files are known by their absolute path: a run from elsewhere resumes" {
  events 0 24 > in.json
  window_pipeline available-now
  assert_success
  mkdir sub && cd sub
  run_pipeline "sstream-source --checkpoint ../cp --trigger 1h --max-batch-records 4 ../in.json |
    sstream-window --checkpoint ../cp --time ts --time-format ms --tumbling 10s --watermark 0s --by k |
    sstream-sink --checkpoint ../cp --path ../out"
  assert_success
  cd ..
  assert_equal "$(parts | wc -l)" 6
}

@test "input that changed under a checkpoint, and misplaced options, are errors that say so" {
  events 0 24 > in.json
  window_pipeline available-now
  assert_success
  head -3 in.json > short.json && cat short.json > in.json  # truncated behind the source's back
  run -0 --separate-stderr sstream-source --checkpoint cp --trigger 1h --data-only in.json
  assert_equal "${#lines[@]}" 3  # read again from the start, with a warning (like tail -F)
  assert_stderr_contains "in.json: 57 bytes, shorter than the" "truncated, reading it again from the start"
  run --separate-stderr sstream-sink --partition-by k </dev/null
  assert_failure 2
  assert_stderr_contains "--partition-by, --max-file-bytes and --allow-existing go with --path DIR"
  assert_usage_error "--partition-by, --max-file-bytes and --allow-existing go with --path DIR" \
    sstream-sink --allow-existing
  run --separate-stderr sstream-sink --path o --max-file-bytes -1 </dev/null
  assert_failure 2
  assert_stderr_contains "--max-file-bytes must not be negative"
  run --separate-stderr sstream-window --checkpoint cp --checkpoint-name "" --time ts --tumbling 1s --watermark 0s </dev/null
  assert_failure 2
  assert_stderr_contains "--checkpoint-name must not be empty"
}

@test "epochs recorded but not committed are replayed as they were, or refused when the input changed" {
  events 0 24 > in.json
  # The source records its epochs, but no sink commits them.
  sstream-source --checkpoint cp --trigger 1h --max-batch-records 4 in.json > /dev/null
  cp in.json whole.json
  head -2 whole.json > in.json  # ends before the first recorded boundary
  run --separate-stderr sstream-source --checkpoint cp --trigger 1h --max-batch-records 100 in.json
  assert_failure 1
  assert_stderr_contains "the input ended before epoch 0 could be replayed as recorded (in.json " \
    "the file is shorter now"
  # The same input again: epochs 0..6 keep their 4-record boundaries under another cap.
  cp whole.json in.json
  run_pipeline "sstream-source --checkpoint cp --trigger 1h --max-batch-records 100 in.json |
    sstream-sink --checkpoint cp --path out"
  assert_success
  assert_equal "$(parts | wc -l)" 25
  assert_equal "$(find out -name 'part-*' | wc -l)" 7
}

# issue-10: lock files were opened through symbolic links and truncated, and
# a checkpoint directory others may write in was used silently.
@test "issue-10: a lock file that is a symbolic link or another file is refused, its target untouched" {
  mkdir -m 700 cp
  echo secret > target
  ln -s ../target cp/lock-sink
  run -1 --separate-stderr sstream-sink --checkpoint cp </dev/null
  assert_stderr_contains "cp/lock-sink is a symbolic link: refused"
  run -0 cat target
  assert_output secret
  rm cp/lock-sink
  ln target cp/lock-sink  # a hard link: two names
  run -1 --separate-stderr sstream-sink --checkpoint cp </dev/null
  assert_stderr_contains "cp/lock-sink is not a regular file of this user with a single link"
  run -0 cat target
  assert_output secret
  rm cp/lock-sink
  run -0 --separate-stderr sstream-sink --checkpoint cp </dev/null
}

@test "issue-10: a checkpoint directory writable by group or others, or owned by another user, is refused" {
  mkdir cp
  chmod 777 cp
  run -1 --separate-stderr sstream-sink --checkpoint cp </dev/null
  assert_stderr_contains "checkpoint cp: writable by others (mode 0777): refused"
  chmod 770 cp
  run -1 --separate-stderr sstream-source --checkpoint cp gen:rate --count 1
  assert_stderr_contains "checkpoint cp: writable by its group (mode 0770)"
  [[ ! -e cp/data.mdb ]]
  chmod 700 cp
  if [[ $(id -u) == 0 ]]; then
    chown 12345 cp
    run -1 --separate-stderr sstream-sink --checkpoint cp </dev/null
    assert_stderr_contains "checkpoint cp: owned by user id 12345, not by this user (0)"
    chown 0 cp
  fi
  run -0 --separate-stderr sstream-sink --checkpoint cp </dev/null
}

# issue-10: windows flushed at the end of input are final. The watermark moves
# past them in the epoch that saves the flush, so a later run that brings rows
# for them drops those rows as late instead of emitting the windows again.
@test "issue-10: a window flushed at end of input under a checkpoint is never emitted again" {
  events 0 24 > in.json
  window_pipeline 1h
  assert_success
  assert_equal "$(parts | wc -l)" 6  # [0,10), [10,20), [20,30), two keys each
  printf '%s\n' '{"ts":25000,"k":"a"}' '{"ts":26000,"k":"b"}' '{"ts":31000,"k":"a"}' >> in.json
  run_pipeline "sstream-source --checkpoint cp --trigger 1h --max-batch-records 4 in.json |
    sstream-window --checkpoint cp --time ts --time-format ms --tumbling 10s --watermark 0s --by k 2>win.log |
    sstream-sink --checkpoint cp --path out"
  assert_success
  grep -q "dropped 2 late row(s)" win.log
  run grep -c '"window_start":20000' <(parts)
  assert_output 2  # once per key, from the first run
  run grep -c '"window_start":30000,"window_end":40000,"k":"a","count":1}' <(parts)
  assert_output 1
  # Sessions too: a flushed session is not reopened by a later run.
  rm -rf cp out win.log
  events 0 4 > in.json
  local sessions="sstream-window --checkpoint cp --time ts --time-format ms --session 2s --watermark 0s --by k"
  run_pipeline "sstream-source --checkpoint cp --trigger 1h in.json | $sessions | sstream-sink --checkpoint cp --path out"
  assert_success
  assert_equal "$(parts | wc -l)" 2
  printf '%s\n' '{"ts":4500,"k":"a"}' >> in.json
  run_pipeline "sstream-source --checkpoint cp --trigger 1h in.json | $sessions 2>win.log | sstream-sink --checkpoint cp --path out"
  assert_success
  assert_equal "$(parts | wc -l)" 2
  grep -q "dropped 1 late row(s)" win.log
}

# issue-10: groups without a window are state like window groups, saved each epoch.
@test "issue-10: aggregation without a window keeps its groups across a drain, in memory or lmdb" {
  same_across_a_drain --mode complete --by k --agg "'count, sum(v) AS s'"
  rm -rf cp out whole
  same_across_a_drain --mode update --by k --agg "'count, sum(v) AS s, count(DISTINCT v) AS d'"
  rm -rf cp out whole
  same_across_a_drain --state-store lmdb --mode update --by k --agg "'count, sum(v) AS s'"
  run --separate-stderr sstream-window --checkpoint cp3 --state-store lmdb --by k --mode complete </dev/null
  assert_failure 2
  assert_stderr_contains "does not combine with complete mode"
}
