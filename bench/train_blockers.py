"""Train the blocker miner's model from a labelled JSONL corpus and write its weights.

Usage: python bench/train_blockers.py TRAIN.jsonl [--out okr_core/blockers/data/blocker_model.json]
       [--written okr_core/blockers/data/written_examples.jsonl]
Each line: {"id", "text", "is_blocker", "kind", "blocker"} (see the corpus README). The team's own written
sentences (data/written_examples.jsonl) join every training fold, weighted, and are never scored: all the
cross-validated figures are over the corpus's held-out folds only. Features: words,
word pairs, the cue rules' verdict, the kind-convention votes (okr_core/blockers/conventions.py), and the
text's mean distilled MiniLM token vector (okr_core/blockers/tokens.py; run bench/distill_tokens.py
first). Word columns are centred, not standardised; the rule features are standardised times a boost.
The regularisation, the rule boost, the weight of the token vector, the decision threshold, the cue-rule
override, the kind blend and the grouping similarity are chosen by k-fold cross-validation on this corpus
alone (3 repeats of 5-fold, each shuffled with its own seed); the cross-validated figures are printed. The linear scores over the mean vector are folded into one
score per token (data/token_scores.f32).
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from collections import Counter
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")   # small matrices: threads only spin on a shared machine
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from okr_core.blockers.detect import detect as detect_by_cues  # noqa: E402
from okr_core.blockers.features import text_features  # noqa: E402
from okr_core.blockers.mine import fallback_phrase  # noqa: E402
from okr_core.blockers.grouping_learned import cluster  # noqa: E402
from okr_core.blockers.learned import MODEL_PATH, TOKEN_SCORES_PATH, model_from_dict  # noqa: E402
from okr_core.blockers.logistic import train  # noqa: E402
from okr_core.blockers.model import BlockerKind  # noqa: E402
from okr_core.blockers.tokens import token_ids, token_vectors  # noqa: E402

KINDS = [kind.value for kind in BlockerKind]
MIN_DOCUMENTS = 3           # a word pair must occur in this many training texts to get a weight
L2_GRID = (1.0, 3.0, 10.0)          # detection; words are not standardised, so these are smaller than v3's
KIND_L2_GRID = (0.1, 0.3, 1.0)
RULE_BOOSTS = (1.0, 2.0)            # the rule features' standardised columns times this (words: 1, unscaled)
RULE_BOOST, KIND_RULE_BOOST = 1.0, 2.0  # defaults, before CV picks
THRESHOLDS = tuple(round(0.15 + 0.05 * step, 2) for step in range(12))
RULE_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5)
VECTOR_WEIGHTS = (0.0, 0.3)    # the token vector's columns, standardised, times this (0: left out)
# A cue-rule verdict at least this sure counts as a blocker whatever the model says (1.01: never).
CUE_OVERRIDES = (0.8, 0.9, 1.01)
SIMILARITIES = tuple(round(0.10 + 0.05 * step, 2) for step in range(11))
MEANING_WEIGHTS = (0.0, 0.3, 0.5)  # share of the meaning vectors' cosine in the grouping similarity
FOLDS, SEED = 5, 7
SEEDS = (11, 23, 37)        # repeated k-fold: one shuffle per seed, figures averaged over the repeats
WRITTEN_WEIGHTS = (0.5, 1.0)   # a written example's weight next to a corpus text's 1 (chosen by CV)
WRITTEN_PATH = Path(__file__).resolve().parent.parent / "okr_core" / "blockers" / "data" / "written_examples.jsonl"
VERSION = "5.0"


def load(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


class Texts(list):
    """Feature dicts of texts, with each text's mean token vector in `dense` (row for row)."""

    def __init__(self, feature_rows, dense: np.ndarray, weight: np.ndarray | None = None):
        super().__init__(feature_rows)
        self.dense = dense
        self.weight = np.ones(len(feature_rows)) if weight is None else np.asarray(weight, dtype=float)

    def take(self, indices) -> "Texts":
        indices = [int(i) for i in indices]
        return Texts([self[i] for i in indices], self.dense[indices], self.weight[indices])

    def plus(self, other: "Texts | None", weight: float = 1.0) -> "Texts":
        """These texts followed by `other`'s, each of those weighted `weight`."""
        if other is None or not len(other):
            return self
        return Texts(list(self) + list(other), np.vstack([self.dense, other.dense]),
                     np.concatenate([self.weight, np.full(len(other), weight)]))


class Written:
    """The team's own labelled sentences: added to every training set (weighted), never scored."""

    def __init__(self, rows: list[dict], weight: float = 1.0):
        self.rows, self.weight = rows, weight
        self.texts = texts_of(rows) if rows else None
        self.labels = [bool(r["is_blocker"]) for r in rows]
        positive = [i for i, label in enumerate(self.labels) if label]
        self.positive_texts = self.texts.take(positive) if rows else None
        self.positive_kinds = [KINDS.index(rows[i]["kind"]) for i in positive]

    def weighted(self, weight: float) -> "Written":
        copy = object.__new__(Written)
        copy.__dict__.update(self.__dict__)
        copy.weight = weight
        return copy




def texts_of(rows: list[dict]) -> Texts:
    """Features of every row: sparse words and cue verdicts, and the mean token vector (not normalised:
    the scores are linear in it, so they fold into per-token scores)."""
    table = token_vectors()
    dense = np.zeros((len(rows), table.shape[1]), dtype=np.float32)
    for index, row in enumerate(rows):
        ids = token_ids(row["text"])
        if ids:
            dense[index] = table[ids].mean(axis=0)
    return Texts([text_features(r["text"]) for r in rows], dense)


def vocabulary(feature_rows: list[dict[str, float]]) -> list[str]:
    counts = Counter(name for row in feature_rows for name in row)
    return sorted(name for name, count in counts.items() if count >= MIN_DOCUMENTS or ":" in name)


def matrix(texts: Texts, names: list[str], vector_weight: float) -> np.ndarray:
    column = {name: index for index, name in enumerate(names)}
    x = np.zeros((len(texts), len(names)), dtype=np.float32)
    for row, features in enumerate(texts):
        for name, value in features.items():
            if name in column:
                x[row, column[name]] = value
    return np.hstack([x, texts.dense]) if vector_weight > 0 else x


def is_rule_feature(name: str) -> bool:
    """The cue rules', the vocabulary's and the conventions' features (their names hold a colon)."""
    return ":" in name


def boost(x: np.ndarray, names: list[str], vector_weight: float, rule_boost: float = RULE_BOOST) -> np.ndarray:
    """Column multipliers for logistic.train: word and word-pair columns keep their own scale (centred,
    not standardised: standardising blows rare words up, and they overfit), the rule features are
    standardised times `rule_boost`, the token-vector columns standardised times `vector_weight`."""
    column_boost = x[:, :len(names)].std(axis=0) + 1e-6
    column_boost[[is_rule_feature(name) for name in names]] = rule_boost
    return np.concatenate([column_boost, np.full(x.shape[1] - len(names), vector_weight)])


def fit_logistic(texts: Texts, names: list[str], labels, classes: int, l2: float, vector_weight: float,
                 rule_boost: float = RULE_BOOST):
    x = matrix(texts, names, vector_weight)
    return train(x, np.asarray(labels, dtype=int), classes, l2=l2, boost=boost(x, names, vector_weight, rule_boost),
                 sample_weight=texts.weight)


def fit(texts: Texts, labels, kinds, l2, kind_l2=None, vector_weight=0.0, kind_vector_weight=None,
        rule_boost=RULE_BOOST, kind_rule_boost=KIND_RULE_BOOST, written: "Written | None" = None,
        kind_written_weight: float | None = None):
    """(names, blocker model, kind model) fitted on these rows and the written examples (one vocabulary for both)."""
    labels = list(labels)
    positive = [i for i, label in enumerate(labels) if label]
    kind_texts, kind_labels = texts.take(positive), [KINDS.index(kinds[i]) for i in positive]
    if written is not None and written.rows:
        if written.weight:      # 0: the written examples train the kind model only
            texts = texts.plus(written.texts, written.weight)
            labels += written.labels
        if kind_written_weight:
            kind_texts = kind_texts.plus(written.positive_texts, kind_written_weight)
            kind_labels += written.positive_kinds
    names = vocabulary(texts)
    blocker = fit_logistic(texts, names, labels, 2, l2, vector_weight, rule_boost)
    kind_weight = vector_weight if kind_vector_weight is None else kind_vector_weight
    kind = fit_logistic(kind_texts, names, kind_labels, len(KINDS), kind_l2 or l2, kind_weight, kind_rule_boost)
    return names, blocker, kind


def rule_kinds(feature_rows) -> np.ndarray:
    """The cue rules' and the vocabulary's kind votes, as shares (the `kind_rule_weight` prior)."""
    votes = np.zeros((len(feature_rows), len(KINDS)))
    for row, features in enumerate(feature_rows):
        for index, kind in enumerate(KINDS):
            votes[row, index] = features.get(f"cue:kind={kind}", 0.0) + features.get(f"vocab:kind={kind}", 0.0)
    return votes / np.maximum(votes.sum(axis=1, keepdims=True), 1.0)


def kind_probabilities(sub_rows, sub_texts: Texts, kind_l2: float, vector_weight: float,
                       rule_boost: float = KIND_RULE_BOOST, written: "Written | None" = None,
                       seed: int = SEED) -> np.ndarray:
    """Out-of-fold kind probabilities of true blockers (the written positives join every training fold)."""
    probabilities = np.zeros((len(sub_rows), len(KINDS)))
    for test in folds(len(sub_rows), seed):
        keep = sorted(set(range(len(sub_rows))) - set(test.tolist()))
        kept = sub_texts.take(keep)
        labels = [KINDS.index(sub_rows[i]["kind"]) for i in keep]
        if written is not None and written.rows and written.weight:
            kept = kept.plus(written.positive_texts, written.weight)
            labels += written.positive_kinds
        names = vocabulary(kept)
        kind = fit_logistic(kept, names, labels, len(KINDS), kind_l2, vector_weight, rule_boost)
        probabilities[test] = kind.probabilities(matrix(sub_texts.take(test), names, vector_weight))
    return probabilities


def _true_blockers(rows, texts: Texts):
    positive = [i for i, r in enumerate(rows) if r["is_blocker"]]
    sub_rows, sub_texts = [rows[i] for i in positive], texts.take(positive)
    return sub_rows, sub_texts, rule_kinds(sub_texts), [KINDS.index(r["kind"]) for r in sub_rows]


def kind_out_of_fold(rows, texts: Texts, kind_l2: float, rule_weight: float, vector_weight: float,
                     rule_boost: float = KIND_RULE_BOOST, written: "Written | None" = None) -> float:
    """Out-of-fold kind accuracy over the true blockers with these settings (mean over the repeats)."""
    sub_rows, sub_texts, votes, truth = _true_blockers(rows, texts)
    return float(np.mean([np.mean((kind_probabilities(sub_rows, sub_texts, kind_l2, vector_weight, rule_boost,
                                                      written, seed) + rule_weight * votes).argmax(axis=1) == truth)
                          for seed in SEEDS]))


def choose_kind(rows, texts: Texts, written: "Written | None" = None) -> tuple:
    """(kind l2, rule weight, vector weight, accuracy, rule boost, written weight): out-of-fold kind accuracy
    over the true blockers, averaged over the repeats."""
    sub_rows, sub_texts, votes, truth = _true_blockers(rows, texts)
    best = (0.0, 0.0, 0.0, -1.0, 0.0, 0.0)
    weights = WRITTEN_WEIGHTS if written is not None and written.rows else (0.0,)
    for kind_l2, vector_weight, rule_boost, written_weight in itertools.product(
            KIND_L2_GRID, VECTOR_WEIGHTS, RULE_BOOSTS, weights):
        extra = written.weighted(written_weight) if written_weight else None
        runs = [kind_probabilities(sub_rows, sub_texts, kind_l2, vector_weight, rule_boost, extra, seed)
                for seed in SEEDS]
        for weight in RULE_WEIGHTS:
            accuracy = float(np.mean([np.mean((p + weight * votes).argmax(axis=1) == truth) for p in runs]))
            if accuracy > best[3]:
                best = (kind_l2, weight, vector_weight, accuracy, rule_boost, written_weight)
    return best


def folds(count: int, seed: int = SEED) -> list[np.ndarray]:
    order = np.random.RandomState(seed).permutation(count)
    return [order[fold::FOLDS] for fold in range(FOLDS)]


def cross_validate(rows, texts: Texts, l2, vector_weight, rule_boost=RULE_BOOST, written: "Written | None" = None,
                   seed: int = SEED) -> np.ndarray:
    """Out-of-fold blocker probabilities (the written examples join every training fold, never scored)."""
    labels = np.array([bool(r["is_blocker"]) for r in rows], dtype=int)
    probability = np.zeros(len(rows))
    for test in folds(len(rows), seed):
        keep = sorted(set(range(len(rows))) - set(test.tolist()))
        kept = texts.take(keep)
        fold_labels = labels[keep]
        if written is not None and written.rows and written.weight:
            kept = kept.plus(written.texts, written.weight)
            fold_labels = np.concatenate([fold_labels, np.array(written.labels, dtype=int)])
        names = vocabulary(kept)
        blocker = fit_logistic(kept, names, fold_labels, 2, l2, vector_weight, rule_boost)
        probability[test] = blocker.probabilities(matrix(texts.take(test), names, vector_weight))[:, 1]
    return probability


def detection_scores(labels, flags) -> dict:
    tp = sum(1 for label, flag in zip(labels, flags) if label and flag)
    fp = sum(1 for label, flag in zip(labels, flags) if flag and not label)
    fn = sum(1 for label, flag in zip(labels, flags) if label and not flag)
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def pair_scores(gold: list[str], predicted: list[int]) -> tuple[float, float]:
    """Pairwise precision and recall of a clustering against gold phrases."""
    same_gold = same_pred = both = 0
    for a, b in itertools.combinations(range(len(gold)), 2):
        g, p = gold[a] == gold[b], predicted[a] == predicted[b]
        same_gold, same_pred, both = same_gold + g, same_pred + p, both + (g and p)
    return both / max(1, same_pred), both / max(1, same_gold)


def grouping_choice(rows) -> tuple[tuple[float, float], dict]:
    """The (similarity, meaning weight) whose clustering of the corpus's true blockers scores best (F1 of pairs).

    One number is chosen from the labels, so no folds: the figures are the training set's own."""
    blockers = [r for r in rows if r["is_blocker"]]
    grouped = [f"{phrase_of(r['text'])}. {r['text']}" for r in blockers]     # as group_recurring joins them
    results = {}
    for similarity, meaning_weight in itertools.product(SIMILARITIES, MEANING_WEIGHTS):
        labels = cluster(grouped, similarity, meaning_weight)
        precision, recall = pair_scores([r["blocker"].lower() for r in blockers], labels)
        results[similarity, meaning_weight] = (precision, recall)
    best = max(results, key=lambda s: 2 * results[s][0] * results[s][1] / max(1e-9, sum(results[s])))
    return best, results


def phrase_of(text: str) -> str:
    """The phrase the miner would name (the cue rules', else the first sentence's first words)."""
    cue = detect_by_cues(text)
    return cue.phrase if cue is not None and cue.phrase else fallback_phrase(text)


def folded_weights(model, names=None):
    """Standardisation folded into the weights: w / scale, bias - sum(mean * w / scale)."""
    weights = model.weights / model.scale[:, None]
    bias = model.bias - (model.mean[:, None] * weights).sum(axis=0)
    return weights, bias


def token_scores(blocker_w, kind_w, names) -> np.ndarray:
    """(vocabulary, 1 + kinds) float32: each token's share of the scores over the mean token vector."""
    table = token_vectors()
    scores = np.zeros((table.shape[0], 1 + len(KINDS)), dtype=np.float32)
    if blocker_w.shape[0] > len(names):
        dense = blocker_w[len(names):]
        scores[:, 0] = table @ (dense[:, 1] - dense[:, 0])
    if kind_w.shape[0] > len(names):
        scores[:, 1:] = table @ kind_w[len(names):]
    return scores


def export(names, blocker, kind, choice: dict, similarity, source: str, kind_choice) -> tuple[dict, np.ndarray]:
    blocker_w, blocker_b = folded_weights(blocker)
    kind_w, kind_b = folded_weights(kind)
    tokens = token_scores(blocker_w, kind_w, names)
    blocker_w, kind_w = blocker_w[:len(names)], kind_w[:len(names)]
    margin = blocker_w[:, 1] - blocker_w[:, 0]
    threshold = choice["threshold"]
    return {
        "version": VERSION, "source": source, "threshold": threshold, "cue_override": choice["override"],
        "ambiguous_band": [max(0.0, threshold - 0.15), min(1.0, threshold + 0.15)],
        "training": {"l2": choice["l2"], "vector_weight": choice["vector_weight"], "kind_l2": kind_choice[0],
                     "kind_vector_weight": kind_choice[2], "rule_boost": choice["rule_boost"],
                     "kind_rule_boost": kind_choice[4], "min_documents": MIN_DOCUMENTS, "folds": FOLDS,
                     "repeats": len(SEEDS), "written_weight": choice["written_weight"],
                     "kind_written_weight": kind_choice[5], "written_examples": choice.get("written_count", 0)},
        "token_scores": {"blocker": bool(choice["vector_weight"] > 0), "kind": bool(kind_choice[2] > 0)},
        "kind_rule_weight": kind_choice[1],
        "blocker": {"bias": round(float(blocker_b[1] - blocker_b[0]), 5),
                    "weights": {n: round(float(w), 5) for n, w in zip(names, margin) if abs(w) > 1e-4}},
        "kind": {"classes": KINDS, "bias": [round(float(b), 5) for b in kind_b],
                 "weights": {n: [round(float(w), 5) for w in row] for n, row in zip(names, kind_w)
                             if np.abs(row).max() > 1e-4}},
        "grouping": {"similarity": similarity[0], "meaning_weight": similarity[1]},
    }, tokens


def cue_is_sure(features: dict[str, float], override: float) -> bool:
    """The cue rules found a blocker at least `override` sure (mine.detect counts it whatever the model)."""
    return features.get("cue:blocker", 0.0) == 1.0 and features.get("cue:confidence", 0.0) >= override


def mean_scores(runs: list[dict]) -> dict:
    return {key: float(np.mean([run[key] for run in runs])) for key in runs[0]}


def choose(rows, texts: Texts, written: "Written | None" = None) -> dict:
    """The l2, vector weight, rule boost, written examples' weight, threshold and cue override maximising the
    out-of-fold F1 (mean over the repeats), with its scores."""
    labels = [bool(r["is_blocker"]) for r in rows]
    best = None
    weights = WRITTEN_WEIGHTS if written is not None and written.rows else (0.0,)
    for l2, vector_weight, rule_boost, written_weight in itertools.product(L2_GRID, VECTOR_WEIGHTS, RULE_BOOSTS,
                                                                           weights):
        extra = written.weighted(written_weight) if written_weight else None
        runs = [cross_validate(rows, texts, l2, vector_weight, rule_boost, extra, seed) for seed in SEEDS]
        for threshold, override in itertools.product(THRESHOLDS, CUE_OVERRIDES):
            scores = mean_scores([detection_scores(labels, [p >= threshold or cue_is_sure(f, override)
                                                            for p, f in zip(probability, texts)])
                                  for probability in runs])
            if best is None or scores["f1"] > best["scores"]["f1"]:
                best = {"l2": l2, "vector_weight": vector_weight, "rule_boost": rule_boost, "threshold": threshold,
                        "override": override, "written_weight": written_weight, "scores": scores}
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--out", default=str(MODEL_PATH))
    parser.add_argument("--written", default=str(WRITTEN_PATH),
                        help="the team's own labelled sentences, added to every training set ('' for none)")
    parser.add_argument("--written-in", choices=("kind", "both"), default="kind",
                        help="which model the written examples train: the kind model only (default; in the 3x5-fold"
                             " CV they raised detection F1 too, but the development set's F1 fell, see"
                             " data/README.md) or both")
    args = parser.parse_args()
    rows = load(args.corpus)
    texts = texts_of(rows)
    written = Written(load(args.written)) if args.written else None
    detection_written = written if args.written_in == "both" else None
    choice = choose(rows, texts, detection_written)
    choice["written_count"] = len(written.rows) if written is not None else 0
    cv = choice["scores"]
    print(f"{len(SEEDS)}x{FOLDS}-fold CV on {len(rows)} texts (+{choice['written_count']} written, weight"
          f" {choice['written_weight']}): l2 {choice['l2']} vector weight {choice['vector_weight']}"
          f" rule boost {choice['rule_boost']}"
          f" threshold {choice['threshold']} cue override {choice['override']}:  precision {cv['precision']:.3f}"
          f"  recall {cv['recall']:.3f}  F1 {cv['f1']:.3f}")
    kind_choice = choose_kind(rows, texts, written)
    print(f"kind: l2 {kind_choice[0]} rule weight {kind_choice[1]} vector weight {kind_choice[2]} rule boost"
          f" {kind_choice[4]} written weight {kind_choice[5]}: out-of-fold"
          f" accuracy {kind_choice[3]:.3f} over all true blockers")
    similarity, grouping = grouping_choice(rows)
    print(f"grouping similarity {similarity[0]} meaning weight {similarity[1]}: pairwise precision"
          f" {grouping[similarity][0]:.3f}"
          f" recall {grouping[similarity][1]:.3f} (on the corpus's own true blockers)")
    names, blocker, kind = fit(texts, [bool(r["is_blocker"]) for r in rows], [r["kind"] for r in rows],
                               choice["l2"], kind_choice[0], choice["vector_weight"], kind_choice[2],
                               choice["rule_boost"], kind_choice[4],
                               written.weighted(choice["written_weight"]) if written is not None else None,
                               kind_choice[5])
    data, tokens = export(names, blocker, kind, choice, similarity, f"trained on {Path(args.corpus).name}",
                          kind_choice)
    scores_path = Path(args.out).with_name(TOKEN_SCORES_PATH.name)
    scores_path.write_bytes(tokens.astype("<f4").tobytes())
    model_from_dict(data, scores_path)   # it loads
    Path(args.out).write_text(json.dumps(data, sort_keys=True, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(data['blocker']['weights'])} blocker weights, {len(data['kind']['weights'])} kind rows")


if __name__ == "__main__":
    main()
