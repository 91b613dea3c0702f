#!/usr/bin/env bash
# usage: bash scripts/ensure-debian-packages.sh PACKAGE...
# Makes sure Debian packages a test layer needs are installed. Missing ones are installed with apt-get
# when this user may (root, or sudo without a password); otherwise it stops at once, naming the one
# command that fixes it. Never prompts (CI has no standard input).
set -euo pipefail
[ "$#" -gt 0 ] || { echo "usage: $0 PACKAGE..." >&2; exit 2; }
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

fix="sudo apt-get install -y ${missing[*]}"
if ! command -v apt-get >/dev/null; then
  echo "missing: ${missing[*]} (the test layers need Debian's packages; on another system install their equivalents)" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "missing Debian packages: ${missing[*]}. This user cannot install them; run: $fix" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}" >&2
# apt's own lock waits are bounded so that a stuck dpkg elsewhere fails this step instead of hanging it.
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 install -y -qq "${missing[@]}" >&2 \
  || { echo "apt-get could not install ${missing[*]}; run: $fix" >&2; exit 1; }
