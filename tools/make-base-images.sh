#!/usr/bin/env bash
# Makes, with podman, the base images the Dockerfile and docker-compose.yml need, for a host that reaches no image
# registry (the CI machine): only Debian's package mirror and the npm registry.
#   tools/make-base-images.sh            the Debian and Node.js bases
#   tools/make-base-images.sh --services also Redis, PostgreSQL and nginx for docker-compose.yml
# It prints their names as the Dockerfile's build arguments and docker-compose.yml's variables take them:
#   NODE_IMAGE=… RUNTIME_IMAGE=… [REDIS_IMAGE=… POSTGRES_IMAGE=… NGINX_IMAGE=…], one per line.
# Tags carry a hash of the recipes (this script, deploy/images/, the Node version), so an image already made from
# the same recipe is kept (they are the slow part) and a changed recipe makes new ones. Needs root, podman and
# mmdebstrap; set CONTAINERS_CONF=deploy/podman/containers.conf on hosts without CAP_SYS_RESOURCE.
set -euo pipefail
# podman's helper processes run elsewhere: they need the file's absolute path.
[ -n "${CONTAINERS_CONF:-}" ] && CONTAINERS_CONF="$(realpath "$CONTAINERS_CONF")" && export CONTAINERS_CONF
cd "$(dirname "$0")/.."

NODE_VERSION="$(tools/node.sh --print-version)"
NPM_VERSION=11.19.1
SUITE=bookworm
RECIPE="$(cat tools/make-base-images.sh deploy/images/* | sha256sum | cut -c1-12)"
DEBIAN_IMAGE="localhost/rendezvous-base/debian:${SUITE}-${RECIPE}"
NODE_IMAGE="localhost/rendezvous-base/node:${NODE_VERSION}-${SUITE}-${RECIPE}"

exists() { podman image exists "$1"; }
log() { echo "make-base-images: $*" >&2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if ! exists "$DEBIAN_IMAGE"; then
  log "building ${DEBIAN_IMAGE} with mmdebstrap (minbase + ca-certificates, no docs, manuals or translations)"
  mmdebstrap --quiet --variant=minbase --include=ca-certificates --mode=root \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    "$SUITE" "${work}/rootfs.tar"
  podman import --quiet "${work}/rootfs.tar" "$DEBIAN_IMAGE" >/dev/null
fi

# Mounting the machine's CA bundle lets builds reach HTTPS mirrors through this machine's egress proxy.
build_flags=(--quiet --network host --format docker --build-arg "DEBIAN_IMAGE=${DEBIAN_IMAGE}")
[ -f /etc/ssl/certs/ca-certificates.crt ] &&
  build_flags+=(--volume /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro)

if ! exists "$NODE_IMAGE"; then
  log "building ${NODE_IMAGE} (Node.js ${NODE_VERSION} and npm ${NPM_VERSION} from the npm registry)"
  context="${work}/node"
  mkdir -p "${context}/node" "${context}/npm"
  node_dir="$(tools/node.sh --print-dir)"
  cp -a "${node_dir}/bin" "${node_dir}/include" "${node_dir}/share" "${context}/node/"
  # npm checks the tarball against the registry's integrity.
  (cd "$work" && npm pack --silent "npm@${NPM_VERSION}" >/dev/null)
  tar -xzf "${work}/npm-${NPM_VERSION}.tgz" -C "${context}/npm" --strip-components=1
  podman build "${build_flags[@]}" -f deploy/images/node.Containerfile -t "$NODE_IMAGE" "$context" >/dev/null
fi

echo "NODE_IMAGE=${NODE_IMAGE}"
echo "RUNTIME_IMAGE=${DEBIAN_IMAGE}"

if [ "${1:-}" = "--services" ]; then
  for service in redis postgres nginx; do
    image="localhost/rendezvous-base/${service}:${SUITE}-${RECIPE}"
    if ! exists "$image"; then
      log "building ${image} from Debian's package"
      podman build "${build_flags[@]}" -f "deploy/images/${service}.Containerfile" -t "$image" deploy/images >/dev/null
    fi
    echo "${service^^}_IMAGE=${image}"
  done
fi

# Bases of older recipes are not used again.
podman images --format '{{.Repository}}:{{.Tag}}' | grep '^localhost/rendezvous-base/' | grep -v -- "-${RECIPE}\$" |
  xargs -r podman rmi --force >/dev/null 2>&1 || true
