# Distribution: the Claude Desktop bundle (.mcpb) validates, packs, holds only what it should and
# runs as Claude Desktop starts it; the sdist and wheel pass `twine check` (PyPI's own rendering
# of the README as the long description). Sourced by .ci/run: uses section, fail, $ROOT, $SCRATCH.
MCPB_VERSION=2.1.2
TWINE_VERSION=7.0.0

section "MCPB bundle: mcpb validate + pack (@anthropic-ai/mcpb $MCPB_VERSION, npm)"
npm install --prefix "$SCRATCH/mcpb" --no-audit --no-fund --loglevel=error \
  "@anthropic-ai/mcpb@$MCPB_VERSION"
MCPB="$SCRATCH/mcpb/node_modules/.bin/mcpb"
[[ -x "$MCPB" ]] || fail "npm did not install the mcpb command"
"$MCPB" validate "$ROOT/manifest.json" || fail "mcpb validate rejected manifest.json"
# Packed from the CI checkout itself, .venv and caches included: .mcpbignore must keep them out.
if ! "$MCPB" pack "$ROOT" "$SCRATCH/bundle/wxo-mcp.mcpb" >"$SCRATCH/mcpb-pack.log" 2>&1; then
  cat "$SCRATCH/mcpb-pack.log" >&2
  fail "mcpb pack failed"
fi
grep -E 'package size|total files|ignored' "$SCRATCH/mcpb-pack.log" | sed 's/^/  /'

section "MCPB bundle: its contents, and the bundle run as the host runs it (pytest)"
WXO_MCPB_BUNDLE="$SCRATCH/bundle/wxo-mcp.mcpb" uv run pytest -q -p no:randomly \
  -k bundle tests/test_distribution.py || fail "the packed bundle is not what Claude Desktop needs"

section "PyPI: uv build + twine check (twine $TWINE_VERSION)"
uv build --quiet --out-dir "$SCRATCH/dist" "$ROOT" || fail "uv build failed"
ls -l "$SCRATCH/dist" | sed 's/^/  /'
uvx --quiet --from "twine==$TWINE_VERSION" twine check --strict "$SCRATCH"/dist/* \
  || fail "twine check rejected the distributions"
