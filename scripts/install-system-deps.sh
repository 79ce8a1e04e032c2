#!/usr/bin/env bash
# Installs the Debian packages ringmaster's lab and SSH tests need, without leaving system etcd/sshd/dockerd running.
# docker.io (dockerd, containerd, runc) is the real engine of the lab's `rke` flavour: one dockerd per node, started
# by `lab up` inside the node's namespaces, never as a system service.
# containerd (with its CRI) and runc run the kubeadm flavour's pods; bash-static is the /bin/sh of its etcd image.
set -euo pipefail
PKGS=(openssh-server openssh-client iproute2 util-linux procps openssl sudo etcd-server etcd-client docker.io containerd runc bash-static)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present (${PKGS[*]})"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "error: missing Debian packages: ${missing[*]}" >&2
  echo "  hint: as root run: apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi
# A policy-rc.d that says 101 keeps dpkg from starting etcd, sshd and dockerd on the real host.
created_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  created_policy=1
fi
trap '[ $created_policy -eq 1 ] && rm -f /usr/sbin/policy-rc.d' EXIT
echo "system packages: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system packages: installed"
