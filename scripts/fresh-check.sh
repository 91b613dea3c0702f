#!/usr/bin/env bash
# usage: bash scripts/fresh-check.sh [--as USER] [--keep-cache DIR]
# Reproduces CI as it really runs: a clean clone of HEAD into a temp folder, HOME set to a new temp
# folder holding only copies of ~/.npmrc and ~/.gitconfig (no npm cache, no editor-test cache, nothing
# else), then `bash .ci/run` with CI=true, a minimal environment and no standard input.
#   --as USER        run it as that (unprivileged) user instead of the current one (needs root)
#   --keep-cache DIR use DIR as HOME's .cache (the editor toolchain) to compare a cached run with a cold one
# Prints the clone, HOME and log paths and ends with .ci/run's exit code. Commit first: only HEAD is checked.
set -euo pipefail
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
as_user="" cache_dir=""
while [ $# -gt 0 ]; do
  case $1 in
    --as) as_user=$2; shift 2 ;;
    --keep-cache) cache_dir=$2; shift 2 ;;
    *) echo "usage: $0 [--as USER] [--keep-cache DIR]" >&2; exit 2 ;;
  esac
done
[ -z "$(git -C "$repo" status --porcelain --untracked-files=no)" ] || echo "fresh-check: uncommitted changes are NOT part of this check (HEAD only)" >&2

root=$(mktemp -d -t flowtune-fresh.XXXXXX)
clone="$root/clone" home="$root/home" log="$root/ci.log"
mkdir -p "$home"
git clone -q --no-hardlinks "$repo" "$clone"
git -C "$clone" checkout -q "$(git -C "$repo" rev-parse HEAD)"
for f in .npmrc .gitconfig; do [ -f "$HOME/$f" ] && cp "$HOME/$f" "$home/$f"; done
if [ -n "$cache_dir" ]; then mkdir -p "$cache_dir"; ln -s "$(realpath "$cache_dir")" "$home/.cache"; fi

# The machine's own proxy and TLS trust settings stay (they are the machine, not a cache); nothing else.
machine=()
for v in HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy NODE_EXTRA_CA_CERTS SSL_CERT_FILE SSL_CERT_DIR; do
  [ -n "${!v:-}" ] && machine+=("$v=${!v}")
done
run=(env -i HOME="$home" PATH="/usr/local/bin:/usr/bin:/bin" LANG=C.UTF-8 CI=true TERM=dumb "${machine[@]}" bash "$clone/.ci/run")
if [ -n "$as_user" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "--as needs root" >&2; exit 2; }
  chown -R "$as_user" "$root"
  chmod 755 "$root"
  run=(runuser -u "$as_user" -- "${run[@]}")
fi
echo "fresh-check: $(git -C "$repo" rev-parse --short HEAD) in $clone, HOME=$home${as_user:+, as $as_user}; log: $log"
t0=$SECONDS
set +e
(cd "$clone" && exec "${run[@]}" </dev/null 2>&1) | tee "$log"
rc=${PIPESTATUS[0]}
set -e
echo "fresh-check: .ci/run exit $rc after $(( SECONDS - t0 )) s"
grep -E '^(mocha|webview|editor): |^== .*(took|passed|failed)' "$log" || true
# A passing check leaves only its log; a failing one keeps the clone and HOME for diagnosis.
if [ "$rc" -eq 0 ]; then rm -rf "$clone" "$home"; else echo "fresh-check: kept $clone and $home"; fi
exit "$rc"
