"""Operations commands: `twinmatch reindex` and `twinmatch migrate --from embedded --to opensearch`."""
from __future__ import annotations

import argparse
import os
import sys
from contextlib import nullcontext
from typing import Callable

import numpy as np

from matcher.backends.base import SearchBackend
from matcher.backends.types import BulkLoading, Record, Reindexing
from matcher.errors import MatchingError
from matcher.settings import Settings, get_settings

META_KEYS = ("model_id", "dim")   # what identifies the vectors; copied by migrate
MIGRATE_TIMEOUT = 30.0            # a long copy tolerates a slow cluster better than the API does


def reembedder(embedder) -> Callable[[list[Record]], list[Record]]:
    """Records in, the same records with vectors from `embedder` out (counters kept)."""
    from matcher import text

    def run(records: list[Record]) -> list[Record]:
        units = [text.units(text.annotate_languages(r.profile)) for r in records]
        flat = [t for u in units for _, t in u]
        vecs = embedder.passages(flat) if flat else np.zeros((0, embedder.dim), np.float32)
        out, at = [], 0
        for r, u in zip(records, units):
            out.append(Record(r.profile, vecs[at:at + len(u)], [n for n, _ in u], r.received, r.answered))
            at += len(u)
        return out
    return run


def migrate(src: SearchBackend, dst: SearchBackend, progress: Callable[[int], None] | None = None,
            batch: int = 1000) -> int:
    """Copy every record (vectors and contact counters included) and the model identity."""
    n = 0
    # A destination that can suspend refreshes for a large load (OpenSearch) does so.
    with dst.bulk_load() if isinstance(dst, BulkLoading) else nullcontext():
        for records in src.scan(batch=batch):
            dst.upsert(records)
            n += len(records)
            if progress:
                progress(len(records))
    for key in META_KEYS:
        value = src.get_meta(key)
        if value is not None:
            dst.set_meta(key, value)
    return n


def reindex(settings: Settings, rebuild: bool = False, keep: int = 1, reembed: bool | None = None,
            progress: Callable[[int], None] | None = None) -> str:
    """Rebuild the index; re-embed when the stored model differs from the configured one.

    A backend with versioned indexes (OpenSearch) builds vN+1 and swaps its alias, so searches
    keep answering; the embedded backend is rewritten in place.
    """
    from matcher.backends.factory import make_backend
    from matcher.embeddings.factory import make_embedder

    embedder = make_embedder(settings, threads=settings.embed_threads or os.cpu_count() or 1)
    backend = make_backend(settings, embedder.dim)
    try:
        stored = backend.get_meta("model_id")
        if reembed is None:
            reembed = stored is not None and stored != embedder.model_id
        transform = reembedder(embedder) if reembed else None
        if isinstance(backend, Reindexing):
            name = backend.reindex(rebuild=rebuild, keep=keep, transform=transform, dim=embedder.dim)
            done = f"alias {settings.opensearch_index} now points at {name}"
        elif transform:
            n = 0
            for records in backend.scan(batch=256):
                backend.upsert(transform(records))
                n += len(records)
                if progress:
                    progress(len(records))
            done = f"re-embedded {n} profiles in place"
        else:
            return f"{backend.name}: vectors already from {stored or embedder.model_id}; nothing to do"
        if reembed:
            backend.set_meta("model_id", embedder.model_id)
            backend.set_meta("dim", str(embedder.dim))
        return done
    finally:
        backend.close()


def _backend(kind: str, settings: Settings, dim: int) -> SearchBackend:
    """Both ends of a migration are named on the command line, whatever TWINMATCH_BACKEND says."""
    if kind == "opensearch":
        from matcher.backends.opensearch.backend import OpenSearchBackend
        return OpenSearchBackend(settings.opensearch_url, settings.opensearch_index, dim,
                                 timeout=max(settings.opensearch_timeout, MIGRATE_TIMEOUT))
    from matcher.backends.embedded.backend import EmbeddedBackend
    return EmbeddedBackend(settings.data_dir, dim)


def cmd_reindex(args) -> int:
    print(reindex(get_settings(), rebuild=args.rebuild, keep=args.keep,
                  reembed=True if args.reembed else None))
    return 0


def cmd_migrate(args) -> int:
    if args.src == args.dst:
        raise MatchingError("--from and --to name the same backend; nothing to migrate")
    settings = get_settings()
    dim = args.dim
    if dim is None:
        from matcher.embeddings.factory import make_embedder
        dim = make_embedder(settings, cache=False).dim
    src, dst = _backend(args.src, settings, dim), _backend(args.dst, settings, dim)
    try:
        total = src.count()
        done = [0]

        def progress(n: int) -> None:
            done[0] += n
            print(f"\r{done[0]}/{total} profiles", end="", file=sys.stderr, flush=True)

        n = migrate(src, dst, progress)
        print(file=sys.stderr)
        print(f"migrated {n} profiles from {args.src} to {args.dst}")
    finally:
        src.close()
        dst.close()
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("reindex", help="rebuild the index (OpenSearch: new version, atomic alias swap)")
    p.add_argument("--rebuild", action="store_true",
                   help="re-derive every document from stored profiles instead of copying sources")
    p.add_argument("--reembed", action="store_true",
                   help="re-embed every profile with the configured model (automatic when it changed)")
    p.add_argument("--keep", type=int, default=1, help="old OpenSearch versions to keep (default 1)")
    p.set_defaults(func=cmd_reindex)
    p = sub.add_parser("migrate", help="copy every profile from one backend to the other")
    p.add_argument("--from", dest="src", choices=("embedded", "opensearch"), required=True)
    p.add_argument("--to", dest="dst", choices=("embedded", "opensearch"), required=True)
    p.add_argument("--dim", type=int, default=None, help="vector size (default: the configured model's)")
    p.set_defaults(func=cmd_migrate)
