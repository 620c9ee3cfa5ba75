# Sourced by .ci/run: the MCP Inspector CLI lists the agents' starter prompts and gets one, over
# stdio against `wxo-mcp serve --simulator`, in both protocol eras. Four spawns: about 25 s on a
# busy 2-core machine.

PROMPTS_CHECK='
prompts = {p["name"]: p for p in out["prompts"]}
assert "weather_agent__weather_now" in prompts, sorted(prompts)
assert "weather_agent__weekend_forecast" not in prompts, "an inactive starter prompt is offered"
assert prompts["weather_agent__weather_now"]["title"] == "Weather right now", prompts
print("  prompts/list:", ", ".join(sorted(prompts)))'
PROMPT_GET_CHECK='
(message,) = out["messages"]
assert message["role"] == "user", message
text = message["content"]["text"]
assert text.startswith("What is the weather like in Paris right now?"), text
assert "call the tool weather_agent with the message above" in text, text
print("  prompts/get weather_agent__weather_now:", repr(text.splitlines()[-1]))'

section "Inspector over stdio: prompts (2025 handshake)"
inspect "stdio prompts/list" "$PROMPTS_CHECK" "$WXO_MCP" serve --simulator --method prompts/list
inspect "stdio prompts/get" "$PROMPT_GET_CHECK" "$WXO_MCP" serve --simulator \
  --method prompts/get --prompt-name weather_agent__weather_now

section "Inspector over stdio: prompts, protocol era auto (2026-07-28)"
inspect "stdio prompts/list (auto)" "$PROMPTS_CHECK" "$WXO_MCP" serve --simulator \
  --protocol-era auto --method prompts/list
inspect "stdio prompts/get (auto)" "$PROMPT_GET_CHECK" "$WXO_MCP" serve --simulator \
  --protocol-era auto --method prompts/get --prompt-name weather_agent__weather_now
