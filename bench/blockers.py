"""Benchmark the blocker miner on a labelled JSONL corpus: quality, held-out estimate, groups, speed.

Usage: python bench/blockers.py CORPUS.jsonl [--texts 20000] [--folds 5]
Each line: {"id", "text", "is_blocker", "kind", "blocker"}; the corpus is read, never copied.
"""
from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from okr_core.blockers import detect, group_recurring  # noqa: E402

THRESHOLDS = [round(0.30 + 0.05 * step, 2) for step in range(11)]


def load(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def scores(rows: list[dict], confidences: list[float], threshold: float) -> dict:
    """Precision, recall and F1 of `confidence >= threshold` against the labels."""
    tp = sum(1 for r, c in zip(rows, confidences) if c >= threshold and r["is_blocker"])
    fp = sum(1 for r, c in zip(rows, confidences) if c >= threshold and not r["is_blocker"])
    fn = sum(1 for r, c in zip(rows, confidences) if c < threshold and r["is_blocker"])
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


def held_out(rows: list[dict], confidences: list[float], folds: int, seed: int = 7) -> dict:
    """k-fold: pick the threshold on k-1 folds, count errors on the fold left out, pool the counts."""
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    pooled = {"tp": 0, "fp": 0, "fn": 0}
    chosen = []
    for fold in range(folds):
        test = set(order[fold::folds])
        train = [i for i in order if i not in test]
        pick = lambda idx: ([rows[i] for i in idx], [confidences[i] for i in idx])  # noqa: E731
        best = max(THRESHOLDS, key=lambda t: (scores(*pick(train), t)["f1"], -abs(t - 0.5)))
        chosen.append(best)
        result = scores(*pick(sorted(test)), best)
        for key in pooled:
            pooled[key] += result[key]
    p = pooled["tp"] / max(1, pooled["tp"] + pooled["fp"])
    r = pooled["tp"] / max(1, pooled["tp"] + pooled["fn"])
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "thresholds": chosen}


def grouping_pairs(rows: list[dict], findings: list) -> tuple[float, float]:
    """Pairwise precision/recall of the groups against the labelled phrases, over detected true blockers."""
    detected = [(r, f) for r, f in zip(rows, findings) if f and f.is_blocker and r["is_blocker"]]
    groups = group_recurring(((f, r["text"]) for r, f in detected), min_count=1)
    group_of = {sid: n for n, g in enumerate(groups) for sid in g.source_ids}
    same_gold = same_pred = both = 0
    for (ra, _), (rb, _) in itertools.combinations(detected, 2):
        gold = ra["blocker"].lower() == rb["blocker"].lower()
        pred = group_of.get(ra["id"], -1) == group_of.get(rb["id"], -2)
        same_gold += gold
        same_pred += pred
        both += gold and pred
    return (both / same_pred if same_pred else 0.0), (both / same_gold if same_gold else 0.0)


def throughput(rows: list[dict], texts: int) -> dict[str, float]:
    """Wall and CPU seconds to mine and to group `texts` texts (the corpus repeated), and the groups found."""
    corpus = [r["text"] for r in rows]
    sample = [corpus[i % len(corpus)] for i in range(texts)]
    wall, cpu = time.perf_counter(), time.process_time()
    findings = [detect(text, str(n)) for n, text in enumerate(sample)]
    mined_wall, mined_cpu = time.perf_counter(), time.process_time()
    groups = group_recurring((f, t) for f, t in zip(findings, sample) if f is not None)
    return {
        "mine_wall": mined_wall - wall, "mine_cpu": mined_cpu - cpu,
        "group_wall": time.perf_counter() - mined_wall, "group_cpu": time.process_time() - mined_cpu,
        "groups": len(groups),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--texts", type=int, default=20000)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    rows = load(args.corpus)
    findings = [detect(r["text"], r["id"]) for r in rows]
    confidences = [f.confidence if f else 0.0 for f in findings]
    flags = [bool(f and f.is_blocker) for f in findings]
    dev = scores(rows, [1.0 if flag else 0.0 for flag in flags], 0.5)
    found = [(r, f) for r, f in zip(rows, findings) if f and f.is_blocker and r["is_blocker"]]
    kind_ok = sum(1 for r, f in found if f.kind == r["kind"])
    print(f"corpus: {len(rows)} texts, {sum(r['is_blocker'] for r in rows)} blockers")
    print(f"detection  precision {dev['precision']:.3f}  recall {dev['recall']:.3f}  F1 {dev['f1']:.3f}"
          f"  (tp {dev['tp']} fp {dev['fp']} fn {dev['fn']})")
    print(f"kind accuracy over detected true blockers: {kind_ok}/{len(found)} = {kind_ok / max(1, len(found)):.3f}")
    print(f"ambiguous flags: {sum(1 for f in findings if f and f.ambiguous)}")
    ho = held_out(rows, confidences, args.folds)
    print(f"held-out ({args.folds}-fold threshold choice): precision {ho['precision']:.3f}  "
          f"recall {ho['recall']:.3f}  F1 {ho['f1']:.3f}  thresholds {ho['thresholds']}")
    precision, recall = grouping_pairs(rows, findings)
    print(f"grouping pairwise precision {precision:.3f}  recall {recall:.3f}")
    print("recurring groups:")
    for group in group_recurring((f, r["text"]) for r, f in zip(rows, findings) if f):
        print(f"  {group.count} x {group.phrase!r} [{group.kind}] {group.source_ids}")
    speed = throughput(rows, args.texts)
    wall = speed["mine_wall"] + speed["group_wall"]
    cpu = speed["mine_cpu"] + speed["group_cpu"]
    print(f"throughput on {args.texts} texts: mining {speed['mine_wall']:.3f} s wall / {speed['mine_cpu']:.3f} s CPU,"
          f" grouping {speed['group_wall']:.3f} s wall / {speed['group_cpu']:.3f} s CPU ({speed['groups']} groups);"
          f" {args.texts / wall:,.0f} texts/s wall, {args.texts / cpu:,.0f} texts/s CPU")

if __name__ == "__main__":
    main()
