# Sourced by every entry script: puts Node.js 24 LTS first on PATH. A machine
# whose own node is 24 or newer uses it as it is; an older one (Debian's
# images ship 20, past its end of life) gets the pinned release from the npm
# registry (package node-linux-<arch>, the official binary) in .infra/node,
# once, the way scripts/infra installs Kafka from Maven Central. The
# machine's npm runs under it (npm is a script run by whichever node is first).
# NODE_VERSION in scripts/infra.d/infra.env pins the release.

__sf_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
__sf_node_dir="${INFRA_DIR:-$__sf_root/.infra}/node"
NODE_MAJOR_REQUIRED=24

__sf_node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

__sf_install_node() {
  local version arch tmp
  version="${NODE_VERSION:-$(sed -n 's/^NODE_VERSION=//p' "$__sf_root/scripts/infra.d/infra.env")}"
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "[node] no Node.js $version build for $(uname -m) in the npm registry: install Node.js $NODE_MAJOR_REQUIRED yourself" >&2; return 1 ;;
  esac
  command -v npm >/dev/null || { echo "[node] npm not found: install Node.js (any version, with npm) so Node.js $version can be fetched" >&2; return 1; }
  echo "[node] this machine has Node.js $(node --version 2>/dev/null || echo none); installing $version from the npm registry into $__sf_node_dir" >&2
  tmp="$(mktemp -d)"
  # npm checks the tarball against the registry's integrity hash
  if ! (cd "$tmp" && npm pack "node-linux-$arch@$version" --silent >/dev/null); then
    rm -rf "$tmp"
    echo "[node] could not fetch node-linux-$arch@$version from the npm registry (see above)" >&2
    return 1
  fi
  rm -rf "$__sf_node_dir" && mkdir -p "$__sf_node_dir"
  tar -xzf "$tmp"/node-linux-*.tgz -C "$__sf_node_dir" --strip-components=1 package/bin/node
  rm -rf "$tmp"
  [[ "$(__sf_node_major "$__sf_node_dir/bin/node")" -ge $NODE_MAJOR_REQUIRED ]] || { echo "[node] $__sf_node_dir/bin/node does not run" >&2; return 1; }
}

if [[ "$(__sf_node_major node)" -lt $NODE_MAJOR_REQUIRED ]]; then
  if [[ "$(__sf_node_major "$__sf_node_dir/bin/node")" -lt $NODE_MAJOR_REQUIRED ]]; then
    __sf_install_node || exit 1
  fi
  export PATH="$__sf_node_dir/bin:$PATH"
fi
unset -f __sf_install_node
