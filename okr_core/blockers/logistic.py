"""Multinomial logistic regression in numpy: training (full-batch accelerated gradient descent) and scoring.

Two classes is the binary case. Features are standardised with the training set's mean and spread,
which are kept with the weights so scoring applies the same transform.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Logistic:
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray     # (features, classes)
    bias: np.ndarray        # (classes,)

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        logits = ((features - self.mean) / self.scale) @ self.weights + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)


def _top_singular_value(x: np.ndarray, rounds: int = 30) -> float:
    """Largest singular value by power iteration (a full SVD is slow on wide matrices), with 10% margin."""
    vector = np.random.RandomState(0).normal(size=x.shape[1])
    value = 0.0
    for _ in range(rounds):
        vector = x.T @ (x @ vector)
        value = np.linalg.norm(vector)
        vector /= value or 1.0
    return 1.1 * float(np.sqrt(value))


def train(features: np.ndarray, labels: np.ndarray, classes: int, l2: float = 1.0,
          steps: int = 400, sample_weight: np.ndarray | None = None,
          boost: np.ndarray | None = None) -> Logistic:
    """Fit by Nesterov-accelerated gradient descent on the mean cross-entropy plus l2 / n * |W|^2.

    `boost` multiplies standardised columns (a block of features regularised less than the rest).
    """
    n, d = features.shape
    mean = features.mean(axis=0)
    scale = features.std(axis=0) + 1e-6
    if boost is not None:
        scale = scale / boost
    x = (features - mean) / scale
    y = np.eye(classes)[labels]
    weight = np.ones(n) if sample_weight is None else sample_weight
    weight = weight / weight.sum()
    w, b = np.zeros((d, classes)), np.zeros(classes)
    vw, vb = w.copy(), b.copy()
    rate = 1.0 / (0.5 * _top_singular_value(x) ** 2 * weight.max() + 2 * l2 / n)
    for step in range(steps):
        lw, lb = w + step / (step + 3) * vw, b + step / (step + 3) * vb
        logits = x @ lw + lb
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        error = (p - y) * weight[:, None]
        grad_w = x.T @ error + 2 * l2 / n * lw
        grad_b = error.sum(axis=0)
        new_w, new_b = lw - rate * grad_w, lb - rate * grad_b
        vw, vb = new_w - w, new_b - b
        w, b = new_w, new_b
    return Logistic(mean, scale, w, b)
