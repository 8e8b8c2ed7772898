#!/bin/sh
# `--flag ...` means `redis-server --flag ...`; redis-server runs as the redis user in /data.
set -eu

case "${1:-}" in
  -*) set -- redis-server "$@" ;;
esac
if [ "${1:-}" = redis-server ] && [ "$(id -u)" = 0 ]; then
  chown redis:redis /data
  exec setpriv --reuid=redis --regid=redis --init-groups -- "$@"
fi
exec "$@"
