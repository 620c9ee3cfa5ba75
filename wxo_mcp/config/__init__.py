"""Settings: one typed object built once at start (design.md §2).

Sources, highest priority first:

1. overrides: CLI flags, keyed by field name (`None` means "flag not given");
2. the environment: `WXO_*` variables (an empty variable counts as unset);
3. the ADK's own files: the active environment (or `WXO_ENV`) of
   `~/.config/orchestrate/config.yaml` gives `url`, `auth_type`, `iam_url`, TLS settings, and
   `~/.cache/orchestrate/credentials.yaml` its token;
4. defaults.

`Settings.load` reads those two small files and nothing else: no network. It raises ConfigError
only for malformed values; missing credentials or URL surface later, per call. `describe()`
shows each value and where it came from, secrets masked.

The package, one module a job: `settings` (the model, merging and `describe`), `variables` (each
setting's `WXO_*` variable and parser), `adk_files` (reading the ADK's files), `instances` (what
a URL names), `serving` (the rules of serving HTTP for a team).
"""

from wxo_mcp.config.adk_files import (
    ADK_CONFIG,
    ADK_CREDENTIALS,
    AdkEnvironment,
    read_adk_environment,
    read_adk_token,
)
from wxo_mcp.config.instances import Deployment, guess_deployment, same_instance
from wxo_mcp.config.settings import AuthType, Settings
from wxo_mcp.config.variables import FIELDS, Secret

__all__ = [
    "ADK_CONFIG",
    "ADK_CREDENTIALS",
    "FIELDS",
    "AdkEnvironment",
    "AuthType",
    "Deployment",
    "Secret",
    "Settings",
    "guess_deployment",
    "read_adk_environment",
    "read_adk_token",
    "same_instance",
]
