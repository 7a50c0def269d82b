"""Campaigns on disk: one JSON status file and one result file per campaign in <data_dir>/campaigns/.

JSON files written atomically (temp file + os.replace) keep the store readable by hand and need
no schema; a process that dies mid-run leaves status "running", which `recover()` (called when
the API starts) turns into "failed" with the reason, since no thread survives a restart.
Erasing a profile redacts it from every result (`erase`), and a result is written without the
participants erased while it ran (`put_result`).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import threading
import uuid
from pathlib import Path
from typing import Callable, Iterable, Literal

from pydantic import BaseModel, Field

from matcher.errors import CampaignNotFound, CampaignNotReady

Status = Literal["created", "running", "done", "failed"]


class CampaignStatus(BaseModel):
    id: str
    status: Status
    stage: str | None = None
    progress: float = Field(0.0, ge=0, le=1)
    created: str
    updated: str
    error: str | None = None
    params: dict = Field(default_factory=dict)
    summary: dict | None = None
    owner: str = Field("", description="id of the key that created it; only it (and admin keys) may read it")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class CampaignStore:
    def __init__(self, data_dir: Path):
        self.dir = Path(data_dir) / "campaigns"
        self.dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def _write(self, path: Path, text: str) -> None:
        tmp = path.with_suffix(path.suffix + f".{uuid.uuid4().hex}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)

    def _path(self, cid: str) -> Path:
        if not cid.isalnum():
            raise CampaignNotFound(cid)
        return self.dir / f"{cid}.json"

    def create(self, params: dict, owner: str = "") -> CampaignStatus:
        now = _now()
        st = CampaignStatus(id=uuid.uuid4().hex[:16], status="created", created=now, updated=now, params=params,
                            owner=owner)
        self.save(st)
        return st

    def save(self, st: CampaignStatus) -> None:
        with self._lock:
            self._write(self._path(st.id), st.model_dump_json())

    def get(self, cid: str, owner: str | None = None) -> CampaignStatus:
        """The campaign; with `owner`, only if that key created it (another's is not found)."""
        path = self._path(cid)
        if not path.exists():
            raise CampaignNotFound(cid)
        st = CampaignStatus.model_validate_json(path.read_text(encoding="utf-8"))
        if owner is not None and st.owner != owner:
            raise CampaignNotFound(cid)
        return st

    def update(self, cid: str, **changes) -> CampaignStatus:
        st = self.get(cid).model_copy(update={**changes, "updated": _now()})
        self.save(st)
        return st

    def put_result(self, cid: str, result: dict, present: Callable[[list[str]], Iterable[str]]) -> None:
        """Write a result, less the participants that `present` (asked under the lock that
        `erase` takes) no longer knows: erased while the campaign ran."""
        with self._lock:
            ids = participants(result)
            redact(result, set(ids) - set(present(ids)))
            self._write(self.dir / f"{cid}.result.json", json.dumps(result))

    def erase(self, profile_id: str) -> int:
        """Redact `profile_id` from every stored result; returns how many results changed."""
        n = 0
        with self._lock:
            needle = json.dumps(profile_id)  # as the id is written in a result
            for path in self.dir.glob("*.result.json"):
                text = path.read_text(encoding="utf-8")
                if needle not in text:  # most results never name it: no parse
                    continue
                result = json.loads(text)
                if redact(result, {profile_id}):
                    self._write(path, json.dumps(result))
                    n += 1
        return n

    def result(self, cid: str, owner: str | None = None) -> dict:
        st = self.get(cid, owner)
        if st.status != "done":
            raise CampaignNotReady(f"campaign {cid!r} is {st.status}" + (f": {st.error}" if st.error else ""),
                                   details=[{"field": "status", "reason": "not done", "status": st.status}])
        return json.loads((self.dir / f"{cid}.result.json").read_text(encoding="utf-8"))

    def list(self, owner: str | None = None) -> list[CampaignStatus]:
        out = [CampaignStatus.model_validate_json(p.read_text(encoding="utf-8"))
               for p in self.dir.glob("*.json") if not p.name.endswith(".result.json")]
        return sorted((s for s in out if owner is None or s.owner == owner), key=lambda s: s.created, reverse=True)

    def recover(self) -> int:
        """Mark campaigns left created/running by a previous process as failed; returns how many."""
        n = 0
        for st in self.list():
            if st.status in ("created", "running"):
                self.update(st.id, status="failed",
                            error=f"interrupted: the service restarted while the campaign was {st.status} "
                                  f"(stage {st.stage or 'none'}); create it again")
                n += 1
        return n


def participants(result: dict) -> list[str]:
    """Every profile id a campaign result names."""
    ids = [x for m in result.get("matches", []) for x in (m["a"], m["b"])]
    ids += [x for g in result.get("groups", []) for x in g["members"]]
    for u in result.get("unmatched", []):
        ids.append(u["id"])
        if u.get("near_miss"):
            ids.append(u["near_miss"]["id"])
    return list(dict.fromkeys(ids))


def redact(result: dict, erased: set[str]) -> bool:
    """Remove erased teachers from a result in place: their matches (with the reasons, which
    quote their ideas), their place in a group (with its country), their unmatched entry, and
    any near miss naming them. The summary's counts stay. True if anything changed."""
    if not erased or erased.isdisjoint(participants(result)):
        return False
    result["matches"] = [m for m in result.get("matches", []) if m["a"] not in erased and m["b"] not in erased]
    for g in result.get("groups", []):
        kept = [(m, c) for m, c in zip(g["members"], g["countries"]) if m not in erased]
        g["members"], g["countries"] = [m for m, _ in kept], [c for _, c in kept]
    result["unmatched"] = [u for u in result.get("unmatched", []) if u["id"] not in erased]
    for u in result["unmatched"]:
        if u.get("near_miss") and u["near_miss"]["id"] in erased:
            u["near_miss"] = None
    return True
