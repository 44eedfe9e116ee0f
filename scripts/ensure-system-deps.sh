#!/usr/bin/env bash
# Install the system tools the test harness needs (Debian), only those that are missing
# (chromium-headless-shell: the browser the end-to-end specs drive, the full chromium the benches';
# haproxy: the load balancer in front of two instances in test/integration/many-instances.test.ts;
# buildah: builds and runs the Dockerfile's image in test/integration/image.test.ts).
# Idempotent: with everything present it changes nothing and never runs apt-get.
#   scripts/ensure-system-deps.sh [--dry-run]
# The harness starts its own `docker-registry serve CONFIG` processes on free loopback ports;
# the Debian package's own service (port 5000) is kept from starting and is never used.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

DRY_RUN=0
[[ "${1:-}" == "--dry-run" ]] && DRY_RUN=1

# command (as checked with `command -v`) → Debian package
CHECKS=(
  "/usr/bin/chromium chromium"
  "/usr/bin/chromium-headless-shell chromium-headless-shell"
  "docker-registry docker-registry"
  "skopeo skopeo"
  "umoci umoci"
  "htpasswd apache2-utils"
  "haproxy haproxy"
  "buildah buildah"
)

missing=()
for check in "${CHECKS[@]}"; do
  read -r cmd pkg <<<"$check"
  if command -v "$cmd" >/dev/null 2>&1; then
    echo "present: $pkg ($(command -v "$cmd"))"
  else
    missing+=("$pkg")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n env DEBIAN_FRONTEND=noninteractive)
  else
    echo "error: need root or sudo to install: ${missing[*]}" >&2
    exit 1
  fi
fi

run() {
  if [[ $DRY_RUN -eq 1 ]]; then echo "would run: ${SUDO[*]} $*"; else "${SUDO[@]}" "$@"; fi
}

# Keep maintainer scripts from starting services (docker-registry would listen on :5000):
# a temporary policy-rc.d answering 101 ("action forbidden"), unless one already exists.
POLICY=/usr/sbin/policy-rc.d
if [[ $DRY_RUN -eq 0 ]] && ! "${SUDO[@]}" test -e "$POLICY"; then
  "${SUDO[@]}" sh -c "printf '#!/bin/sh\nexit 101\n' > $POLICY && chmod 755 $POLICY"
  trap '"${SUDO[@]}" rm -f "$POLICY"' EXIT
fi

install() {
  run apt-get install -y --no-install-recommends "${missing[@]}"
}

run apt-get update
if ! install; then
  echo "apt-get install failed; updating package lists and retrying once" >&2
  run apt-get update
  install
fi

# If systemd runs here, make sure the packaged service is neither running nor enabled.
if [[ $DRY_RUN -eq 0 && -d /run/systemd/system ]] && [[ " ${missing[*]} " == *" docker-registry "* ]]; then
  "${SUDO[@]}" systemctl disable --now docker-registry.service >/dev/null 2>&1 || true
fi

for pkg in "${missing[@]}"; do
  if [[ $DRY_RUN -eq 1 ]]; then echo "would install: $pkg"; else echo "installed: $pkg"; fi
done
