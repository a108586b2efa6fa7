#!/usr/bin/env bash
# Regenerates the man pages (man/sstream-<tool>.1 from man/sstream-<tool>.1.in
# and the tool's option definitions) and the bash/zsh/fish completions.
#
#   tools/regen-docs.sh BIN_DIR [OUT_ROOT]
#
# OUT_ROOT defaults to the source tree; tests/cli/generated_fresh.bats writes
# into a temporary directory and compares with the committed files.
set -euo pipefail

bin_dir=${1:?usage: regen-docs.sh BIN_DIR [OUT_ROOT]}
src_root=$(cd "$(dirname "$0")/.." && pwd)
out_root=${2:-$src_root}
tools=(sstream-source sstream-map sstream-window sstream-join sstream-sink sstream-checkpoint)

mkdir -p "$out_root/man" "$out_root/completions/bash" "$out_root/completions/zsh" \
  "$out_root/completions/fish"

for tool in "${tools[@]}"; do
  exe="$bin_dir/$tool"
  [[ -x "$exe" ]] || { echo "regen-docs: $exe not built" >&2; exit 1; }
  "$exe" --generate=bash > "$out_root/completions/bash/$tool"
  "$exe" --generate=zsh > "$out_root/completions/zsh/_$tool"
  "$exe" --generate=fish > "$out_root/completions/fish/$tool.fish"

  in="$src_root/man/$tool.1.in"
  [[ -f "$in" ]] || { echo "regen-docs: missing $in" >&2; exit 1; }
  version=$("$exe" --version | awk '{print $2}')
  options=$(mktemp)
  "$exe" --generate=man > "$options"
  {
    printf '.\\" Generated from %s.1.in and the option definitions by tools/regen-docs.sh; do not edit.\n' "$tool"
    while IFS= read -r line || [[ -n "$line" ]]; do
      if [[ "$line" == "@OPTIONS@" ]]; then
        cat "$options"
      else
        printf '%s\n' "${line//@VERSION@/$version}"
      fi
    done < "$in"
  } > "$out_root/man/$tool.1"
  rm -f "$options"
done
