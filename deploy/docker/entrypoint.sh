#!/bin/sh
# The image's entrypoint, run by tini: `aether <role> [options]`.
#
# Started as root (a worker's or `up`'s container), it prepares what the process driver's
# sandboxes need from the container and then runs aether as AETHER_RUN_AS (default `aether`;
# `root` keeps root, which cgroup limits need). Started as any other user, it only runs aether.
#
# Why the proc mount: a sandbox mounts a fresh /proc inside its own user namespace, which the
# kernel allows only while some proc mount in the container is fully visible. Docker masks
# parts of /proc (/proc/kcore, /proc/sys, ...), and compose cannot lift that
# (`systempaths=unconfined` is a docker-run-only option), so with CAP_SYS_ADMIN we mount one
# more, unmasked, at /run/aether-proc. Its sensitive files stay root-only; aether then runs
# without any capability unless AETHER_RUN_AS=root.
set -eu

role=${1:-}
if [ "$(id -u)" != 0 ]; then
  exec aether "$@"
fi

if [ "$role" = worker ] || [ "$role" = up ]; then
  if ! mountpoint -q /run/aether-proc; then
    if ! mount -t proc -o nosuid,nodev,noexec proc /run/aether-proc 2>/dev/null; then
      echo "aether-entrypoint: cannot mount /run/aether-proc (needs CAP_SYS_ADMIN, and AppArmor unconfined where it is on); process-driver sandboxes will not start unless /proc is unmasked (docker run --security-opt systempaths=unconfined)" >&2
    fi
  fi
fi

run_as=${AETHER_RUN_AS:-aether}
if [ "$run_as" = root ]; then
  exec aether "$@"
fi
# Switching to another uid empties the permitted and effective sets; --inh-caps empties the
# inheritable one, and the bounding set goes too where the container lets us (CAP_SETPCAP; with
# no-new-privileges nothing could use it anyway). --keep-groups: supplementary groups given to
# the container (compose group_add) stay.
bounding=""
cap_eff=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
if [ $(( 0x$cap_eff >> 8 & 1 )) = 1 ]; then
  bounding="--bounding-set=-all"
fi
# shellcheck disable=SC2086 # $bounding is one option or none
exec setpriv --reuid="$run_as" --regid="$run_as" --keep-groups --inh-caps=-all $bounding -- aether "$@"
