#!/usr/bin/env bash
# Records one bundle per lab fault under fixtures/bundles/<fault>/ (netns lab) or, with --ipvs,
# fixtures/bundles-ipvs/<fault>/ (the real-IPVS lab), with the diagnosis digest it must replay
# to (expected-digest.json) and, for --ipvs, injected.json: what was injected and whether the
# doctor named it first on its host. Needs root (the lab). Usage:
#   scripts/record-bundles.sh [--ipvs] [fault ...]   (default: healthy + every fault the lab has)
# LVS_DOCTOR_REC_PREFIX names the lab it brings up and takes down (default rec / recipvs);
# LVS_DOCTOR_REC_DEST, the folder the bundles go to (default fixtures/bundles / bundles-ipvs).
set -euo pipefail
cd "$(dirname "$0")/.."
backend=netns
if [ "${1:-}" = --ipvs ]; then backend=ipvs; shift; fi
doctor() { node bin/lvs-doctor.js "$@"; }
if [ $backend = ipvs ]; then P=recipvs; dest=fixtures/bundles-ipvs; up=(--ipvs); list=(--ipvs); else P=rec; dest=fixtures/bundles; up=(); list=(); fi
P=${LVS_DOCTOR_REC_PREFIX:-$P}
dest=${LVS_DOCTOR_REC_DEST:-$dest}
doctor lab down --prefix $P >/dev/null 2>&1 || true
doctor lab up --prefix $P "${up[@]}" >/dev/null
trap 'doctor lab down --prefix $P >/dev/null 2>&1 || true; rm -f /tmp/lvs-doctor-rec-*.json' EXIT
faults=("$@")
[ ${#faults[@]} -gt 0 ] || mapfile -t faults < <(echo healthy; doctor lab faults "${list[@]}" --json | node -e 'const j=JSON.parse(require("fs").readFileSync(0,"utf8"));for(const f of (Array.isArray(j)?j:j.faults))console.log(f.id)')
info() { doctor lab faults "${list[@]}" --json | node -e "const j=JSON.parse(require('fs').readFileSync(0,'utf8'));const f=j.find((x)=>x.id==='$1');process.stdout.write(f?String(f[process.argv[1]]??''):'')" "$2"; }
for f in "${faults[@]}"; do
  out=$dest/$f
  rm -rf "$out"
  [ "$f" = healthy ] || doctor lab fault "$f" --prefix $P >/dev/null
  flags=""
  [ "$(info "$f" onenet)" = true ] && flags="--onenet"
  [ "$(info "$f" fwmark)" = true ] && flags="--fwmark"
  # director.return-path-stalled is the director-only reading of a broken return path.
  [ "$f" = director.return-path-stalled ] && flags="$flags --director-only"
  json=/tmp/lvs-doctor-rec-$f.json
  doctor lab diagnose --prefix $P $flags --json --record "$PWD/$out" > "$json" || true
  target=$(info "$f" defaultTarget)
  node --input-type=module -e "
    import { readFileSync, writeFileSync } from 'node:fs';
    import { diagnosisDigest } from './dist/src/commands/replay-bundle.js';
    const r = JSON.parse(readFileSync('$json', 'utf8'));
    writeFileSync('$out/expected-digest.json', JSON.stringify(diagnosisDigest(r), null, 2) + '\n');
    if ('$backend' === 'ipvs') {
      const first = r.diagnoses[0];
      const fault = '$f', target = '$target';
      // As test/ipvs/ipvs-lab.ipvs.test.ts: the target of a realserver fault (and of
      // return-path-stalled), the client when its SYN never leaves, else the director.
      const host = target && (fault.startsWith('realserver.') || fault === 'director.return-path-stalled') ? target : fault === 'client.no-route-to-vip' ? 'client' : 'director';
      const named = fault === 'healthy' ? r.verdict === 'ok' : Boolean(first && first.id === fault && first.hosts.includes(host));
      writeFileSync('$out/injected.json', JSON.stringify({ fault, host: fault === 'healthy' ? null : host, flags: '$flags'.trim(), namedFirst: named, ...(named ? {} : { knownWrong: 'the doctor did not name the injected fault first on its host: see the digest' }) }, null, 2) + '\n');
    }
    console.log('$f', '->', r.verdict, r.diagnoses.map((d) => d.id + '@' + d.hosts.join(',')).join(' '));"
  [ "$f" = healthy ] || doctor lab fault --revert "$f" --prefix $P >/dev/null
done
