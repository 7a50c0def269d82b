"""Matching: embeddings, backends that return candidates, and the one ranking that orders them."""
