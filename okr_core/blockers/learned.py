"""The trained blocker model: sparse logistic scores for "is a blocker" and for its kind.

The weights live in `data/blocker_model.json`, written by `bench/train_blockers.py` from a labelled
corpus of real issue comments (see `data/README.md`); standardisation is folded into the weights, so
scoring a text is one pass over its features. Plain Python: mining needs no numpy at run time.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from okr_core.blockers.model import BlockerKind

MODEL_PATH = Path(__file__).parent / "data" / "blocker_model.json"


@dataclass(frozen=True)
class BlockerModel:
    version: str
    threshold: float
    ambiguous_band: tuple[float, float]
    blocker_bias: float
    blocker_weights: dict[str, float]
    kinds: tuple[BlockerKind, ...]
    kind_bias: tuple[float, ...]
    kind_weights: dict[str, tuple[float, ...]]
    group_similarity: float
    cue_override: float     # a cue-rule verdict at least this sure counts as a blocker
    kind_rule_weight: float  # weight of the cue rules' and vocabulary's kind votes next to the model's

    def blocker_probability(self, features: dict[str, float]) -> float:
        weights = self.blocker_weights
        logit = self.blocker_bias + sum(weights.get(name, 0.0) * value for name, value in features.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit))))

    def kind_scores(self, features: dict[str, float]) -> list[float]:
        scores = list(self.kind_bias)
        for name, value in features.items():
            row = self.kind_weights.get(name)
            if row is not None:
                for index, weight in enumerate(row):
                    scores[index] += weight * value
        return scores

    def kind(self, features: dict[str, float]) -> BlockerKind:
        """The model's most probable kind, nudged by the rules' votes (as trained)."""
        scores = self.kind_scores(features)
        top = max(scores)
        exp = [math.exp(score - top) for score in scores]
        total = sum(exp)
        votes = [features.get(f"cue:kind={k.value}", 0.0) + features.get(f"vocab:kind={k.value}", 0.0)
                 for k in self.kinds]
        vote_total = max(sum(votes), 1.0)
        blended = [e / total + self.kind_rule_weight * v / vote_total for e, v in zip(exp, votes)]
        return self.kinds[max(range(len(blended)), key=blended.__getitem__)]


def model_from_dict(data: dict) -> BlockerModel:
    blocker, kind = data["blocker"], data["kind"]
    return BlockerModel(
        version=data["version"], threshold=data["threshold"],
        ambiguous_band=tuple(data["ambiguous_band"]),
        blocker_bias=blocker["bias"], blocker_weights=blocker["weights"],
        kinds=tuple(BlockerKind(name) for name in kind["classes"]), kind_bias=tuple(kind["bias"]),
        kind_weights={name: tuple(row) for name, row in kind["weights"].items()},
        group_similarity=data["grouping"]["similarity"], cue_override=data["cue_override"],
        kind_rule_weight=data.get("kind_rule_weight", 0.0))


@lru_cache(maxsize=1)
def load_model(path: str | None = None) -> BlockerModel:
    """The shipped model (or another file written by the training script)."""
    return model_from_dict(json.loads(Path(path or MODEL_PATH).read_text(encoding="utf-8")))
