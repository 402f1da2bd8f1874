"""The CI gate: shares of questions judged by their 95% Wilson bound, not their point value,
so that one question more or less cannot flip it.

Each gated metric has a floor and a target. CI fails when the bound is past the floor; the
target is reported beside it, met or not (none is yet). The floors sit a few questions below
what the settled method scored on the held-out split, so they catch a regression, not
noise; the targets are where the product has to get to.

Faithfulness and citation precision are not gated: for the extractive generator every
sentence is a sentence of a cited passage, so both are 1.0 by construction (reported as such).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Bound:
    floor: float  # CI fails when the Wilson bound is past it
    target: float  # where the issue wants the Wilson bound
    side: Literal["min", "max"]
    of: str  # the metric counting what this is a share of


# Floors: about three questions below the 95% bound the held-out split gave on 2026-12-07
# (key facts cited 0.739 of 349, lower bound 0.690; negative rejection 0.820 of 100, 0.733;
# false refusal 0.040 of 223, upper 0.074; R@5 0.964 of 223, 0.931). Targets: issues 17, 18.
GATE: dict[str, Bound] = {
    # every key fact of every answerable question, stated and cited to a passage holding it
    "key_facts_cited": Bound(0.65, 0.85, "min", "key_facts"),
    "negative_rejection": Bound(0.70, 0.90, "min", "must_refuse"),
    "false_refusal": Bound(0.10, 0.07, "max", "answerable"),
    "recall@5": Bound(0.91, 0.97, "min", "retrieved"),
}
BY_CONSTRUCTION = ("faithfulness", "citation_precision")
"""1.0 for any extractive answer: reported, never gated."""


def wilson_interval(share: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% interval of a share of ``n`` questions: with 70 must-refuse questions, 0.81 is
    compatible with anything from about 0.70 to 0.89, which a reader of the gate should see."""
    if n <= 0:
        return (0.0, 1.0)
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def intervals(values: dict[str, float]) -> dict[str, tuple[float, float]]:
    """The Wilson interval of each gated share whose count ``values`` holds."""
    return {
        name: wilson_interval(values[name], int(values[bound.of]))
        for name, bound in GATE.items()
        if name in values and bound.of in values
    }


def _read(name: str, interval: tuple[float, float]) -> float:
    """The bound the gate reads: the lower one for a share that must be high, else the upper."""
    return interval[0] if GATE[name].side == "min" else interval[1]


def judged(values: dict[str, float], name: str) -> float:
    """The bound the gate reads for ``name`` in ``values``."""
    return _read(name, intervals(values)[name])


def _missed(values: dict[str, float], level: str) -> list[str]:
    missed = []
    for name, interval in intervals(values).items():
        bound = GATE[name]
        limit = bound.floor if level == "floor" else bound.target
        at = _read(name, interval)
        if (bound.side == "min" and at < limit) or (bound.side == "max" and at > limit):
            sign, which = ("<", "lower") if bound.side == "min" else (">", "upper")
            missed.append(
                f"{name} {values[name]:.3f} (Wilson {which} {at:.3f}) {sign} {level} {limit}"
            )
    return missed


def gate_failures(values: dict[str, float]) -> list[str]:
    """The floors broken, e.g. ``negative_rejection 0.700 (Wilson lower 0.604) < floor 0.78``;
    empty = passes. Metrics absent from ``values`` (or without their count) are not judged."""
    return _missed(values, "floor")


def targets_missed(values: dict[str, float]) -> list[str]:
    """The targets not yet reached: reported, not failing."""
    return _missed(values, "target")
