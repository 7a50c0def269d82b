"""The README's campaign commands run as written, and the `--groups` one keeps its groups."""
from __future__ import annotations

import csv
import json
import shlex
from pathlib import Path

from indexer.cli import main
from matcher.settings import get_settings

README = Path(__file__).parents[2] / "README.md"


def _commands() -> list[list[str]]:
    lines = [line.split("#")[0].strip() for line in README.read_text(encoding="utf-8").splitlines()]
    return [shlex.split(line)[1:] for line in lines if line.startswith("twinmatch campaign run ")]


def test_the_readme_campaign_commands_run_and_keep_the_groups(tmp_path, monkeypatch, cohort_dicts):
    commands = _commands()
    assert len(commands) >= 2 and any("--groups" in c for c in commands)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TWINMATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TWINMATCH_EMBEDDER", "hash")
    get_settings.cache_clear()
    Path("cohort.jsonl").write_text("\n".join(json.dumps(d) for d in cohort_dicts), encoding="utf-8")
    Path("cohort.txt").write_text("\n".join(d["id"] for d in cohort_dicts), encoding="utf-8")
    try:
        assert main(["index", "cohort.jsonl", "-q"]) == 0          # cohort.txt names indexed ids
        for args in commands:
            assert main(args + ["-q"]) == 0, args
    finally:
        get_settings.cache_clear()
    grouped = next(c for c in commands if "--groups" in c)
    out, report = grouped[grouped.index("--out") + 1], grouped[grouped.index("--report") + 1]
    rows = list(csv.DictReader(Path(out).open(encoding="utf-8")))
    groups: dict[str, set[str]] = {}
    for r in rows:
        groups.setdefault(r["group"], set()).update((r["a"], r["b"]))
    size = int(grouped[grouped.index("--groups") + 1])
    assert len(groups) >= 3 and all(len(members) == size for members in groups.values())
    page = Path(report).read_text(encoding="utf-8")
    assert all(f"<td>{g}</td>" in page for g in groups)
