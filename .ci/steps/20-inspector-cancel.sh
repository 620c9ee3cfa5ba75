# shellcheck shell=bash
# cancel_run through the MCP Inspector CLI. Each Inspector call over stdio spawns a fresh server
# with a fresh simulator, so a run started by one call does not exist in the next: the real cancel
# is checked over streamable HTTP, where one `serve --simulator` (one simulator) outlives the
# calls; over stdio, an unknown run id must be answered in words (isError, Inspector exit 5).
# Then a long call on the 2026-07-28 wire, which the Inspector (tasks extension on by default)
# gets as a task and polls to the result.
section "Inspector: cancel_run over streamable HTTP and stdio; a long call as a task"

WXO_TOOL_DEADLINE=1 "$WXO_MCP" serve --simulator --transport http --port 0 \
  >/dev/null 2>"$SCRATCH/serve-cancel.log" &
SERVER_PID=$!
URL=$(await_line "$SCRATCH/serve-cancel.log" 'http://127\.0\.0\.1:[0-9]*/mcp') \
  || fail "wxo-mcp did not start serving HTTP"

# A run still going at the (1 s) deadline comes back as a handle; keep its run_id.
inspect "http slow_agent (handle)" "
data = out['structuredContent']
assert data['status'] == 'running' and data['run_id'], data
open('$SCRATCH/run_id', 'w').write(data['run_id'])
print('  slow_agent: running, run', data['run_id'])" \
  "$URL" --method tools/call --tool-name slow_agent --tool-arg message=seconds=120
RUN_ID=$(cat "$SCRATCH/run_id")

inspect "http cancel_run" "
data = out['structuredContent']
assert out.get('isError') is False, out
assert data['status'] == 'cancelled' and data['run_id'] == '$RUN_ID', data
print('  cancel_run:', data['status'], '-', data['error'])" \
  "$URL" --method tools/call --tool-name cancel_run --tool-arg "run_id=$RUN_ID"

stop_server

# An unknown run over stdio: a tool result that says so (isError makes the Inspector exit 5).
UNKNOWN=00000000-0000-4000-8000-00000000dead
set +e
(cd "$SCRATCH" && "$INSPECTOR" --cli "$WXO_MCP" serve --simulator --method tools/call \
  --tool-name cancel_run --tool-arg "run_id=$UNKNOWN" >"$SCRATCH/cancel.out" 2>"$SCRATCH/cancel.err")
CODE=$?
set -e
if [[ $CODE -ne 5 ]] || ! grep -q "no run with id $UNKNOWN" "$SCRATCH/cancel.out" "$SCRATCH/cancel.err"; then
  cat "$SCRATCH/cancel.out" "$SCRATCH/cancel.err" >&2
  fail "stdio cancel_run of an unknown run: expected exit 5 and the words 'no run with id' (got $CODE)"
fi
echo "  stdio cancel_run $UNKNOWN: isError, 'Orchestrate has no run with id …'"

# The Inspector declares the tasks extension on the 2026-07-28 wire: a run longer than a second
# comes back as a task it polls (tasks/get) to the usual result. A wrapper keeps what it sent.
cat >"$SCRATCH/teed-wxo-mcp" <<WRAPPER
#!/usr/bin/env bash
tee "$SCRATCH/sent.jsonl" | "$WXO_MCP" serve --simulator
WRAPPER
chmod +x "$SCRATCH/teed-wxo-mcp"
inspect "stdio tools/call as a task (modern)" "
data = out['structuredContent']
assert out.get('isError') is False and data['status'] == 'completed', out
assert data['text'] == 'Done thinking after 3 seconds: seconds=3', data
print('  slow_agent as a task:', repr(data['text']))" \
  "$SCRATCH/teed-wxo-mcp" --protocol-era modern \
  --method tools/call --tool-name slow_agent --tool-arg message=seconds=3
grep -q '"method":"tasks/get"' "$SCRATCH/sent.jsonl" \
  || fail "the Inspector did not poll a task (no tasks/get sent)"
echo "  the Inspector polled the task: $(grep -c '"method":"tasks/get"' "$SCRATCH/sent.jsonl") tasks/get"
