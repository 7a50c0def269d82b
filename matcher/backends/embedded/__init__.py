"""The embedded default backend (backend.py): SQLite as the source of truth, with numpy, faiss and tantivy indexes derived from it."""
