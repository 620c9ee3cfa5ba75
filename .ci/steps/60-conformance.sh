# The official MCP conformance suite (server mode) against `wxo-mcp serve --transport http`,
# stateful and --stateless, with the scenario sets of both protocol revisions the suite knows
# (2025-06-18 and 2025-11-25; version 0.1.16 has none for 2026-07-28). Expected failures, each
# with its reason, are in .ci/conformance-baseline.yml; anything else failing fails CI.
# Needs Node 22, which npm installs here as the `node` package (the machine's node may be 20).
CONFORMANCE_VERSION=0.1.16
section "MCP conformance suite $CONFORMANCE_VERSION (npm, node 22)"
npm install --prefix "$SCRATCH/conformance" --no-audit --no-fund --loglevel=error \
  "node@22" "@modelcontextprotocol/conformance@$CONFORMANCE_VERSION"
CONFORMANCE_NODE="$SCRATCH/conformance/node_modules/.bin/node"
CONFORMANCE_JS="$SCRATCH/conformance/node_modules/@modelcontextprotocol/conformance/dist/index.js"
[[ -x "$CONFORMANCE_NODE" && -f "$CONFORMANCE_JS" ]] || fail "npm did not install node 22 and the suite"
"$CONFORMANCE_NODE" --version

# conformance LABEL SPEC_VERSION BASELINE SERVE_FLAGS...: serve, run the suite, stop the server.
conformance() {
  local label=$1 spec=$2 baseline=$3
  shift 3
  local log="$SCRATCH/conformance-$label.log" url
  "$WXO_MCP" serve --simulator --transport http --port 0 "$@" >/dev/null 2>"$log" &
  SERVER_PID=$!
  url=$(await_line "$log" 'http://127\.0\.0\.1:[0-9]*/mcp') || fail "conformance $label: wxo-mcp did not start serving"
  echo "  $label: spec $spec at $url"
  if ! (cd "$SCRATCH" && "$CONFORMANCE_NODE" "$CONFORMANCE_JS" server --url "$url" \
      --spec-version "$spec" --expected-failures "$baseline" \
      -o "$SCRATCH/conformance-results-$label" >"$SCRATCH/conformance-$label.out" 2>&1); then
    cat "$SCRATCH/conformance-$label.out" >&2
    fail "conformance $label: failures outside .ci/conformance-baseline.yml (or listed ones now pass)"
  fi
  grep -E '^Total:|Baseline check' "$SCRATCH/conformance-$label.out" | sed 's/\x1b\[[0-9;]*m//g; s/^/    /'
  stop_server
}

BASELINE="$ROOT/.ci/conformance-baseline.yml"
STATELESS_BASELINE="$SCRATCH/conformance-baseline-stateless.yml"
sed 's/^  # - server-sse-multiple-streams$/  - server-sse-multiple-streams/' "$BASELINE" >"$STATELESS_BASELINE"
grep -q '^  - server-sse-multiple-streams$' "$STATELESS_BASELINE" || fail "the stateless baseline line is gone"
conformance stateful-2025-11-25 2025-11-25 "$BASELINE"
conformance stateful-2025-06-18 2025-06-18 "$BASELINE"
conformance stateless-2025-11-25 2025-11-25 "$STATELESS_BASELINE" --stateless
