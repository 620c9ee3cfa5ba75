# The README's "MCP Inspector" example: every Inspector CLI call spawns its own `wxo-mcp serve`,
# so a conversation across calls needs one long-lived `wxo-mcp simulator` that each server is
# pointed at (WXO_URL / WXO_TOKEN passed with -e: the Inspector does not pass its environment on).
section "Inspector CLI: two calls, one thread, against one long-lived wxo-mcp simulator"
"$WXO_MCP" simulator --port 0 --token T 2>"$SCRATCH/simulator.log" &
SERVER_PID=$!
SIM_URL=$(await_line "$SCRATCH/simulator.log" 'ready at http://127\.0\.0\.1:[0-9]*') \
  || fail "wxo-mcp simulator did not start"
SIM_URL=${SIM_URL#ready at }
echo "  simulator at $SIM_URL"
FIRST=$(cd "$SCRATCH" && "$INSPECTOR" --cli -e "WXO_URL=$SIM_URL" -e WXO_TOKEN=T "$WXO_MCP" serve \
  --method tools/call --tool-name echo_agent --tool-arg message=hello) \
  || fail "the first Inspector call against the long-lived simulator failed"
THREAD=$(printf '%s' "$FIRST" | python3 -c 'import json, sys; print(json.load(sys.stdin)["structuredContent"]["thread_id"])') \
  || fail "no thread_id in the first call's result: $FIRST"
inspect "second call continues the thread" '
data = out["structuredContent"]
assert data["text"] == "Echo (turn 2): again", data
print("  thread", data["thread_id"], "->", repr(data["text"]))' \
  -e "WXO_URL=$SIM_URL" -e WXO_TOKEN=T "$WXO_MCP" serve \
  --method tools/call --tool-name echo_agent --tool-arg message=again "thread_id=$THREAD"
stop_server
