#!/usr/bin/env bash
# Runs a command with the Node.js that Rendezvous is built, tested and shipped on (the image's Node, below):
#   tools/node.sh npm ci     tools/node.sh npm start     tools/node.sh --print-dir     tools/node.sh --print-version
# That Node comes from the npm registry (the official binaries, packaged as node-linux-<arch>), checked against
# the integrity pinned here, and cached in $RENDEZVOUS_NODE_CACHE (default ~/.cache/rendezvous/node), so the
# machine's own Node can be anything. npm is the machine's; native modules (better-sqlite3) are compiled against
# the headers of this Node through npm_config_nodedir, since node-gyp cannot download them on a closed network.
set -euo pipefail

NODE_VERSION=24.22.3
case "$(uname -m)" in
  x86_64)
    NODE_ARCH=x64
    NODE_INTEGRITY='sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=='
    ;;
  aarch64 | arm64)
    NODE_ARCH=arm64
    NODE_INTEGRITY='sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw=='
    ;;
  *)
    echo "tools/node.sh: no pinned Node.js for $(uname -m); install Node.js ${NODE_VERSION} yourself" >&2
    exit 1
    ;;
esac

if [ "${1:-}" = "--print-version" ]; then
  echo "$NODE_VERSION"
  exit 0
fi

package="node-linux-${NODE_ARCH}"
cache="${RENDEZVOUS_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rendezvous/node}"
tarball="${cache}/${package}-${NODE_VERSION}.tgz"
node_dir="${cache}/${package}-${NODE_VERSION}"

# sha512 of a file in npm's integrity form (base64), from coreutils alone.
integrity_of() {
  local hex
  hex="$(sha512sum "$1" | cut -d' ' -f1)"
  # shellcheck disable=SC2059 # the format is the hex digits as \xNN escapes
  printf 'sha512-%s' "$(printf "$(printf '%s' "$hex" | sed 's/../\\x&/g')" | base64 -w0)"
}

verified_tarball() {
  [ -f "$tarball" ] && [ "$(integrity_of "$tarball")" = "$NODE_INTEGRITY" ]
}

if ! verified_tarball || [ ! -x "${node_dir}/bin/node" ]; then
  mkdir -p "$cache"
  if ! verified_tarball; then
    rm -f "$tarball"
    echo "tools/node.sh: fetching ${package}@${NODE_VERSION} from the npm registry" >&2
    (cd "$cache" && npm pack --silent "${package}@${NODE_VERSION}" >/dev/null)
    actual="$(integrity_of "$tarball")"
    if [ "$actual" != "$NODE_INTEGRITY" ]; then
      rm -f "$tarball"
      echo "tools/node.sh: ${package}@${NODE_VERSION} has integrity ${actual}, expected ${NODE_INTEGRITY}" >&2
      exit 1
    fi
  fi
  rm -rf "$node_dir" "${node_dir}.partial"
  mkdir -p "${node_dir}.partial"
  tar -xzf "$tarball" -C "${node_dir}.partial" --strip-components=1
  mv "${node_dir}.partial" "$node_dir"
fi

if [ "${1:-}" = "--print-dir" ]; then
  echo "$node_dir"
  exit 0
fi
if [ $# -eq 0 ]; then
  echo "usage: tools/node.sh <command> [args...] | --print-dir | --print-version" >&2
  exit 2
fi
export PATH="${node_dir}/bin:${PATH}"
export npm_config_nodedir="$node_dir"
exec "$@"
