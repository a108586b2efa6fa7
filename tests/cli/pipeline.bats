bats_require_minimum_version 1.8.0
load test_helper

# End-to-end: the Yahoo Streaming Benchmark query as a pipeline, checked
# against an independent count of the same generated events.

EVENTS=200000

# The events once, as plain JSON lines, the campaigns table, and the expected
# "window_start campaign_id count" lines, counted by a Python script that
# shares no code with sstream (10 s tumbling windows on event_time in ms).
setup_file() {
  cd "$BATS_FILE_TMPDIR" || return 1
  sstream-source gen:ysb-campaigns | sstream-sink --format csv > campaigns.csv
  sstream-source gen:ysb --count "$EVENTS" --data-only > events.ndjson
  python3 - campaigns.csv events.ndjson > expected.txt <<'EOF'
import csv, json, sys
with open(sys.argv[1], newline="") as f:
    campaign_of = {row["ad_id"]: row["campaign_id"] for row in csv.DictReader(f)}
counts = {}
with open(sys.argv[2]) as f:
    for line in f:
        event = json.loads(line)
        if event["event_type"] != "view":
            continue
        campaign = campaign_of.get(event["ad_id"])
        if campaign is None:
            continue
        start = int(event["event_time"]) // 10000 * 10000
        counts[(start, campaign)] = counts.get((start, campaign), 0) + 1
for (start, campaign), n in counts.items():
    print(start, campaign, n)
EOF
  sort -o expected.txt expected.txt
}

setup() {
  cd "$BATS_TEST_TMPDIR" || return 1
  cp "$BATS_FILE_TMPDIR/campaigns.csv" "$BATS_FILE_TMPDIR/expected.txt" .
}

# The pipeline's stages after the source; "$1" goes between map and join.
MAP="sstream-map --where \"event_type = 'view'\" --select 'ad_id, event_time'"
JOIN="sstream-join --static campaigns.csv --on ad_id"
WINDOW="sstream-window --time event_time --tumbling 10s --watermark 5s --by campaign_id"

# Runs "$1" (a pipeline writing JSON lines) and compares its windows with
# the expected counts.
assert_counts() {
  run_pipeline -0 "($1) 2> stderr.txt | jq -r '\"\\(.window_start) \\(.campaign_id) \\(.count)\"' | sort > got.txt"
  run -0 cat stderr.txt
  assert_output ""
  run -0 wc -l < expected.txt
  [[ "$output" -gt 100 ]] || fail "too few expected windows: $output"
  run -0 diff got.txt expected.txt
}

@test "the YSB pipeline gives exactly the independently computed counts" {
  assert_counts "sstream-source gen:ysb --count $EVENTS | $MAP | $JOIN | $WINDOW | sstream-sink"
}

@test "the YSB pipeline over the saved events file gives the same counts" {
  assert_counts "sstream-source --trigger available-now --max-batch-records 7000 \
    '$BATS_FILE_TMPDIR/events.ndjson' | $MAP | $JOIN | $WINDOW | sstream-sink"
}

@test "the YSB pipeline with SSTREAM_WIRE=binary gives the same counts" {
  export SSTREAM_WIRE=binary
  assert_counts "sstream-source gen:ysb --count $EVENTS | $MAP | $JOIN | $WINDOW | sstream-sink"
}

@test "binary upstream and JSON lines downstream mix in one pipeline" {
  assert_counts "sstream-source gen:ysb --count $EVENTS --wire binary | $MAP --wire binary | $JOIN | $WINDOW --wire binary | sstream-sink"
}

@test "a foreign filter that keeps control lines (grep) changes nothing" {
  assert_counts "sstream-source gen:ysb --count $EVENTS | $MAP | grep -v '^\$' | $JOIN | $WINDOW | sstream-sink"
}

@test "a foreign filter that drops control lines (jq) still gives the same counts at end of input" {
  assert_counts "sstream-source gen:ysb --count $EVENTS | $MAP | jq -c 'select(.ad_id != null)' | $JOIN | $WINDOW | sstream-sink"
}

@test "batch boundaries do not change append-mode results for in-order events" {
  assert_counts "sstream-source gen:ysb --count $EVENTS --trigger available-now --max-batch-records 1000 | $MAP | $JOIN | $WINDOW | sstream-sink"
}

@test "the sink's table shows each final window once, with the same counts" {
  run_pipeline -0 "sstream-source gen:ysb --count $EVENTS | $MAP | $JOIN | $WINDOW --output-time-format ms | sstream-sink --format table --num-rows 1000 --truncate 0"
  # Cells between the first and last '|', one window per row.
  printf '%s\n' "${lines[@]}" | grep '^|[ 0-9]*[0-9]|' |
    awk -F'|' '{ gsub(/ /, ""); print $2, $4, $5 }' | sort > got.txt
  run -0 diff got.txt expected.txt
}

# The README's running word count, with printf in place of nc.
@test "the README's word count without a window gives Spark's complete-mode table" {
  run_pipeline -0 "printf 'the cat\nthe dog\n' | sstream-source --format text - |
    sstream-map --explode \"split(value, ' ') AS word\" --select word |
    sstream-window --by word --mode complete | sstream-sink --format table"
  assert_output "$(printf '%s\n' '-------------------------------------------' 'Batch: 0' \
    '-------------------------------------------' '+----+-----+' '|word|count|' '+----+-----+' \
    '| cat|    1|' '| dog|    1|' '| the|    2|' '+----+-----+' '')"
}
