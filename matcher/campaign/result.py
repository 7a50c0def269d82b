"""What a campaign returns: matches, groups, unmatched participants with reasons, summary and stage timings."""
from __future__ import annotations

from pydantic import BaseModel, Field

from models import Reason


class Stage(BaseModel):
    name: str
    seconds: float


class Match(BaseModel):
    a: str
    b: str
    a_country: str
    b_country: str
    score: float
    reasons: list[Reason] = Field(default_factory=list)
    a_idea: str | None = Field(None, description="title of a's idea closest to one of b's (else a's interests)")
    b_idea: str | None = Field(None, description="title of that closest idea of b's")
    group: str | None = Field(None, description="the group's id, in group mode")


class Group(BaseModel):
    id: str = ""
    members: list[str]
    countries: list[str]
    weakest_pair: float
    mean_pair: float


class NearMiss(BaseModel):
    id: str
    country: str
    failed: list[str] = Field(description="constraints this pair fails, or ['capacity'] or ['min_score']")
    score: float = 0.0


class Unmatched(BaseModel):
    id: str
    country: str
    reason: str = Field(description="no_shared_language, no_age_overlap, same_country_only, "
                                    "closed_to_partners, no_compatible_partner, capacity, below_min_score")
    message: str
    near_miss: NearMiss | None = None


class Summary(BaseModel):
    participants: int
    matched: int
    matched_share: float
    matches: int
    total_score: float = Field(description="sum of the listed pairs' scores")
    mean_score: float | None = Field(None, description="mean of the listed pairs' scores")
    candidate_edges: int
    method: str
    optimal: bool
    coverage_bound: int | None = None
    gap: float | None = None
    greedy_matched: int | None = None
    greedy_total: float | None = None


class CampaignResult(BaseModel):
    partners: tuple[int, int]
    groups_of: int | None = None
    max_per_country: int | None = None
    min_score: float | None = None
    top_k: int
    stages: list[Stage]
    summary: Summary
    matches: list[Match]
    groups: list[Group] = Field(default_factory=list)
    unmatched: list[Unmatched]
