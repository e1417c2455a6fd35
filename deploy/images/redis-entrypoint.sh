#!/bin/sh
# As in the official image: a redis-server started without its own protected-mode setting accepts connections
# from the container network (the compose network is its boundary), not only from loopback.
set -eu
if [ "${1:-}" = redis-server ]; then
  case " $* " in
    *" --protected-mode "*) ;;
    *) set -- "$@" --protected-mode no ;;
  esac
fi
exec "$@"
