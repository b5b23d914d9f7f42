#!/usr/bin/env bash
# Install the Debian packages named on the command line when they are missing
# (CI machines and new developer machines start without them).
#   scripts/ensure-system-packages.sh postgresql chromium default-jre-headless wrk
set -euo pipefail

present() {
  case "$1" in
    postgresql) ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 ;;
    chromium) command -v chromium >/dev/null 2>&1 ;;
    poppler-utils) command -v pdftoppm >/dev/null 2>&1 ;;
    fonts-dejavu-core) [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] ;;
    fonts-droid-fallback) [ -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ] ;;
    fonts-nanum) [ -f /usr/share/fonts/truetype/nanum/NanumGothic.ttf ] ;;
    nodejs) command -v node >/dev/null 2>&1 ;;
    default-jre-headless) command -v java >/dev/null 2>&1 ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}

missing=()
for package in "$@"; do
  present "$package" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Please install: ${missing[*]} (e.g. sudo apt-get install -y ${missing[*]})" >&2
  exit 1
fi
echo "Installing ${missing[*]} ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
