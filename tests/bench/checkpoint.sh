#!/usr/bin/env bash
# The cost of checkpoints (--checkpoint DIR on every stage), in the same run
# as the pipelines without them; see tests/bench/README.md.
#
#   tests/bench/checkpoint.sh [-n EVENTS] [-r RUNS] [-b BIN_DIR] [--keys K]
#                             [--wire json|binary] [--only LIST | --skip LIST]
#                             [--keep DIR]
#
# throughput: the YSB pipeline of ysb.sh (source | map | join | window |
#   sink --path) over a pre-generated events file, with a checkpoint every
#   second (--trigger 1s on the source, --checkpoint on every stage) and
#   without --checkpoint (the sink writes part files in both, so only the
#   checkpoint differs). Both must write the same rows (sorted concatenation
#   of the part files). Reports events/s and the overhead (target <= 5 %).
# restart: a checkpoint whose sstream-window holds K groups in one open
#   window, made by a drained run (--trigger available-now under
#   --checkpoint stops without END, so the window keeps its state). Then a
#   few events that close the window are appended to the input file and the
#   pipeline is rerun: the time until sstream-window has restored its state,
#   until the first output line (sink to stdout) or the first part file
#   (sink --path, visible once its epoch is committed), and until the run
#   ends. Against the same pipeline without a checkpoint reading all the
#   input from scratch. All outputs must be the K rows of the closed window.
#
# Timing: one warm-up run per variant, then RUNS timed runs round-robin
# across the variants; medians are reported.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: checkpoint.sh [OPTIONS]

Measures what checkpoints cost: the YSB pipeline's throughput with a
checkpoint every second against the same pipeline without one, and the
time to restart a pipeline whose window holds K groups, against recomputing
from scratch. Checks that every variant writes the same rows.

Options:
  -n, --events N     YSB events for the throughput part (default 10000000)
  -r, --runs N       timed runs per variant, after one warm-up (default 3)
  -b, --bin-dir DIR  directory with the sstream-* tools
                     (default: $SSTREAM_BIN_DIR, else the tools on PATH)
  --keys K           groups in the restarted window (default 1000000)
  --wire WIRE        json or binary, between the stages (default json)
  --only LIST        run only these parts (comma-separated)
  --skip LIST        run all parts but these
                     parts: throughput, restart
  --keep DIR         work in DIR and keep it (data, outputs, checkpoints,
                     timings); an events file of the right size is reused
  -h, --help         this help

Example: checkpoint.sh -n 2000000 -r 5 --only throughput
EOF
}

die() {
  echo "checkpoint.sh: error: $*" >&2
  exit 2
}

EVENTS=10000000
RUNS=3
BIN_DIR=""
KEYS=1000000
WIRE=json
KEEP=""
ONLY=""
SKIP=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n | --events) [[ $# -ge 2 ]] || die "$1 needs a value"; EVENTS=$2; shift 2 ;;
    -r | --runs) [[ $# -ge 2 ]] || die "$1 needs a value"; RUNS=$2; shift 2 ;;
    -b | --bin-dir) [[ $# -ge 2 ]] || die "$1 needs a value"; BIN_DIR=$2; shift 2 ;;
    --keys) [[ $# -ge 2 ]] || die "$1 needs a value"; KEYS=$2; shift 2 ;;
    --wire) [[ $# -ge 2 ]] || die "$1 needs a value"; WIRE=$2; shift 2 ;;
    --keep) [[ $# -ge 2 ]] || die "$1 needs a value"; KEEP=$2; shift 2 ;;
    --only) [[ $# -ge 2 ]] || die "$1 needs a value"; ONLY=$2; shift 2 ;;
    --skip) [[ $# -ge 2 ]] || die "$1 needs a value"; SKIP=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done
for v in EVENTS RUNS KEYS; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "${v,,} must be a positive integer, not '${!v}'"
done
[[ $WIRE == json || $WIRE == binary ]] || die "--wire must be json or binary, not '$WIRE'"
((BASH_VERSINFO[0] >= 5)) || die "bash 5 or later is needed (\$EPOCHREALTIME)"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/bench/common.sh
. "$HERE/common.sh"

ALL_VARIANTS=(throughput restart)  # the two parts, in run order
expand_list() {
  local item items=() names=()
  IFS=', ' read -r -a items <<<"$1"
  for item in "${items[@]}"; do
    case "$item" in
      "") ;;
      throughput | restart) names+=("$item") ;;
      *) die "unknown part '$item' (expected throughput, restart)" ;;
    esac
  done
  echo "${names[*]:-}"
}
bench_select_variants

bench_bin_dir sstream-source sstream-map sstream-join sstream-window sstream-sink
export SSTREAM_WIRE=$WIRE
[[ -x /usr/bin/time ]] || die "GNU time (/usr/bin/time, Debian package 'time') is required"

if [[ -n $KEEP ]]; then
  mkdir -p "$KEEP"
  WORK=$(cd "$KEEP" && pwd)
else
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/sstream-checkpoint-bench.XXXXXX")
  trap 'rm -rf "$WORK"' EXIT
fi
trap 'exit 130' INT TERM
export LC_ALL=C
export WORK

cpu_model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
echo "== checkpoint benchmark: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine : $(nproc) CPUs, ${cpu_model:-$(uname -m)}; $(uname -sr); $(df -h "$WORK" | awk 'NR == 2 { print $1 }') for the work dir"
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
busy=""
if [[ $load != unknown ]] && awk -v l="${load%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
  busy=" -- busy machine: expect noisy timings"
fi
echo "load    : $load (1/5/15 min, at start)$busy"
echo "sstream : $(sstream-source --version 2>&1 | head -n1) ($BIN_DIR), wire $WIRE"
echo "params  : events=$EVENTS keys=$KEYS runs=$RUNS (+1 warm-up) parts=${VARIANTS[*]}"
echo "work dir: $WORK${KEEP:+ (kept)}"

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
# Microseconds since the epoch (timing uses ${EPOCHREALTIME/./} inline: no fork).
now_us() { echo "${EPOCHREALTIME/./}"; }
us_to_s() { awk -v u="$1" 'BEGIN { printf "%.3f", u / 1e6 }'; }
mib() { awk -v k="$(du -k "$1" | cut -f1)" 'BEGIN { printf "%.1f", k / 1024 }'; }
# fail_run WHAT ERRFILE...: report a failed run with the stages' stderr.
FAILED=()
fail_run() {
  local what=$1 f
  shift
  echo "checkpoint.sh: FAILED: $what; stderr of the stages:" >&2
  for f in "$@"; do
    [[ -s $f ]] && sed "s|^|    $(basename "$f"): |" "$f" | head -n 20 >&2
  done
  FAILED+=("$what")
}
summary=()

# --------------------------------------------------------------- throughput
if selected throughput; then
  echo
  echo "-- throughput: YSB pipeline, checkpoint every 1 s vs none"
  EV=$WORK/events-$EVENTS.ndjson
  if [[ -s $EV && $(wc -l <"$EV") -eq $EVENTS ]]; then
    echo "data    : reusing $EV"
  else
    echo "data    : generating $EVENTS YSB events" >&2
    sstream-source gen:ysb --count "$EVENTS" --trigger available-now --data-only >"$EV.tmp"
    mv "$EV.tmp" "$EV"
  fi
  EV_BYTES=$(wc -c <"$EV")
  sstream-source gen:ysb-campaigns | sstream-sink --format csv >"$WORK/campaigns.csv"
  export EV
  echo "data    : $EVENTS events, $EV_BYTES bytes; campaigns: $(($(wc -l <"$WORK/campaigns.csv") - 1)) ads"
  echo "query   : sstream-source EVENTS --trigger 1s [--checkpoint CP] | sstream-map [--checkpoint CP] --where \"event_type = 'view'\" --select \"ad_id, event_time\""
  echo "          | sstream-join [--checkpoint CP] --static campaigns.csv --on ad_id"
  echo "          | sstream-window [--checkpoint CP] --time event_time --tumbling 10s --watermark 5s --by campaign_id"
  echo "          | sstream-sink [--checkpoint CP] --path OUT"

  # tp_pipeline OUT ERR [CP]: the YSB pipeline, part files into OUT, each
  # stage's stderr into ERR.STAGE; with CP, checkpointed there.
  tp_pipeline() {
    local cp=()
    [[ -z ${3:-} ]] || cp=(--checkpoint "$3")
    sstream-source -v "${cp[@]}" "$EV" --trigger 1s 2>"$2.source" |
      sstream-map "${cp[@]}" --where "event_type = 'view'" --select "ad_id, event_time" 2>"$2.map" |
      sstream-join "${cp[@]}" --static "$WORK/campaigns.csv" --on ad_id 2>"$2.join" |
      sstream-window -v "${cp[@]}" --time event_time --tumbling 10s --watermark 5s --by campaign_id 2>"$2.window" |
      sstream-sink -v "${cp[@]}" --path "$1" 2>"$2.sink"
  }
  export -f tp_pipeline
  TP_VARIANTS=(no-checkpoint checkpoint)
  declare -A TP_FAILED=()
  for v in "${TP_VARIANTS[@]}"; do : >"$WORK/tp-times-$v"; done
  : >"$WORK/tp-pairs"
  tp_run() {  # tp_run VARIANT LABEL
    local v=$1 label=$2 out=$WORK/tp-out-$1 err=$WORK/tp-err-$1 cpdir="" t
    rm -rf "$out" "$WORK/tp-cp"
    [[ $v == no-checkpoint ]] || cpdir=$WORK/tp-cp
    if ! /usr/bin/time -o "$WORK/time.txt" -f '%e %U %S %M' \
      bash -o pipefail -c 'tp_pipeline "$@"' tp "$out" "$err" "$cpdir" 2>"$err.time"; then
      fail_run "throughput $v ($label) exited non-zero" "$err".*
      TP_FAILED[$v]="exit status"
      return 0
    fi
    t=$(tail -n 1 "$WORK/time.txt")
    local parts epochs
    parts=$(find "$out" -name 'part-*' | wc -l)
    epochs=$(sed -n 's/.* records in \([0-9]*\) batches.*/\1/p' "$err.source")
    find "$out" -name 'part-*' -print0 | sort -z | xargs -0 cat | sort >"$out.txt"
    if [[ ! -s $out.txt ]]; then
      fail_run "throughput $v ($label) wrote no rows" "$err".*
      TP_FAILED[$v]="no output"
      return 0
    fi
    if [[ ! -s $WORK/tp-ref.txt ]]; then
      cp "$out.txt" "$WORK/tp-ref.txt"
      TP_REF_FROM="$v ($label)"
    elif ! cmp -s "$out.txt" "$WORK/tp-ref.txt"; then
      echo "checkpoint.sh: FAILED: throughput $v ($label): rows differ from $TP_REF_FROM (diff, first 40 lines):" >&2
      diff -u "$WORK/tp-ref.txt" "$out.txt" | head -n 40 >&2 || true
      FAILED+=("throughput $v: wrong output")
      TP_FAILED[$v]="wrong output"
      return 0
    fi
    if [[ -n $cpdir ]]; then
      CP_SIZE=$(mib "$cpdir/data.mdb")
    fi
    [[ $label == warm-up ]] || echo "$t ${epochs:-0} $parts" >>"$WORK/tp-times-$v"
    echo "  $(printf '%-14s' "$v") $(printf '%-8s' "$label") wall $(cut -d' ' -f1 <<<"$t") s, cpu $(awk '{ printf "%.2f", $2 + $3 }' <<<"$t") s, $epochs epochs, $parts part files" >&2
  }
  CP_SIZE=-
  TP_REF_FROM=""
  rm -f "$WORK/tp-ref.txt"
  for label in warm-up $(seq 1 "$RUNS"); do
    [[ $label == warm-up ]] || label="run $label/$RUNS"
    for v in "${TP_VARIANTS[@]}"; do
      [[ -z ${TP_FAILED[$v]:-} ]] || continue
      tp_run "$v" "$label"
    done
    # Per round, the checkpointed run's wall over the other's.
    if [[ $label != warm-up && -z ${TP_FAILED[*]:-} ]]; then
      paste -d' ' <(tail -n 1 "$WORK/tp-times-no-checkpoint") <(tail -n 1 "$WORK/tp-times-checkpoint") |
        awk '{ print $7 / $1 }' >>"$WORK/tp-pairs"
    fi
  done

  echo
  echo "-- throughput results: median of $RUNS run(s); CPU = user+sys of all processes; RSS = largest process"
  row() { printf '%-14s %10s %8s %15s %8s %8s %6s %7s %7s %6s\n' "$@"; }
  row variant events "wall s" "min-max s" "M ev/s" "CPU s" cores "RSS MB" epochs parts
  declare -A EPS=() CPU=()
  for v in "${TP_VARIANTS[@]}"; do
    if [[ -n ${TP_FAILED[$v]:-} ]]; then
      row "$v" "$EVENTS" FAILED "(${TP_FAILED[$v]})" - - - - - -
      continue
    fi
    f=$WORK/tp-times-$v
    w=$(cut -d' ' -f1 "$f" | median)
    c=$(awk '{ print $2 + $3 }' "$f" | median)
    rss=$(cut -d' ' -f4 "$f" | median)
    lo=$(cut -d' ' -f1 "$f" | sort -g | head -n 1)
    hi=$(cut -d' ' -f1 "$f" | sort -g | tail -n 1)
    EPS[$v]=$(awk -v n="$EVENTS" -v w="$w" 'BEGIN { if (w > 0) printf "%.0f", n / w; else print 0 }')
    CPU[$v]=$c
    row "$v" "$EVENTS" "$w" "$lo-$hi" \
      "$(awk -v e="${EPS[$v]}" 'BEGIN { if (e > 0) printf "%.3f", e / 1e6; else print "-" }')" \
      "$c" "$(awk -v c="$c" -v w="$w" 'BEGIN { if (w > 0) printf "%.2f", c / w; else print "-" }')" \
      "$(awk -v r="$rss" 'BEGIN { printf "%.1f", r / 1024 }')" \
      "$(cut -d' ' -f5 "$f" | median)" "$(cut -d' ' -f6 "$f" | median)"
  done
  if [[ -z ${TP_FAILED[*]:-} ]]; then
    nocp=${EPS[no-checkpoint]} withcp=${EPS[checkpoint]}
    if ((nocp > 0 && withcp > 0)); then
      overhead=$(awk -v a="$withcp" -v b="$nocp" 'BEGIN { printf "%.1f", (1 - a / b) * 100 }')
      paired=$(awk '{ print ($1 - 1) * 100 }' "$WORK/tp-pairs" | median)
      paired=$(awk -v p="$paired" 'BEGIN { printf "%.1f", p }')
      cpu_over=$(awk -v a="${CPU[checkpoint]}" -v b="${CPU[no-checkpoint]}" 'BEGIN { if (b > 0) printf "%+.1f", (a / b - 1) * 100; else print "-" }')
      verdict=$(awk -v o="$overhead" -v n="$EVENTS" -v e="$nocp" 'BEGIN {
        if (n / e < 2) print "not judged (runs under 2 s: use more events)"; else print (o <= 5 ? "met" : "NOT met") }')
      # How much the same variant varies between runs: the noise to read the overhead against.
      spread=$(awk -v lo="$(cut -d' ' -f1 "$WORK/tp-times-no-checkpoint" | sort -g | head -n 1)" \
        -v hi="$(cut -d' ' -f1 "$WORK/tp-times-no-checkpoint" | sort -g | tail -n 1)" \
        'BEGIN { if (lo > 0) printf "%.1f", (hi - lo) / lo * 100; else print "-" }')
      echo "overhead: ${overhead} % (1 - events/s with / without checkpoints); wall time with vs without, median of the rounds: $(awk -v p="$paired" 'BEGIN { printf "%+.1f", p }') %; CPU time ${cpu_over} %"
      echo "          run-to-run spread of the wall time without checkpoints: ${spread} %; target overhead <= 5 %: $verdict"
      echo "checkpoint size after a run: $CP_SIZE MiB (data.mdb)"
      echo "outputs agree: $(wc -l <"$WORK/tp-ref.txt") rows identical with and without checkpoints (sorted part files), every run"
      summary+=("throughput $(awk -v e="$nocp" 'BEGIN { printf "%.3f", e / 1e6 }') M ev/s without, $(awk -v e="$withcp" 'BEGIN { printf "%.3f", e / 1e6 }') with checkpoints ($overhead % overhead)")
    else
      echo "overhead: - (a run too short to measure; use more events)"
      echo "outputs agree: $(wc -l <"$WORK/tp-ref.txt") rows identical with and without checkpoints (sorted part files), every run"
      summary+=("throughput: too short to measure")
    fi
  else
    summary+=("throughput FAILED")
  fi
fi

# ------------------------------------------------------------------ restart
if selected restart; then
  echo
  echo "-- restart: $KEYS groups of window state"
  # K records, one per key, in the first 100 s of event time; a 1 h window
  # with a 1 min watermark keeps them all open. The tail (3 records 1 h 2 min
  # later) moves the watermark past the window's end: it closes.
  T0=1767225600000
  BASE=$WORK/keys-$KEYS.ndjson
  if [[ ! -s $BASE ]]; then
    echo "data    : generating $KEYS records" >&2
    awk -v n="$KEYS" -v t0="$T0" 'BEGIN {
      for (i = 0; i < n; i++) printf "{\"time\":%.0f,\"key\":\"k%07d\"}\n", t0 + int(i * 100000 / n), i
    }' >"$BASE.tmp"
    mv "$BASE.tmp" "$BASE"
  fi
  TAIL=$WORK/keys-tail.ndjson
  for j in 0 1 2; do
    printf '{"time":%.0f,"key":"late%d"}\n' "$((T0 + 3600000 + 120000 + j))" "$j"
  done >"$TAIL"
  WINDOW=(sstream-window -v --time time --tumbling 1h --watermark 1m --by key)
  SOURCE_OPTS=(--trigger available-now --max-batch-records 100000)
  echo "data    : $KEYS records {\"time\":MS,\"key\":\"kNNNNNNN\"} in $(($(wc -c <"$BASE") / 1000000)) MB, then 3 that close the window"
  echo "query   : sstream-source FILE ${SOURCE_OPTS[*]} [--checkpoint CP]"
  echo "          | ${WINDOW[*]:0:1} ${WINDOW[*]:2} [--checkpoint CP] | sstream-sink [--checkpoint CP] [--path OUT]"
  echo "drain   : that pipeline under --checkpoint over the K records stops without END (available-now): the window keeps its K groups"
  echo "restart : the 3 records appended to FILE, the same pipeline again (the source resumes at the recorded byte offset)"

  exec {SLEEP_FD}<> <(:)  # read -t on it sleeps without a fork
  # ts_lines START: stdin lines prefixed with the microseconds since START.
  ts_lines() {
    local l
    while IFS= read -r l; do printf '%s %s\n' "$((${EPOCHREALTIME/./} - $1))" "$l"; done
  }
  # first_line START FILE: copies stdin to stdout, and the microseconds
  # since START at which its first line arrived into FILE.
  first_line() {
    local l
    if IFS= read -r l; then
      echo "$((${EPOCHREALTIME/./} - $1))" >"$2"
      printf '%s\n' "$l"
      cat
    fi
  }
  # rs_run KIND SINK LABEL: KIND restart (from the drained checkpoint) or
  # scratch (no checkpoint, all input); SINK stdout or path. Appends
  # "restore_us first_us total_us" to rs-times-KIND-SINK.
  declare -A RS_FAILED=()
  rs_run() {
    local kind=$1 sink=$2 label=$3 v=$1-$2
    local dir=$WORK/rs-$2 err=$WORK/rs-err-$v out=$WORK/rs-out-$v
    local cp=() sinkopt=() start rc=0 first="" total restore="" f
    rm -rf "$out" "$out.jsonl" "$err".* "$WORK/rs-first" "$WORK/rs-done"
    if [[ $kind == restart ]]; then
      rm -rf "$dir/cp"
      cp -a "$dir/cp.drained" "$dir/cp"
      cp=(--checkpoint "$dir/cp")
    fi
    [[ $sink == stdout ]] || sinkopt=(--path "$out")
    rm -f "$WORK/rs-fifo"
    mkfifo "$WORK/rs-fifo"
    start=${EPOCHREALTIME/./}
    ts_lines "$start" <"$WORK/rs-fifo" >"$err.window" &
    local tspid=$!
    if [[ $sink == stdout ]]; then
      sstream-source -v "$dir/events.ndjson" "${SOURCE_OPTS[@]}" "${cp[@]}" 2>"$err.source" |
        "${WINDOW[@]}" "${cp[@]}" 2>"$WORK/rs-fifo" |
        sstream-sink -v "${cp[@]}" 2>"$err.sink" |
        first_line "$start" "$WORK/rs-first" >"$out.jsonl" || rc=$?
      total=$((${EPOCHREALTIME/./} - start))
      [[ ! -s $WORK/rs-first ]] || first=$(cat "$WORK/rs-first")
    else
      {
        local prc=0
        sstream-source -v "$dir/events.ndjson" "${SOURCE_OPTS[@]}" "${cp[@]}" 2>"$err.source" |
          "${WINDOW[@]}" "${cp[@]}" 2>"$WORK/rs-fifo" |
          sstream-sink -v "${cp[@]}" "${sinkopt[@]}" 2>"$err.sink" || prc=$?
        echo "$prc" >"$WORK/rs-done"
      } &
      local pid=$!
      # Poll for the first part file every ~2 ms (builtins only).
      while [[ ! -e $WORK/rs-done ]] && kill -0 "$pid" 2>/dev/null; do
        if [[ -z $first ]] && compgen -G "$out/part-*" >/dev/null; then first=$((${EPOCHREALTIME/./} - start)); fi
        read -r -t 0.002 -u "$SLEEP_FD" || true
      done
      total=$((${EPOCHREALTIME/./} - start))
      wait "$pid" || true
      [[ -n $first ]] || ! compgen -G "$out/part-*" >/dev/null || first=$total
      rc=$(cat "$WORK/rs-done" 2>/dev/null || echo 255)
    fi
    wait "$tspid" || true
    if ((rc != 0)); then
      fail_run "$v ($label) exited $rc" "$err".*
      RS_FAILED[$v]="exit status"
      return 0
    fi
    # Restored: the window's "resuming after epoch" line (only with a checkpoint).
    restore=$(awk '/resuming after epoch/ { print $1; exit }' "$err.window")
    if [[ $kind == restart && -z $restore ]]; then
      fail_run "$v ($label): sstream-window did not say it resumed" "$err".*
      RS_FAILED[$v]="no resume"
      return 0
    fi
    # The rows of the closed window, sorted (from scratch, END also flushes
    # the tail's window: its rows are left out).
    if [[ $sink == stdout ]]; then
      grep -v '"key":"late' "$out.jsonl" | sort >"$out.txt" || true
    else
      find "$out" -name 'part-*' -print0 2>/dev/null | sort -z | xargs -0 -r cat |
        grep -v '"key":"late' | sort >"$out.txt" || true
    fi
    if [[ ! -s $WORK/rs-ref.txt ]]; then
      if [[ $(wc -l <"$out.txt") -ne $KEYS ]]; then
        echo "checkpoint.sh: FAILED: $v ($label): $(wc -l <"$out.txt") rows of the closed window, expected $KEYS" >&2
        FAILED+=("$v: wrong output")
        RS_FAILED[$v]="wrong output"
        return 0
      fi
      cp "$out.txt" "$WORK/rs-ref.txt"
      RS_REF_FROM="$v ($label)"
    elif ! cmp -s "$out.txt" "$WORK/rs-ref.txt"; then
      echo "checkpoint.sh: FAILED: $v ($label): rows differ from $RS_REF_FROM ($(wc -l <"$out.txt") vs $KEYS rows; diff, first 20 lines):" >&2
      diff -u "$WORK/rs-ref.txt" "$out.txt" | head -n 20 >&2 || true
      FAILED+=("$v: wrong output")
      RS_FAILED[$v]="wrong output"
      return 0
    fi
    [[ -n $first ]] || first=-
    [[ $label == warm-up ]] || echo "${restore:--} $first $total" >>"$WORK/rs-times-$v"
    if [[ $kind == restart ]]; then RS_CP_AFTER=$(mib "$dir/cp/data.mdb"); fi
    echo "  $(printf '%-16s' "$v") $(printf '%-8s' "$label") restored $(if [[ -n $restore ]]; then us_to_s "$restore"; else echo -; fi) s, first output $(if [[ $first != - ]]; then us_to_s "$first"; else echo -; fi) s, done $(us_to_s "$total") s" >&2
  }

  # The drained checkpoints, one per sink (the sink's options are part of
  # its fingerprint): the K records only, then the tail appended.
  declare -A DRAIN_S=() DRAIN_MB=()
  for sink in stdout path; do
    dir=$WORK/rs-$sink
    rm -rf "$dir"
    mkdir -p "$dir"
    cp "$BASE" "$dir/events.ndjson"
    sinkopt=()
    [[ $sink == stdout ]] || sinkopt=(--path "$WORK/rs-out-restart-path")
    rm -rf "$WORK/rs-out-restart-path"
    t0=$(now_us)
    rc=0
    sstream-source -v "$dir/events.ndjson" "${SOURCE_OPTS[@]}" --checkpoint "$dir/cp" 2>"$dir/drain.source" |
      "${WINDOW[@]}" --checkpoint "$dir/cp" 2>"$dir/drain.window" |
      sstream-sink -v --checkpoint "$dir/cp" "${sinkopt[@]}" >"$dir/drain.out" 2>"$dir/drain.sink" || rc=$?
    DRAIN_S[$sink]=$(us_to_s $(($(now_us) - t0)))
    groups=$(sed -n 's/.*state at its largest: \([0-9]*\) group.*/\1/p' "$dir/drain.window")
    if ((rc != 0)) || ! grep -q 'stopped after epoch' "$dir/drain.source" || [[ $groups != "$KEYS" ]] ||
      [[ -s $dir/drain.out ]] || compgen -G "$WORK/rs-out-restart-path/part-*" >/dev/null; then
      echo "checkpoint.sh: FAILED: the drained run ($sink) did not stop with $KEYS groups and no output (exit $rc, groups '${groups}')" >&2
      for f in "$dir"/drain.*; do [[ -s $f ]] && sed "s|^|    $(basename "$f"): |" "$f" | head -n 20 >&2; done
      FAILED+=("restart: drain ($sink)")
      RS_FAILED[restart-$sink]="drain"
      continue
    fi
    DRAIN_MB[$sink]=$(mib "$dir/cp/data.mdb")
    mv "$dir/cp" "$dir/cp.drained"
    cat "$TAIL" >>"$dir/events.ndjson"
    echo "  drained run ($sink sink): $KEYS groups, ${DRAIN_S[$sink]} s, data.mdb ${DRAIN_MB[$sink]} MiB" >&2
  done

  RS_VARIANTS=(restart-stdout restart-path scratch-stdout scratch-path)
  for v in "${RS_VARIANTS[@]}"; do : >"$WORK/rs-times-$v"; done
  rm -f "$WORK/rs-ref.txt"
  RS_REF_FROM=""
  RS_CP_AFTER=-
  for label in warm-up $(seq 1 "$RUNS"); do
    [[ $label == warm-up ]] || label="run $label/$RUNS"
    for v in "${RS_VARIANTS[@]}"; do
      [[ -z ${RS_FAILED[$v]:-} ]] || continue
      rs_run "${v%%-*}" "${v#*-}" "$label"
    done
  done
  exec {SLEEP_FD}<&-

  echo
  echo "-- restart results: median of $RUNS run(s), seconds from the pipeline's start"
  echo "   restored: sstream-window logged 'resuming after epoch' (state loaded); first output: first line on stdout,"
  echo "   or first part file visible (committed); done: the pipeline exited (all output written and committed)"
  rrow() { printf '%-16s %9s %13s %8s %14s\n' "$@"; }
  rrow variant "restored" "first output" "done" "done min-max"
  declare -A FIRST=()
  for v in "${RS_VARIANTS[@]}"; do
    if [[ -n ${RS_FAILED[$v]:-} ]]; then
      rrow "$v" FAILED "(${RS_FAILED[$v]})" - -
      continue
    fi
    f=$WORK/rs-times-$v
    r=$(cut -d' ' -f1 "$f" | { grep -v -- - || true; } | median)
    fo=$(cut -d' ' -f2 "$f" | { grep -v -- - || true; } | median)
    d=$(cut -d' ' -f3 "$f" | median)
    lo=$(cut -d' ' -f3 "$f" | sort -g | head -n 1)
    hi=$(cut -d' ' -f3 "$f" | sort -g | tail -n 1)
    FIRST[$v]=$fo
    s() { if [[ $1 == - ]]; then echo -; else us_to_s "$1"; fi; }
    rrow "$v" "$(s "$r")" "$(s "$fo")" "$(s "$d")" "$(s "$lo")-$(s "$hi")"
  done
  echo "checkpoint size: data.mdb $(printf '%s' "${DRAIN_MB[stdout]:--}") MiB after the drain ($KEYS groups), $RS_CP_AFTER MiB after the restart (the closed window is retired, deleted once 10 epochs behind the cut)"
  echo "drain: building the checkpoint (reading $KEYS records) took ${DRAIN_S[stdout]:--} s (stdout sink), ${DRAIN_S[path]:--} s (--path sink)"
  if [[ -z ${RS_FAILED[*]:-} ]]; then
    fs=$(us_to_s "${FIRST[restart-stdout]}")
    fp=$(us_to_s "${FIRST[restart-path]}")
    vs=$(awk -v s="$fs" 'BEGIN { print (s <= 1 ? "met" : "NOT met") }')
    vp=$(awk -v s="$fp" 'BEGIN { print (s <= 1 ? "met" : "NOT met") }')
    echo "target restart to first new output <= 1 s: first line ${fs} s ($vs); first committed part file ${fp} s ($vp)"
    echo "outputs agree: $KEYS rows of the closed window identical across ${RS_VARIANTS[*]}, every run"
    summary+=("restart with $KEYS keys: first line ${fs} s, committed part file ${fp} s, from scratch $(us_to_s "${FIRST[scratch-stdout]}") s / $(us_to_s "${FIRST[scratch-path]}") s")
  else
    summary+=("restart FAILED")
  fi
fi

echo
summary_text=$(IFS=';'; echo "${summary[*]}")
summary_text=${summary_text//;/; }
if [[ ${#FAILED[@]} -gt 0 ]]; then
  failed_text=$(IFS=';'; echo "${FAILED[*]}")
  echo "FAILED: ${failed_text//;/; } (see the messages above)"
  echo "summary: $RUNS run(s): FAILED; $summary_text"
  exit 1
fi
echo "summary: $RUNS run(s), outputs agree; $summary_text"
