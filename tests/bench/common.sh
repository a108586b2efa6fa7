# shellcheck shell=bash
# Shared by the benchmark scripts (ysb.sh, map.sh, window.sh): sourced, not
# run. The script defines die(), and for variants ALL_VARIANTS, ONLY, SKIP
# and expand_list (its aliases).

# bench_bin_dir TOOL...: sets BIN_DIR (given with -b, else $SSTREAM_BIN_DIR,
# else where TOOL is on PATH), checks that every TOOL is there, puts BIN_DIR
# first on PATH, and unsets SSTREAM_WIRE (each variant chooses its wire).
bench_bin_dir() {
  local t
  if [[ -z $BIN_DIR ]]; then
    if [[ -n ${SSTREAM_BIN_DIR:-} ]]; then
      BIN_DIR=$SSTREAM_BIN_DIR
    elif command -v "$1" >/dev/null 2>&1; then
      BIN_DIR=$(dirname "$(command -v "$1")")
    else
      die "sstream tools not found: pass -b BIN_DIR, set SSTREAM_BIN_DIR, or put them on PATH"
    fi
  fi
  BIN_DIR=$(cd "$BIN_DIR" 2>/dev/null && pwd) || die "no such directory: $BIN_DIR"
  for t in "$@"; do
    [[ -x $BIN_DIR/$t ]] || die "$BIN_DIR/$t is missing or not executable"
  done
  export PATH="$BIN_DIR:$PATH"
  unset SSTREAM_WIRE
}

# bench_select_variants: VARIANTS = ALL_VARIANTS, in order, narrowed by
# --only (ONLY) or --skip (SKIP).
bench_select_variants() {
  local only skip v
  [[ -n $ONLY && -n $SKIP ]] && die "--only and --skip exclude each other"
  only=" $(expand_list "$ONLY") "
  skip=" $(expand_list "$SKIP") "
  VARIANTS=()
  for v in "${ALL_VARIANTS[@]}"; do
    if [[ -n $ONLY && $only != *" $v "* ]]; then continue; fi
    if [[ $skip == *" $v "* ]]; then continue; fi
    VARIANTS+=("$v")
  done
  [[ ${#VARIANTS[@]} -gt 0 ]] || die "no variant left to run"
}

selected() { [[ " ${VARIANTS[*]} " == *" $1 "* ]]; }
