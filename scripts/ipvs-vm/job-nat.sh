#!/bin/bash
# Guest-side job: a real LVS-NAT flow (client -> VIP:80 -> rs1:80 and rs2:8080), healthy and
# then broken in the ways of FAULTS.md where real IPVS behaviour matters. Every case starts
# from a fresh site (new namespaces, so an empty IPVS table and connection table).
set -u
OUT=$1
. /job/topo.sh

SETUP=$OUT/nat--setup.txt
modprobe ip_vs; modprobe ip_vs_rr

# curl from the client, its output and exit code kept as a capture of its own.
get() { local name=$1; shift; cap "$name" cli curl -sS -m 4 "$@"; }

# ---------------------------------------------------------------- (a) healthy
c=nat-healthy
site_up $c
note $c "Service TCP $VIP:80 rr, masq to $RIP1:80 (lv-rs1) and $RIP2:8080 (lv-rs2, port remapped), both realservers' default route via DIP $DIP. One curl from lv-cli ($CLI) while tcpdump ran on the director's ext0 (client side), int0 (realserver side) and any. Then a connection held open (socat from lv-cli that sends nothing, so the realserver waits: ESTABLISHED) and two more curls before the table captures."
td_start $c ext dir ext0
td_start $c int dir int0
td_start $c any dir any pcap-only
tdwait
get $c--curl-1 http://$VIP/
td_stop
spawn cli socat -u TCP:$VIP:80 STDOUT
get $c--curl-2 http://$VIP/
get $c--curl-3 http://$VIP/
sleep 1
cap $c--ipvsadm-lnc dir ipvsadm -Lnc
cap $c--ipvsadm-ln dir ipvsadm -Ln
cap $c--ipvsadm-ln-stats dir ipvsadm -Ln --stats
cap $c--proc-net-ip-vs-conn dir cat /proc/net/ip_vs_conn
cap $c--conntrack-l dir conntrack -L
site_down

# ---------------------------------------------------------------- (b) reply route
c=nat-reply-route
site_up $c
note $c "As nat-healthy, but lv-rs1's default route goes via $GW (lv-gw, another router on the realserver LAN, ip_forward=0, no route to the client) instead of DIP $DIP; lv-rs2 unchanged. Four curls from lv-cli (rr: two reach rs1 and hang until curl's 4 s limit). tcpdump on the director's int0 and on lv-rs1's eth0."
s rs1 ip route replace default via $GW
cap $c--rs1-ip-route rs1 ip route
cap $c--rs1-ip-route-get rs1 ip route get $CLI from $RIP1
td_start $c int dir int0
td_start $c rs1 rs1 eth0
tdwait
for i in 1 2 3 4; do get $c--curl-$i http://$VIP/; done
td_stop
cap $c--ipvsadm-lnc dir ipvsadm -Lnc
cap $c--ipvsadm-ln dir ipvsadm -Ln
cap $c--ipvsadm-ln-stats dir ipvsadm -Ln --stats
cap $c--proc-net-ip-vs-conn dir cat /proc/net/ip_vs_conn
site_down

# ---------------------------------------------------------------- (c) every weight 0
c=nat-weight0
site_up $c
note $c "As nat-healthy, then ipvsadm -e sets weight 0 on both realservers. One curl from lv-cli; tcpdump on the director's ext0 and int0."
s dir ipvsadm -e -t $VIP:80 -r $RIP1:80 -m -w 0
s dir ipvsadm -e -t $VIP:80 -r $RIP2:8080 -m -w 0
cap $c--ipvsadm-ln dir ipvsadm -Ln
td_start $c ext dir ext0
td_start $c int dir int0
tdwait
get $c--curl-1 http://$VIP/
td_stop
cap $c--ipvsadm-lnc dir ipvsadm -Lnc
cap $c--ipvsadm-ln-stats dir ipvsadm -Ln --stats
site_down

# ---------------------------------------------------------------- (d) ip_forward=0
c=nat-ip-forward-off
site_up $c
note $c "As nat-healthy, then net.ipv4.ip_forward=0 on the director. Two curls from lv-cli; tcpdump on the director's ext0 and int0."
s dir sysctl -w net.ipv4.ip_forward=0
capsh $c--sysctl-ip-forward dir "sysctl net.ipv4.ip_forward net.ipv4.conf.all.forwarding net.ipv4.conf.ext0.forwarding net.ipv4.conf.int0.forwarding"
td_start $c ext dir ext0
td_start $c int dir int0
tdwait
get $c--curl-1 http://$VIP/
get $c--curl-2 http://$VIP/
td_stop
cap $c--ipvsadm-lnc dir ipvsadm -Lnc
cap $c--ipvsadm-ln-stats dir ipvsadm -Ln --stats
site_down

# ---------------------------------------------------------------- (e) direct connection to a RIP
for icmp in 0 1; do
  c=nat-direct-rip-icmp-send-$icmp
  site_up $c
  note $c "As nat-healthy, net.ipv4.vs.nat_icmp_send=$icmp on the director. lv-cli connects straight to $RIP1:80 (not through the VIP; the director routes it as a plain router). tcpdump on the director's ext0 and int0."
  s dir sysctl -w net.ipv4.vs.nat_icmp_send=$icmp
  td_start $c ext dir ext0
  td_start $c int dir int0
  tdwait
  get $c--curl-1 http://$RIP1/
  td_stop
  cap $c--ipvsadm-lnc dir ipvsadm -Lnc
  cap $c--ipvsadm-ln-stats dir ipvsadm -Ln --stats
  site_down
done

# ---------------------------------------------------------------- (f) ipvsadm -C and connections
for nodest in 0 1; do
  c=nat-clear-expire-nodest-$nodest
  site_up $c
  note $c "As nat-healthy with net.ipv4.vs.expire_nodest_conn=$nodest: one connection held open from lv-cli (ESTABLISHED) and two curls (TIME_WAIT), then ipvsadm -C; the connection table before (-before) and 3 s after (-after) the clear."
  s dir sysctl -w net.ipv4.vs.expire_nodest_conn=$nodest
  spawn cli socat -u TCP:$VIP:80 STDOUT
  get $c--curl-1 http://$VIP/
  get $c--curl-2 http://$VIP/
  sleep 1
  cap $c--ipvsadm-lnc-before dir ipvsadm -Lnc
  cap $c--ipvsadm-c dir ipvsadm -C
  sleep 3
  cap $c--ipvsadm-ln-after dir ipvsadm -Ln
  cap $c--ipvsadm-lnc-after dir ipvsadm -Lnc
  cap $c--proc-net-ip-vs-conn-after dir cat /proc/net/ip_vs_conn
  site_down
done

# ---------------------------------------------------------------- realserver with no listener
c=nat-no-listener
site_up $c
note $c "As nat-healthy, but nothing listens on lv-rs2 port 8080 (its listener killed). Two curls (rr: one to each realserver); tcpdump on the director's ext0 and int0."
nsx rs2 ss -ltnp | awk '/:8080/ { if (match($0, /pid=[0-9]+/)) print substr($0, RSTART + 4, RLENGTH - 4) }' | xargs -r kill
sleep 1
cap $c--rs2-ss-ltn rs2 ss -ltn
td_start $c ext dir ext0
td_start $c int dir int0
tdwait
get $c--curl-1 http://$VIP/
get $c--curl-2 http://$VIP/
td_stop
cap $c--ipvsadm-lnc dir ipvsadm -Lnc
cap $c--ipvsadm-ln-stats dir ipvsadm -Ln --stats
site_down
