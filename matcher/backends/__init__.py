"""Search backends: the embedded default and OpenSearch, chosen in one place (factory.py)."""
