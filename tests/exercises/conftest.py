"""Shared by the exercise tests: every check a test runs is audited against the catalogue.

After each test, every check recorded in the session log must name only mistake
ids its exercise or prediction (or the common list) knows, and a feedback that
names its own mistake must show that mistake's hint, so the hints the
instructor guides print are the ones learners read.
"""

from __future__ import annotations

import re

import pytest

from cnnlib.exercises import _check, attempts, catalogue, clear_results


def normalised(text: str) -> str:
    """Lower case, single spaces, no final full stop: how a hint may be embedded."""
    return re.sub(r"\s+", " ", text).strip().rstrip(".").lower()


@pytest.fixture(autouse=True)
def audited_checks():
    clear_results()
    yield
    data = catalogue()
    known = {e["id"]: e for e in [*data["exercises"], *data["predictions"]]}
    common = {m["id"] for m in data["common"]}
    for attempt in attempts():
        exercise = known[attempt["exercise"]]
        assert attempt["kind"] == ("prediction" if "answer_type" in exercise else "exercise")
        own = {m["id"]: m for m in exercise["mistakes"]}
        shown = normalised(" ".join([attempt["message"], *attempt["details"]]))
        for mistake_id in attempt["mistakes"]:
            assert mistake_id in own or mistake_id in common, (exercise["id"], mistake_id)
            if mistake_id in own:
                assert normalised(own[mistake_id]["hint"]) in shown, (
                    f"{exercise['id']}: the feedback names {mistake_id!r} without its hint:\n"
                    f"{attempt['message']}"
                )
        assert "checker-error" not in attempt["mistakes"], attempt["details"]
    clear_results()


@pytest.fixture
def short_time_limit(monkeypatch):
    """A time limit of 0.3 s, so that endless loops end quickly in tests."""
    monkeypatch.setattr(_check, "TIME_LIMIT_SECONDS", 0.3)
    return 0.3
