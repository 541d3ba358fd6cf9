#!/usr/bin/env bash
# Boot the ipvs-vm guest once, run a guest-side job script inside it, and unpack what the
# job wrote to its output directory into DEST. No network device at all (-nic none): the
# guest has no route anywhere; results come out through a virtio-serial port.
# usage: run.sh JOB.sh DEST [EXTRA_FILE...]   (extra files are copied next to the job in /job)
set -euo pipefail

job=$1 dest=$2; shift 2
# The cached guest (built on first use, rebuilt when its inputs change).
BUILD=$("$(dirname "$0")/build.sh" | sed -n 's/^GUEST=//p')
[[ -f $BUILD/base.cpio && -f $BUILD/vmlinuz ]] || { echo "build.sh gave no guest" >&2; exit 2; }

work=$(mktemp -d "$BUILD/../run.XXXXXX")
mkdir -p "$work/root/job" "$dest"
install -m 0755 "$job" "$work/root/job/run.sh"
for f in "$@"; do install -m 0755 "$f" "$work/root/job/"; done
( cd "$work/root" && find . -print0 | cpio --null -o -H newc --quiet ) > "$work/job.cpio"
# Concatenated newc archives are one initramfs to the kernel.
cat "$BUILD/base.cpio" "$work/job.cpio" > "$work/initrd.cpio"
: > "$work/out.tar"

started=$(date +%s.%N)
qemu-system-x86_64 \
  -accel tcg,tb-size=256 -cpu max -smp 2 -m 1536 \
  -kernel "$BUILD/vmlinuz" -initrd "$work/initrd.cpio" \
  -append "console=ttyS0 panic=-1 quiet rdinit=/init" \
  -nic none -no-reboot -display none -monitor none \
  -serial "file:$work/console.log" \
  -device virtio-serial-pci \
  -chardev "file,id=out,path=$work/out.tar" -device virtserialport,chardev=out,name=out &
qpid=$!
echo "qemu pid $qpid (work dir $work)"
# Bounded wait: kill only our own qemu, by PID.
timeout_s=${IPVS_VM_TIMEOUT:-900}
for ((i = 0; i < timeout_s; i++)); do
  kill -0 "$qpid" 2>/dev/null || break
  sleep 1
done
if kill -0 "$qpid" 2>/dev/null; then
  echo "guest did not finish in ${timeout_s}s; killing qemu $qpid" >&2
  kill "$qpid"
fi
wait "$qpid" || true
echo "guest ran $(echo "$(date +%s.%N) - $started" | bc) s"
grep '^ipvs-vm:' "$work/console.log" || true
tar -C "$dest" -xf "$work/out.tar"
cp "$work/console.log" "$dest/console.log"
rm -rf "$work"
echo "results in $dest"
