#!/usr/bin/env bash
# Runs every cargo-fuzz target (fuzz/fuzz_targets) for SECONDS each (default 30), seeded with
# the import fixtures and a real bundle made by ctv. Needs a nightly toolchain and cargo-fuzz;
# a crash stops the run with a non-zero exit and leaves its input in fuzz/artifacts/TARGET/.
# Usage: tools/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(read_bundle read_receipt import_table)

corpus=fuzz/corpus
mkdir -p "$corpus/read_bundle" "$corpus/read_receipt" "$corpus/import_table"
# The first byte of an import_table input picks the format: even CSV, odd XLSX.
for f in tests/fixtures/import/*.csv; do
    [ -e "$f" ] && { printf '\0'; cat "$f"; } > "$corpus/import_table/seed-$(basename "$f")"
done
for f in tests/fixtures/import/*.xlsx; do
    [ -e "$f" ] && { printf '\1'; cat "$f"; } > "$corpus/import_table/seed-$(basename "$f")"
done
# A real bundle (a receipt is the same signed container with one more entry).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cargo build -q --bin ctv
HOME="$tmp" CTV_DB="$tmp/ctv.db" target/debug/ctv demo --facilities 30 >/dev/null
HOME="$tmp" CTV_DB="$tmp/ctv.db" target/debug/ctv export --full --out "$tmp/seed.ctvb" >/dev/null
cp "$tmp/seed.ctvb" "$corpus/read_bundle/seed.ctvb"
cp "$tmp/seed.ctvb" "$corpus/read_receipt/seed.ctvb"

for t in "${targets[@]}"; do
    echo "fuzz: $t for ${secs}s"
    cargo +nightly fuzz run "$t" "$corpus/$t" -- -max_total_time="$secs" -rss_limit_mb=2048 \
        -max_len=1048576 -print_final_stats=1 2>&1 | tail -n 12
    # A crash makes cargo fuzz exit non-zero; pipefail carries it out.
done
