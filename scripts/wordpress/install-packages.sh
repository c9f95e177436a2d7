#!/usr/bin/env bash
# Installs Debian's WordPress, its German translation, a classic and two block themes, and PHP CLI,
# non-interactively and without starting any service (the tests serve WordPress with `php -S`).
set -euo pipefail

PACKAGES=(wordpress wordpress-l10n wordpress-theme-twentytwentyone wordpress-theme-twentytwentythree
          wordpress-theme-twentytwentytwo
          php-cli php-mysql php-xml php-mbstring php-gd php-curl php-intl)

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "wordpress packages: all installed"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "wordpress packages missing (${missing[*]}); run as root to install them" >&2
    exit 1
fi

# policy-rc.d exiting 101 keeps apt from starting apache2/mariadb; only ours is removed afterwards.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
echo "wordpress packages: installed ${missing[*]}"
