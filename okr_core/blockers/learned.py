"""The trained blocker model: sparse logistic scores for "is a blocker" and for its kind.

The weights live in `data/blocker_model.json`, written by `bench/train_blockers.py` from a labelled
corpus of real issue comments (see `data/README.md`); the column scaling is folded into the weights, so
scoring a text is one pass over its features. The part of each score that comes from the text's mean
distilled token vector (tokens.py) is folded into one score per token (`data/token_scores.f32`: for
every vocabulary token, its blocker score then one per kind), so that part is the mean of the text's
token scores. Plain Python: mining needs no numpy at run time.
"""
from __future__ import annotations

import json
import math
from array import array
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from okr_core.blockers.model import BlockerKind

MODEL_PATH = Path(__file__).parent / "data" / "blocker_model.json"
TOKEN_SCORES_PATH = MODEL_PATH.with_name("token_scores.f32")


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
    cue_override: float     # a cue-rule verdict at least this sure counts as a blocker
    kind_rule_weight: float  # weight of the cue rules' and vocabulary's kind votes next to the model's
    token_blocker: list[float] | None = None         # per token id, when the model uses token vectors
    token_kinds: tuple[list[float], ...] | None = None

    @property
    def uses_tokens(self) -> bool:
        return self.token_blocker is not None or self.token_kinds is not None

    def blocker_probability(self, features: dict[str, float], ids: list[int] | None = None) -> float:
        weights = self.blocker_weights
        # fsum is exact, so the score does not depend on the order the features came in.
        logit = self.blocker_bias + math.fsum(weights[name] * value for name, value in features.items()
                                              if name in weights)
        if self.token_blocker is not None and ids:
            logit += sum(map(self.token_blocker.__getitem__, ids)) / len(ids)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit))))

    def kind_scores(self, features: dict[str, float], ids: list[int] | None = None) -> list[float]:
        weights = self.kind_weights
        terms = [[weight * value for weight in weights[name]] for name, value in features.items() if name in weights]
        # Exact sums (fsum), so the scores do not depend on the order the features came in.
        scores = [math.fsum(column) + bias for column, bias in zip(zip(*terms), self.kind_bias)] if terms \
            else list(self.kind_bias)
        if self.token_kinds is not None and ids:
            share = 1.0 / len(ids)
            scores = [score + share * sum(map(column.__getitem__, ids))
                      for score, column in zip(scores, self.token_kinds)]
        return scores

    def kind(self, features: dict[str, float], ids: list[int] | None = None) -> BlockerKind:
        """The model's most probable kind, nudged by the rules' votes (as trained)."""
        scores = self.kind_scores(features, ids)
        top = max(scores)
        exp = [math.exp(score - top) for score in scores]
        total = sum(exp)
        votes = [features.get(cue, 0.0) + features.get(vocab, 0.0) for cue, vocab in _vote_names(self.kinds)]
        vote_total = max(sum(votes), 1.0)
        blended = [e / total + self.kind_rule_weight * v / vote_total for e, v in zip(exp, votes)]
        return self.kinds[max(range(len(blended)), key=blended.__getitem__)]


@lru_cache(maxsize=4)
def _vote_names(kinds: tuple[BlockerKind, ...]) -> tuple[tuple[str, str], ...]:
    """The cue rules' and the vocabulary's kind-vote feature names, in the model's kind order."""
    return tuple((f"cue:kind={kind.value}", f"vocab:kind={kind.value}") for kind in kinds)


def _token_columns(path: Path, columns: int) -> tuple[list[float], ...]:
    """The per-token score table (float32, little-endian, one row of `columns` per token id)."""
    raw = array("f")
    raw.frombytes(path.read_bytes())
    return tuple(raw[column::columns].tolist() for column in range(columns))


def model_from_dict(data: dict, token_scores: Path | None = None) -> BlockerModel:
    blocker, kind = data["blocker"], data["kind"]
    uses = data.get("token_scores", {})
    columns = _token_columns(token_scores or TOKEN_SCORES_PATH, 1 + len(kind["classes"])) \
        if any(uses.values()) else None
    return BlockerModel(
        version=data["version"], threshold=data["threshold"],
        ambiguous_band=tuple(data["ambiguous_band"]),
        blocker_bias=blocker["bias"], blocker_weights=blocker["weights"],
        kinds=tuple(BlockerKind(name) for name in kind["classes"]), kind_bias=tuple(kind["bias"]),
        kind_weights={name: tuple(row) for name, row in kind["weights"].items()},
        cue_override=data["cue_override"],
        kind_rule_weight=data.get("kind_rule_weight", 0.0),
        token_blocker=columns[0] if columns and uses.get("blocker") else None,
        token_kinds=columns[1:] if columns and uses.get("kind") else None)


@lru_cache(maxsize=1)
def load_model(path: str | None = None) -> BlockerModel:
    """The shipped model (or another file written by the training script, with its token scores beside it)."""
    model_path = Path(path or MODEL_PATH)
    return model_from_dict(json.loads(model_path.read_text(encoding="utf-8")),
                           model_path.with_name(TOKEN_SCORES_PATH.name))


@lru_cache(maxsize=1)
def _shipped_settings() -> tuple[str, float, float]:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    return data["version"], data["grouping"]["similarity"], data["grouping"].get("meaning_weight", 0.0)


def shipped_version() -> str:
    """The shipped model's version, read without building the model (a warm analysis needs no more)."""
    return _shipped_settings()[0]


def shipped_grouping() -> tuple[float, float]:
    """(similarity, meaning weight) of the shipped model's grouping, without loading its token scores."""
    return _shipped_settings()[1:]
