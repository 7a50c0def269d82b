"""File ingest: every good line loads, every bad line is named by line, field and reason."""
import json
import subprocess
import sys

from indexer.ingest import load_file


def _good(pid, country="PT"):
    return {"id": pid, "school": {"id": f"s-{pid}", "name": "S", "country": country, "type": "primary"},
            "age_groups": [{"from": 7, "to": 11}], "languages": ["pt", "en"],
            "ideas": [{"text": "Um projeto sobre as aves migratórias do estuário"}]}


def _write_bad_file(path):
    lines = [json.dumps(_good("ok-1")),
             "{not json",
             json.dumps({**_good("bad-country"), "school": {**_good("x")["school"], "country": "ZZ"}}),
             json.dumps({**_good("bad-type"), "age_groups": "7-11"}),
             "",
             json.dumps(_good("ok-2", "RO"))]
    data = "\n".join(lines).encode() + b"\n" + b'{"id": "\xff\xfe"}\n' + json.dumps(_good("ok-3", "PL")).encode() + b"\n"
    path.write_bytes(data)


def test_jsonl_with_bad_lines_loads_good_and_names_bad(tmp_path):
    f = tmp_path / "in.jsonl"
    _write_bad_file(f)
    good, errors = load_file(f)
    assert sorted(p.id for p in good) == ["ok-1", "ok-2", "ok-3"]
    by_line = {e["line"]: e for e in errors}
    assert by_line[2]["reason"].startswith("invalid JSON")
    assert by_line[3]["field"] == "school.country" and "ZZ" in by_line[3]["reason"]
    assert by_line[4]["field"] == "age_groups"
    assert by_line[7]["reason"].startswith("invalid UTF-8")


def test_csv_rows(tmp_path):
    f = tmp_path / "in.csv"
    f.write_text("id,name,school.id,school.name,school.country,school.type,subjects,age_groups,languages,ideas\n"
                 "c1,Ana,s1,EB,PT,primary,Art;Music,7-11;12-15,pt;en,Cores::Pintar com cores do mar\n"
                 "c2,Ion,s2,Sc,XX,primary,Art,7-11,ro,Idee\n"
                 "c3,Eva,s3,Sc,RO,primary,Art,11-7,ro,Idee\n", encoding="utf-8")
    good, errors = load_file(f)
    assert [p.id for p in good] == ["c1"]
    assert good[0].age_groups[1].from_ == 12 and good[0].ideas[0].title == "Cores"
    assert {(e["line"], e["field"]) for e in errors} == {(3, "school.country"), (4, "age_groups.0")}


def test_cli_index_exit_code_and_report(tmp_path):
    f = tmp_path / "in.jsonl"
    _write_bad_file(f)
    env = {"TWINMATCH_DATA_DIR": str(tmp_path / "d"), "PATH": ""}
    run = subprocess.run([sys.executable, "-m", "indexer.cli", "index", str(f), "-q"], env=env,
                         capture_output=True, text=True)
    assert run.returncode == 1
    assert "indexed 3 profiles, rejected 4 lines" in run.stdout
    assert f"{f}:3: school.country:" in run.stderr
    assert "Traceback" not in run.stderr
    run = subprocess.run([sys.executable, "-m", "indexer.cli", "get", "ok-3", "--json"], env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0 and json.loads(run.stdout)["ideas"][0]["lang"] == "pt"
