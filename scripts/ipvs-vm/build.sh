#!/usr/bin/env bash
# Build a qemu guest with real IPVS: Debian bookworm minbase root + Debian's cloud kernel,
# packed as one uncompressed initramfs (no disk image; the cloud kernel has no 9p).
# Artefacts go to $IPVS_VM_BUILD (default /work/ipvs-vm-build), never into the repo.
# Needs root and Debian's packages: qemu-system-x86 debootstrap cpio (see README.md).
set -euo pipefail

BUILD=${IPVS_VM_BUILD:-/work/ipvs-vm-build}
SUITE=bookworm
MIRROR=${IPVS_VM_MIRROR:-http://deb.debian.org/debian}
KPKG=${IPVS_VM_KERNEL_PKG:-linux-image-cloud-amd64}
PKGS=openssh-server,ipvsadm,tcpdump,iproute2,iputils-ping,traceroute,curl,socat,conntrack,kmod,procps,netbase,iptables

started=$(date +%s)
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$BUILD"
cd "$BUILD"

if [[ ! -x rootfs/usr/sbin/ipvsadm ]]; then
  rm -rf rootfs
  debootstrap --variant=minbase --include="$PKGS" "$SUITE" rootfs "$MIRROR"
fi

# The kernel comes from the host's apt (same suite), unpacked rather than installed so that
# no initramfs-tools hooks run inside the root.
kver_pkg=$(apt-cache depends "$KPKG" | awk '/Depends: linux-image-/ {print $2; exit}')
if [[ ! -d kernel/boot ]]; then
  rm -rf kernel ./*.deb
  apt-get download "$kver_pkg"
  dpkg-deb -x ./"$kver_pkg"_*.deb kernel
fi
kver=$(ls kernel/lib/modules)
cp kernel/boot/vmlinuz-"$kver" vmlinuz
rm -rf rootfs/lib/modules
mkdir -p rootfs/lib/modules
cp -a kernel/lib/modules/"$kver" rootfs/lib/modules/
chroot rootfs /sbin/depmod "$kver"   # the root has kmod; the host may not

# Slim the root a little; documentation is dead weight in RAM.
rm -rf rootfs/usr/share/doc/* rootfs/usr/share/man/* rootfs/usr/share/locale/* rootfs/var/cache/apt/archives/*.deb

echo ipvs-vm > rootfs/etc/hostname
# debootstrap copied the host's resolver; the guest has no network and must not know it.
echo '# no DNS: the ipvs-vm guest has no network device' > rootfs/etc/resolv.conf
install -m 0755 "$HERE/guest-init.sh" rootfs/init

( cd rootfs && find . -xdev -print0 | cpio --null -o -H newc --quiet ) > base.cpio
echo "$kver" > kernel-version
echo "build done in $(( $(date +%s) - started )) s: $BUILD/vmlinuz ($kver), $BUILD/base.cpio ($(du -h base.cpio | cut -f1))"
