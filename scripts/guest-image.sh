#!/usr/bin/env bash
# Build novasite's real guest image from Debian packages and print its path: one bootable
# qcow2 disk (MBR, a FAT partition with SYSLINUX, Debian's cloud kernel and a busybox
# initramfs) that a libvirt domain boots like cirros, with no direct-kernel-boot settings.
#
# Under TCG it boots to a shell on the serial console in a few seconds. Its init
#   - prints the kernel's boot lines and then the banner "novasite guest ready" and a
#     login-less prompt on ttyS0 (the first serial port: libvirt's <serial>);
#   - powers off on the ACPI power button (busybox acpid), so a libvirt shutdown() or an
#     ACPI reboot() (which libvirt turns into a restart) works;
#   - loads the virtio modules and reports hot-plugged and removed disks and NICs on the
#     console ("novasite guest: disk vdb added"), and onlines hot-plugged vCPUs (busybox
#     uevent: event-driven, so an idle guest costs little).
#
# Only Debian's apt archive is used: `apt-get download` + `dpkg-deb -x` into a scratch
# directory (the build tools too: nothing is installed on the host, no root needed once the
# apt lists exist). The image is cached under $GUEST_IMAGE_CACHE/<key>/, the key being a hash
# of the package versions and of this script; a second run prints the cached path at once.
#
# Usage: scripts/guest-image.sh [--force]   (prints the image path as its last line)
# Environment: GUEST_IMAGE_CACHE [<repo>/var/cache/guest-image]
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE=${GUEST_IMAGE_CACHE:-$PWD/var/cache/guest-image}
SCRIPT=$PWD/scripts/guest-image.sh
FORCE=0
[ "${1:-}" = "--force" ] && FORCE=1
KERNEL_META=linux-image-cloud-amd64
MODULES="virtio_pci virtio_blk virtio_net virtio_scsi sd_mod virtio_balloon button evdev"
PART_START=2048      # sectors: the partition starts at 1 MiB
PART_MIB=32          # kernel (14 MB) + initramfs (~1.5 MB) + room

log() { echo "guest-image: $*" >&2; }

for tool in apt-get apt-cache dpkg-deb qemu-img gzip sha256sum; do
    command -v "$tool" >/dev/null 2>&1 ||
        { log "$tool is missing (qemu-img: apt-get install qemu-utils, or scripts/install.sh)"; exit 1; }
done

# Package=version lines of the candidates apt would download (few apt-cache calls: each takes
# most of a second with Debian's full lists).
versions() { apt-cache show --no-all-versions "$@" 2>/dev/null | awk '/^Package:/ {p = $2} /^Version:/ {print p "=" $2}' || true; }
TOOLS=(busybox-static syslinux syslinux-common mtools dosfstools)

# The metapackage names the current kernel package (its ABI number is in the name). The apt
# lists are needed for that; fetch them once if this machine has none.
meta() { apt-cache show --no-all-versions "$KERNEL_META" 2>/dev/null || true; }
meta=$(meta)
if [ -z "$meta" ]; then
    if [ "$(id -u)" -eq 0 ]; then apt-get update -qq
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo -n apt-get update -qq
    fi
    meta=$(meta)
fi
[ -n "$meta" ] || { log "apt knows no $KERNEL_META: run apt-get update (as root) first"; exit 1; }
KERNEL_PKG=$(echo "$meta" | awk -F'[ ,]+' '/^Depends:/ {for (i = 2; i <= NF; i++) if ($i ~ /^linux-image-/ && !k) k = $i} END {print k}')
[ -n "$KERNEL_PKG" ] || { log "cannot resolve $KERNEL_META to a kernel package"; exit 1; }
PACKAGES=("$KERNEL_PKG" "${TOOLS[@]}")
manifest=$(versions "${PACKAGES[@]}")
[ "$(echo "$manifest" | wc -l)" -eq ${#PACKAGES[@]} ] || { log "apt lacks one of ${PACKAGES[*]}"; exit 1; }
key=$( (echo "$manifest"; cat "$SCRIPT") | sha256sum | cut -c1-16)
out=$CACHE/$key/novasite-guest.qcow2

if [ -f "$out" ] && [ $FORCE = 0 ]; then
    log "cached ($key)"
    echo "$out"
    exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/guest-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"  # apt-get download runs as _apt when it can
log "downloading ${PACKAGES[*]}"
(cd "$work" && apt-get download -qq "${PACKAGES[@]}" 2>&1 | grep -v "unsandboxed" >&2 || true)
for pkg in "${PACKAGES[@]}"; do
    ls "$work/${pkg}_"*.deb >/dev/null 2>&1 || { log "apt-get download $pkg failed"; exit 1; }
done
mkdir -p "$work/pkg"
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/pkg"; done
P=$work/pkg
export PATH="$P/usr/bin:$P/sbin:$P/usr/sbin:$PATH"
busybox=$P/bin/busybox
kver=$(basename "$(ls -d "$P"/lib/modules/*)")

# --- initramfs: busybox, the modules and their dependencies, /init ---------------------
root=$work/initramfs
mkdir -p "$root"/{bin,dev,proc,sys,tmp,run,etc/acpi/PWRF,lib/modules/"$kver"}
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done
ln -s bin "$root/sbin"
"$busybox" depmod -b "$P" "$kver"
needed=""
for mod in $MODULES; do
    line=$(grep -E "(^|/)$mod\.ko:" "$P/lib/modules/$kver/modules.dep") || { log "no module $mod in $kver"; exit 1; }
    needed+=" ${line%%:*} ${line#*:}"
done
for rel in $(echo "$needed" | tr ' ' '\n' | sort -u); do
    mkdir -p "$root/lib/modules/$kver/$(dirname "$rel")"
    cp "$P/lib/modules/$kver/$rel" "$root/lib/modules/$kver/$rel"
done
"$busybox" depmod -b "$root" "$kver"

cat >"$root/etc/acpi/PWRF/00000080" <<'EOF'
#!/bin/sh
echo "novasite guest: ACPI power button: powering off" >/dev/console
sync
poweroff -f
EOF
chmod 755 "$root/etc/acpi/PWRF/00000080"

cat >"$root/init" <<EOF
#!/bin/sh
# novasite guest init (PID 1). Built by scripts/guest-image.sh.
export PATH=/bin HOME=/ PS1='novasite-guest:\w# '
mount -t devtmpfs dev /dev
# The initramfs has no /dev/console of its own (no mknod when built without root).
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sys /sys
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
hostname novasite-guest
for m in $MODULES; do modprobe -q "\$m" || echo "novasite guest: cannot load \$m"; done
acpid -c /etc/acpi -l /dev/null
uevent /bin/on-uevent &
echo "novasite guest: devices: \$(cd /sys/block && echo *) \$(cd /sys/class/net && echo *)"
echo
echo "novasite guest ready: kernel $kver, busybox, up \$(cut -d' ' -f1 /proc/uptime) s"
echo "Power off with the ACPI button (virsh shutdown) or 'poweroff -f'; no login needed."
while :; do setsid cttyhack sh; done
EOF
chmod 755 "$root/init"

# Hot-plug: busybox uevent runs this for every kernel uevent (netlink; no udev, no polling,
# so an idle guest costs nothing), with the event in its environment.
cat >"$root/bin/on-uevent" <<'EOF'
#!/bin/sh
case "$SUBSYSTEM:$ACTION:$DEVTYPE" in
    block:add:disk) echo "novasite guest: disk $DEVNAME added ($(($(cat "/sys/block/$DEVNAME/size") / 2048)) MiB)" ;;
    block:remove:disk) echo "novasite guest: disk $DEVNAME removed" ;;
    net:add:*)
        ip link set "$INTERFACE" up
        echo "novasite guest: nic $INTERFACE added ($(cat "/sys/class/net/$INTERFACE/address"))" ;;
    net:remove:*) echo "novasite guest: nic $INTERFACE removed" ;;
    cpu:add:*) echo 1 >"/sys$DEVPATH/online" && echo "novasite guest: ${DEVPATH##*/} online" ;;
esac
EOF
chmod 755 "$root/bin/on-uevent"

(cd "$root" && find . | "$busybox" cpio -o -H newc 2>/dev/null | gzip -9) >"$work/initrd.img"

# --- disk: MBR + one bootable FAT16 partition holding SYSLINUX, kernel, initramfs -------
part=$work/part.img
mkfs.fat -F 16 -n NOVAGUEST -h $PART_START -C "$part" $((PART_MIB * 1024)) >/dev/null
cat >"$work/syslinux.cfg" <<'EOF'
SERIAL 0 115200
DEFAULT novasite
PROMPT 0
TIMEOUT 0
LABEL novasite
  KERNEL /vmlinuz
  INITRD /initrd.img
  APPEND console=tty0 console=ttyS0,115200 panic=10
EOF
mcopy -i "$part" "$P/boot/vmlinuz-$kver" ::/vmlinuz
mcopy -i "$part" "$work/initrd.img" ::/initrd.img
mcopy -i "$part" "$work/syslinux.cfg" ::/syslinux.cfg
syslinux --install "$part"

le32() { printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
disk=$work/disk.raw
truncate -s $((PART_START * 512)) "$disk"
dd if="$P/usr/lib/syslinux/mbr/mbr.bin" of="$disk" conv=notrunc status=none
# One entry: active, CHS unused (LBA), type 0x0e (FAT16 LBA), start, length; then 55 AA.
printf "\\x80\\xfe\\xff\\xff\\x0e\\xfe\\xff\\xff$(le32 $PART_START)$(le32 $((PART_MIB * 2048)))" |
    dd of="$disk" bs=1 seek=446 conv=notrunc status=none
printf '\x55\xaa' | dd of="$disk" bs=1 seek=510 conv=notrunc status=none
cat "$part" >>"$disk"

mkdir -p "$CACHE/$key.tmp"
qemu-img convert -f raw -O qcow2 "$disk" "$CACHE/$key.tmp/novasite-guest.qcow2"
echo "$manifest" >"$CACHE/$key.tmp/packages.txt"
rm -rf "$CACHE/$key" && mv "$CACHE/$key.tmp" "$CACHE/$key"
chmod 755 "$CACHE" "$CACHE/$key" && chmod 644 "$out"
# Only the current key is kept.
for old in "$CACHE"/*/; do [ "$old" = "$CACHE/$key/" ] || rm -rf "$old"; done
log "built $out ($(du -k "$out" | cut -f1) KiB; $(echo $manifest))"
echo "$out"
