#!/bin/bash
# The floor for a diagnosis (bench/e2e.ts): what plain OpenSSH + tcpdump + curl cost for the
# doctor's own probe set, with no doctor. One ssh per host running all its probes in one
# session, hosts in parallel; then every capture armed (each waits for tcpdump's "listening
# on"), one test connection from the client, a short settle, the captures stopped. Outputs are
# thrown away: only the time counts.
#
# usage: floor.sh SSH_CONFIG WORK CONTROL_DIR
#   WORK/hosts          one host name per line
#   WORK/probes/HOST    that host's probe commands, one shell line each
#   WORK/captures       "HOST tcpdump ARGS..." per line (shell-quoted)
#   WORK/connect        "CLIENT curl ARGS..." (shell-quoted)
#   CONTROL_DIR         ControlMaster sockets: an empty directory = new connections (each host's
#                       first ssh opens its master, the later ones share it); a directory whose
#                       masters are open = open connections.
set -u
cfg=$1 work=$2 cp=$3
ssh_() { ssh -F "$cfg" -o BatchMode=yes -o ControlMaster=auto -o "ControlPath=$cp/%h" -o ControlPersist=300 "$@"; }

# Probes: one session per host, all hosts at once.
while read -r h; do
  ssh_ -T "$h" sh -s < "$work/probes/$h" > /dev/null 2>&1 &
done < "$work/hosts"
wait

# Captures, each bounded on its host; armed when tcpdump says it listens.
caps=() n=0
while read -r h cmd; do
  ssh_ -T "$h" "timeout 10 $cmd" > /dev/null 2> "$work/cap$n.err" &
  caps+=($!) n=$((n + 1))
done < "$work/captures"
for ((i = 0; i < n; i++)); do
  for ((t = 0; t < 800; t++)); do
    grep -q 'listening on' "$work/cap$i.err" 2> /dev/null && break
    sleep 0.01
  done
done

# One test connection, a settle for late packets, the captures stopped.
read -r c cmd < "$work/connect"
ssh_ -T "$c" "$cmd" > /dev/null 2>&1
sleep 0.15
kill "${caps[@]}" 2> /dev/null
wait
exit 0
