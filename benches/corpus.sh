#!/usr/bin/env bash
# Whole-corpus benchmark: `diplograph extract` at -j 1 and -j N against the bare aho-corasick
# DFA + figure-regex scan (../shared/tools/acscan) over the same bytes, in the same run, and
# peak memory for the corpus and for the corpus repeated 8 times (as distinct document ids).
# Then the corpus as one file, with and without its sentence punctuation. Last, one document
# of BIG_MB megabytes with no line break (the corpus's texts joined, line breaks removed):
# processed, not rejected, its peak memory printed.
#   benches/corpus.sh [CORPUS_DIR] [RUNS] [BIG_MB]   (default ../shared/corpus/zh, 3 runs, 200 MB;
#                                                     BIG_MB 0 skips it)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${1:-../shared/corpus/zh}"
runs="${2:-3}"
big_mb="${3:-200}"
threads="$(nproc)"
cargo build --release -q
bin=target/release/diplograph
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

if [ -f ../shared/tools/acscan/Cargo.toml ]; then
  CARGO_TARGET_DIR=target/acscan cargo run -q --release --manifest-path ../shared/tools/acscan/Cargo.toml -- \
    ../shared/tools/acscan/names.tsv "$corpus" 5 | tee "$out/acscan.txt"
fi

# The runs at -j 1 and -j N alternate, so that both see the machine alike (its speed drifts by
# 10-20 % over minutes); each prints the summary line of its median run (by wall time). Each
# run starts once the one before is on disk (`sync`): a run writes 240 MB, and its writeback
# took CPU time from the next.
# Each summary line gets the run's CPU time (user + system, from bash's `time`, which counts
# the threads that fsync the outputs too) and the cores it kept busy on average.
TIMEFORMAT='%R %U %S'
for _ in $(seq "$runs"); do
  for j in 1 "$threads"; do
    sync
    cpu="$( { time "$bin" extract "$corpus" -o "$out/o" -j "$j" >/dev/null 2>"$out/err"; } 2>&1 )"
    echo "$(grep '^documents' "$out/err"); CPU $(awk '{ printf "%.2f s user+system, %.2f cores busy", $2 + $3, ($2 + $3) / $1 }' <<<"$cpu")" >>"$out/j$j.txt"
  done
done
# (The wall time is the number before " s (" in the summary line.)
median() {
  awk '{ match($0, /[0-9.]+ s \(/); print substr($0, RSTART, RLENGTH - 4) "\t" $0 }' "$1" | sort -n | cut -f2- |
    awk -v r="$runs" 'NR==int((r+1)/2)'
}

echo "== -j 1";          line1="$(median "$out/j1.txt")"; echo "$line1"
echo "== -j $threads";   line="$(median "$out/j$threads.txt")"; echo "$line"
peak1="$(grep -o 'peak RSS [0-9]*' <<<"$line" | grep -o '[0-9]*$')"
# The issue's two targets, from the lines above: -j 1's MB/s over the bare scan's (>= 0.5) and
# -j 1's wall time over -j N's (>= 1.8 on 2 threads).
wall() { grep -o '[0-9.]* s (' <<<"$1" | head -1 | grep -o '^[0-9.]*'; }
mbs="$(grep -o '[0-9.]* MB/s (' <<<"$line1" | head -1 | grep -o '^[0-9.]*')"
scan="$(grep -o '[0-9.]* MB/s$' "$out/acscan.txt" 2>/dev/null | grep -o '^[0-9.]*' || true)"
awk -v m="$mbs" -v s="${scan:-0}" -v a="$(wall "$line1")" -v b="$(wall "$line")" -v n="$threads" \
  'BEGIN { if (s > 0) printf "ratio to the bare scan at -j 1: %.3f (target 0.5)\n", m / s; printf "-j %d over -j 1: %.2fx (target 1.8)\n", n, a / b }'

# The floor under the ratio: writing the bytes of a run's outputs alone (no computing them),
# best of three, into the page cache and made durable, against the time half the bare scan's
# speed allows the whole run (twice the scan's median).
scan_s="$(grep -o 'median [0-9.]*s' "$out/acscan.txt" 2>/dev/null | grep -o '[0-9.]*' || true)"
python3 - "$out/o" "$out/floor" "${scan_s:-0}" <<'PY'
import os, shutil, sys, time
src, dst, scan = sys.argv[1], sys.argv[2], float(sys.argv[3])
files = [(f, open(os.path.join(src, f), "rb").read()) for f in sorted(os.listdir(src))]
best = None
for _ in range(3):
    shutil.rmtree(dst, ignore_errors=True)
    os.sync()
    t = time.perf_counter()
    os.mkdir(dst)
    fds = []
    for name, data in files:
        fd = os.open(os.path.join(dst, name), os.O_WRONLY | os.O_CREAT, 0o644)
        os.write(fd, data)
        fds.append(fd)
    written = time.perf_counter() - t
    for fd in fds:
        os.fsync(fd)
        os.close(fd)
    durable = time.perf_counter() - t
    best = min(best or (written, durable), (written, durable))
shutil.rmtree(dst, ignore_errors=True)
mb = sum(len(d) for _, d in files) / 1e6
budget = f"; half the bare scan's speed allows the whole run {2 * scan:.3f} s" if scan > 0 else ""
print(f"writing the outputs' {mb:.0f} MB alone: {best[0]:.3f} s, {best[1]:.3f} s made durable{budget}")
PY

echo "== corpus x8 (memory must stay near the single corpus's)"
big="$out/x8"
mkdir -p "$big"
for i in $(seq 8); do
  for f in "$corpus"/*.txt; do b="$(basename "$f" .txt)"; ln -s "$(realpath "$f")" "$big/$b-r$i.txt"; done
done
sync
line="$("$bin" extract "$big" -o "$out/o8" -j "$threads" 2>&1 >/dev/null | grep '^documents')"; echo "$line"
peak8="$(grep -o 'peak RSS [0-9]*' <<<"$line" | grep -o '[0-9]*$')"
echo "peak RSS corpus x8 / corpus at -j $threads: $peak8 / $peak1 MB = +$(( (peak8 - peak1) * 100 / peak1 )) %"

# The corpus as users also have it: one file (a dump of every transcript, 20,000 speaker
# turns in one document), and that file with its 。！？ and line breaks lost (one sentence of
# the whole corpus). Each must take about as long as the corpus: a scan per turn, per cue or
# per pronoun over the whole document or sentence made them 13 and 9 times slower.
echo "== the corpus as one file, and as one file without sentence punctuation"
mkdir -p "$out/joined"
cat "$corpus"/*.txt >"$out/joined/all.txt"
python3 - "$out/joined/all.txt" "$out/joined/unpunctuated.txt" <<'PY'
import sys
text = open(sys.argv[1], encoding="utf-8").read()
open(sys.argv[2], "w", encoding="utf-8").write("".join(c for c in text if c not in "。！？!?\r\n"))
PY
for f in all unpunctuated; do
  sync
  "$bin" extract "$out/joined/$f.txt" -o "$out/o-$f" -j "$threads" 2>&1 >/dev/null | grep '^documents'
done

if [ "$big_mb" -gt 0 ]; then
  echo "== one document of $big_mb MB, no line break"
  mkdir -p "$out/one"
  python3 - "$corpus" "$out/one/one-line.txt" "$big_mb" <<'PY'
import glob, sys
corpus, path, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
texts = [open(f, encoding="utf-8").read().replace("\r", "").replace("\n", "") for f in sorted(glob.glob(corpus + "/*.txt"))]
with open(path, "w", encoding="utf-8") as out:
    written = 0
    while written < mb * 1_000_000:
        for t in texts:
            out.write(t)
            written += len(t.encode())
            if written >= mb * 1_000_000:
                break
PY
  sync
  "$bin" extract "$out/one/one-line.txt" -o "$out/o1" -j "$threads" 2>&1 >/dev/null | grep '^documents'
fi
