"""Schemathesis against our OpenAPI schema: every operation, every check, with authentication
on (an admin key in every case).

The schema states every rule it can (codes, id patterns, URL shapes). Five rules relate two
values, which JSON Schema cannot state: an age range's `from` <= `to`, a campaign's
MIN <= MAX, a PUT body's id equal to the path's, a contact to someone other than oneself, and
campaign cohort ids that are indexed. `_keep_business_rules` makes the positive cases keep
them, so `positive_data_acceptance` (ST202: a request the schema allows is accepted) checks
everything else; negative cases are sent as drawn. tests/api/test_contract.py tests the 422
each of the five gives when broken.

`make test` runs the fast profile (SCHEMATHESIS_EXAMPLES, default 25 per operation);
`make fuzz` sets it higher for >= 1,000 cases. Examples are derandomized: the same
cases every run, so a failure here is reproducible, not flaky.
"""
from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path
from urllib.parse import unquote

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.generation import GenerationMode

from api.security import new_key
from indexer.ingest import load_file
from matcher.settings import Settings

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25"))
CASES: list[str] = []
KEY, RECORD = new_key(["admin"], name="fuzzer")


def _app():
    """The real app over the mini profiles, with the fast hash embedder (fuzzing is about the HTTP layer).

    Built at import because schemathesis reads the schema at collection.
    """
    import tempfile

    from api.main import create_app
    from matcher.service import build_matcher

    data = Path(tempfile.mkdtemp(prefix="twinmatch-fuzz-"))
    # Authentication on, one admin key, limits out of the way (a 429 would end a case early).
    settings = Settings(data_dir=data, embedder="hash", api_keys=[RECORD.as_dict()],
                        rate_limits={"admin": "1000000/minute"}, unauthenticated_limit="1000000/minute")
    m = build_matcher(settings)
    profiles = load_file(Path(__file__).parents[1] / "data" / "mini.jsonl")[0]
    m.upsert(profiles)
    return create_app(settings, matcher=m), m, [p.id for p in profiles]


APP, MATCHER, INDEXED = _app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


def _ordered_ages(value):
    """Every {from, to} pair of integers inside `value`, put in order."""
    if isinstance(value, dict):
        low, high = value.get("from"), value.get("to")
        if all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (low, high)) and low > high:
            value["from"], value["to"] = value["to"], value["from"]
        for v in value.values():
            _ordered_ages(v)
    elif isinstance(value, list):
        for v in value:
            _ordered_ages(v)


def _ordered_text(age):
    parts = age.replace("–", "-").split("-") if isinstance(age, str) else []
    if len(parts) == 2 and all(p.strip(" \t\n\r\f\v").isdigit() for p in parts):
        return "-".join(sorted(parts, key=int))
    return age


def _keep_business_rules(case) -> None:
    """A positive case made to keep the rules that relate two values (see the module docstring).
    It runs on the case as it is about to be sent: Schemathesis fills some values (ids of
    resources it created) after generation."""
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return
    # Coverage cases may share one body object: change a copy.
    case.body = body = copy.deepcopy(case.body)
    path = case.path_parameters or {}
    _ordered_ages(body)
    query = case.query or {}
    if isinstance(query.get("age"), list):   # "11-7" in a query: the same rule as a string
        query["age"] = [_ordered_text(a) for a in query["age"]]
    label = case.operation.label
    if label == "PUT /v1/profiles/{profile_id}" and isinstance(body, dict) and "profile_id" in path:
        body["id"] = path["profile_id"]
    if label == "POST /v1/profiles/{profile_id}/contacts" and isinstance(body, dict) \
            and body.get("to") == unquote(str(path.get("profile_id"))):
        body["to"] = body["to"] + "x"
    if label == "POST /v1/campaigns" and isinstance(body, dict):
        body["cohort"] = INDEXED[:max(2, min(len(body.get("cohort", ())), len(INDEXED)))]
        if isinstance(body.get("partners"), str) and "-" in body["partners"]:
            body["partners"] = "-".join(sorted(body["partners"].split("-"), key=int))


@pytest.fixture(scope="module", autouse=True)
def _cleanup():
    yield
    MATCHER.close()
    shutil.rmtree(APP.state.settings.data_dir, ignore_errors=True)
    print(f"\nschemathesis: {len(CASES)} cases over {len(set(CASES))} operations")


@schema.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case):
    CASES.append(case.operation.label)
    _keep_business_rules(case)
    case.call_and_validate(headers={"X-API-Key": KEY})


def test_enough_cases_ran():
    """`make fuzz` promises >= 1,000 cases; the fast profile only that every operation ran."""
    if EXAMPLES >= 100:
        assert len(CASES) >= 1000, len(CASES)
    assert len(CASES) > 0
