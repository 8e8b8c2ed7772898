#!/usr/bin/env bash
# Builds every image the compose deployment runs, from Debian's archive, the npm registry and
# this checkout, with no container registry: a Debian trixie base made by debootstrap (once,
# then kept by its tag), stand-ins for the official postgres and redis images, and the Aetherium
# image from the repository's Dockerfile. Docker's layer cache makes a repeated run take seconds.
# Used by .ci/run and by test/deploy/compose.test.ts; needs Docker, and root plus debootstrap
# the first time (for the base).
#
# Environment, all optional:
#   AETHER_CI_BASE_IMAGE      Debian base every image builds FROM   (aether-ci/debian:trixie)
#   AETHER_CI_IMAGE           the Aetherium image                   (aether-ci/aetherium:latest;
#                             its build stage, the next build's cache, is tagged IMAGE-build)
#   AETHER_CI_POSTGRES_IMAGE  the PostgreSQL stand-in               (aether-ci/postgres:17)
#   AETHER_CI_REDIS_IMAGE     the Redis stand-in                    (aether-ci/redis:trixie)
#   AETHER_CI_DEBIAN_MIRROR   where debootstrap fetches from        (http://deb.debian.org/debian)
#   AETHER_BUILD_CA_FILE      PEM certificates the image build's npm trusts besides the public
#                             ones; default: those this host added in /usr/local/share/ca-certificates
set -euo pipefail

repo=$(cd "$(dirname "$0")/../../.." && pwd)
here="$repo/deploy/compose/ci"
base=${AETHER_CI_BASE_IMAGE:-aether-ci/debian:trixie}
image=${AETHER_CI_IMAGE:-aether-ci/aetherium:latest}
postgres=${AETHER_CI_POSTGRES_IMAGE:-aether-ci/postgres:17}
redis=${AETHER_CI_REDIS_IMAGE:-aether-ci/redis:trixie}
mirror=${AETHER_CI_DEBIAN_MIRROR:-http://deb.debian.org/debian}

# The Dockerfiles use no BuildKit syntax; without the buildx plugin the CLI must be told so.
docker buildx version >/dev/null 2>&1 || export DOCKER_BUILDKIT=0

scratch=$(mktemp -d "${TMPDIR:-/tmp}/aether-images.XXXXXX")
cleanup() {
  # debootstrap mounts proc and sys in its target; a failed run may leave them behind.
  findmnt -rn -o TARGET | grep -F "$scratch/" | sort -r | xargs -r umount -l 2>/dev/null || true
  rm -rf --one-file-system "$scratch"
}
trap cleanup EXIT

step() { printf '==> %s\n' "$*"; }

# docker build -t TAG, its output kept out of the way unless it fails. The image TAG named
# before is removed once nothing uses it: each source change would otherwise leave one behind.
build() {
  local tag=$1 log="$scratch/build.log" old new
  shift
  old=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
  if ! docker build --force-rm -t "$tag" "$@" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "docker build -t $tag $* failed" >&2
    exit 1
  fi
  new=$(docker image inspect -f '{{.Id}}' "$tag")
  if [ -n "$old" ] && [ "$old" != "$new" ]; then docker image rm "$old" >/dev/null 2>&1 || true; fi
}

if docker image inspect "$base" >/dev/null 2>&1; then
  step "base $base: present"
else
  step "base $base: debootstrap --variant=minbase trixie from $mirror (a minute or two, once)"
  if [ "$(id -u)" != 0 ] || ! command -v debootstrap >/dev/null; then
    echo "making $base needs root and debootstrap (apt-get install debootstrap); or load an official" \
      "Debian trixie image and set AETHER_CI_BASE_IMAGE to its tag" >&2
    exit 1
  fi
  debootstrap --variant=minbase trixie "$scratch/rootfs" "$mirror" >"$scratch/debootstrap.log" 2>&1 || {
    tail -n 20 "$scratch/debootstrap.log" >&2
    exit 1
  }
  # As src/images/rootfs-trim.ts does for guest images: no downloaded packages, no package lists,
  # not the build host's name or name servers (Docker provides both at run time).
  rm -rf "$scratch"/rootfs/var/cache/apt/archives/*.deb "$scratch"/rootfs/var/lib/apt/lists/*
  echo aether >"$scratch/rootfs/etc/hostname"
  : >"$scratch/rootfs/etc/resolv.conf"
  tar -C "$scratch/rootfs" -c . | docker import --change 'CMD ["bash"]' - "$base" >/dev/null
fi

step "stand-ins: $postgres, $redis (Debian's postgresql and redis-server)"
build "$postgres" --build-arg BASE_IMAGE="$base" "$here/postgres"
build "$redis" --build-arg BASE_IMAGE="$base" "$here/redis"

ca_pem=""
if [ -n "${AETHER_BUILD_CA_FILE:-}" ]; then
  ca_pem=$(cat "$AETHER_BUILD_CA_FILE")
else
  shopt -s nullglob
  added=(/usr/local/share/ca-certificates/*.crt /usr/local/share/ca-certificates/*/*.crt)
  shopt -u nullglob
  [ ${#added[@]} -eq 0 ] || ca_pem=$(cat "${added[@]}")
fi

step "image $image (FROM $base)"
# The build stage gets a tag of its own: it is the cache of the next build (npm ci is minutes).
args=(--build-arg BASE_IMAGE="$base" --build-arg EXTRA_CA_CERTS="$ca_pem" "$repo")
build "$image-build" --target build "${args[@]}"
build "$image" "${args[@]}"
step "images ready"
