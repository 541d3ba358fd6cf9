#!/bin/bash
# Guest-side job: a rich IPVS table in the director namespace lv-dir, some real traffic
# through it, then every ipvsadm listing form and the /proc and sysctl views (captures of
# items 1 and 2 of the brief). Each capture is one file; commands.tsv records the command.
set -u
OUT=$1
. /job/topo.sh

SETUP=$OUT/table--setup.txt
# s NS CMD... : a setup step, logged with its exit code (a failure is a fact worth keeping).
s() {
  local ns=$1; shift
  local rc=0 msg
  msg=$(nsx "$ns" "$@" 2>&1) || rc=$?
  printf '[%s] %s  => exit %s%s\n' "lv-$ns" "$*" "$rc" "${msg:+ : $msg}" >> "$SETUP"
}

for m in ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_sh ip_vs_mh ip_vs_nq ip_vs_ftp ip_vs_pe_sip sctp xt_mark; do
  modprobe "$m" 2>> "$SETUP" && echo "modprobe $m => ok" >> "$SETUP" || echo "modprobe $m => FAILED" >> "$SETUP"
done

topo_up
note table "Director namespace lv-dir of the site in topo.sh, with the table that table--setup.txt builds (every command and its exit code are there): TCP/UDP/SCTP/FWM/IPv6 services, schedulers rr wrr lc wlc sh mh nq, sh-port and mh-port flags, persistence 300 with mask, ops, pe sip, a service with no destination, Masq/Route/Tunnel destinations and a destination on the director's own address, weight 0, thresholds -x 100 -y 50, a sync daemon master and backup on int0. /etc/hosts names in the guest for -L. Traffic from lv-cli (table--traffic.txt) before the captures: curl to each TCP service, UDP and SCTP requests, one ssh-port connection kept open (ESTABLISHED). The rate captures were taken under a 12 s curl loop. Then ipvsadm --set 7200 60 120, expire_nodest_conn=1, conntrack=1, and ipvsadm -C (the -after-set and -after-clear files). table--emptyns-* ran in lv-cli, a namespace with no IPVS table."

# Names for -L: some long enough for ipvsadm to cut them.
cat >> /etc/hosts <<EOF
$VIP	www.virtual-service.lvs-doctor.example.internal
$VIP2	ftp-vip
$RIP1	realserver-one.backend.lvs-doctor.example.internal
$RIP2	rs2
$CLI	client-host-with-a-long-name.lvs-doctor.example.internal
$VIP6	v6-vip.lvs-doctor.example.internal
$RIP16	rs1-v6
EOF

# Realserver listeners.
for rs in rs1 rs2; do
  for p in 80 8080 21 8000 8001; do http_listen $rs $p $rs; done
  spawn $rs socat UDP6-RECVFROM:53,ipv6only=0,fork SYSTEM:"echo pong-$rs"
  spawn $rs socat SCTP-LISTEN:5060,reuseaddr,fork SYSTEM:"echo pong-$rs"
done
spawn rs1 socat TCP-LISTEN:22,reuseaddr,fork SYSTEM:"sleep 300"

# The table.
s dir ipvsadm -A -t $VIP:80 -s rr
s dir ipvsadm -a -t $VIP:80 -r $RIP1:80 -m -w 1
s dir ipvsadm -a -t $VIP:80 -r $RIP2:8080 -m -w 3 -x 100 -y 50
s dir ipvsadm -a -t $VIP:80 -r 172.16.1.13:80 -m -w 0
s dir ipvsadm -A -t $VIP:22 -s wlc
s dir ipvsadm -a -t $VIP:22 -r $RIP1:22 -m
s dir ipvsadm -A -t $VIP2:21 -s wrr -p 300 -M 255.255.255.0
s dir ipvsadm -a -t $VIP2:21 -r $RIP1:21 -m -w 2
s dir ipvsadm -a -t $VIP2:21 -r $RIP2:21 -m -w 1
s dir ipvsadm -A -t $VIP3:443 -s lc
s dir ipvsadm -a -t $VIP3:443 -r 10.1.0.20:443 -g
s dir ipvsadm -a -t $VIP3:443 -r 10.9.0.22:443 -i
s dir ipvsadm -a -t $VIP3:443 -r $VIP3:443 -m
s dir ipvsadm -A -t $VIP3:8443 -s nq
s dir ipvsadm -A -u $VIP:53 -s sh -b sh-fallback,sh-port
s dir ipvsadm -a -u $VIP:53 -r $RIP1:53 -m
s dir ipvsadm -a -u $VIP:53 -r $RIP2:53 -m
s dir ipvsadm -A -u $VIP2:53 -s rr -o
s dir ipvsadm -a -u $VIP2:53 -r $RIP1:53 -m
s dir ipvsadm -A -u $VIP3:5060 -s rr -p 60 --pe sip
s dir ipvsadm -a -u $VIP3:5060 -r $RIP2:5060 -m
s dir ipvsadm --add-service --sctp-service $VIP:5060 -s rr
s dir ipvsadm -a --sctp-service $VIP:5060 -r $RIP1:5060 -m
s dir ipvsadm -a --sctp-service $VIP:5060 -r $RIP2:5060 -m
s dir ipvsadm -A -f 1 -s rr
s dir ipvsadm -a -f 1 -r $RIP1 -m
s dir ipvsadm -a -f 1 -r $RIP2 -m
s dir ipvsadm -A -f 2147483649 -s mh -b mh-fallback,mh-port
s dir ipvsadm -a -f 2147483649 -r $RIP1 -m
s dir ipvsadm -a -f 2147483649 -r $RIP2 -m -w 2
s dir ipvsadm -A -f 3 -6 -s rr
s dir ipvsadm -a -f 3 -6 -r $RIP16 -m
s dir ipvsadm -A -t [$VIP6]:80 -s wlc
s dir ipvsadm -a -t [$VIP6]:80 -r [$RIP16]:80 -m
s dir ipvsadm -a -t [$VIP6]:80 -r [$RIP26]:8080 -m -w 2
s dir iptables -t mangle -A PREROUTING -d $VIP -p tcp --dport 8000 -j MARK --set-mark 1
s dir iptables -t mangle -A PREROUTING -d $VIP -p tcp --dport 8001 -j MARK --set-mark 0x80000001
s dir ipvsadm --start-daemon master --mcast-interface int0 --syncid 7
s dir ipvsadm --start-daemon backup --mcast-interface int0 --syncid 7

# Traffic, so that counters, rates and the connection table are not empty.
spawn cli socat -u TCP:$VIP:22 STDOUT
c() { nsx cli curl -sS -m 3 "$@" >> "$OUT/table--traffic.txt" 2>&1; }
for i in 1 2 3 4; do c http://$VIP/; c http://$VIP2:21/; c http://$VIP:8000/; c http://$VIP:8001/; c -g "http://[$VIP6]/"; done
for i in 1 2; do nsx cli bash -c "echo ping | socat -T1 - UDP:$VIP:53" >> "$OUT/table--traffic.txt" 2>&1; done
nsx cli bash -c "echo ping | socat -T1 - UDP:$VIP2:53" >> "$OUT/table--traffic.txt" 2>&1
nsx cli bash -c "echo ping | socat -T2 - SCTP:$VIP:5060" >> "$OUT/table--traffic.txt" 2>&1
sleep 1

cap table--ipvsadm-v dir ipvsadm -v
cap table--ipvsadm-ln dir ipvsadm -Ln
cap table--ipvsadm-l dir ipvsadm -L
cap table--ipvsadm-ln-stats dir ipvsadm -Ln --stats
cap table--ipvsadm-l-stats dir ipvsadm -L --stats
cap table--ipvsadm-ln-exact-stats dir ipvsadm -Ln --exact --stats
cap table--ipvsadm-ln-thresholds dir ipvsadm -Ln --thresholds
cap table--ipvsadm-ln-persistent-conn dir ipvsadm -Ln --persistent-conn
cap table--ipvsadm-ln-timeout dir ipvsadm -Ln --timeout
cap table--ipvsadm-lnc dir ipvsadm -Lnc
cap table--ipvsadm-lc dir ipvsadm -Lc
cap table--ipvsadm-lnc-persistent-conn dir ipvsadm -Lnc --persistent-conn
cap table--ipvsadm-s dir ipvsadm -S
cap table--ipvsadm-s-n dir ipvsadm -S -n
cap table--ipvsadm-l-daemon dir ipvsadm -L --daemon
cap table--ipvsadm-ln-t-one dir ipvsadm -Ln -t $VIP:80
cap table--ipvsadm-ln-t-unknown dir ipvsadm -Ln -t $VIP:81
cap table--ipvsadm-ln-f-large dir ipvsadm -Ln -f 2147483649
cap table--emptyns-ipvsadm-ln cli ipvsadm -Ln
cap table--emptyns-ipvsadm-lnc cli ipvsadm -Lnc

cap table--proc-net-ip-vs dir cat /proc/net/ip_vs
cap table--proc-net-ip-vs-conn dir cat /proc/net/ip_vs_conn
cap table--proc-net-ip-vs-conn-sync dir cat /proc/net/ip_vs_conn_sync
cap table--proc-net-ip-vs-stats dir cat /proc/net/ip_vs_stats
cap table--proc-net-ip-vs-stats-percpu dir cat /proc/net/ip_vs_stats_percpu
cap table--proc-net-ls-ip-vs dir bash -c 'ls -1 /proc/net | grep ip_vs'
capsh table--sysctl-net-ipv4-vs dir "sysctl -a 2>/dev/null | grep '^net.ipv4.vs'"
cap table--lsmod - lsmod
capsh table--lsmod-ip-vs - "lsmod | grep -E '^(Module|ip_vs|nf_|sctp|libcrc)'"

# Rates need traffic in the last few seconds (the estimator runs every 2 s).
nsx cli timeout 12 bash -c "while :; do curl -s -m 2 -o /dev/null http://$VIP/; curl -s -m 2 -o /dev/null -g 'http://[$VIP6]/'; sleep 0.2; done" &
load=$!
sleep 7
cap table--ipvsadm-ln-rate dir ipvsadm -Ln --rate
cap table--ipvsadm-ln-exact-rate dir ipvsadm -Ln --exact --rate
cap table--proc-net-ip-vs-stats-under-load dir cat /proc/net/ip_vs_stats
wait $load

s dir ipvsadm --set 7200 60 120
cap table--ipvsadm-ln-timeout-after-set dir ipvsadm -Ln --timeout
s dir sysctl -w net.ipv4.vs.expire_nodest_conn=1
s dir sysctl -w net.ipv4.vs.conntrack=1
capsh table--sysctl-net-ipv4-vs-after-set dir "sysctl -a 2>/dev/null | grep '^net.ipv4.vs'"

# ipvsadm -C empties the service table; see what is left of the connections.
s dir ipvsadm -C
cap table--ipvsadm-ln-after-clear dir ipvsadm -Ln
cap table--ipvsadm-lnc-after-clear dir ipvsadm -Lnc
cap table--proc-net-ip-vs-conn-after-clear dir cat /proc/net/ip_vs_conn
s dir ipvsadm --stop-daemon master
s dir ipvsadm --stop-daemon backup

kill_started
topo_down
