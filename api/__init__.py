"""The HTTP API: thin routers over the matcher."""
