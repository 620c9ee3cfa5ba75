from wxo_mcp.cli import main

main()
