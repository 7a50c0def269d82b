"""Text embedders behind one small interface, with a persistent cache by text hash."""
