#!/bin/bash
# Guest-side job: what the doctor must judge right on real IPVS beyond the plain flow.
#  - the run right after a fault is reverted: the failed connections' SYN_RECV entries are
#    still in the table (history) while the new connections work (the present);
#  - the net.ipv4.vs sysctls behind three real-world faults: conn_reuse_mode with a client
#    that reuses its source port, expire_nodest_conn with a removed realserver, and
#    vs.conntrack with a stateful firewall on the director.
# Every case starts from a fresh site. The connections the doctor makes are made with the
# doctor's own curl command (src/probes/test-connection.ts), plus %{local_port}.
set -u
OUT=$1
. /job/topo.sh

SETUP=$OUT/vs--setup.txt
modprobe ip_vs; modprobe ip_vs_rr

# The doctor's test connection, with the client port it used.
doctor_curl() { cap "$1" cli curl -sS -o /dev/null -w '%{http_code} %{remote_ip} %{local_port}' --connect-timeout 2 --max-time 2 "http://$VIP:80/"; }
# A client that reuses one source port (kube-proxy reports, kube-router #544): body = the realserver's name.
reuse_curl() { cap "$1" cli curl -sS -m 4 --local-port 40000 -w ' %{http_code} connect=%{time_connect} total=%{time_total} port=%{local_port}\n' "http://$VIP/"; }
# The doctor's own reads of the director (src/probes/sysctl.ts via probe-catalog, uname, ipvsadm, iptables-save, conntrack).
doctor_reads() {
  local c=$1 when=${2:+-$2}
  cap $c--ipvsadm-lnc$when dir ipvsadm -Lnc
  cap $c--ipvsadm-ln$when dir ipvsadm -Ln
  cap $c--proc-net-ip-vs-conn$when dir cat /proc/net/ip_vs_conn
}

cap vs--uname - uname -s -r

# ------------------------------------------------- the run right after a fault is reverted
for fault in reply-route ip-forward; do
  c=vs-revert-$fault
  site_up $c
  if [[ $fault == reply-route ]]; then
    note $c "As job nat's nat-healthy. Fault: lv-rs1's default route via $GW instead of DIP $DIP. Four doctor curls (rr: two reach rs1 and time out) with pcaps on the director's ext0 and int0 and lv-rs1's eth0 (-fault), the table; then the route put back (ip route replace default via $DIP) and at once two doctor curls (rs1, then rs2) with pcaps on ext0, int0, lv-rs1 eth0 and lv-cli eth0 (-after), and the table again."
    s rs1 ip route replace default via $GW
  else
    note $c "As job nat's nat-healthy. Fault: net.ipv4.ip_forward=0 on the director. Four doctor curls (all time out) with pcaps on the director's ext0 and int0 and lv-rs1's eth0 (-fault), the table; then ip_forward=1 again and at once two doctor curls (rs1, then rs2) with pcaps on ext0, int0, lv-rs1 eth0 and lv-cli eth0 (-after), and the table again."
    s dir sysctl -w net.ipv4.ip_forward=0
  fi
  td_start $c fault-ext dir ext0 pcap-only
  td_start $c fault-int dir int0 pcap-only
  td_start $c fault-rs1 rs1 eth0 pcap-only
  tdwait
  for i in 1 2 3 4; do doctor_curl $c--fault-curl-$i; done
  td_stop
  doctor_reads $c fault
  if [[ $fault == reply-route ]]; then s rs1 ip route replace default via $DIP; else s dir sysctl -w net.ipv4.ip_forward=1; fi
  td_start $c after-ext dir ext0 pcap-only
  td_start $c after-int dir int0 pcap-only
  td_start $c after-rs1 rs1 eth0 pcap-only
  td_start $c after-cli cli eth0 pcap-only
  tdwait
  doctor_curl $c--after-curl-1
  doctor_curl $c--after-curl-2
  td_stop
  doctor_reads $c after
  cap $c--ipvsadm-ln-stats-after dir ipvsadm -Ln --stats
  site_down
done

# ------------------------------------------------- conn_reuse_mode, a client reusing its port
for mode in 1 0; do
  c=vs-conn-reuse-$mode
  site_up $c
  note $c "As nat-healthy with net.ipv4.vs.conntrack=1 (as kube-proxy sets it) and net.ipv4.vs.conn_reuse_mode=$mode; lv-cli net.ipv4.tcp_tw_reuse=1. Three curls from the same client port 40000 (body: the realserver's name) with a pcap on ext0, the table after each; then rs1's weight set to 0 and one more curl from port 40000."
  s dir sysctl -w net.ipv4.vs.conntrack=1
  s dir sysctl -w net.ipv4.vs.conn_reuse_mode=$mode
  s cli sysctl -w net.ipv4.tcp_tw_reuse=1
  cap $c--sysctl dir sysctl -e net.ipv4.ip_forward net.ipv4.conf net.ipv4.vs
  td_start $c ext dir ext0 pcap-only
  tdwait
  for i in 1 2 3; do
    reuse_curl $c--curl-$i
    cap $c--ipvsadm-lnc-$i dir ipvsadm -Lnc
  done
  s dir ipvsadm -e -t $VIP:80 -r $RIP1:80 -m -w 0
  reuse_curl $c--curl-weight0
  td_stop
  cap $c--ipvsadm-lnc-weight0 dir ipvsadm -Lnc
  cap $c--ipvsadm-ln-weight0 dir ipvsadm -Ln
  cap $c--conntrack-l dir conntrack -L
  site_down
done

# ------------------------------------------------- expire_nodest_conn, a removed realserver
for nodest in 0 1; do
  c=vs-expire-nodest-$nodest
  site_up $c
  note $c "As nat-healthy with net.ipv4.vs.expire_nodest_conn=$nodest. A client connection opened to the VIP while rs2's weight is 0 (so it goes to rs1; rs2 back to weight 1 right after), which sends its request only 8 s later; meanwhile rs1 is removed from the service (ipvsadm -d). The table before and after the removal, and after the late request; the client's own output (-client) and a pcap on ext0."
  s dir sysctl -w net.ipv4.vs.expire_nodest_conn=$nodest
  cap $c--sysctl dir sysctl -e net.ipv4.ip_forward net.ipv4.conf net.ipv4.vs
  td_start $c ext dir ext0 pcap-only
  tdwait
  s dir ipvsadm -e -t $VIP:80 -r $RIP2:8080 -m -w 0
  ( ip netns exec lv-cli bash -c 'exec 3<>/dev/tcp/'$VIP'/80 || exit 9; sleep 8; printf "GET / HTTP/1.0\r\n\r\n" >&3; timeout 10 cat <&3' > "$OUT/$c--client.out" 2> "$OUT/$c--client.err"; echo "$c--client	$?	cli	-	bash -c 'exec 3<>/dev/tcp/$VIP/80; sleep 8; printf \"GET / HTTP/1.0\\r\\n\\r\\n\" >&3; timeout 10 cat <&3'" >> "$OUT/commands.tsv" ) &
  client=$!
  sleep 2
  s dir ipvsadm -e -t $VIP:80 -r $RIP2:8080 -m -w 1
  cap $c--ipvsadm-lnc-before dir ipvsadm -Lnc
  s dir ipvsadm -d -t $VIP:80 -r $RIP1:80
  cap $c--ipvsadm-ln-removed dir ipvsadm -Ln
  cap $c--ipvsadm-lnc-removed dir ipvsadm -Lnc
  wait $client
  cap $c--ipvsadm-lnc-late dir ipvsadm -Lnc
  td_stop
  site_down
done

# ------------------------------------------------- vs.conntrack and a stateful firewall
for ct in 0 1; do
  c=vs-conntrack-$ct
  site_up $c
  note $c "As nat-healthy with net.ipv4.vs.conntrack=$ct and a stateful FORWARD firewall on the director (policy DROP; ESTABLISHED,RELATED accepted; NEW accepted from ext0 to int0). Two doctor curls with pcaps on ext0 and int0; the firewall's counters, the table and conntrack -L."
  s dir sysctl -w net.ipv4.vs.conntrack=$ct
  s dir iptables -P FORWARD DROP
  s dir iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
  s dir iptables -A FORWARD -i ext0 -o int0 -m conntrack --ctstate NEW -j ACCEPT
  cap $c--sysctl dir sysctl -e net.ipv4.ip_forward net.ipv4.conf net.ipv4.vs
  td_start $c ext dir ext0 pcap-only
  td_start $c int dir int0 pcap-only
  tdwait
  doctor_curl $c--curl-1
  doctor_curl $c--curl-2
  td_stop
  cap $c--iptables-save dir iptables-save -c
  cap $c--iptables-l-forward dir iptables -L FORWARD -v -n -x
  doctor_reads $c
  cap $c--conntrack-l dir conntrack -L
  site_down
done
