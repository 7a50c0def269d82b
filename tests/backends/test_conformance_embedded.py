"""The conformance suite on the embedded backend."""
from __future__ import annotations

import pytest

from tests.backends.conformance import DIM, BackendConformance


class TestEmbedded(BackendConformance):
    @pytest.fixture
    def backend(self, tmp_path):
        from matcher.backends.embedded.backend import EmbeddedBackend
        b = EmbeddedBackend(tmp_path, dim=DIM)
        yield b
        b.close()
