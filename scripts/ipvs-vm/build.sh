#!/usr/bin/env bash
# Build (or find in the cache) a qemu guest with real IPVS: Debian bookworm minbase root +
# Debian's cloud kernel, packed as one uncompressed initramfs (no disk image; the cloud kernel
# has no 9p). Everything goes to the cache, never into the repo:
#   ${LVS_DOCTOR_IPVS_CACHE:-/var/cache/lvs-doctor/ipvs-vm}/rootfs-<hash>   debootstrap's root
#   .../guest-<hash>/{vmlinuz,base.cpio,kernel-version,inputs}              what qemu boots
# Each <hash> covers that stage's inputs (suite, package list, kernel package, this script,
# guest-init.sh): change one and the stage is rebuilt; otherwise it is reused as it is.
# The last line of stdout is `GUEST=<dir>`. Needs root and Debian's qemu-system-x86
# debootstrap cpio (see README.md).
set -euo pipefail

CACHE=${LVS_DOCTOR_IPVS_CACHE:-${IPVS_VM_BUILD:-/var/cache/lvs-doctor/ipvs-vm}}
SUITE=bookworm
MIRROR=${IPVS_VM_MIRROR:-http://deb.debian.org/debian}
KPKG=${IPVS_VM_KERNEL_PKG:-linux-image-cloud-amd64}
PKGS=openssh-server,ipvsadm,tcpdump,iproute2,iputils-ping,traceroute,curl,socat,conntrack,kmod,procps,netbase,iptables,nftables

started=$(date +%s)
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$CACHE"
# One build at a time (two lab ups or CI and a person).
exec 9> "$CACHE/.lock"
flock 9

hash16() { sha256sum | cut -c1-16; }
root_key=$(printf 'debootstrap --variant=minbase %s %s\n' "$SUITE" "$PKGS" | hash16)
ROOT=$CACHE/rootfs-$root_key
# The kernel's exact version is an input too: a new Debian kernel upload makes a new guest.
kver_pkg=$(apt-cache depends "$KPKG" | awk '/Depends: linux-image-/ {print $2; exit}')
[[ -n $kver_pkg ]] || { echo "apt-cache knows no $KPKG (apt-get update?)" >&2; exit 2; }
kver_deb=$(apt-cache policy "$kver_pkg" | awk '/Candidate:/ {print $2}')
guest_key=$( { echo "$root_key $kver_pkg $kver_deb"; cat "$HERE/build.sh" "$HERE/guest-init.sh"; } | hash16)
GUEST=$CACHE/guest-$guest_key

if [[ -f $GUEST/base.cpio && -f $GUEST/vmlinuz ]]; then
  echo "guest cached: $GUEST" >&2
  echo "GUEST=$GUEST"
  exit 0
fi

if [[ ! -f $ROOT/.complete ]]; then
  rm -rf "$ROOT" "$ROOT.tmp"
  debootstrap --variant=minbase --include="$PKGS" "$SUITE" "$ROOT.tmp" "$MIRROR" >&2
  # Slim the root a little; documentation is dead weight in RAM.
  rm -rf "$ROOT.tmp"/usr/share/doc/* "$ROOT.tmp"/usr/share/man/* "$ROOT.tmp"/usr/share/locale/* "$ROOT.tmp"/var/cache/apt/archives/*.deb
  touch "$ROOT.tmp/.complete"
  mv "$ROOT.tmp" "$ROOT"
  echo "debootstrap done after $(( $(date +%s) - started )) s" >&2
fi

work=$GUEST.tmp
rm -rf "$work"
mkdir -p "$work"
# The kernel comes from the host's apt (same suite), unpacked rather than installed so that
# no initramfs-tools hooks run inside the root.
( cd "$work" && apt-get download "$kver_pkg=$kver_deb" >&2 && dpkg-deb -x ./*.deb kernel && rm -f ./*.deb )
kver=$(ls "$work/kernel/lib/modules")
cp "$work/kernel/boot/vmlinuz-$kver" "$work/vmlinuz"

# The root is copied (hard links: cheap) so that the cached debootstrap stays untouched.
cp -al "$ROOT" "$work/root"
rm -f "$work/root/.complete"
mkdir -p "$work/root/lib/modules"
cp -a "$work/kernel/lib/modules/$kver" "$work/root/lib/modules/"
chroot "$work/root" /sbin/depmod "$kver"   # the root has kmod; the host may not
echo ipvs-vm > "$work/root/etc/hostname.new" && mv "$work/root/etc/hostname.new" "$work/root/etc/hostname"
# debootstrap copied the host's resolver; the guest has no network beyond qemu's restricted one.
rm -f "$work/root/etc/resolv.conf"
echo '# no DNS: the ipvs-vm guest reaches no network' > "$work/root/etc/resolv.conf"
# No host keys baked in: the lab brings its own per run.
rm -f "$work/root/etc/ssh/ssh_host_"*
install -m 0755 "$HERE/guest-init.sh" "$work/root/init.new" && mv "$work/root/init.new" "$work/root/init"

( cd "$work/root" && find . -xdev -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet ) > "$work/base.cpio"
rm -rf "$work/root" "$work/kernel"
echo "$kver" > "$work/kernel-version"
printf 'suite %s\npackages %s\nkernel %s %s\nmirror %s\nbuilt %s\n' "$SUITE" "$PKGS" "$kver_pkg" "$kver_deb" "$MIRROR" "$(date -u +%FT%TZ)" > "$work/inputs"
rm -rf "$GUEST"
mv "$work" "$GUEST"
# Older guests and roots are dead weight.
for d in "$CACHE"/guest-* "$CACHE"/rootfs-*; do
  [[ $d == "$GUEST" || $d == "$ROOT" ]] || rm -rf "$d"
done
echo "build done in $(( $(date +%s) - started )) s: $GUEST/vmlinuz ($kver), $GUEST/base.cpio ($(du -h "$GUEST/base.cpio" | cut -f1))" >&2
echo "GUEST=$GUEST"
