"""`twinmatch alerts ...` and the index/delete commands' alert hooks, on a copy of the mini index."""
from __future__ import annotations

import json

import pytest

from indexer.cli import main
from matcher.alerts import match
from matcher.settings import get_settings
from tests.alerts.test_alert_api import NEWCOMER
from tests.conftest import DATA


def test_an_indexed_newcomer_reaches_a_subscribed_teacher(settings, tmp_path, capsys):
    assert main(["alerts", "subscribe", "ro-recycle", "--frequency", "weekly"]) == 0
    path = tmp_path / "new.jsonl"
    path.write_text(json.dumps(NEWCOMER) + "\n", encoding="utf-8")
    assert main(["index", str(path), "-q"]) == 0
    capsys.readouterr()
    assert main(["alerts", "list", "ro-recycle", "--lang", "pt"]) == 0
    out = capsys.readouterr().out
    assert "Lucía Gómez (es-recycle)" in out and "Podem trabalhar juntos" in out
    assert main(["alerts", "digest", "--since", "7d", "--lang", "pt", "--format", "html"]) == 0
    html = capsys.readouterr().out
    assert 'data-recipient="ro-recycle"' in html and "Novos parceiros para si" in html
    assert main(["alerts", "digest", "--since", "1d", "--format", "json"]) == 0
    [d] = json.loads(capsys.readouterr().out)["digests"]
    assert d["alerts"][0]["partner"]["id"] == "es-recycle" and "email" not in d["alerts"][0]["partner"]
    assert main(["delete", "es-recycle"]) == 0
    capsys.readouterr()
    main(["alerts", "list", "ro-recycle", "--json"])
    assert json.loads(capsys.readouterr().out) == []


def test_a_bad_period_is_an_error(settings, capsys):
    assert main(["alerts", "digest", "--since", "7x"]) == 2
    assert "7d, 24h" in capsys.readouterr().err


def test_teacher_tokens_need_the_shared_secret(settings, monkeypatch, capsys):
    assert main(["alerts", "token", "ro-recycle"]) == 2
    monkeypatch.setenv("TWINMATCH_TEACHER_TOKEN_SECRET", "s")
    get_settings.cache_clear()
    assert main(["alerts", "token", "ro-recycle", "--ttl", "60"]) == 0
    assert capsys.readouterr().out.startswith("tt~ro-recycle~")


@pytest.fixture
def dataset(tmp_path, mini_profiles):
    """The mini set as a dataset with one project: the four recycling teachers who share ages."""
    d = tmp_path / "ds"
    d.mkdir()
    (d / "profiles.jsonl").write_text("".join(json.dumps(p) + "\n" for p in mini_profiles), encoding="utf-8")
    group = ["pt-recycle", "ro-recycle", "pl-recycle", "gr-recycle"]
    rows = ["profile_id\ttext_lang\tkind\tgroup"] + [
        f"{p['id']}\ten\t{'member' if p['id'] in group else 'generic'}\t{'g1' if p['id'] in group else '-'}"
        for p in mini_profiles]
    (d / "meta.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return d


def test_the_simulation_is_one_command(settings, dataset, capsys):
    assert main(["alerts", "simulate", str(dataset), "--exhaustive", "--background", str(DATA / "mini.jsonl")]) == 0
    out = capsys.readouterr().out
    figures = dict([c.strip() for c in line.strip("|").split("|")] for line in out.splitlines()
                   if line.startswith("| ") and not line.startswith("| figure"))
    assert figures["arrivals"] == "1" and figures["members already there"] == "3"
    recall, precision = float(figures["alert recall"]), float(figures["alert precision"])
    assert 0 <= recall <= 1 and 0 <= precision <= 1
    assert float(figures["alerts per arrival"]) <= match.PER_ARRIVAL
