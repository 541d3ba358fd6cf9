#!/usr/bin/env bash
# Records one bundle per lab fault under fixtures/bundles/<fault>/ with the diagnosis digest
# it must replay to (expected-digest.json). Needs root (the lab). Usage:
#   scripts/record-bundles.sh [fault ...]      (default: healthy + every fault the lab has)
set -euo pipefail
cd "$(dirname "$0")/.."
P=rec
doctor() { node bin/lvs-doctor.js "$@"; }
doctor lab down --prefix $P >/dev/null 2>&1 || true
doctor lab up --prefix $P >/dev/null
trap 'doctor lab down --prefix $P >/dev/null 2>&1 || true' EXIT
faults=("$@")
[ ${#faults[@]} -gt 0 ] || mapfile -t faults < <(echo healthy; doctor lab faults --json | node -e 'const j=JSON.parse(require("fs").readFileSync(0,"utf8"));for(const f of (Array.isArray(j)?j:j.faults))console.log(f.id)')
for f in "${faults[@]}"; do
  out=fixtures/bundles/$f
  rm -rf "$out"
  [ "$f" = healthy ] || doctor lab fault "$f" --prefix $P >/dev/null
  onenet=$(doctor lab faults --json | node -e "const j=JSON.parse(require('fs').readFileSync(0,'utf8'));const f=j.find((x)=>x.id==='$f');process.stdout.write(f&&f.onenet?'--onenet':'')")
  # director.return-path-stalled is the director-only reading of a broken return path.
  directorOnly=""; [ "$f" = director.return-path-stalled ] && directorOnly=--director-only
  doctor lab diagnose --prefix $P $onenet $directorOnly --json --record "$PWD/$out" > /tmp/lvs-doctor-$f.json || true
  node --input-type=module -e "
    import { readFileSync, writeFileSync } from 'node:fs';
    import { diagnosisDigest } from './dist/src/engine/replay-bundle.js';
    const r = JSON.parse(readFileSync('/tmp/lvs-doctor-$f.json', 'utf8'));
    writeFileSync('$out/expected-digest.json', JSON.stringify(diagnosisDigest(r), null, 2) + '\n');
    console.log('$f', '->', r.verdict, r.diagnoses.map((d) => d.id + '@' + d.hosts.join(',')).join(' '));"
  [ "$f" = healthy ] || doctor lab fault --revert "$f" --prefix $P >/dev/null
done
