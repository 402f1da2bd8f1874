"""Standardised logistic regression, the one learned decision kind the product uses (the
answerability check, the second-stage ranking): a few weights in a JSON file, scored with
numpy at run time; fitted offline with scipy's L-BFGS."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Logistic:
    names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def logits(self, vectors: np.ndarray) -> np.ndarray:
        z = (vectors - np.asarray(self.mean)) / np.asarray(self.scale)
        return np.asarray(z @ np.asarray(self.weights) + self.bias)

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        return np.asarray(1 / (1 + np.exp(-self.logits(vectors))))

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.names),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "weights": list(self.weights),
            "bias": self.bias,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], names: Sequence[str]) -> Logistic:
        """``names``: the features the code computes; a file fitted on others is refused."""
        if tuple(data["features"]) != tuple(names):
            raise ValueError("the model was fitted on other features: refit it")
        return cls(
            tuple(names),
            tuple(map(float, data["mean"])),
            tuple(map(float, data["scale"])),
            tuple(map(float, data["weights"])),
            float(data["bias"]),
        )


def fit_logistic(
    vectors: np.ndarray,
    labels: np.ndarray,
    names: Sequence[str],
    l2: float = 1.0,
    sample_weight: np.ndarray | None = None,
) -> Logistic:
    """L2-regularised (the bias is not penalised), features standardised first."""
    from scipy.optimize import minimize

    mean = vectors.mean(axis=0)
    scale = vectors.std(axis=0) + 1e-9
    z = np.c_[(vectors - mean) / scale, np.ones(len(vectors))]
    y = labels.astype(np.float64)
    weight = np.ones(len(y)) if sample_weight is None else sample_weight

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        p = 1 / (1 + np.exp(-(z @ w)))
        eps = 1e-9
        value = -(weight * (y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))).sum()
        grad = z.T @ (weight * (p - y))
        penalty = np.r_[w[:-1], 0.0]
        return float(value + l2 * (penalty**2).sum()), grad + 2 * l2 * penalty

    w = minimize(loss, np.zeros(z.shape[1]), jac=True, method="L-BFGS-B").x
    return Logistic(
        tuple(names),
        tuple(map(float, mean)),
        tuple(map(float, scale)),
        tuple(map(float, w[:-1])),
        float(w[-1]),
    )
