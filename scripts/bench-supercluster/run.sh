#!/usr/bin/env bash
# Compares Meridian's tile index with supercluster on the same 1,000,000
# points and 2,000 tiles, in one run: Meridian's BenchmarkTile first, then
# supercluster (installed from npm into a temporary directory).
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
MERIDIAN_EXPORT_BENCH="$work" go test -count=1 -run TestExportBenchPoints ./internal/tile >/dev/null
echo "== Meridian (internal/tile, MVT encoding included)"
go test -run '^$' -bench 'BenchmarkTile' -benchtime 2000x ./internal/tile | grep Benchmark
echo "== supercluster"
(cd "$work" && npm install --silent --no-audit --no-fund supercluster@9.1.0 >/dev/null)
cp scripts/bench-supercluster/bench.mjs "$work/"
node --max-old-space-size=4096 "$work/bench.mjs" "$work"
