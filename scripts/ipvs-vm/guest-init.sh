#!/bin/bash
# PID 1 of the ipvs-vm guest. Mounts the basics, then runs /job/run.sh (added by run.sh as a
# second cpio archive) with its output in /out, and streams /out as a tar to the virtio-serial
# port "out". With /job/lab.sh (a lab) it runs that and stays up. Without a job it gives a
# shell on the serial console.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /run /tmp /var/run/netns
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
hostname ipvs-vm
ip link set lo up
modprobe virtio_pci 2>/dev/null
modprobe virtio_console 2>/dev/null
echo "ipvs-vm: up after $(cut -d' ' -f1 /proc/uptime) s"

if [[ -x /job/lab.sh ]]; then
  # A lab (lvs-doctor lab up --ipvs): build the site, then stay up until qemu is killed.
  modprobe virtio_net 2>/dev/null
  /job/lab.sh
  echo "ipvs-vm: lab exit $? after $(cut -d' ' -f1 /proc/uptime) s"
  while :; do sleep 3600; done
elif [[ -x /job/run.sh ]]; then
  mkdir -p /out
  /job/run.sh /out > /out/job.log 2>&1
  echo "ipvs-vm: job exit $? after $(cut -d' ' -f1 /proc/uptime) s"
  port=$(grep -l '^out$' /sys/class/virtio-ports/*/name 2>/dev/null | head -1)
  port=/dev/$(basename "$(dirname "$port")")
  tar -C /out -cf - . > "$port"
  sync
  echo "ipvs-vm: results sent on $port"
else
  setsid -c bash -l < /dev/ttyS0 > /dev/ttyS0 2>&1
fi
echo o > /proc/sysrq-trigger
sleep 5
