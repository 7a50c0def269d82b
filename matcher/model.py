"""The learned ranking: a logistic regression over pair features, read from a versioned file.

`model.json` (partners) and `search_model.json` (free-text search) hold the feature names, their
standardisation, the weights and where they came from (data, date, cross-validated scores);
`model.json` also holds the weights of an index too small to measure hubness in (`small`).
`twinmatch eval --fit` writes them; nothing else holds a weight of the ranking.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from matcher.features import FEATURES, OTHER_FEATURES, SEARCH_FEATURES

MODEL_FILE = Path(__file__).with_name("model.json")                # partner queries, campaigns
SEARCH_MODEL_FILE = Path(__file__).with_name("search_model.json")  # free-text search
FORMAT = 1


@dataclass(frozen=True)
class Model:
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    provenance: dict = field(default_factory=dict)
    # The mean hubness per unit kind of the pairs it was fitted on: what a teacher gets in an
    # index too small to measure its own (matcher/ranking.py, MIN_REFERENCE).
    hubness: dict = field(default_factory=dict)
    # The weights an index too small to measure hubness and language directions ranks with: the same
    # features, fitted with every teacher given `hubness` and the typical language-neutral row.
    small: "Model | None" = None

    def logit(self, feats: dict[str, np.ndarray]) -> np.ndarray:
        """The model's log-odds for every pair of a feature block (any shape)."""
        out = np.full(np.shape(feats[self.features[0]]), self.intercept, np.float64)
        for name, mu, sd, w in zip(self.features, self.mean, self.scale, self.coef):
            out += w * (np.asarray(feats[name], np.float64) - mu) / sd
        return out

    def probability(self, feats: dict[str, np.ndarray]) -> np.ndarray:
        """The chance, as the model estimates it, that a pair are real project partners."""
        return 1.0 / (1.0 + np.exp(-self.logit(feats)))

    def fingerprint(self) -> str:
        """Names the weights: two models with the same fingerprint give the same probabilities."""
        d = self.to_dict()
        d.pop("provenance")
        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:16]

    def to_dict(self) -> dict:
        d = {"format": FORMAT, "features": list(self.features), "mean": self.mean.tolist(),
             "scale": self.scale.tolist(), "coef": self.coef.tolist(),
             "intercept": self.intercept, "hubness": self.hubness, "provenance": self.provenance}
        if self.small is not None:
            d["small"] = self.small.to_dict()
        return d

    def save(self, path: Path = MODEL_FILE) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def from_dict(cls, d: dict) -> "Model":
        if d.get("format") != FORMAT:
            raise ValueError(f"model format {d.get('format')!r}, this version reads {FORMAT}")
        unknown = set(d["features"]) - set(FEATURES) - set(OTHER_FEATURES) - set(SEARCH_FEATURES)
        if unknown:
            raise ValueError(f"the model uses features this version does not compute: {sorted(unknown)}")
        return cls(tuple(d["features"]), np.array(d["mean"]), np.array(d["scale"]), np.array(d["coef"]),
                   float(d["intercept"]), d.get("provenance", {}), d.get("hubness", {}),
                   cls.from_dict(d["small"]) if d.get("small") else None)


@lru_cache(maxsize=4)
def load(path: Path = MODEL_FILE) -> Model:
    return Model.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
