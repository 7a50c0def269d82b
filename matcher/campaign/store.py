"""Campaigns on disk: one JSON status file and one result file per campaign in <data_dir>/campaigns/.

JSON files written atomically (temp file + os.replace) keep the store readable by hand and need
no schema; a process that dies mid-run leaves status "running", which `recover()` (called when
the API starts) turns into "failed" with the reason, since no thread survives a restart.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import threading
import uuid
from pathlib import Path
from typing import Literal

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

    def create(self, params: dict) -> CampaignStatus:
        now = _now()
        st = CampaignStatus(id=uuid.uuid4().hex[:16], status="created", created=now, updated=now, params=params)
        self.save(st)
        return st

    def save(self, st: CampaignStatus) -> None:
        with self._lock:
            self._write(self._path(st.id), st.model_dump_json())

    def get(self, cid: str) -> CampaignStatus:
        path = self._path(cid)
        if not path.exists():
            raise CampaignNotFound(cid)
        return CampaignStatus.model_validate_json(path.read_text(encoding="utf-8"))

    def update(self, cid: str, **changes) -> CampaignStatus:
        st = self.get(cid).model_copy(update={**changes, "updated": _now()})
        self.save(st)
        return st

    def put_result(self, cid: str, result_json: str) -> None:
        self._write(self.dir / f"{cid}.result.json", result_json)

    def result(self, cid: str) -> dict:
        st = self.get(cid)
        if st.status != "done":
            raise CampaignNotReady(f"campaign {cid!r} is {st.status}" + (f": {st.error}" if st.error else ""),
                                   details={"status": st.status})
        return json.loads((self.dir / f"{cid}.result.json").read_text(encoding="utf-8"))

    def list(self) -> list[CampaignStatus]:
        out = [CampaignStatus.model_validate_json(p.read_text(encoding="utf-8"))
               for p in self.dir.glob("*.json") if not p.name.endswith(".result.json")]
        return sorted(out, key=lambda s: s.created, reverse=True)

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
