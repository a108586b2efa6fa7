#!/usr/bin/env bash
# The window stage alone: a tumbling count by key over pre-framed records,
# against mawk doing the same count; see tests/bench/README.md.
#
#   tests/bench/window.sh [-n RECORDS] [-r RUNS] [-b BIN_DIR] [--keys LIST] [--keep DIR]
#
# For each key count K: RECORDS records {"time":MS,"key":"k<i*7919 mod K>"}
# whose event time advances so that a 10 s window holds max(RECORDS/10,
# 10*K) records (1,000 keys: ten windows of 1,000 rows per key; 1 M keys: one
# window of ten rows per key, so 1 M groups are live at once). sstream-window
# reads them as binary frames (made once by sstream-source) and as JSON lines;
# mawk reads the JSON. All outputs must be equal; medians are reported with
# the peak resident memory and, for sstream, bytes per live group.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: window.sh [OPTIONS]

Times sstream-window alone (tumbling 10 s count by key, 5 s watermark) on
binary frames and on JSON lines, and mawk on the same JSON, checks that all
outputs are equal, and prints medians, peak memory and bytes per group.

Options:
  -n, --records N    records per key count (default 10000000)
  -r, --runs N       timed runs per variant, after one warm-up (default 3)
  -b, --bin-dir DIR  directory with the sstream-* tools
                     (default: $SSTREAM_BIN_DIR, else the tools on PATH)
  --keys LIST        key counts, comma-separated (default 1000,1000000)
  --keep DIR         work in DIR and keep it; data files there are reused
  -h, --help         this help
EOF
}

die() {
  echo "window.sh: error: $*" >&2
  exit 2
}

RECORDS=10000000
RUNS=3
BIN_DIR=""
KEYS=1000,1000000
KEEP=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n | --records) [[ $# -ge 2 ]] || die "$1 needs a value"; RECORDS=$2; shift 2 ;;
    -r | --runs) [[ $# -ge 2 ]] || die "$1 needs a value"; RUNS=$2; shift 2 ;;
    -b | --bin-dir) [[ $# -ge 2 ]] || die "$1 needs a value"; BIN_DIR=$2; shift 2 ;;
    --keys) [[ $# -ge 2 ]] || die "$1 needs a value"; KEYS=$2; shift 2 ;;
    --keep) [[ $# -ge 2 ]] || die "$1 needs a value"; KEEP=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done
for v in RECORDS RUNS; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "${v,,} must be a positive integer, not '${!v}'"
done
IFS=', ' read -r -a KEY_COUNTS <<<"$KEYS"
for k in "${KEY_COUNTS[@]}"; do
  [[ $k =~ ^[1-9][0-9]*$ ]] || die "--keys: '$k' is not a positive integer"
done

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/bench/common.sh
. "$HERE/common.sh"
bench_bin_dir sstream-window sstream-source sstream-sink
command -v mawk >/dev/null 2>&1 || die "mawk is required (it is the baseline and the reference)"
[[ -x /usr/bin/time ]] || die "GNU time (/usr/bin/time, Debian package 'time') is required: it measures peak memory"

if [[ -n $KEEP ]]; then
  mkdir -p "$KEEP"
  WORK=$(cd "$KEEP" && pwd)
else
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/sstream-window-bench.XXXXXX")
  trap 'rm -rf "$WORK"' EXIT
fi
trap 'exit 130' INT TERM
export LC_ALL=C

cpu_model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
echo "== window benchmark: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine : $(nproc) CPUs, ${cpu_model:-$(uname -m)}; $(uname -sr)"
echo "load    : $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown) (1/5/15 min, at start)"
echo "sstream : $(sstream-window --version 2>&1 | head -n1) ($BIN_DIR); $(mawk -W version 2>&1 | head -n1)"
echo "params  : records=$RECORDS runs=$RUNS (+1 warm-up) keys=${KEY_COUNTS[*]}"
echo "query   : sstream-window --time time --tumbling 10s --watermark 5s --by key"

WINDOW=(sstream-window -v --time time --tumbling 10s --watermark 5s --by key)
# measure OUT CMD...: "wall_s user_s sys_s maxrss_kb" of CMD into OUT.
measure() { local out=$1; shift; /usr/bin/time -o "$out" -f '%e %U %S %M' "$@"; }
run_sstream-binary() { measure "$2" "${WINDOW[@]}" <"$1.bin" >"$3" 2>"$3.err"; }
run_sstream-json() { measure "$2" "${WINDOW[@]}" <"$1.ndjson" >"$3" 2>"$3.err"; }
run_mawk() { measure "$2" mawk -f "$HERE/window.awk" "$1.ndjson" >"$3" 2>"$3.err"; }
VARIANTS=(sstream-binary sstream-json mawk)

# Sorted "window_start key count" lines.
normalize() {  # normalize VARIANT RAW
  case "$1" in
    sstream-*)
      sstream-sink --format csv <"$2" | awk -F, 'NR > 1 { gsub(/"/, "", $3); print $1, $3, $4 }' | sort ;;
    *) sort "$2" ;;
  esac
}

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

failed=0
summary=()
for K in "${KEY_COUNTS[@]}"; do
  per_window=$((RECORDS / 10 > 10 * K ? RECORDS / 10 : 10 * K))
  data=$WORK/records-$RECORDS-$K
  if [[ ! -s $data.bin ]]; then
    echo "data    : generating $RECORDS records, $K keys, $per_window per window" >&2
    mawk -v n="$RECORDS" -v k="$K" -v per_window="$per_window" 'BEGIN {
      for (i = 0; i < n; i++)
        printf "{\"time\":%.0f,\"key\":\"k%d\"}\n", 1767225600000 + int(i * 10000 / per_window), (i * 7919) % k
    }' >"$data.ndjson"
    SSTREAM_WIRE=binary sstream-source "$data.ndjson" --trigger available-now \
      --max-batch-records 100000 >"$data.bin.tmp"
    mv "$data.bin.tmp" "$data.bin"
  fi
  echo
  echo "-- $K keys: $RECORDS records, $(((RECORDS + per_window - 1) / per_window)) window(s) of $per_window; binary $(($(wc -c <"$data.bin") / RECORDS)) B/record, JSON $(($(wc -c <"$data.ndjson") / RECORDS)) B/record"
  for v in "${VARIANTS[@]}"; do : >"$WORK/times-$K-$v"; done
  for label in warm-up $(seq 1 "$RUNS"); do
    for v in "${VARIANTS[@]}"; do
      out=$WORK/out-$K-$v
      if ! "run_$v" "$data" "$WORK/rusage.txt" "$out"; then
        echo "window.sh: FAILED: $v exited non-zero:" >&2
        head -n 20 "$out.err" >&2
        exit 1
      fi
      if [[ $label == warm-up ]]; then
        normalize "$v" "$out" >"$out.txt"
        if [[ $v != "${VARIANTS[0]}" ]] && ! cmp -s "$out.txt" "$WORK/out-$K-${VARIANTS[0]}.txt"; then
          echo "window.sh: FAILED: $v's counts differ from ${VARIANTS[0]}'s:" >&2
          diff "$WORK/out-$K-${VARIANTS[0]}.txt" "$out.txt" | head -n 20 >&2 || true
          failed=1
        fi
      else
        cat "$WORK/rusage.txt" >>"$WORK/times-$K-$v"
      fi
      [[ $label == warm-up ]] || echo "  $K keys $(printf '%-15s' "$v") $label: $(cat "$WORK/rusage.txt") (wall user sys maxrss_kb)" >&2
    done
  done
  rows=$(wc -l <"$WORK/out-$K-${VARIANTS[0]}.txt")
  groups=$(sed -n 's/.*state at its largest: \([0-9]*\) group.*/\1/p' "$WORK/out-$K-sstream-binary.err")
  printf '%-15s %8s %10s %10s %12s %10s %8s\n' variant "wall s" "M rec/s" "x mawk" "peak RSS MB" "groups" "B/group"
  mawk_wall=$(cut -d' ' -f1 "$WORK/times-$K-mawk" | median)
  for v in "${VARIANTS[@]}"; do
    wall=$(cut -d' ' -f1 "$WORK/times-$K-$v" | median)
    rss=$(cut -d' ' -f4 "$WORK/times-$K-$v" | median)
    # (GNU time has 10 ms steps: a run too short to measure shows "-".)
    rate=$(awk -v n="$RECORDS" -v w="$wall" 'BEGIN { if (w > 0) printf "%.2f", n / w / 1e6; else print "-" }')
    ratio=$(awk -v a="$mawk_wall" -v b="$wall" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
    g=- per=- per_note=""
    if [[ $v == sstream-* && -n $groups ]]; then
      g=$groups
      per=$(awk -v r="$rss" -v g="$groups" 'BEGIN { printf "%.0f", r * 1024 / g }')
      per_note=", $per B/group at $groups groups"
    fi
    printf '%-15s %8s %10s %10s %12s %10s %8s\n' "$v" "$wall" "$rate" "$ratio" \
      "$(awk -v r="$rss" 'BEGIN { printf "%.1f", r / 1024 }')" "$g" "$per"
    summary+=("$K keys $v $rate M rec/s (${ratio}x mawk, $(awk -v r="$rss" 'BEGIN { printf "%.0f", r / 1024 }') MB$per_note)")
  done
  ((failed)) || echo "outputs agree: $rows rows"
done

echo
if ((failed)); then
  echo "FAILED: outputs differ (see above)"
  exit 1
fi
summary_text=$(IFS=';'; echo "${summary[*]}")
echo "summary: ${summary_text//;/; }"
