#!/usr/bin/env bash
# Run one guest job (job-table.sh or job-nat.sh) in a fresh VM and copy its captures into
# fixtures/captures/ipvs-vm/, then rebuild MANIFEST.md from every job's commands.tsv.
# usage: capture.sh table|nat
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BUILD=${IPVS_VM_BUILD:-/work/ipvs-vm-build}
DEST=$REPO/fixtures/captures/ipvs-vm
job=$1
res=$BUILD/results/$job
rm -rf "$res"
"$HERE/run.sh" "$HERE/job-$job.sh" "$res" "$HERE/topo.sh"
mkdir -p "$DEST"
rm -f "$DEST/$job"*--*   # cases of job "nat" are named nat-<case>--<what>
for f in "$res"/*; do
  b=$(basename "$f")
  case $b in
    "$job"*--*) cp "$f" "$DEST/$b" ;;
    commands.tsv) cp "$f" "$DEST/$job--commands.tsv" ;;
    notes.tsv) cp "$f" "$DEST/$job--notes.tsv" ;;
    job.log) cp "$f" "$DEST/$job--job.txt" ;;
    console.log) grep -a -E '^ipvs-vm:|IPVS' "$f" > "$DEST/$job--boot.txt" || true ;;
  esac
done
python3 "$HERE/manifest.py" "$DEST"
echo "captures in $DEST"
