"""A result's reasons never contradict each other or the profile ("new here" next to a response rate)."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest

from matcher.reasons import activity_reasons, reason
from models import Profile
from tests.fakes import profile

TODAY = dt.date(2026, 11, 10)


def _p(**extra) -> Profile:
    return Profile.model_validate(profile("x", "RO", **extra))


@pytest.mark.parametrize("rate,experience,received", list(itertools.product(
    [None, 0.2, 0.69, 0.7, 0.93], [None, 0, 1, 4], [0, 3])))
def test_new_and_responsive_never_together_and_new_only_when_true(rate, experience, received):
    p = _p(response_rate=rate, experience=experience)
    codes = [r.code for r in activity_reasons(p, received, 0, "en", TODAY)]
    assert not {"new_profile", "responsive"} <= set(codes)
    assert ("responsive" in codes) == (rate is not None and rate >= 0.7)
    assert ("new_profile" in codes) == (rate is None and not experience and received == 0)


@pytest.mark.parametrize("lang", ["en", "de", "uk", "ar"])
def test_partners_never_show_both_in_any_language(make_matcher, lang):
    new = reason("new_profile", lang).message
    m = make_matcher([
        profile("me", "PT"),
        profile("answers", "RO", response_rate=0.93),          # the case: rate known, no contact here
        profile("veteran", "PL", experience=4),                 # years of experience: not new
        profile("newcomer", "IT"),
        profile("contacted", "ES"),
    ])
    m.contact("me", "contacted")
    got = {r.profile.id: r for r in m.partners("me", lang=lang).results}
    for r in got.values():
        messages = [x.message for x in r.reasons]
        codes = {x.code for x in r.reasons}
        assert not {"new_profile", "responsive"} <= codes, (lang, messages)
        assert (new in messages) == (r.profile.id == "newcomer"), (lang, r.profile.id, messages)
    answers = [x.message for x in got["answers"].reasons]
    assert reason("responsive", lang, rate=93).message in answers
