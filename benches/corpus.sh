#!/usr/bin/env bash
# Whole-corpus benchmark: `diplograph extract` at -j 1 and -j N against the bare aho-corasick
# DFA + figure-regex scan (../shared/tools/acscan) over the same bytes, in the same run, and
# peak memory for the corpus and for the corpus repeated 8 times (as distinct document ids).
#   benches/corpus.sh [CORPUS_DIR] [RUNS]        (default ../shared/corpus/zh, 3 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${1:-../shared/corpus/zh}"
runs="${2:-3}"
threads="$(nproc)"
cargo build --release -q
bin=target/release/diplograph
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

if [ -f ../shared/tools/acscan/Cargo.toml ]; then
  CARGO_TARGET_DIR=target/acscan cargo run -q --release --manifest-path ../shared/tools/acscan/Cargo.toml -- \
    ../shared/tools/acscan/names.tsv "$corpus" 5 | tee "$out/acscan.txt"
fi

# The summary line of the median run (by wall time).
measure() {
  local j="$1" dir="$2"
  for _ in $(seq "$runs"); do
    "$bin" extract "$dir" -o "$out/o" -j "$j" 2>&1 >/dev/null | grep '^documents'
  done | sort -t'(' -k3 | awk -v r="$runs" 'NR==int((r+1)/2)'
}

echo "== -j 1";          measure 1 "$corpus"
echo "== -j $threads";   measure "$threads" "$corpus"

echo "== corpus x8 (memory must stay near the single corpus's)"
big="$out/x8"
mkdir -p "$big"
for i in $(seq 8); do
  for f in "$corpus"/*.txt; do b="$(basename "$f" .txt)"; ln -s "$(realpath "$f")" "$big/$b-r$i.txt"; done
done
"$bin" extract "$big" -o "$out/o8" -j "$threads" 2>&1 >/dev/null | grep '^documents'
