#!/usr/bin/env bash
# Chaos test for checkpoints: a file source -> map -> window (or dedup) ->
# file sink pipeline is killed with SIGKILL at random moments, in a randomly
# chosen stage, and run again each time; once it completes, its output must
# equal an uninterrupted run's byte for byte (after sorting).
#
#   tests/chaos/chaos.sh -b BIN_DIR [-n EVENTS] [-k KILLS] [-s SEED] [-q QUERY]
#
# QUERY is window (tumbling counts per ad), window-lmdb (the same with the
# windows kept in LMDB) or dedup (within the watermark).
# Boundaries come from --max-batch-records alone (the interval is an hour),
# so the uninterrupted run is deterministic, and events are out of order by
# more than the watermark delay, so late rows make the output depend on
# where batches end: a replay with other boundaries would differ.
set -euo pipefail

bin=""
events=1000000
kills=10
seed=$RANDOM
query=window
while getopts "b:n:k:s:q:" opt; do
  case $opt in
    b) bin=$OPTARG ;;
    n) events=$OPTARG ;;
    k) kills=$OPTARG ;;
    s) seed=$OPTARG ;;
    q) query=$OPTARG ;;
    *) echo "usage: $0 -b BIN_DIR [-n EVENTS] [-k KILLS] [-s SEED] [-q window|dedup]" >&2; exit 2 ;;
  esac
done
[[ -x $bin/sstream-source ]] || { echo "chaos: -b must name the directory of the sstream tools" >&2; exit 2; }
RANDOM=$seed
work=$(mktemp -d "${TMPDIR:-/tmp}/sstream-chaos.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "chaos: $query, $events events, $kills kills, seed $seed"

"$bin/sstream-source" gen:ysb --count "$events" --disorder 8s --data-only >"$work/events.json"

case $query in
  window)
    select="ad_id, event_time"
    stateful=(--time event_time --tumbling 10s --watermark 5s --by ad_id --agg "count, min(event_time) AS first_ms")
    ;;
  window-lmdb)  # the same, with the windows kept in LMDB
    select="ad_id, event_time"
    stateful=(--time event_time --tumbling 10s --watermark 5s --by ad_id --agg "count, min(event_time) AS first_ms" --state-store lmdb)
    ;;
  dedup)
    select="ad_id, event_type, event_time, user_id"
    stateful=(--dedup "ad_id, event_type" --within-watermark --time event_time --watermark 3s)
    ;;
  *) echo "chaos: unknown query $query" >&2; exit 2 ;;
esac

stages=(source map window sink)
pipeline=0
# Each stage records its pid (then execs), so a chosen one can be killed.
stage() {  # name command...
  local name=$1
  shift
  exec sh -c 'echo $$ >"$0"; exec "$@"' "$work/pid.$name" "$@"
}
# Starts the pipeline in the background.
start() {  # checkpoint-args... -- out-dir
  local cp=() out
  while [[ $1 != -- ]]; do cp+=("$1"); shift; done
  out=$2
  local args=("${stateful[@]}")
  # Without a checkpoint (the reference run) state stays in memory.
  if ((${#cp[@]} == 0)) && [[ ${stateful[*]} == *--state-store* ]]; then
    args=("${stateful[@]:0:${#stateful[@]}-2}")
  fi
  rm -f "$work"/pid.*
  (
    set -o pipefail
    stage source "$bin/sstream-source" "${cp[@]}" --trigger 1h --max-batch-records 20000 \
      "$work/events.json" 2>>"$work/log" |
      stage map "$bin/sstream-map" "${cp[@]}" --where "event_type <> 'purchase'" \
        --select "$select" 2>>"$work/log" |
      stage window "$bin/sstream-window" "${cp[@]}" "${args[@]}" 2>>"$work/log" |
      stage sink "$bin/sstream-sink" "${cp[@]}" --path "$out" 2>>"$work/log"
  ) 2>/dev/null &
  pipeline=$!
}

# Waits for the pipeline; true when every stage exited 0.
finish() { wait "$pipeline"; }

sorted() { find "$1" -name 'part-*' -exec cat {} + | LC_ALL=C sort; }

t0=$(date +%s.%N)
start -- "$work/expected"
finish || { cat "$work/log" >&2; echo "chaos: the uninterrupted run failed" >&2; exit 1; }
t1=$(date +%s.%N)
full_ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 1000 }')
echo "chaos: uninterrupted run: ${full_ms} ms, $(sorted "$work/expected" | wc -l) output rows"

cp=(--checkpoint "$work/ckpt")
killed=0
runs=0
completed=0
while ((killed < kills)); do
  runs=$((runs + 1))
  start "${cp[@]}" -- "$work/out"
  # Kill moments spread so that the kills land over the whole job: each run
  # resumes where the last left off and gets on average 2/KILLS of it.
  delay_ms=$((RANDOM % (2 * full_ms / kills + 20)))
  ((completed)) && delay_ms=$((RANDOM % 20))  # reruns of a finished job are short
  sleep "$(awk -v ms="$delay_ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
  victim=$((RANDOM % 4))
  if [[ -s $work/pid.${stages[$victim]} ]] && kill -KILL "$(<"$work/pid.${stages[$victim]}")" 2>/dev/null; then
    killed=$((killed + 1))
    echo "chaos: run $runs: killed ${stages[$victim]} after ${delay_ms} ms$( ((completed)) && echo " (the job had completed)")"
  fi
  if finish; then completed=1; fi
done
# The last run completes.
start "${cp[@]}" -- "$work/out"
if ! finish; then
  tail -20 "$work/log" >&2
  echo "chaos: the final run failed" >&2
  exit 1
fi
if [[ -n $(find "$work/out" -name '.part-tmp-*') ]]; then
  echo "chaos: temporary part files were left behind" >&2
  exit 1
fi
if ! cmp -s <(sorted "$work/expected") <(sorted "$work/out"); then
  echo "chaos: FAILED: output after $killed kills differs from the uninterrupted run" >&2
  diff <(sorted "$work/expected") <(sorted "$work/out") | head -20 >&2
  exit 1
fi
echo "chaos: ok: $killed kills in $((runs + 1)) runs, output identical ($(sorted "$work/out" | wc -l) rows)"
