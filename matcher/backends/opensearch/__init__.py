"""The OpenSearch backend (backend.py): versioned indexes behind an alias, bulk writes, zero-downtime reindex."""
