#!/usr/bin/env bash
# Side-by-side benchmark of issue 16: builds the sendevagt binary at an older revision (default
# 4133b2e, the tree before the worker frames, generated tables and binary uploads) into a
# temporary directory, then runs test/compare_test.go, which measures that binary and this tree's
# one in the same run and prints each figure with the ratio new/old.
#
#   test/bench/compare.sh [REV]          # SENDEVAGT_BENCH_DURATION=20s per load run by default
#
# The old build is sent base64 JSON (all that 4133b2e reads); for a REV that reads binary parts
# too, SENDEVAGT_BENCH_OLD_PARTS=1 sends it what the add-in sends now.
#
# Run it on a quiet machine: every figure is CPU time or throughput on this machine's cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
rev="${1:-4133b2e}"
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"
tmp=$(mktemp -d)
trap 'git worktree remove --force "$tmp/tree" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add --detach -q "$tmp/tree" "$rev"
(cd "$tmp/tree" && go build -o "$tmp/sendevagt-old" ./server)
echo "old: $rev ($(git log -1 --format='%h %s' "$rev" | cut -c1-80))"
echo "new: $(git log -1 --format='%h %s' HEAD | cut -c1-80)$(git diff --quiet || echo ' + uncommitted changes')"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
SENDEVAGT_BENCH_OLD_BIN="$tmp/sendevagt-old" go test -count=1 -timeout 60m -run '^TestCompare$' -v ./test/ | grep -v '^=== \|^    compare_test'
