#!/usr/bin/env bash
# The Yahoo Streaming Benchmark (YSB) query, run by sstream and by classic
# tools over the same generated events; see tests/bench/README.md.
#
#   tests/bench/ysb.sh [-n EVENTS] [-r RUNS] [-b BIN_DIR] [--jq-events N]
#                      [--only LIST | --skip LIST] [--keep DIR]
#
# Query: keep event_type = 'view', project (ad_id, event_time), join
# ad_id -> campaign_id with the static campaigns table, count per
# (10 s tumbling window on event_time in ms, campaign_id).
#
# Every variant's output is normalized to sorted "window_start campaign_id
# count" lines and must be identical to mawk's; otherwise the script prints
# a diff and exits 1. Timing: one warm-up run per variant, then RUNS timed
# runs, taken round-robin across the variants; medians are reported.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: ysb.sh [OPTIONS]

Runs the YSB query with the sstream pipeline (JSON and binary wire), mawk,
python3 and jq over the same generated events, checks that all outputs are
identical, and prints median timings.

Options:
  -n, --events N     events to generate (default 1000000)
  -r, --runs N       timed runs per variant, after one warm-up (default 3)
  -b, --bin-dir DIR  directory with the sstream-* tools
                     (default: $SSTREAM_BIN_DIR, else the tools on PATH)
  --jq-events N      jq is ~100x slower: it runs on the first N events only,
                     and is checked against mawk on that prefix (default 100000)
  --only LIST        run only these variants (comma-separated)
  --skip LIST        run all variants but these
                     variants: sstream-json, sstream-binary, mawk, python, jq;
                     "sstream" means both sstream variants
  --keep DIR         work in DIR and keep it (events, outputs, timings);
                     an events file of the right size found there is reused
  -h, --help         this help

Example: ysb.sh -n 10000000 -r 1 --only sstream,mawk
EOF
}

die() {
  echo "ysb.sh: error: $*" >&2
  exit 2
}

EVENTS=1000000
RUNS=3
BIN_DIR=""
JQ_EVENTS=100000
KEEP=""
ONLY=""
SKIP=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n | --events) [[ $# -ge 2 ]] || die "$1 needs a value"; EVENTS=$2; shift 2 ;;
    -r | --runs) [[ $# -ge 2 ]] || die "$1 needs a value"; RUNS=$2; shift 2 ;;
    -b | --bin-dir) [[ $# -ge 2 ]] || die "$1 needs a value"; BIN_DIR=$2; shift 2 ;;
    --jq-events) [[ $# -ge 2 ]] || die "$1 needs a value"; JQ_EVENTS=$2; shift 2 ;;
    --keep) [[ $# -ge 2 ]] || die "$1 needs a value"; KEEP=$2; shift 2 ;;
    --only) [[ $# -ge 2 ]] || die "$1 needs a value"; ONLY=$2; shift 2 ;;
    --skip) [[ $# -ge 2 ]] || die "$1 needs a value"; SKIP=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done
for v in EVENTS RUNS JQ_EVENTS; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "${v,,} must be a positive integer, not '${!v}'"
done

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/bench/common.sh
. "$HERE/common.sh"

# ---------------------------------------------------------------- variants
ALL_VARIANTS=(mawk sstream-json sstream-binary python jq)  # run order; mawk is the reference
expand_list() {  # "sstream,python3" -> "sstream-json sstream-binary python"
  local item items=() names=()
  IFS=', ' read -r -a items <<<"$1"
  for item in "${items[@]}"; do
    case "$item" in
      "") ;;
      sstream) names+=(sstream-json sstream-binary) ;;
      sstream-json | json) names+=(sstream-json) ;;
      sstream-binary | binary) names+=(sstream-binary) ;;
      mawk | awk) names+=(mawk) ;;
      python | python3) names+=(python) ;;
      jq) names+=(jq) ;;
      *) die "unknown variant '$item' (expected sstream, sstream-json, sstream-binary, mawk, python, jq)" ;;
    esac
  done
  echo "${names[*]:-}"
}
bench_select_variants

# ------------------------------------------------------------------- tools
bench_bin_dir sstream-source sstream-map sstream-join sstream-window sstream-sink
# mawk makes the reference output even when it is not timed.
command -v mawk >/dev/null 2>&1 || die "mawk is required (it is the reference and the baseline)"
if selected python; then command -v python3 >/dev/null 2>&1 || die "python3 not found (or use --skip python)"; fi
if selected jq; then command -v jq >/dev/null 2>&1 || die "jq not found (or use --skip jq)"; fi

# ---------------------------------------------------------------- work dir
if [[ -n $KEEP ]]; then
  mkdir -p "$KEEP"
  WORK=$(cd "$KEEP" && pwd)
else
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/sstream-ysb.XXXXXX")
  trap 'rm -rf "$WORK"' EXIT
fi
trap 'exit 130' INT TERM

# C locale everywhere: mawk/sort speed and byte-wise sort order.
export LC_ALL=C

# ------------------------------------------------------------ machine info
cpu_model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
[[ -n $cpu_model ]] || cpu_model=$(uname -m)
echo "== YSB benchmark: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine : $(nproc) CPUs, ${cpu_model}; $(uname -sr)"
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
busy=""
if [[ $load != unknown ]] && awk -v l="${load%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
  busy=" -- busy machine: expect noisy timings"
fi
echo "load    : $load (1/5/15 min, at start)$busy"
echo "sstream : $("$BIN_DIR/sstream-source" --version 2>&1 | head -n1) ($BIN_DIR)"
echo "tools   : $(mawk -W version 2>&1 | head -n1)$(selected python && echo "; $(python3 --version 2>&1)")$(selected jq && echo "; $(jq --version 2>&1)")"
echo "params  : events=$EVENTS runs=$RUNS (+1 warm-up) jq-events=$JQ_EVENTS variants=${VARIANTS[*]}"
echo "work dir: $WORK${KEEP:+ (kept)}"

# -------------------------------------------------------------------- data
EV=$WORK/events-$EVENTS.ndjson
if [[ -s $EV && $(wc -l <"$EV") -eq $EVENTS ]]; then
  echo "data    : reusing $EV"
else
  sstream-source gen:ysb --count "$EVENTS" --trigger available-now --data-only >"$EV.tmp"
  mv "$EV.tmp" "$EV"
fi
EV_BYTES=$(wc -c <"$EV")
sstream-source gen:ysb-campaigns | sstream-sink --format csv >"$WORK/campaigns.csv"
# jq wants the table as one object {"ad_id": "campaign_id", ...}.
awk -F, 'NR == 1 { printf "{"; next }
         { printf "%s\"%s\": \"%s\"", (NR > 2 ? ", " : ""), $1, $2 }
         END { print "}" }' "$WORK/campaigns.csv" >"$WORK/campaigns.json"
JQ_EV=$EV
if ((JQ_EVENTS < EVENTS)); then
  JQ_EV=$WORK/events-jq-$JQ_EVENTS.ndjson
  head -n "$JQ_EVENTS" "$EV" >"$JQ_EV"
else
  JQ_EVENTS=$EVENTS
fi
JQ_BYTES=$(wc -c <"$JQ_EV")
echo "data    : $EVENTS events, $EV_BYTES bytes ($((EV_BYTES / EVENTS)) B/event); campaigns: $(($(wc -l <"$WORK/campaigns.csv") - 1)) ads"

# ---------------------------------------------------------------- commands
# Each reads events from $1 and writes its result to stdout.
sstream_pipeline() {
  sstream-source "$1" --trigger available-now --max-batch-records 100000 |
    sstream-map --where "event_type = 'view'" --select "ad_id, event_time" |
    sstream-join --static "$WORK/campaigns.csv" --on ad_id |
    sstream-window --time event_time --tumbling 10s --watermark 5s --by campaign_id |
    sstream-sink
}
# The wire is set per variant, in a subshell.
# shellcheck disable=SC2030
run_sstream-json() (
  export SSTREAM_WIRE=json
  sstream_pipeline "$1"
)
# shellcheck disable=SC2031
run_sstream-binary() (
  export SSTREAM_WIRE=binary
  sstream_pipeline "$1"
)
run_mawk() { mawk -f "$HERE/ysb.awk" -v campaigns="$WORK/campaigns.csv" "$1"; }
run_python() { python3 "$HERE/ysb.py" "$WORK/campaigns.csv" <"$1"; }
run_jq() { jq -n -r --slurpfile campaigns "$WORK/campaigns.json" -f "$HERE/ysb.jq" "$1"; }

# Normalized form: sorted "window_start campaign_id count" lines.
normalize() {  # normalize VARIANT RAW > NORMALIZED
  case "$1" in
    sstream-*)
      awk '{
        ws = ""; c = ""; n = ""
        if (match($0, /"window_start":[0-9]+/)) ws = substr($0, RSTART + 15, RLENGTH - 15)
        if (match($0, /"campaign_id":"[^"]*"/)) c = substr($0, RSTART + 15, RLENGTH - 16)
        if (match($0, /"count":[0-9]+/)) n = substr($0, RSTART + 8, RLENGTH - 8)
        print ws, c, n
      }' "$2" | sort
      ;;
    *) sort "$2" ;;
  esac
}

declare -A INPUT=() BYTES=() NEVENTS=() REF=() FAILED=()
for v in "${VARIANTS[@]}"; do
  INPUT[$v]=$EV BYTES[$v]=$EV_BYTES NEVENTS[$v]=$EVENTS REF[$v]=$WORK/ref.txt
  : >"$WORK/times-$v"
done
if selected jq; then
  INPUT[jq]=$JQ_EV BYTES[jq]=$JQ_BYTES NEVENTS[jq]=$JQ_EVENTS
  [[ $JQ_EV == "$EV" ]] || REF[jq]=$WORK/ref-jq.txt
fi

# The reference: mawk over the full file (and over jq's prefix).
make_ref() {  # make_ref INPUT OUT
  run_mawk "$1" >"$2.raw" || { echo "ysb.sh: mawk failed on $1" >&2; exit 1; }
  normalize mawk "$2.raw" >"$2"
  [[ -s $2 ]] || { echo "ysb.sh: the reference output (mawk) is empty" >&2; exit 1; }
}
if ! selected mawk; then make_ref "$EV" "$WORK/ref.txt"; fi
if selected jq && [[ $JQ_EV != "$EV" ]]; then make_ref "$JQ_EV" "$WORK/ref-jq.txt"; fi

# run_one VARIANT LABEL: one run, timed into times-VARIANT (unless LABEL is
# warm-up), output checked against the reference. Marks the variant failed.
run_one() {
  local v=$1 label=$2 t
  local out=$WORK/out-$v.raw err=$WORK/err-$v.txt norm=$WORK/out-$v.txt
  local TIMEFORMAT='%3R %3U %3S'
  if ! { time "run_$v" "${INPUT[$v]}" >"$out" 2>"$err"; } 2>"$WORK/time.txt"; then
    echo "ysb.sh: FAILED: $v ($label) exited non-zero; its stderr:" >&2
    sed 's/^/    /' "$err" | head -n 20 >&2
    FAILED[$v]="exit status"
    [[ $v != mawk ]] || { echo "ysb.sh: mawk makes the reference output; stopping" >&2; exit 1; }
    return 0
  fi
  t=$(tail -n 1 "$WORK/time.txt")
  if [[ $v == mawk && $label == warm-up ]]; then
    normalize mawk "$out" >"$WORK/ref.txt"
    [[ -s $WORK/ref.txt ]] || { echo "ysb.sh: the reference output (mawk) is empty" >&2; exit 1; }
  fi
  normalize "$v" "$out" >"$norm"
  if ! cmp -s "$norm" "${REF[$v]}"; then
    echo "ysb.sh: FAILED: $v ($label): output differs from mawk's (diff -u mawk $v, first 40 lines):" >&2
    diff -u "${REF[$v]}" "$norm" | head -n 40 >&2 || true
    FAILED[$v]="wrong output"
    return 0
  fi
  [[ $label == warm-up ]] || echo "$t" >>"$WORK/times-$v"
  echo "  $(printf '%-15s' "$v") $(printf '%-8s' "$label") wall $(cut -d' ' -f1 <<<"$t") s, cpu $(awk '{ printf "%.3f", $2 + $3 }' <<<"$t") s" >&2
}

echo
echo "-- runs (wall and user+sys CPU seconds; progress on stderr)" >&2
for label in warm-up $(seq 1 "$RUNS"); do
  [[ $label == warm-up ]] || label="run $label/$RUNS"
  for v in "${VARIANTS[@]}"; do
    [[ -z ${FAILED[$v]:-} ]] || continue
    run_one "$v" "$label"
  done
done

# ------------------------------------------------------------------ report
# stats VARIANT -> "median_wall min_wall max_wall median_cpu"
stats() {
  awk '{ w[NR] = $1; c[NR] = $2 + $3 }
       function med(a, n,   i, j, t) {
         for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
         return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
       }
       END { if (NR == 0) exit 1; mw = med(w, NR); lo = w[1]; hi = w[NR]; printf "%.3f %.3f %.3f %.3f\n", mw, lo, hi, med(c, NR) }' \
    "$WORK/times-$1"
}
mawk_eps=""
if selected mawk && [[ -z ${FAILED[mawk]:-} ]]; then
  read -r w _ _ _ < <(stats mawk)
  mawk_eps=$(awk -v n="$EVENTS" -v w="$w" 'BEGIN { printf "%.6f", n / w }')
fi
procs() { case "$1" in sstream-*) echo 5 ;; *) echo 1 ;; esac; }

echo
echo "-- results: median of $RUNS run(s); MB/s = input bytes / wall; CPU = user+sys of all processes"
row() { printf '%-15s %10s %5s %8s %15s %8s %7s %7s %5s %11s %7s\n' "$@"; }
row variant events procs "wall s" "min-max s" "M ev/s" "MB/s" "CPU s" cores "M ev/CPU-s" "x mawk"
summary=()
for v in sstream-json sstream-binary mawk python jq; do
  selected "$v" || continue
  if [[ -n ${FAILED[$v]:-} ]]; then
    row "$v" "${NEVENTS[$v]}" "$(procs "$v")" FAILED "(${FAILED[$v]})" - - - - - -
    summary+=("$v FAILED")
    continue
  fi
  read -r w lo hi cpu < <(stats "$v")
  n=${NEVENTS[$v]}
  eps=$(awk -v n="$n" -v w="$w" 'BEGIN { printf "%.6f", n / w }')
  ratio=""
  [[ -z $mawk_eps ]] || ratio=$(awk -v a="$eps" -v b="$mawk_eps" 'BEGIN { printf "%.2f", a / b }')
  row "$v" "$n" "$(procs "$v")" "$w" "$lo-$hi" \
    "$(awk -v e="$eps" 'BEGIN { printf "%.3f", e / 1e6 }')" \
    "$(awk -v b="${BYTES[$v]}" -v w="$w" 'BEGIN { printf "%.0f", b / w / 1e6 }')" \
    "$cpu" "$(awk -v c="$cpu" -v w="$w" 'BEGIN { printf "%.2f", c / w }')" \
    "$(awk -v n="$n" -v c="$cpu" 'BEGIN { if (c > 0) printf "%.3f", n / c / 1e6; else print "-" }')" \
    "${ratio:--}"
  [[ $v != mawk ]] || ratio=""
  summary+=("$v $(awk -v e="$eps" 'BEGIN { printf "%.3f", e / 1e6 }') M ev/s${ratio:+ (${ratio}x mawk)}")
done
summary_text=$(IFS=';'; echo "${summary[*]}")
summary_text=${summary_text//;/; }

echo
if [[ ${#FAILED[@]} -gt 0 ]]; then
  echo "FAILED: ${!FAILED[*]} (see the messages above)"
  echo "summary: $EVENTS events, $RUNS run(s): FAILED; $summary_text"
  exit 1
fi
rows=$(wc -l <"$WORK/ref.txt")
jq_note=""
if selected jq && [[ $JQ_EV != "$EV" ]]; then
  jq_note="; jq on the first $JQ_EVENTS events, checked against mawk on them ($(wc -l <"$WORK/ref-jq.txt") rows)"
fi
echo "outputs agree: $rows rows identical across ${VARIANTS[*]}$jq_note"
echo "summary: $EVENTS events, $RUNS run(s), outputs agree; $summary_text"
