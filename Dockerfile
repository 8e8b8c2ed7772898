# Aetherium's platform image: one image for every role, chosen by the command (`gateway`,
# `worker`, `migrate`, or `up` for all in one). docs/deployment.md says what each role needs
# from the container runtime (a worker's driver decides its privileges).
#
#   docker build -t aetherium .
#
# Build arguments:
#   BASE_IMAGE      Debian whose archive has Node.js >= 20.19 (trixie's does; bookworm's is 18)
#   EXTRA_PACKAGES  Debian packages added to the final image, e.g. "qemu-system-x86 qemu-utils"
#   EXTRA_CA_CERTS  PEM certificates the build trusts besides the public ones, for a network
#                   that intercepts TLS: --build-arg EXTRA_CA_CERTS="$(cat corp-ca.crt)"
#   NPM_VERSION, NPM_INTEGRITY  the npm release the build installs with, and its sha512
ARG BASE_IMAGE=debian:trixie-slim

FROM ${BASE_IMAGE} AS build
ARG EXTRA_CA_CERTS=""
ARG NPM_VERSION=11.19.1
ARG NPM_INTEGRITY=sha512-ztsxKxt/kkIaAs+2i0GU6I+DRmUdrNasxTZKJe9TCdSjKxlhah/4r/hl5ygMD6XAg1qZ9c2TNomR4qgOydp10g==
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/build-extra-ca.pem \
    npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs ca-certificates \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && printf '%s\n' "$EXTRA_CA_CERTS" > "$NODE_EXTRA_CA_CERTS"
COPY deploy/docker/fetch-npm.mjs /tmp/fetch-npm.mjs
RUN node /tmp/fetch-npm.mjs "$NPM_VERSION" "$NPM_INTEGRITY" /opt/npm
WORKDIR /src
# Dependencies first, from the manifests alone: this layer is reused until the lockfile changes.
COPY package.json package-lock.json ./
COPY packages/sdk/package.json packages/sdk/
COPY packages/dashboard/package.json packages/dashboard/
# package.json's allowScripts lets no dependency run an install script; none runs here either.
RUN node /opt/npm/bin/npm-cli.js ci --ignore-scripts
# What the build reads, by name: files it does not read (docs, tests, deploy/) change nothing here.
COPY tsconfig.json tsconfig.build.json ./
COPY bin bin/
COPY scripts scripts/
COPY packages packages/
COPY src src/
# What `npm ci` runs as `prepare`; then only production dependencies stay for the final stage.
RUN node scripts/build.mjs \
 && node /opt/npm/bin/npm-cli.js prune --omit=dev --ignore-scripts \
 && rm -f node_modules/@aetherium/dashboard

FROM ${BASE_IMAGE}
ARG EXTRA_PACKAGES=""
# tini: PID 1 that forwards signals and reaps; util-linux, mount, bubblewrap, e2fsprogs and
# iproute2: what the process driver runs (unshare/bwrap, setpriv, loop-mounted home volumes).
# With QEMU in EXTRA_PACKAGES: the qemu driver boots `-M microvm` with -kernel and no option
# ROMs, which takes qboot as the machine's firmware. Bookworm links bios-microvm.bin to qboot;
# trixie's QEMU 10 falls back to SeaBIOS's, which then finds no bootable device.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      nodejs ca-certificates tini util-linux mount bubblewrap e2fsprogs iproute2 $EXTRA_PACKAGES \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && node -e 'const [major, minor] = process.versions.node.split(".").map(Number); \
      if (major < 20 || (major === 20 && minor < 19)) { \
        console.error(`Node.js ${process.version} from BASE_IMAGE is older than 20.19: use a Debian trixie base`); \
        process.exit(1); }' \
 && if [ -f /usr/share/qemu/qboot.rom ] && [ ! -e /usr/share/qemu/bios-microvm.bin ]; then \
      ln -s qboot.rom /usr/share/qemu/bios-microvm.bin; \
    fi \
 && groupadd --system --gid 10001 aether \
 && useradd --system --uid 10001 --gid aether --home-dir /var/lib/aether --no-create-home \
      --shell /usr/sbin/nologin aether \
 && install -d -o aether -g aether -m 0755 /var/lib/aether \
 && install -d -m 0555 /run/aether-proc
WORKDIR /opt/aetherium
COPY --from=build /src/package.json ./
COPY --from=build /src/bin bin
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/packages/sdk/package.json packages/sdk/
COPY --from=build /src/packages/sdk/dist packages/sdk/dist
COPY --from=build /src/dist dist
COPY deploy/docker/healthcheck.mjs /usr/local/lib/aetherium/healthcheck.mjs
COPY deploy/docker/entrypoint.sh /usr/local/bin/aether-entrypoint
RUN ln -s /opt/aetherium/bin/aether.js /usr/local/bin/aether
# The data dir holds a worker's VMs and a gateway's saved admin key: the one place a role
# writes besides /tmp, so the root file system can be mounted read-only.
ENV NODE_ENV=production \
    AETHER_HOST=0.0.0.0 \
    AETHER_DATA_DIR=/var/lib/aether \
    AETHER_CREDENTIALS_FILE=/var/lib/aether/credentials.json
VOLUME /var/lib/aether
USER aether
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "/usr/local/lib/aetherium/healthcheck.mjs"]
ENTRYPOINT ["tini", "--", "aether-entrypoint"]
CMD ["gateway"]
