"""The answerability model: its fit, its stored form, and the file the answerer loads."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.answer.answerability.model import (
    FEATURE_NAMES,
    MODEL_FILE,
    AnswerabilityModel,
    Features,
    balanced_weights,
    fit,
)


def test_confidence_model_round_trip_and_direction() -> None:
    rng = np.random.default_rng(0)
    answerable = rng.normal(0.9, 0.02, (40, len(FEATURE_NAMES)))
    must_refuse = rng.normal(0.8, 0.02, (40, len(FEATURE_NAMES)))
    labels = np.r_[np.zeros(40), np.ones(40)] > 0
    categories = np.where(labels, "absent_fact", "answerable")
    model = fit(np.r_[answerable, must_refuse], labels, categories, l2=1.0)
    close = Features(*([0.92] * len(FEATURE_NAMES)))
    far = Features(*([0.78] * len(FEATURE_NAMES)))
    assert not model.refuses(close) and model.refuses(far)
    assert AnswerabilityModel.from_json(model.to_json()) == model
    stale = {**model.to_json(), "features": ["similarity"]}
    with pytest.raises(ValueError, match="recalibrate"):
        AnswerabilityModel.from_json(stale)


def test_each_must_refuse_category_weighs_the_same() -> None:
    labels = np.array([False] * 4 + [True] * 4)
    categories = np.array(["answerable"] * 4 + ["absent_fact"] * 3 + ["out_of_scope"])
    weights = balanced_weights(labels, categories)
    assert weights[:4].sum() == pytest.approx(weights[4:].sum())
    assert weights[4:7].sum() == pytest.approx(weights[7])


def test_the_model_file_is_the_one_loaded_and_beats_the_checks_alone() -> None:
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    loaded = AnswerabilityModel.load()
    assert loaded is not None and loaded.threshold == data["model"]["threshold"]
    # cross-validated: every question judged by a model not fitted on it
    for source in ("dev", "generated"):
        judged, alone = data["cross_validated"][source], data["checks_alone"][source]
        assert judged["false_refusal"] <= 0.10, source
        assert (
            judged["balanced_rejection"] - judged["false_refusal"]
            > alone["balanced_rejection"] - alone["false_refusal"]
        ), source
