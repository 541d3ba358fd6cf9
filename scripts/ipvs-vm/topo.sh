# Guest-side library (sourced by the job scripts): a virtual LVS-NAT site made of network
# namespaces inside the VM, plus a helper that runs one command and records it.
#
#   lv-cli  eth0 10.1.0.2/24  fd00:10::2/64     default via 10.1.0.1 / fd00:10::1
#   lv-dir  ext0 10.1.0.1/24  fd00:10::1/64     VIP 10.1.0.10/24 (+ .11 .12), 2001:db8::1/128
#           int0 172.16.1.1/24 fd00:172::1/64   DIP
#   lv-sw   br0, a plain switch for the realserver LAN (ports p-dir p-rs1 p-rs2 p-gw)
#   lv-rs1  eth0 172.16.1.11/24 fd00:172::11/64 default via DIP
#   lv-rs2  eth0 172.16.1.12/24 fd00:172::12/64 default via DIP
#   lv-gw   eth0 172.16.1.254/24, another router on the LAN that has no route to the client
#
# Addresses are private (10/8, 172.16/12, fd00::/8) or documentation (2001:db8::/32) and
# exist only inside this VM, which has no network device at all.

CLI=10.1.0.2 DIR_EXT=10.1.0.1 VIP=10.1.0.10 VIP2=10.1.0.11 VIP3=10.1.0.12
DIP=172.16.1.1 RIP1=172.16.1.11 RIP2=172.16.1.12 GW=172.16.1.254
CLI6=fd00:10::2 DIR_EXT6=fd00:10::1 VIP6=2001:db8::1 DIP6=fd00:172::1 RIP16=fd00:172::11 RIP26=fd00:172::12

nsx() { local ns=$1; shift; ip netns exec "lv-$ns" "$@"; }

# cap NAME NS CMD... : run CMD in namespace lv-NS (or the VM's own namespace if NS is "-"),
# stdout to $OUT/NAME.out, stderr to $OUT/NAME.err when not empty, and one line in
# $OUT/commands.tsv: name, exit code, namespace, seconds taken, the command exactly as run.
cap() {
  local name=$1 ns=$2; shift 2
  local rc=0 t0 t1
  t0=$(cut -d' ' -f1 /proc/uptime)
  if [[ $ns == - ]]; then
    "$@" > "$OUT/$name.out" 2> "$OUT/$name.err" || rc=$?
  else
    nsx "$ns" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err" || rc=$?
  fi
  t1=$(cut -d' ' -f1 /proc/uptime)
  [[ -s $OUT/$name.err ]] || rm -f "$OUT/$name.err"
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$rc" "$ns" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" "${CAP_SHOWN:-$*}" >> "$OUT/commands.tsv"
  return 0
}

# capsh NAME NS 'shell text' : like cap, for a command line that needs a pipe.
capsh() { local name=$1 ns=$2; CAP_SHOWN=$3 cap "$name" "$ns" bash -c "$3"; }

note() { printf '%s\t%s\n' "$1" "$2" >> "$OUT/notes.tsv"; }

veth() { # veth NS1 IF1 NS2 IF2
  ip link add "$2" netns "lv-$1" type veth peer name "$4" netns "lv-$3"
}

topo_up() {
  modprobe veth; modprobe bridge 2>/dev/null || true
  local ns
  for ns in cli dir sw rs1 rs2 gw; do
    ip netns add "lv-$ns"
    nsx "$ns" ip link set lo up
  done
  veth cli eth0 dir ext0
  veth dir int0 sw p-dir
  veth rs1 eth0 sw p-rs1
  veth rs2 eth0 sw p-rs2
  veth gw eth0 sw p-gw
  nsx sw ip link add br0 type bridge
  for p in p-dir p-rs1 p-rs2 p-gw; do nsx sw ip link set "$p" master br0 up; done
  nsx sw ip link set br0 up

  nsx cli ip addr add $CLI/24 dev eth0
  nsx cli ip addr add $CLI6/64 dev eth0 nodad
  nsx cli ip link set eth0 up
  nsx cli ip route add default via $DIR_EXT
  nsx cli ip -6 route add default via $DIR_EXT6

  nsx dir ip addr add $DIR_EXT/24 dev ext0
  nsx dir ip addr add $VIP/24 dev ext0
  nsx dir ip addr add $VIP2/24 dev ext0
  nsx dir ip addr add $VIP3/24 dev ext0
  nsx dir ip addr add $DIR_EXT6/64 dev ext0 nodad
  nsx dir ip addr add $VIP6/128 dev ext0 nodad
  nsx dir ip addr add $DIP/24 dev int0
  nsx dir ip addr add $DIP6/64 dev int0 nodad
  nsx dir ip link set ext0 up
  nsx dir ip link set int0 up
  nsx dir sysctl -qw net.ipv4.ip_forward=1
  nsx dir sysctl -qw net.ipv6.conf.all.forwarding=1

  local rs rip rip6
  for rs in rs1 rs2; do
    if [[ $rs == rs1 ]]; then rip=$RIP1 rip6=$RIP16; else rip=$RIP2 rip6=$RIP26; fi
    nsx $rs ip addr add $rip/24 dev eth0
    nsx $rs ip addr add $rip6/64 dev eth0 nodad
    nsx $rs ip link set eth0 up
    nsx $rs ip route add default via $DIP
    nsx $rs ip -6 route add default via $DIP6
  done
  nsx gw ip addr add $GW/24 dev eth0
  nsx gw ip link set eth0 up
}

topo_down() {
  local ns
  for ns in cli dir sw rs1 rs2 gw; do ip netns del "lv-$ns" 2>/dev/null || true; done
}

# A tiny HTTP responder: reads the request head, answers with its own name.
# http_listen NS PORT [LABEL]; the listener's PID is kept for kill_started.
http_listen() {
  local ns=$1 port=$2 label=${3:-$1}
  if [[ ! -x /tmp/lv-http.sh ]]; then
    cat > /tmp/lv-http.sh <<'RESP'
#!/bin/bash
while IFS= read -r l; do [[ $l == $'\r' || -z $l ]] && break; done
printf 'HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n%s\n' $(( ${#1} + 1 )) "$1"
RESP
    chmod +x /tmp/lv-http.sh
  fi
  ip netns exec "lv-$ns" socat TCP6-LISTEN:"$port",ipv6only=0,reuseaddr,fork EXEC:"/tmp/lv-http.sh $label" >/dev/null 2>&1 &
  echo $! >> /tmp/lv-pids
}

# spawn NS CMD... : start CMD in the background in lv-NS, remember its PID for kill_started
# (ip netns exec execs CMD, so $! is CMD itself).
spawn() { local ns=$1; shift; ip netns exec "lv-$ns" "$@" >/dev/null 2>&1 & echo $! >> /tmp/lv-pids; }

kill_started() {
  [[ -f /tmp/lv-pids ]] || return 0
  local p
  while read -r p; do kill "$p" 2>/dev/null || true; done < /tmp/lv-pids
  rm -f /tmp/lv-pids
}

# ---- The NAT jobs' shared site (job-nat.sh, job-vs.sh). A job sets SETUP (its setup log) first.
# s NS CMD...: run CMD in lv-NS, logging the command, its exit code and its output to $SETUP.
s() {
  local ns=$1; shift
  local rc=0 msg
  msg=$(nsx "$ns" "$@" 2>&1) || rc=$?
  printf '[%s] %s  => exit %s%s\n' "lv-$ns" "$*" "$rc" "${msg:+ : $msg}" >> "$SETUP"
}
section() { printf '\n=== case %s\n' "$1" >> "$SETUP"; }


# Fresh site with the plain NAT service; rs2 is port-remapped 80 -> 8080.
site_up() {
  section "$1"
  topo_up
  http_listen rs1 80 rs1
  http_listen rs2 8080 rs2
  s dir ipvsadm -A -t $VIP:80 -s rr
  s dir ipvsadm -a -t $VIP:80 -r $RIP1:80 -m -w 1
  s dir ipvsadm -a -t $VIP:80 -r $RIP2:8080 -m -w 1
  sleep 2
}
site_down() { kill_started; topo_down; }

# tcpdump: one text capture and one pcap per interface, started before and stopped after
# the traffic. td_start CASE WHAT NS IFACE [pcap-only]
TD_PIDS=() TD_NAMES=()
td_start() {
  local case=$1 what=$2 ns=$3 ifc=$4 only=${5:-}
  local base=$OUT/$case--tcpdump-$what
  if [[ $only != pcap-only ]]; then
    ip netns exec "lv-$ns" tcpdump -n -l -i "$ifc" > "$base.out" 2> "$base.err" &
    TD_PIDS+=($!) TD_NAMES+=("$case--tcpdump-$what	$ns	tcpdump -n -l -i $ifc")
  fi
  ip netns exec "lv-$ns" tcpdump -n -U -Z root -i "$ifc" -w "$base.pcap" 2> "$base-pcap.err" &
  TD_PIDS+=($!) TD_NAMES+=("$case--tcpdump-$what	$ns	tcpdump -n -U -Z root -i $ifc -w $case--tcpdump-$what.pcap")
}
td_stop() {
  sleep 1
  local i rc
  for i in "${!TD_PIDS[@]}"; do kill -INT "${TD_PIDS[$i]}" 2>/dev/null; done
  for i in "${!TD_PIDS[@]}"; do
    rc=0; wait "${TD_PIDS[$i]}" || rc=$?
    IFS=$'\t' read -r name ns cmd <<< "${TD_NAMES[$i]}"
    printf '%s\t%s\t%s\t-\t%s\n' "$name" "$rc" "$ns" "$cmd" >> "$OUT/commands.tsv"
  done
  TD_PIDS=() TD_NAMES=()
  for f in "$OUT"/*.err; do [[ -s $f ]] || rm -f "$f"; done
}
tdwait() { sleep 3; } # tcpdump needs a moment to attach under emulation
