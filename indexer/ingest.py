"""Reads profiles from JSONL or CSV; every bad line is reported with its line number, field and reason."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from pydantic import ValidationError

from models import MAX_TEXT, Profile, field_errors

MAX_LINE_BYTES = 64 * 1024  # a profile line longer than this is refused, not parsed

# CSV columns: list fields are ';'-separated; ideas are `title: text` pairs separated by '||'.
CSV_LIST_FIELDS = ("subjects", "languages", "interests")


@dataclass
class LineError:
    line: int
    field: str
    reason: str

    def as_dict(self) -> dict:
        return {"line": self.line, "field": self.field, "reason": self.reason}


def _csv_row_to_dict(row: dict) -> dict:
    """A CSV row in the documented column layout -> a profile dict."""
    def split(v: str | None) -> list[str]:
        return [x.strip() for x in (v or "").split(";") if x.strip()]

    d: dict = {k: v for k, v in row.items() if k and v not in (None, "")}
    school = {k.split(".", 1)[1]: d.pop(k) for k in list(d) if k.startswith("school.")}
    if school:
        d["school"] = school
    for f in CSV_LIST_FIELDS:
        if f in d:
            d[f] = split(d[f])
    if "age_groups" in d:
        d["age_groups"] = [_age_cell(x) for x in split(d["age_groups"])]
    if "ideas" in d:
        ideas = []
        for chunk in d["ideas"].split("||"):
            title, sep, body = chunk.partition("::")
            ideas.append({"title": title.strip(), "text": body.strip()} if sep else {"text": chunk.strip()})
        d["ideas"] = [i for i in ideas if i.get("text")]
    if "experience" in d:
        d["experience"] = int(d["experience"])
    if "open_to_partners" in d:
        d["open_to_partners"] = d["open_to_partners"].strip().lower() in ("1", "true", "yes", "y")
    if "response_rate" in d:
        d["response_rate"] = float(d["response_rate"])
    return d


def _age_cell(text: str) -> dict | str:
    """'7-11' -> {"from": 7, "to": 11}, unvalidated so the model reports the field precisely."""
    lo, sep, hi = text.replace("–", "-").partition("-")
    if lo.strip().isdigit() and (hi.strip().isdigit() or not sep):
        return {"from": int(lo), "to": int(hi) if sep else int(lo)}
    return text


def _raw_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, start=1):
            yield n, raw


def iter_file(path: Path) -> Iterator[tuple[int, Profile | None, list[dict]]]:
    """Yields (line number, profile or None, errors) for every non-blank line."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        yield from _iter_csv(path)
        return
    for n, raw in _raw_lines(path):
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE_BYTES:
            yield n, None, [{"line": n, "field": "(line)", "reason": f"line is {len(raw)} bytes; "
                                                                         f"the limit is {MAX_LINE_BYTES}"}]
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield n, None, [{"line": n, "field": "(line)", "reason": f"invalid UTF-8 at byte {exc.start}"}]
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            yield n, None, [{"line": n, "field": "(line)", "reason": f"invalid JSON: {exc.msg} at column {exc.colno}"}]
            continue
        if not isinstance(data, dict):
            yield n, None, [{"line": n, "field": "(line)", "reason": "a line must be one JSON object"}]
            continue
        yield n, *_validate(data, n)


def _validate(data: dict, n: int) -> tuple[Profile | None, list[dict]]:
    try:
        return Profile.model_validate(data), []
    except ValidationError as exc:
        return None, field_errors(exc.errors(), n)


def _iter_csv(path: Path) -> Iterator[tuple[int, Profile | None, list[dict]]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        yield line, None, [{"line": line, "field": "(file)", "reason": f"invalid UTF-8 at byte {exc.start}; "
                                                                        "no line of this CSV was read"}]
        return
    reader = csv.DictReader(io.StringIO(text, newline=""))
    for row in reader:
        n = reader.line_num
        if None in row:
            yield n, None, [{"line": n, "field": "(row)", "reason": "more cells than header columns"}]
            continue
        if any(len(v or "") > MAX_TEXT * 4 for v in row.values()):
            yield n, None, [{"line": n, "field": "(row)", "reason": "a cell is longer than the limit"}]
            continue
        try:
            data = _csv_row_to_dict(row)
        except ValueError as exc:
            yield n, None, [{"line": n, "field": "(row)", "reason": str(exc)}]
            continue
        yield n, *_validate(data, n)


def load_file(path: Path) -> tuple[list[Profile], list[dict]]:
    """All good profiles and all errors of a file (a later line with the same id wins)."""
    good: dict[str, Profile] = {}
    errors: list[dict] = []
    for _, profile, errs in iter_file(path):
        if profile is not None:
            good[profile.id] = profile
        errors.extend(errs)
    return list(good.values()), errors
