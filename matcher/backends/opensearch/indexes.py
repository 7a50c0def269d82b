"""The OpenSearch index set: versioned profile indexes behind an alias, and the meta and contacts indexes.

Layout for index name `twinmatch-profiles`:
    twinmatch-profiles-v1, -v2 ...   profiles (requests.mapping); the alias
    twinmatch-profiles               points at exactly one of them; every read and write uses it
    twinmatch-profiles-meta          index-level metadata (model identity), one doc per key
    twinmatch-profiles-contacts      contact counters, one doc per profile
    twinmatch-profiles-standing      standing filters (saved searches) as percolator queries
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Iterator

from opensearchpy import OpenSearch
from opensearchpy import exceptions as osx

from matcher.backends.opensearch import requests as rq
from matcher.backends.opensearch.bulk import BULK_TIMEOUT
from matcher.backends.opensearch.errors import boundary
from matcher.errors import BackendUnavailable

_AUX = {"dynamic": "strict"}


class IndexSet:
    """Creates, names and lists the indexes of one alias; records metadata; runs bulk loads."""

    def __init__(self, client: OpenSearch, alias: str, analyzers: dict[str, str]):
        self.client, self.alias, self.analyzers = client, alias, analyzers
        self.meta_index, self.contacts_index = f"{alias}-meta", f"{alias}-contacts"
        self.standing_index = f"{alias}-standing"
        self.loading = 0   # bulk loads running in this process: writes then skip refresh=wait_for

    def ensure(self, dim: int) -> None:
        """Create the first version, the alias and the side indexes if the alias is missing.

        Checked before every write (one HEAD request), never cached: a cluster that lost its
        indexes must not get a dynamically-mapped concrete index auto-created under our name.
        """
        with boundary("create the index", write=True):
            if self.client.indices.exists_alias(name=self.alias):
                return
            if self.client.indices.exists(index=self.alias):
                raise BackendUnavailable(f"{self.alias!r} is a concrete index, not an alias; "
                                         "migrate it into a versioned index first")
            body = rq.mapping(dim, self.analyzers) | {"aliases": {self.alias: {}}}
            self._create(f"{self.alias}-v1", body)
            self._create(self.meta_index, {"mappings": _AUX | {"properties": {
                "value": {"type": "keyword", "index": False, "doc_values": False}}}})
            self._create(self.contacts_index, {"mappings": _AUX | {"properties": {
                "received": {"type": "integer"}, "answered": {"type": "integer"}}}})

    def ensure_standing(self) -> None:
        """Create the percolator index of standing filters if it is missing."""
        with boundary("create the standing-filter index", write=True):
            if not self.client.indices.exists(index=self.standing_index):
                self._create(self.standing_index, rq.standing_mapping())

    def _create(self, name: str, body: dict) -> None:
        try:
            self.client.indices.create(index=name, body=body, request_timeout=BULK_TIMEOUT)
        except osx.RequestError as exc:  # another process created it first
            if exc.error != "resource_already_exists_exception":
                raise

    def create_version(self, name: str, dim: int) -> None:
        """An empty profiles index `name`, not yet behind the alias."""
        with boundary("create the new index version", write=True):
            self.client.indices.create(index=name, body=rq.mapping(dim, self.analyzers),
                                       request_timeout=BULK_TIMEOUT)

    def current(self) -> str | None:
        """The concrete index the alias points at now."""
        with boundary("read the alias"):
            try:
                return next(iter(self.client.indices.get_alias(name=self.alias)))
            except osx.NotFoundError:
                return None

    def versions(self) -> list[str]:
        """Concrete versions of this index, oldest first."""
        with boundary("list index versions"):
            try:
                names = self.client.indices.get(index=f"{self.alias}-v*")
            except osx.NotFoundError:
                return []
        prefix = f"{self.alias}-v"
        return sorted((n for n in names if n.startswith(prefix) and n[len(prefix):].isdigit()),
                      key=lambda n: int(n[len(prefix):]))

    def next_version(self) -> str:
        prefix = f"{self.alias}-v"
        return f"{prefix}{max([int(v[len(prefix):]) for v in self.versions()] or [0]) + 1}"

    def swap(self, old: str, new: str) -> None:
        """Point the alias at `new` instead of `old`, in one request: readers see one or the other."""
        with boundary("swap the alias", write=True):
            self.client.indices.update_aliases(body={"actions": [
                {"remove": {"index": old, "alias": self.alias}},
                {"add": {"index": new, "alias": self.alias}}]})

    def drop_versions(self, keep: int) -> None:
        """Delete all but the newest version and `keep` before it (none when `keep` < 0)."""
        with boundary("drop old index versions", write=True):
            for name in self.versions()[:-(keep + 1)] if keep >= 0 else []:
                self.client.indices.delete(index=name)

    def get_meta(self, key: str) -> str | None:
        with boundary("read metadata"):
            try:
                return self.client.get(index=self.meta_index, id=key)["_source"]["value"]
            except osx.NotFoundError:
                return None

    def set_meta(self, key: str, value: str) -> None:
        with boundary("store metadata", write=True):
            self.client.index(index=self.meta_index, id=key, body={"value": value}, refresh=True)

    @contextmanager
    def bulk_load(self, target: str, new_index: bool = False) -> Iterator[None]:
        """No refreshes of `target` while a large load runs, and no replicas if `new_index` (a
        first load into an index nobody searches yet); the live settings are restored afterwards.

        The live settings are recorded in the meta index, never read back from an index that
        another load has already switched: overlapping loads (threads or processes) each
        restore the recorded values, so the last one to finish leaves the index as it was.
        """
        key = f"live-settings:{target}"
        with boundary("prepare a bulk load", write=True):
            got = self.client.indices.get_settings(index=target, name="index.refresh_interval,"
                                                   "index.number_of_replicas")
            now = next(iter(got.values()))["settings"].get("index", {})
            if now.get("refresh_interval") != "-1":  # not already in a load: these are live
                live = {"refresh_interval": now.get("refresh_interval"),  # None = the default
                        "number_of_replicas": now.get("number_of_replicas")}
                self.set_meta(key, json.dumps(live))
            load = {"refresh_interval": "-1"} | ({"number_of_replicas": 0} if new_index else {})
            self.client.indices.put_settings(index=target, body={"index": load})
        self.loading += 1
        try:
            yield
        finally:
            self.loading -= 1
            with boundary("finish a bulk load", write=True):
                live = json.loads(self.get_meta(key) or "{}")
                self.client.indices.put_settings(index=target, body={"index": {
                    "refresh_interval": live.get("refresh_interval"),
                    "number_of_replicas": live.get("number_of_replicas")}})
                self.client.indices.refresh(index=target, request_timeout=BULK_TIMEOUT)
