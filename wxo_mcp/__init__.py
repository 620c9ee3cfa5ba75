"""wxo-mcp: IBM watsonx Orchestrate agents as Model Context Protocol tools."""

__version__ = "0.1.0"

__all__ = ["__version__"]
