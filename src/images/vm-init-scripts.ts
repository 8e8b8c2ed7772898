/**
 * The two scripts a microVM guest boots through. The initramfs's `/init` (busybox sh) loads the
 * kernel modules, mounts the virtio disk and switches to it; the root disk's `/sbin/aether-init`
 * (POSIX sh, Debian's dash) mounts the kernel file systems, sets up the network the driver asked
 * for on the kernel command line (`aether.net=user|none`), prints one `aether-init:` line on the
 * serial console (the driver times the kernel boot by it) and hands PID 1 to tini, which reaps
 * orphans and runs the guest agent: on the virtio-serial port named `aether.agent` (QEMU), or,
 * with `aether.agent=vsock:<port>` on the kernel command line (Firecracker), on a Unix socket
 * that socat relays the vsock port to (Node cannot open AF_VSOCK sockets).
 *
 * With vsock, the agent is still tini's one child: when it exits, tini and so PID 1 exit, the
 * kernel panics and (panic=1, reboot=k) the VMM exits, as with the serial port. The relay runs
 * beside it under a loop that restarts it a second after it exits (it should not: `fork` serves
 * every connection in a child), so a relay that died does not leave a live VM unreachable.
 */

/** The line the guest's init prints on ttyS0 once the kernel is up begins with this. */
export const VM_INIT_MARKER = 'aether-init:';
/** Where the root disk holds the guest agent bundle (`.mjs`: Debian's Node 18 does not detect ESM). */
export const GUEST_AGENT_PATH = '/opt/aether/agent.mjs';
export const GUEST_INIT_PATH = '/sbin/aether-init';
/** The virtio-serial port (`-device virtserialport,name=...`) the agent serves on. */
export const AGENT_SERIAL_NAME = 'aether.agent';
export const GUEST_HOME = '/home/user';
/** Where the agent listens when the host reaches it over vsock (through the socat relay). */
export const GUEST_AGENT_SOCKET = '/run/aether/agent.sock';
/** How long (kernel uptime) the initramfs waits for the root disk to appear; TCG is slow. */
const ROOT_WAIT_S = 30;

/** The agent's command line, as PID 1 (tini) runs it. */
export const GUEST_AGENT_COMMAND: readonly string[] = Object.freeze([
  '/usr/bin/tini',
  '-s',
  '-g',
  '--',
  '/usr/bin/node',
  GUEST_AGENT_PATH,
  '--serial-name',
  AGENT_SERIAL_NAME,
  '--home',
  GUEST_HOME,
]);

/** The agent's command line when the host reaches it over vsock: it listens on a Unix socket. */
export const GUEST_VSOCK_AGENT_COMMAND: readonly string[] = Object.freeze([
  '/usr/bin/tini',
  '-s',
  '-g',
  '--',
  '/usr/bin/node',
  GUEST_AGENT_PATH,
  '--listen',
  GUEST_AGENT_SOCKET,
  '--home',
  GUEST_HOME,
]);

/**
 * The initramfs `/init`, loading `modules` in the given order (dependencies first). On any
 * failure it says what on the console and exits, which panics the kernel (`panic=-1` then ends
 * the VM); with `aether.debug` on the kernel command line it opens a shell on the console instead.
 */
export function initramfsInitScript(modules: readonly string[]): string {
  for (const name of modules) {
    if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`not a kernel module name: ${JSON.stringify(name)}`);
  }
  return `#!/bin/busybox sh
# initramfs of an Aetherium microVM, written by \`aether image build --vm\`: loads the kernel
# modules the root disk needs (Debian's kernel has virtio and ext4 as modules), mounts the
# virtio disk /dev/vda read-write and hands over to ${GUEST_INIT_PATH} on it.
export PATH=/bin

fail() {
\techo "aether-initramfs: $*" > /dev/console
\tcase " $(cat /proc/cmdline 2> /dev/null) " in
\t*" aether.debug "*)
\t\techo 'aether-initramfs: aether.debug is set: starting a shell on the console' > /dev/console
\t\t/bin/busybox --install -s /bin
\t\texec sh < /dev/console > /dev/console 2>&1
\t\t;;
\tesac
\techo 'aether-initramfs: cannot boot, stopping (the kernel panics now; boot with aether.debug for a shell)' > /dev/console
\texit 1
}

mkdir -p /proc /sys /dev /newroot
mount -t proc proc /proc || fail 'cannot mount /proc'
mount -t sysfs sysfs /sys || fail 'cannot mount /sys'
mount -t devtmpfs devtmpfs /dev || fail 'cannot mount devtmpfs on /dev'

for module in ${modules.join(' ')}; do
\t[ -d "/sys/module/$module" ] && continue
\tinsmod "/lib/modules/$module.ko" || fail "cannot load the kernel module $module"
done

read -r uptime _ < /proc/uptime
deadline=$((\${uptime%%.*} + ${ROOT_WAIT_S}))
while [ ! -b /dev/vda ]; do
\tread -r uptime _ < /proc/uptime
\tif [ "\${uptime%%.*}" -ge "$deadline" ]; then
\t\tfail 'root device /dev/vda not found after ${ROOT_WAIT_S} s: is a virtio-blk disk attached (-device virtio-blk-device)?'
\tfi
\tsleep 0.1
done
mount -t ext4 -o rw /dev/vda /newroot || fail 'cannot mount /dev/vda (ext4) read-write on /newroot'
[ -x /newroot${GUEST_INIT_PATH} ] || fail '${GUEST_INIT_PATH} is missing on the root disk /dev/vda'

mount -o move /dev /newroot/dev || fail 'cannot move /dev to the root disk'
umount /sys /proc
exec switch_root /newroot ${GUEST_INIT_PATH}
`;
}

/**
 * `/sbin/aether-init` on the root disk: PID 1 until it execs tini. Every program started costs
 * a lot under software emulation, so it reads /proc with shell builtins (`read`), not grep or cut.
 */
export const GUEST_INIT_SCRIPT = `#!/bin/sh
# PID 1 of an Aetherium microVM guest, written by \`aether image build --vm\`. Mounts the kernel
# file systems, sets up the network the driver asked for (aether.net=user|tap|none on the kernel
# command line), prints one "${VM_INIT_MARKER}" line on the serial console, then hands PID 1
# to tini, which reaps orphans and runs the guest agent: on the virtio-serial port
# "${AGENT_SERIAL_NAME}", or with aether.agent=vsock:<port> on ${GUEST_AGENT_SOCKET}, which a
# socat relay serves on that vsock port (restarted if it exits; the VM ends when the agent does).
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

[ -r /proc/mounts ] || mount -t proc -o nosuid,nodev,noexec proc /proc
mounts=' '
while read -r _ point _; do mounts="$mounts$point "; done < /proc/mounts
mounted() {
\tcase "$mounts" in *" $1 "*) return 0 ;; esac
\treturn 1
}

mounted /sys || mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
mounted /dev || mount -t devtmpfs -o nosuid,mode=0755 devtmpfs /dev
[ -d /dev/pts ] && [ -d /dev/shm ] || mkdir -p /dev/pts /dev/shm
mounted /dev/pts || mount -t devpts -o nosuid,noexec,gid=5,mode=0620,ptmxmode=0666 devpts /dev/pts
mounted /dev/shm || mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /dev/shm
mounted /tmp || mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /tmp
mounted /run || mount -t tmpfs -o nosuid,nodev,mode=0755 tmpfs /run

echo aether > /proc/sys/kernel/hostname
ip link set lo up

read -r cmdline < /proc/cmdline
net=none
case " $cmdline " in
*" aether.net=user "*)
\tnet=user
\t# QEMU user networking: the guest is 10.0.2.15, the gateway 10.0.2.2, DNS 10.0.2.3.
\tif ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 && ip route add default via 10.0.2.2; then
\t\techo 'nameserver 10.0.2.3' > /etc/resolv.conf
\telse
\t\tnet=failed
\t\techo 'aether-net: could not configure eth0 for QEMU user networking' > /dev/console
\tfi
\t;;
*" aether.net=tap "*)
\tnet=tap
\t# The host bridge: the worker leased an address and put it on the command line as
\t# ip=<guest>::<gateway>:<netmask>::eth0:off[:<dns0>[:<dns1>]] (the kernel's own syntax,
\t# applied here; a kernel with IP_PNP has applied it already, hence replace, not add).
\tspec=
\tfor word in $cmdline; do case "$word" in ip=*) spec=\${word#ip=} ;; esac; done
\tIFS=: read -r guest _ gateway mask _ device _ dns0 dns1 _ <<SPEC
$spec
SPEC
\tdevice=\${device:-eth0}
\tif [ -n "$guest" ] && ip link set "$device" up && ip addr replace "$guest/$mask" dev "$device" && ip route replace default via "$gateway"; then
\t\tnet="tap $guest"
\t\t: > /etc/resolv.conf
\t\tfor server in $dns0 $dns1; do echo "nameserver $server" >> /etc/resolv.conf; done
\telse
\t\tnet=failed
\t\techo "aether-net: could not configure $device from ip=$spec" > /dev/console
\tfi
\t;;
esac

agent=serial
for word in $cmdline; do case "$word" in aether.agent=*) agent=\${word#aether.agent=} ;; esac; done
case "$agent" in
serial) ;;
vsock:*)
	port=\${agent#vsock:}
	# A decimal vsock port, 1 to 2^32-1, without leading zeros (socat would read them as octal).
	case "$port" in '' | 0* | *[!0-9]*) port= ;; esac
	if [ -z "$port" ] || [ \${#port} -gt 10 ] || [ "$port" -gt 4294967295 ]; then
		echo "aether-agent: invalid aether.agent=$agent on the kernel command line: the vsock port is a number from 1 to 4294967295" > /dev/console
		exit 1
	fi
	if ! command -v socat > /dev/null; then
		echo 'aether-agent: socat is missing from this image, so the agent cannot be reached over vsock: rebuild it with the default packages (aether image build --vm)' > /dev/console
		exit 1
	fi
	;;
*)
	echo "aether-agent: unknown aether.agent=$agent on the kernel command line: serial or vsock:<port>" > /dev/console
	exit 1
	;;
esac

[ -d ${GUEST_HOME} ] || mkdir -p ${GUEST_HOME}
read -r uptime _ < /proc/uptime
echo "${VM_INIT_MARKER} up at $uptime s, network $net, starting the agent" > /dev/ttyS0
if [ "$agent" != serial ]; then
	mkdir -p -m 0700 ${GUEST_AGENT_SOCKET.slice(0, GUEST_AGENT_SOCKET.lastIndexOf('/'))}
	rm -f ${GUEST_AGENT_SOCKET}
	(
		while [ ! -S ${GUEST_AGENT_SOCKET} ]; do sleep 0.05; done
		while :; do
			socat VSOCK-LISTEN:$port,fork,reuseaddr UNIX-CONNECT:${GUEST_AGENT_SOCKET}
			echo "aether-agent: the vsock relay on port $port exited ($?); restarting it in 1 s" > /dev/console
			sleep 1
		done
	) < /dev/null > /dev/null 2> /dev/console &
	exec ${GUEST_VSOCK_AGENT_COMMAND.join(' ')}
fi
exec ${GUEST_AGENT_COMMAND.join(' ')}
`;
