bats_require_minimum_version 1.8.0
load test_helper

# sstream-checkpoint: show, reset and rewind the checkpoint of a real
# pipeline (source -> window -> sink with part files).

# The epochs that have a part file, one per line.
part_epochs() {
  find "${1:-out}" -name 'part-*' | sed 's/.*part-0*\([0-9][0-9]*\)-.*/\1/' | sort -n | uniq
}

WINDOW_ARGS=(--time ts --time-format ms --tumbling 10s --watermark 1s --by k)

# 200 events in batches of 20: the source records epochs 0..9 and the window
# flushes its last windows at the end as epoch 10; the sink writes a part
# file per epoch and commits up to epoch 10. The cut stays within 10 epochs
# of the start, so no record is dropped yet and every rewind is possible.
pipeline() {
  run_pipeline "sstream-source --checkpoint cp --trigger 1h --max-batch-records 20 in.json |
    sstream-window --checkpoint cp ${WINDOW_ARGS[*]} | sstream-sink --checkpoint cp --path out"
  assert_success
}

setup() {
  cd "$BATS_TEST_TMPDIR" || return 1
  events 0 199 > in.json
}

# jq over `show --json`.
show_json() {
  sstream-checkpoint show cp --json | jq -r "$1"
}

@test "show prints the cut, each stage's role, state and epochs, and where the source resumes" {
  pipeline
  run -0 --separate-stderr sstream-checkpoint show cp
  assert_stderr_empty
  assert_line --index 0 "checkpoint cp"
  assert_line "  format:       sstream-checkpoint 1"
  assert_line "  cut:          epoch 10 (the lowest commit; the next run resumes after it)"
  assert_line "  rewind to:    epochs -1..10"
  assert_line "stage source (source)"
  assert_line "  fingerprint:  sstream-source files --format json"  # the query, not the files
  assert_line "  epochs kept:  0..9 (10 records)"
  # The records of the epoch, and the stretch of each file (by device and inode) it read.
  assert_line "  resumes at:   epoch 9: records=20 last=0; $(stat -c %d:%i in.json) $(head -n 180 in.json | wc -c):180 $(wc -c < in.json):200 in.json"
  assert_line "stage window (state)"
  assert_line "  fingerprint:  sstream-window --time 'ts' --time-format 'ms' --tumbling '10s' --watermark '1s' --by 'k'"
  assert_line --regexp '^  state:        epoch 10, [0-9]+ entr(y|ies), [0-9]+ bytes$'
  assert_line --regexp '^  undo:         [0-9]+ records, back to epoch -1$'
  assert_line "stage sink (sink)"
  assert_line "  committed:    epoch 10"
  # Stages in pipeline order: sources, stateful stages, sinks.
  run -0 grep '^stage ' <<< "$output"
  assert_output "$(printf '%s\n' 'stage source (source)' 'stage window (state)' 'stage sink (sink)')"
}

@test "show --json describes the checkpoint as one JSON object" {
  pipeline
  run -0 --separate-stderr sstream-checkpoint show cp --json
  assert_stderr_empty
  assert_equal "${#lines[@]}" 1
  run -0 jq -r '.dir, .format, .cut, .rewind_floor, .rewind_to_start,
    ([.stages[] | "\(.name):\(.role)"] | join(" "))' <<< "$output"
  assert_output "$(printf '%s\n' cp 'sstream-checkpoint 1' 10 -1 true \
    'source:source window:state sink:sink')"
  run -0 show_json '.stages[] | select(.name == "source") | .epochs.first, .epochs.last,
    .resume.epoch, .resume.record, .committed'
  assert_output "$(printf '%s\n' 0 9 9 "records=20 last=0; $(stat -c %d:%i in.json) $(head -n 180 in.json | wc -c):180 $(wc -c < in.json):200 in.json" null)"
  run -0 show_json '.stages[] | select(.name == "window") | .state_epoch, (.undo_records > 0),
    .undo_oldest_epoch, .epochs'
  assert_output "$(printf '%s\n' 10 true 0 null)"
  run -0 show_json '.stages[] | select(.name == "sink") | .committed, .fingerprint'
  assert_output "$(printf '%s\n' 10 "sstream-sink --format json --path '$PWD/out'")"
}

@test "show, reset and rewind fail with status 1 where there is no checkpoint, creating nothing" {
  run -1 --separate-stderr sstream-checkpoint show nothing-here
  assert_output ""
  assert_stderr_contains "sstream-checkpoint: error: no checkpoint at nothing-here"
  [[ ! -e nothing-here ]]
  mkdir empty
  run -1 --separate-stderr sstream-checkpoint reset empty
  assert_stderr_contains "no checkpoint at empty (no data.mdb in it)"
  run -1 --separate-stderr sstream-checkpoint rewind empty --to 0
  assert_stderr_contains "no checkpoint at empty"
  run -0 ls -A empty
  assert_output ""
}

@test "reset drops everything but the format: the rerun reproduces the whole output" {
  pipeline
  parts > first.txt
  assert_equal "$(wc -l < first.txt)" 40  # 20 windows, two keys
  rm -r out
  run -0 --separate-stderr sstream-checkpoint reset cp
  assert_stderr_empty
  assert_line "dropped commits (1 record)"
  assert_line "dropped source.epochs (10 records)"
  assert_line "dropped stages (3 records)"
  refute_line --partial "dropped meta"
  assert_line --regexp "^reset checkpoint cp: 3 stages \(sink, source, window\), [0-9]+ databases, [0-9]+ records removed; the next run starts from the beginning$"
  run -0 sstream-checkpoint show cp
  assert_line "  cut:          none (nothing committed: the next run starts from the beginning)"
  assert_line "  stages:       none"
  pipeline
  parts > second.txt
  cmp first.txt second.txt
  run -0 sstream-checkpoint reset cp
  run -0 sstream-checkpoint reset cp
  assert_output "checkpoint cp: nothing to reset"
}

@test "rewind to an earlier epoch: the rerun replays the later epochs and rewrites their part files identically" {
  pipeline
  parts > full.txt
  mkdir before
  cp out/part-* before/
  run -0 --separate-stderr sstream-checkpoint rewind cp --to 4
  assert_stderr_empty
  assert_output "$(cat <<EOF
rewound checkpoint cp to epoch 4 (the cut was epoch 10)
  source: state epoch 9 -> epoch 4; 5 epoch records dropped, resumes at epoch 4: records=20 last=0; $(stat -c %d:%i in.json) $(head -n 80 in.json | wc -c):80 $(head -n 100 in.json | wc -c):100 in.json
  window: state epoch 10 -> epoch 4
  sink: commit 10 -> 4
the next run replays everything after epoch 4
EOF
)"
  run -0 show_json '.cut, (.stages[] | "\(.name) \(.committed) \(.state_epoch) \(.epochs.last)")'
  assert_output "$(printf '%s\n' 4 'source null 4 4' 'window null 4 null' 'sink 4 null null')"  # the source's state: its files
  # The rerun writes the epochs after 4, and only those.
  rm out/part-*
  pipeline
  run -0 part_epochs
  assert_output "$(seq 5 10)"
  for f in out/part-*; do cmp "$f" "before/${f#out/}"; done
  cp before/part-0000000000000000000[0-4]-* out/
  cmp full.txt <(parts)
  run -0 show_json '.cut'
  assert_output 10
}

@test "rewind --to -1 replays everything from the start" {
  pipeline
  parts > full.txt
  rm -r out
  run -0 sstream-checkpoint rewind cp --to -1
  assert_line "  sink: commit 10 -> none"
  assert_line "  source: state epoch 9 -> none; 10 epoch records dropped, resumes at the start of its input"
  assert_line "the next run replays everything from the start"
  run -0 show_json '.cut, (.stages[] | select(.name == "window") | .state_epoch)'
  assert_output "$(printf '%s\n' null null)"
  pipeline
  cmp full.txt <(parts)
}

@test "rewind to a future epoch, or beyond the records kept, is refused and changes nothing" {
  pipeline
  # Two more runs on more input: the third starts with the cut more than 10
  # epochs past the first run's, so the records of those are dropped.
  events 200 499 >> in.json
  pipeline
  events 500 599 >> in.json
  pipeline
  local cut floor
  cut=$(show_json .cut)
  floor=$(show_json .rewind_floor)
  [[ $cut -ge 30 && $floor -ge 10 && $floor -le $((cut - 10)) ]]
  run -0 show_json .rewind_to_start
  assert_output false
  sstream-checkpoint show cp --json > before.json
  run -1 --separate-stderr sstream-checkpoint rewind cp --to $((cut + 1))
  assert_output ""
  assert_stderr_contains "sstream-checkpoint: error: checkpoint cp: cannot rewind to epoch $((cut + 1)): it is after the cut, epoch $cut (the lowest epoch the sinks committed)"
  run -1 --separate-stderr sstream-checkpoint rewind cp --to 5
  assert_stderr_contains "sstream-checkpoint: error: checkpoint cp: cannot rewind to epoch 5: stage '" \
    "(records are dropped once the cut is 10 epochs past them); it can be rewound to epochs $floor..$cut"
  run -1 --separate-stderr sstream-checkpoint rewind cp --to $((floor - 1))
  assert_stderr_contains "cannot rewind to epoch $((floor - 1)): stage '"
  run -1 --separate-stderr sstream-checkpoint rewind cp --to -1
  assert_stderr_contains "it can be rewound to epochs $floor..$cut, or reset to start from the beginning"
  sstream-checkpoint show cp --json | cmp before.json -
  # The oldest epoch kept is accepted, and the rerun ends as a run from scratch.
  run -0 sstream-checkpoint rewind cp --to "$floor"
  # The sink's last part file, of an epoch after its commit now, as a killed
  # run might have left it; and a file of the same form that is not the sink's.
  last=$(ls out/part-* | tail -n 1)
  echo '{"left":"by a killed run"}' > "$last"
  touch out/part-999999999999-000.jsonl
  pipeline
  # The sink removed and rewrote what it recorded, and kept what it did not.
  [[ -e out/part-999999999999-000.jsonl ]]
  rm out/part-999999999999-000.jsonl
  run_pipeline "sstream-source --trigger 1h --max-batch-records 20 in.json |
    sstream-window ${WINDOW_ARGS[*]} | sstream-sink --path scratch"
  assert_success
  cmp <(parts scratch) <(parts out)
}

@test "reset and rewind are refused while a stage of the pipeline runs, naming its pid" {
  pipeline
  start_on_quiet_stdin window sstream-window --checkpoint cp "${WINDOW_ARGS[@]}"
  local i
  for ((i = 0; i < 100; i++)); do
    [[ "$(cat cp/lock-window 2>/dev/null)" == "$QUIET_PID" ]] && break
    sleep 0.05
  done
  run -1 --separate-stderr sstream-checkpoint reset cp
  assert_output ""
  assert_stderr_contains "sstream-checkpoint: error: checkpoint cp: stage 'window' is in use by a running pipeline (pid $QUIET_PID); stop the pipeline before a reset"
  run -1 --separate-stderr sstream-checkpoint rewind cp --to 4
  assert_stderr_contains "stage 'window' is in use by a running pipeline (pid $QUIET_PID); stop the pipeline before a rewind"
  # show only reads: it works while the pipeline runs.
  run -0 show_json '.cut'
  assert_output 10
  end_quiet_stdin
  wait_exit "$QUIET_PID"
  assert_equal "$status" 0
  run -0 show_json '.cut'
  assert_output 10
  run -0 sstream-checkpoint reset cp
}

@test "a bad action or option is a usage error (exit 2)" {
  pipeline
  assert_usage_error "ACTION must be show, reset or rewind, not 'frob'" sstream-checkpoint frob cp
  assert_usage_error "rewind needs --to EPOCH" sstream-checkpoint rewind cp
  assert_usage_error "--to: 'x' is not an epoch (a number, or -1 for the start)" \
    sstream-checkpoint rewind cp --to x
  assert_usage_error "--to: '-2' is not an epoch" sstream-checkpoint rewind cp --to=-2
  assert_usage_error "--to applies to rewind only" sstream-checkpoint show cp --to 3
  assert_usage_error "--json applies to show only" sstream-checkpoint reset cp --json
  assert_usage_error "DIR is required" sstream-checkpoint show
  run -0 show_json '.cut'
  assert_output 10
}
