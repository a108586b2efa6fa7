#!/usr/bin/env bash
# The map stage alone: a filter and a projection over YSB events read as
# JSON lines, by sstream-map and by classic tools; see tests/bench/README.md.
#
#   tests/bench/map.sh [-n EVENTS] [-r RUNS] [-b BIN_DIR] [--jq-events N]
#                      [--python-events N] [--only LIST | --skip LIST]
#                      [--keep DIR]
#
# Query: keep event_type = 'view', project (ad_id, event_time). Every variant
# writes one compact JSON object {"ad_id":"…","event_time":"…"} per kept
# event, in input order, and its output must be byte for byte identical to
# mawk's (jq and python: to mawk's over the same prefix of the events);
# otherwise the script prints a diff and exits 1. Timing: one warm-up run per
# variant, then RUNS timed runs, taken round-robin across the variants;
# medians are reported.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: map.sh [OPTIONS]

Times sstream-map alone on a file of YSB events (JSON lines), the
source | map | sink pipeline, and mawk, python3 and jq doing the same filter
and projection; checks that all outputs are identical, and prints medians.

Options:
  -n, --events N       events to generate (default 10000000)
  -r, --runs N         timed runs per variant, after one warm-up (default 3)
  -b, --bin-dir DIR    directory with the sstream-* tools
                       (default: $SSTREAM_BIN_DIR, else the tools on PATH)
  --jq-events N        jq is slow (~0.1 M events/s): it reads the first N events only,
                       and is checked against mawk on them (default 1000000)
  --python-events N    the same for python3 (default 1000000)
  --only LIST          run only these variants (comma-separated)
  --skip LIST          run all variants but these
                       variants: sstream-map, sstream-pipeline, mawk, python,
                       jq; "sstream" means both sstream variants
  --keep DIR           work in DIR and keep it (events, outputs, timings);
                       an events file of the right length found there is reused
  -h, --help           this help

Example: map.sh -n 1000000 -r 5 --skip python
EOF
}

die() {
  echo "map.sh: error: $*" >&2
  exit 2
}

EVENTS=10000000
RUNS=3
BIN_DIR=""
JQ_EVENTS=1000000
PY_EVENTS=1000000
KEEP=""
ONLY=""
SKIP=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n | --events) [[ $# -ge 2 ]] || die "$1 needs a value"; EVENTS=$2; shift 2 ;;
    -r | --runs) [[ $# -ge 2 ]] || die "$1 needs a value"; RUNS=$2; shift 2 ;;
    -b | --bin-dir) [[ $# -ge 2 ]] || die "$1 needs a value"; BIN_DIR=$2; shift 2 ;;
    --jq-events) [[ $# -ge 2 ]] || die "$1 needs a value"; JQ_EVENTS=$2; shift 2 ;;
    --python-events) [[ $# -ge 2 ]] || die "$1 needs a value"; PY_EVENTS=$2; shift 2 ;;
    --keep) [[ $# -ge 2 ]] || die "$1 needs a value"; KEEP=$2; shift 2 ;;
    --only) [[ $# -ge 2 ]] || die "$1 needs a value"; ONLY=$2; shift 2 ;;
    --skip) [[ $# -ge 2 ]] || die "$1 needs a value"; SKIP=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done
for v in EVENTS RUNS JQ_EVENTS PY_EVENTS; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "${v,,} must be a positive integer, not '${!v}'"
done

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/bench/common.sh
. "$HERE/common.sh"

# ---------------------------------------------------------------- variants
ALL_VARIANTS=(mawk sstream-map sstream-pipeline python jq)  # run order; mawk is the reference
expand_list() {  # "sstream,python3" -> "sstream-map sstream-pipeline python"
  local item items=() names=()
  IFS=', ' read -r -a items <<<"$1"
  for item in "${items[@]}"; do
    case "$item" in
      "") ;;
      sstream) names+=(sstream-map sstream-pipeline) ;;
      sstream-map | map) names+=(sstream-map) ;;
      sstream-pipeline | pipeline) names+=(sstream-pipeline) ;;
      mawk | awk) names+=(mawk) ;;
      python | python3) names+=(python) ;;
      jq) names+=(jq) ;;
      *) die "unknown variant '$item' (expected sstream, sstream-map, sstream-pipeline, mawk, python, jq)" ;;
    esac
  done
  echo "${names[*]:-}"
}
bench_select_variants

# ------------------------------------------------------------------- tools
bench_bin_dir sstream-map sstream-source sstream-sink
# mawk makes the reference output even when it is not timed.
command -v mawk >/dev/null 2>&1 || die "mawk is required (it is the reference and the baseline)"
if selected python; then command -v python3 >/dev/null 2>&1 || die "python3 not found (or use --skip python)"; fi
if selected jq; then command -v jq >/dev/null 2>&1 || die "jq not found (or use --skip jq)"; fi
# GNU time adds the peak memory; without it that column shows "-".
GNU_TIME=""
if [[ -x /usr/bin/time ]] && /usr/bin/time -f '%M' -o /dev/null true 2>/dev/null; then
  GNU_TIME=/usr/bin/time
fi

# ---------------------------------------------------------------- work dir
if [[ -n $KEEP ]]; then
  mkdir -p "$KEEP"
  WORK=$(cd "$KEEP" && pwd)
else
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/sstream-map-bench.XXXXXX")
  trap 'rm -rf "$WORK"' EXIT
fi
trap 'exit 130' INT TERM

# C locale everywhere: mawk speed and byte-wise comparisons.
export LC_ALL=C

# ------------------------------------------------------------ machine info
cpu_model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
[[ -n $cpu_model ]] || cpu_model=$(uname -m)
echo "== map benchmark: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine : $(nproc) CPUs, ${cpu_model}; $(uname -sr)"
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
busy=""
if [[ $load != unknown ]] && awk -v l="${load%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
  busy=" -- busy machine: expect noisy timings"
fi
echo "load    : $load (1/5/15 min, at start)$busy"
echo "sstream : $(sstream-map --version 2>&1 | head -n1) ($BIN_DIR)"
echo "tools   : $(mawk -W version 2>&1 | head -n1)$(selected python && echo "; $(python3 --version 2>&1)")$(selected jq && echo "; $(jq --version 2>&1)")"
echo "params  : events=$EVENTS runs=$RUNS (+1 warm-up) jq-events=$JQ_EVENTS python-events=$PY_EVENTS variants=${VARIANTS[*]}"
echo "query   : sstream-map --where \"event_type = 'view'\" --select \"ad_id, event_time\""
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
echo "data    : $EVENTS events, $EV_BYTES bytes ($((EV_BYTES / EVENTS)) B/event)"

# The slow tools read a prefix of the same file, checked against mawk on it.
declare -A INPUT=() BYTES=() NEVENTS=() REF=() FAILED=()
prefix() {  # prefix N -> the file of the first N events (the whole file if N >= EVENTS)
  if (($1 >= EVENTS)); then
    echo "$EV"
  else
    local f=$WORK/events-$EVENTS-head-$1.ndjson
    [[ -s $f ]] || head -n "$1" "$EV" >"$f"
    echo "$f"
  fi
}
for v in "${VARIANTS[@]}"; do
  n=$EVENTS
  [[ $v != jq ]] || n=$JQ_EVENTS
  [[ $v != python ]] || n=$PY_EVENTS
  ((n <= EVENTS)) || n=$EVENTS
  INPUT[$v]=$(prefix "$n")
  NEVENTS[$v]=$n
  BYTES[$v]=$(wc -c <"${INPUT[$v]}")
  REF[$v]=$WORK/ref-$n.out
  : >"$WORK/times-$v"
done

# ---------------------------------------------------------------- commands
# Each reads the events file $1 and writes the kept events to stdout. They
# run under `bash -c` so that GNU time can wrap a whole pipeline.
export MAP_WHERE="event_type = 'view'" MAP_SELECT="ad_id, event_time" MAP_HERE=$HERE
# shellcheck disable=SC2016  # expanded by the inner bash
declare -A CMD=(
  [sstream-map]='exec sstream-map --where "$MAP_WHERE" --select "$MAP_SELECT" --data-only <"$1"'
  [sstream-pipeline]='set -o pipefail
    sstream-source "$1" --trigger available-now --max-batch-records 100000 |
    sstream-map --where "$MAP_WHERE" --select "$MAP_SELECT" | sstream-sink'
  [mawk]='exec mawk -f "$MAP_HERE/map.awk" "$1"'
  [python]='exec python3 "$MAP_HERE/map.py" <"$1"'
  [jq]='exec jq -c '\''select(.event_type == "view") | {ad_id, event_time}'\'' "$1"'
)
procs() { case "$1" in sstream-pipeline) echo 3 ;; *) echo 1 ;; esac; }

# The references: mawk over each input file the variants read (mawk's own
# warm-up run makes the one for the whole file when mawk is timed).
rm -f "$WORK"/ref-*.out.ok
for v in "${VARIANTS[@]}"; do
  ref=${REF[$v]}
  [[ ! -e $ref.ok ]] || continue
  if selected mawk && [[ $ref == "${REF[mawk]}" ]]; then continue; fi
  if ! mawk -f "$HERE/map.awk" "${INPUT[$v]}" >"$ref"; then
    echo "map.sh: mawk failed on ${INPUT[$v]}" >&2
    exit 1
  fi
  : >"$ref.ok"
done

# run_one VARIANT LABEL: one run, timed into times-VARIANT (unless LABEL is
# warm-up), output checked against the reference. Marks the variant failed.
run_one() {
  local v=$1 label=$2 t rss=-
  local out=$WORK/out-$v.out err=$WORK/err-$v.txt ref=${REF[$v]}
  local TIMEFORMAT='%3R %3U %3S'
  local timer=()
  [[ -z $GNU_TIME ]] || timer=("$GNU_TIME" -o "$WORK/rss.txt" -f '%M')
  if ! { time "${timer[@]}" bash -c "${CMD[$v]}" bash "${INPUT[$v]}" >"$out" 2>"$err"; } 2>"$WORK/time.txt"; then
    echo "map.sh: FAILED: $v ($label) exited non-zero; its stderr:" >&2
    sed 's/^/    /' "$err" | head -n 20 >&2
    FAILED[$v]="exit status"
    [[ $v != mawk ]] || { echo "map.sh: mawk makes the reference output; stopping" >&2; exit 1; }
    return 0
  fi
  t=$(tail -n 1 "$WORK/time.txt")
  [[ -z $GNU_TIME ]] || rss=$(tail -n 1 "$WORK/rss.txt")
  if [[ $v == mawk && ! -e $ref.ok ]]; then
    cp "$out" "$ref"
    [[ -s $ref ]] || { echo "map.sh: the reference output (mawk) is empty" >&2; exit 1; }
    : >"$ref.ok"
  fi
  if ! cmp -s "$out" "$ref"; then
    echo "map.sh: FAILED: $v ($label): output differs from mawk's (diff -u mawk $v, first 40 lines):" >&2
    diff -u "$ref" "$out" | head -n 40 >&2 || true
    FAILED[$v]="wrong output"
    return 0
  fi
  [[ $label == warm-up ]] || echo "$t $rss" >>"$WORK/times-$v"
  echo "  $(printf '%-17s' "$v") $(printf '%-8s' "$label") wall $(cut -d' ' -f1 <<<"$t") s, cpu $(awk '{ printf "%.3f", $2 + $3 }' <<<"$t") s, peak RSS $rss kB" >&2
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
# stats VARIANT -> "median_wall min_wall max_wall median_cpu median_rss_kb"
stats() {
  awk '{ w[NR] = $1; c[NR] = $2 + $3; r[NR] = $4 }
       function med(a, n,   i, j, t) {
         for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
         return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
       }
       END {
         if (NR == 0) exit 1
         rss = (r[1] == "-") ? "-" : sprintf("%.0f", med(r, NR))
         mw = med(w, NR); lo = w[1]; hi = w[NR]
         printf "%.3f %.3f %.3f %.3f %s\n", mw, lo, hi, med(c, NR), rss
       }' "$WORK/times-$1"
}
declare -A EPS=()
for v in "${VARIANTS[@]}"; do
  [[ -z ${FAILED[$v]:-} ]] || continue
  read -r w _ _ _ _ < <(stats "$v")
  EPS[$v]=$(awk -v n="${NEVENTS[$v]}" -v w="$w" 'BEGIN { if (w > 0) printf "%.6f", n / w; else print "" }')
done
ratio() {  # ratio A B -> A / B to 2 decimals (or 1 for >= 10), "-" if unknown
  awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b <= 0) print "-"; else if (a / b >= 10) printf "%.1f", a / b; else printf "%.2f", a / b }'
}

echo
echo "-- results: median of $RUNS run(s); MB/s = input bytes / wall; CPU = user+sys of all processes"
row() { printf '%-17s %9s %5s %8s %15s %8s %7s %7s %5s %10s %7s %7s %7s\n' "$@"; }
row variant events procs "wall s" "min-max s" "M ev/s" "MB/s" "CPU s" cores "M ev/CPU-s" "RSS MB" "x mawk" "x jq"
summary=()
for v in sstream-map sstream-pipeline mawk python jq; do
  selected "$v" || continue
  if [[ -n ${FAILED[$v]:-} ]]; then
    row "$v" "${NEVENTS[$v]}" "$(procs "$v")" FAILED "(${FAILED[$v]})" - - - - - - - -
    summary+=("$v FAILED")
    continue
  fi
  read -r w lo hi cpu rss < <(stats "$v")
  n=${NEVENTS[$v]}
  eps=${EPS[$v]}
  xm=$(ratio "$eps" "${EPS[mawk]:-}")
  xj=$(ratio "$eps" "${EPS[jq]:-}")
  row "$v" "$n" "$(procs "$v")" "$w" "$lo-$hi" \
    "$(awk -v e="$eps" 'BEGIN { if (e == "") print "-"; else printf "%.3f", e / 1e6 }')" \
    "$(awk -v b="${BYTES[$v]}" -v w="$w" 'BEGIN { if (w > 0) printf "%.0f", b / w / 1e6; else print "-" }')" \
    "$cpu" "$(awk -v c="$cpu" -v w="$w" 'BEGIN { if (w > 0) printf "%.2f", c / w; else print "-" }')" \
    "$(awk -v n="$n" -v c="$cpu" 'BEGIN { if (c > 0) printf "%.3f", n / c / 1e6; else print "-" }')" \
    "$(awk -v r="$rss" 'BEGIN { if (r == "-") print "-"; else printf "%.1f", r / 1024 }')" \
    "$xm" "$xj"
  note=""
  [[ $v == mawk || $xm == - ]] || note="${xm}x mawk"
  [[ $v == jq || $xj == - ]] || note="${note:+$note, }${xj}x jq"
  [[ -z $note ]] || note=" ($note)"
  summary+=("$v $(awk -v e="$eps" 'BEGIN { if (e == "") print "-"; else printf "%.3f", e / 1e6 }') M ev/s$note")
done
summary_text=$(IFS=';'; echo "${summary[*]}")
summary_text=${summary_text//;/; }

echo
if [[ ${#FAILED[@]} -gt 0 ]]; then
  echo "FAILED: ${!FAILED[*]} (see the messages above)"
  echo "summary: $EVENTS events, $RUNS run(s): FAILED; $summary_text"
  exit 1
fi

# The issue's targets for the map stage alone, for information (timing is
# never a failure: it depends on the machine and its load).
if selected sstream-map && [[ -n ${EPS[sstream-map]} ]]; then
  t_eps=${EPS[sstream-map]}
  mbs=$(awk -v b="${BYTES[sstream-map]}" -v e="$t_eps" -v n="$EVENTS" 'BEGIN { printf "%.0f", b * e / n / 1e6 }')
  met() { awk -v a="$1" -v b="$2" 'BEGIN { print (a >= b ? "met" : "missed") }'; }
  targets="$(awk -v e="$t_eps" 'BEGIN { printf "%.2f", e / 1e6 }') M ev/s (>= 3: $(met "$t_eps" 3000000)), $mbs MB/s (>= 750: $(met "$mbs" 750))"
  if [[ -n ${EPS[mawk]:-} ]]; then
    xm=$(ratio "$t_eps" "${EPS[mawk]}")
    targets+=", ${xm}x mawk (>= 5: $(met "$xm" 5))"
  fi
  if [[ -n ${EPS[jq]:-} ]]; then
    xj=$(ratio "$t_eps" "${EPS[jq]}")
    targets+=", ${xj}x jq (>= 60: $(met "$xj" 60))"
  fi
  echo "targets : sstream-map $targets"
fi

lines=$(wc -l <"$WORK/ref-$EVENTS.out" 2>/dev/null || echo 0)
notes=""
for v in jq python; do
  if selected "$v" && ((NEVENTS[$v] < EVENTS)); then
    notes+="; $v on the first ${NEVENTS[$v]} events, checked against mawk on them ($(wc -l <"${REF[$v]}") lines)"
  fi
done
if [[ -e $WORK/ref-$EVENTS.out.ok ]]; then
  echo "outputs agree: $lines lines identical across ${VARIANTS[*]}$notes"
else
  echo "outputs agree: ${VARIANTS[*]}$notes"
fi
echo "summary: $EVENTS events, $RUNS run(s), outputs agree; $summary_text"
