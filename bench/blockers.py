"""Benchmark the blocker miner on a labelled JSONL corpus: quality, cross-validation, groups, speed.

Usage: python bench/blockers.py CORPUS.jsonl [--train TRAIN.jsonl] [--texts 20000]
Each line: {"id", "text", "is_blocker", "kind", "blocker"}; corpora are read, never copied. The
shipped model (okr_core/blockers/data/blocker_model.json) is measured as it is: nothing here is fitted
to CORPUS. With --train, the training corpus's k-fold cross-validated figures are printed too.
The cue rules alone (the previous miner) are measured in the same run as a baseline.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from okr_core.blockers import detect, group_recurring  # noqa: E402
from okr_core.blockers.detect import detect as detect_by_cues  # noqa: E402
from okr_core.blockers.grouping import group_recurring as group_by_words  # noqa: E402
from okr_core.blockers.learned import load_model  # noqa: E402
from train_blockers import (  # noqa: E402
    SEEDS, WRITTEN_PATH, Written, cross_validate, cue_is_sure, detection_scores, kind_out_of_fold, load, mean_scores,
    pair_scores, phrase_of, texts_of,
)
from okr_core.blockers.grouping_learned import cluster  # noqa: E402


def quality(rows: list[dict], miner, grouper=group_recurring) -> dict:
    findings = [miner(r["text"], r["id"]) for r in rows]
    flags = [bool(f and f.is_blocker) for f in findings]
    scores = detection_scores([bool(r["is_blocker"]) for r in rows], flags)
    found = [(r, f) for r, f in zip(rows, findings) if f and f.is_blocker and r["is_blocker"]]
    scores["kind_accuracy"] = sum(f.kind == r["kind"] for r, f in found) / max(1, len(found))
    scores["kinds_checked"] = len(found)
    groups = grouper(((f, r["text"]) for r, f in found), min_count=1)
    group_of = {sid: n for n, g in enumerate(groups) for sid in g.source_ids}
    scores["grouping"] = pair_scores([r["blocker"].lower() for r, _ in found], [group_of[r["id"]] for r, _ in found])
    scores["groups"] = [g for g in groups if g.count > 1]
    return scores


def show(name: str, scores: dict) -> None:
    print(f"{name}: precision {scores['precision']:.3f}  recall {scores['recall']:.3f}  F1 {scores['f1']:.3f}"
          f"  (tp {scores['tp']} fp {scores['fp']} fn {scores['fn']});  kind accuracy {scores['kind_accuracy']:.3f}"
          f" over {scores['kinds_checked']} detected true blockers;  grouping pairwise precision"
          f" {scores['grouping'][0]:.3f} recall {scores['grouping'][1]:.3f}")


def throughput(rows: list[dict], texts: int, miner) -> tuple[float, float, int]:
    """(mining seconds, grouping seconds, groups) for `texts` texts: the corpus repeated, no cache."""
    sample = [rows[i % len(rows)]["text"] for i in range(texts)]
    start, cpu = time.perf_counter(), time.process_time()
    findings = [miner(text, str(n)) for n, text in enumerate(sample)]
    mined = time.perf_counter()
    groups = group_recurring((f, t) for f, t in zip(findings, sample) if f is not None)
    return mined - start, time.perf_counter() - mined, len(groups), time.process_time() - cpu


def cross_validated(path: str) -> None:
    """The training corpus's out-of-fold figures with the shipped model's hyper-parameters (repeated k-fold;
    the written examples join every training fold, as in training, and are never scored)."""
    import json  # noqa: PLC0415
    from okr_core.blockers.learned import MODEL_PATH  # noqa: PLC0415

    rows = load(path)
    shipped = json.loads(MODEL_PATH.read_text())
    training = shipped["training"]
    texts = texts_of(rows)
    written = Written(load(str(WRITTEN_PATH))) if training.get("written_examples") else None
    labels = [bool(r["is_blocker"]) for r in rows]
    runs = []
    for seed in SEEDS:
        extra = written.weighted(training["written_weight"]) if written is not None else None
        probability = cross_validate(rows, texts, training["l2"], training["vector_weight"], training["rule_boost"],
                                     extra, seed)
        runs.append(detection_scores(labels, [p >= shipped["threshold"] or cue_is_sure(f, shipped["cue_override"])
                                              for p, f in zip(probability, texts)]))
    scores = mean_scores(runs)
    kind_extra = written.weighted(training["kind_written_weight"]) \
        if written is not None and training.get("kind_written_weight") else None
    kind_accuracy = kind_out_of_fold(rows, texts, training["kind_l2"], shipped["kind_rule_weight"],
                                     training["kind_vector_weight"], training["kind_rule_boost"], kind_extra)
    grouping = shipped["grouping"]
    blockers = [r for r in rows if r["is_blocker"]]
    labels = cluster([f"{phrase_of(r['text'])}. {r['text']}" for r in blockers], grouping["similarity"],
                     grouping["meaning_weight"])
    precision, recall = pair_scores([r["blocker"].lower() for r in blockers], labels)
    print(f"training corpus, {len(rows)} texts, {len(SEEDS)}x5-fold cross-validated: precision"
          f" {scores['precision']:.3f}  recall {scores['recall']:.3f}  F1 {scores['f1']:.3f}  kind accuracy"
          f" {kind_accuracy:.3f} (all true blockers);  grouping (not fitted by folds: one threshold) pairwise"
          f" precision {precision:.3f} recall {recall:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--train", help="training corpus: print its cross-validated figures too")
    parser.add_argument("--texts", type=int, default=20000)
    args = parser.parse_args()
    rows = load(args.corpus)
    print(f"corpus: {len(rows)} texts, {sum(bool(r['is_blocker']) for r in rows)} blockers;"
          f" model version {load_model().version}")
    trained = quality(rows, detect)
    show("trained miner", trained)
    show("baseline, cue rules and word-overlap grouping", quality(rows, detect_by_cues, group_by_words))
    for group in trained["groups"][:15]:
        print(f"  {group.count} x {group.phrase!r} [{group.kind}]")
    if args.train:
        cross_validated(args.train)
    for name, miner in (("baseline cue rules", detect_by_cues), ("trained miner", detect)):
        mine_s, group_s, groups, cpu_s = throughput(rows, args.texts, miner)
        print(f"{name}: {args.texts} texts cold in {mine_s + group_s:.2f} s wall, {cpu_s:.2f} s CPU (mining"
              f" {mine_s:.2f} s, grouping {group_s:.2f} s wall; {groups} recurring groups); load average"
              f" {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
