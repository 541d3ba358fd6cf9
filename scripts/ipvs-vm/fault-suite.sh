#!/usr/bin/env bash
# The real-IPVS fault suite by hand: on a running `lab up --ipvs` lab, for each fault: inject,
# diagnose, revert, diagnose again (must be ok). Prints one line per run; exit 1 if any is wrong.
#   scripts/ipvs-vm/fault-suite.sh PREFIX [fault ...]   (default: every fault `lab faults --ipvs` lists)
set -uo pipefail
cd "$(dirname "$0")/../.."
P=$1; shift
doctor() { node bin/lvs-doctor.js "$@"; }
faults=("$@")
[ ${#faults[@]} -gt 0 ] || mapfile -t faults < <(doctor lab faults --ipvs --json | node -e 'for (const f of JSON.parse(require("fs").readFileSync(0,"utf8"))) console.log(f.id)')
field() { doctor lab faults --ipvs --json | node -e "const f=JSON.parse(require('fs').readFileSync(0,'utf8')).find((x)=>x.id==='$1');process.stdout.write(String(f?.[process.argv[1]]??''))" "$2"; }
summary() { node -e "const r=JSON.parse(require('fs').readFileSync(0,'utf8'));console.log(r.verdict, r.diagnoses.map((d)=>d.id+'@'+d.hosts.join(',')).join(' ')||'-')"; }
bad=0
for f in "${faults[@]}"; do
  flags=""
  [ "$(field "$f" onenet)" = true ] && flags="--onenet"
  [ "$(field "$f" fwmark)" = true ] && flags="--fwmark"
  [ "$f" = director.return-path-stalled ] && flags="$flags --director-only"
  target=$(field "$f" defaultTarget)
  host=director; [[ $f == realserver.* || $f == director.return-path-stalled ]] && host=$target
  [ "$f" = client.no-route-to-vip ] && host=client
  t0=$(date +%s)
  doctor lab fault "$f" --prefix "$P" >/dev/null || { echo "$f: inject FAILED"; bad=1; continue; }
  got=$(doctor lab diagnose --prefix "$P" $flags --json 2>/dev/null | summary)
  first=$(echo "$got" | awk '{print $2}')
  [[ ${first%@*} = "$f" && ,${first#*@}, == *,$host,* ]] && mark=ok || { mark=WRONG; bad=1; }
  doctor lab fault --revert "$f" --prefix "$P" >/dev/null || { echo "$f: revert FAILED"; bad=1; }
  after=$(doctor lab diagnose --prefix "$P" --json 2>/dev/null | summary)
  [[ $after == ok* ]] || { mark="$mark, AFTER-REVERT-NOT-OK"; bad=1; }
  echo "$f [$mark] $(( $(date +%s) - t0 )) s: $got | after revert: $after"
done
exit $bad
