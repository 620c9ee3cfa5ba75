# IBM's ADK (ibm-watsonx-orchestrate 2.19.1) against `wxo-mcp simulator` on port 4321: the opt-in
# `adk` pytest group (tests/adk). The ADK goes into a venv of its own, cached under
# ~/.cache/wxo-mcp (never into the project's environment or uv.lock). Measured on the 2-core
# machine under load: ~40 s to install it on a fresh machine, ~45 s to run the group.
# WXO_TEST_ADK_REQUIRED=1 turns "cannot install" or "port 4321 taken" into a failure, not a skip.
section "IBM's ADK against wxo-mcp simulator (pytest -m adk)"
WXO_TEST_ADK_REQUIRED=1 uv run pytest -q -m adk -p no:randomly tests/adk \
  || fail "IBM's ADK does not work against the simulator (tests/adk)"
