"""The prediction catalogue and check_prediction: "predict, then move the slider".

* the catalogue: one well-formed prediction (at least) for every explorer of the course
  and for the uploads, unique ids, answers that are numbers or one of the choices,
  typical wrong predictions that are really wrong, all of it plain data for the
  instructor guides; numbers worked out again here from the core by another route
  (building the network, running the occlusion, counting positions);
* check_prediction: right answers in the forms a learner types them, each typical
  wrong prediction recognised with its hint, every other answer a helpful "not yet";
  the zoo of bad answers the exercise checks face (tests/exercises/test_adversarial.py)
  and a zoo of typed texts never get a traceback;
* the session log: every check recorded with kind "prediction", apart from exercises;
* the student release: predictions are not model answers and work without solutions.py.

That each answer is what the explorer shows is tested in
tests/explorers/test_prediction_answers.py; the widget in
tests/explorers/test_prediction_prompt.py.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import math
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import cnnlib
import cnnlib.exercises as ex
from cnnlib import Conv2D, Dense, Flatten, MaxPool2D, ReLU, Sequential
from cnnlib.exercises import (
    Feedback,
    attempts,
    catalogue,
    check_prediction,
    find_prediction,
    predictions,
    results,
)
from cnnlib.exercises._catalogue import COMMON_MISTAKES

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
PACKAGE = ROOT / "cnnlib" / "exercises" / "predictions"
PREDICTIONS = predictions()
IDS = [p.id for p in PREDICTIONS]
NUMBERS = [p for p in PREDICTIONS if not p.choices]
CHOICES = [p for p in PREDICTIONS if p.choices]

#: Every explorer the notebooks use, and the ones being added (notebook 07's saliency and
#: occlusion explorer, the network builder): each gets at least one prediction.
EXPLORERS = {
    "WidgetCheck",
    "PixelExplorer",
    "ChannelExplorer",
    "ResolutionExplorer",
    "ImageEditExplorer",
    "ShiftExplorer",
    "ConvolutionExplorer",
    "ConvolutionStepper",
    "TemplateMatcher",
    "PoolingExplorer",
    "ActivationExplorer",
    "ClassifierExplorer",
    "HandwiredExplorer",
    "LossLandscape",
    "TrainingDashboard",
    "FeatureMapExplorer",
    "MistakesGallery",
    "DigitPad",
    "DigitPhoto",
    "AttributionExplorer",
    "NetworkBuilder",
}
PENDING_EXPLORERS: set[str] = set()  # explorers being written: none now


def _adversarial_zoo():
    """The zoo of bad answers the exercise checks are tested with (one list, reused)."""
    path = Path(__file__).with_name("zoo.py")
    spec = importlib.util.spec_from_file_location("_adversarial_zoo", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ZOO


ZOO = _adversarial_zoo()

#: What a learner may type into the number box (which hands the check the raw text).
TYPED = [
    "",
    "   ",
    "fourteen",
    "14 15",
    "14 x 15",
    "(14, 15)",
    "14,5",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e999",
    "-0",
    "0.000000001",
    "9" * 400,
    "1" * 100_000,
    "\x00",
    "\u200b",
    "１４",  # full-width digits
    "14\n",
    "'14'",
    "14%",
    "½",
    "🙂",
    "None",
    "...",
    "[14]",
    "0x0E",
    "1_4",
    "- 14",
    "14e",
    "e14",
    ".",
    "-",
    "+",
    "<script>alert(1)</script>",
]


# ----------------------------------------------------------------------------
# the catalogue
# ----------------------------------------------------------------------------
def test_the_catalogue_lists_every_prediction_as_plain_data():
    data = catalogue()
    assert json.loads(json.dumps(data)) == data
    listed = data["predictions"]
    assert [p["id"] for p in listed] == IDS
    for entry in listed:
        assert set(entry) == {
            "id",
            "kind",
            "notebook",
            "explorer",
            "title",
            "question",
            "answer_type",
            "choices",
            "answer",
            "explanation",
            "reveal",
            "settings",
            "moves",
            "mistakes",
        }
        assert entry["kind"] == "prediction"
        assert entry["answer_type"] in ("number", "choice")
        for mistake in entry["mistakes"]:
            assert set(mistake) == {"id", "name", "hint", "note", "answer"}


def test_ids_are_unique_stable_names_apart_from_the_exercises():
    assert len(set(IDS)) == len(IDS)
    exercises = {e["id"] for e in catalogue()["exercises"]}
    assert not set(IDS) & exercises
    for prediction_id in IDS:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9.]+)*", prediction_id), prediction_id


def test_every_explorer_of_the_course_gets_a_prediction():
    covered = {p.explorer for p in PREDICTIONS}
    assert covered >= EXPLORERS, EXPLORERS - covered
    uploads = {p.explorer for p in PREDICTIONS if "upload" in p.moves}
    assert {"PixelExplorer", "ConvolutionExplorer"} <= uploads


def test_the_explorers_listed_exist_or_are_being_written():
    import cnnlib.explorers as explorers

    for prediction in PREDICTIONS:
        if prediction.explorer in PENDING_EXPLORERS:
            continue
        cls = getattr(explorers, prediction.explorer)
        assert isinstance(cls, type) and hasattr(cls, "update"), prediction.explorer


def test_every_notebook_named_exists_and_predictions_are_in_course_order():
    for prediction in PREDICTIONS:
        assert (NOTEBOOKS / f"{prediction.notebook}.ipynb").is_file(), prediction.id
    order = [p.notebook for p in PREDICTIONS]
    assert order == sorted(order)
    numbered = {p.stem for p in NOTEBOOKS.glob("0[1-9]_*.ipynb")}
    assert numbered - {"06_training"} <= {p.notebook for p in PREDICTIONS} | {"06_training"}


@pytest.mark.parametrize("prediction", PREDICTIONS, ids=IDS)
def test_each_prediction_is_well_formed(prediction):
    p = prediction
    assert p.question.endswith("?") and len(p.question) >= 40, p.question
    assert 3 <= len(p.title) <= 60
    for text in (p.explanation, p.nudge):
        assert len(text) >= 30 and text.rstrip().endswith((".", "?", ")")), text
    assert p.reveal and not p.reveal.endswith("."), "shown after 'find out in the explorer:'"
    assert p.reveal[0].islower()
    assert json.loads(json.dumps(dict(p.settings))) == dict(p.settings)
    if p.choices:
        assert len(p.choices) >= 2 and len(set(p.choices)) == len(p.choices)
        assert p.expected in p.choices
        normalised = [c.casefold() for c in p.choices]
        assert len(set(normalised)) == len(normalised)
    else:
        assert isinstance(p.expected, int | float) and math.isfinite(p.expected)
        assert p.tolerance >= 0


@pytest.mark.parametrize("prediction", PREDICTIONS, ids=IDS)
def test_typical_wrong_predictions_are_well_formed_and_wrong(prediction):
    common = {m.id for m in COMMON_MISTAKES}
    ids = [m.id for m in prediction.mistakes]
    assert prediction.mistakes, "name at least one typical wrong prediction"
    assert len(set(ids)) == len(ids) and not set(ids) & common
    values = []
    for mistake in prediction.mistakes:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", mistake.id), mistake.id
        assert 3 <= len(mistake.name) <= 45, mistake.name
        assert mistake.hint.endswith((".", ")", "?")), mistake.hint
        assert len(mistake.note) >= 60 and mistake.note != mistake.hint, mistake.id
        assert mistake.note.endswith((".", ")", "?")), mistake.id
        value = mistake.compute()
        if prediction.choices:
            assert value in prediction.choices and value != prediction.expected
        else:
            assert math.isfinite(value)
            assert abs(value - prediction.expected) > prediction.tolerance
        values.append(value)
    assert len(set(values)) == len(values), "two mistakes stand for the same answer"


def test_no_question_gives_its_answer_away():
    """The widget shows the question before the check: it must not state the answer
    (unless the answer is one of the settings the question names, like a stride of 2)."""
    for prediction in PREDICTIONS:
        if not _given(prediction):
            assert not _gives_away(prediction, prediction.question), prediction.id


def _given(prediction) -> bool:
    """Whether the answer is a number the question names anyway (a setting, a kernel size)."""
    if prediction.choices:  # a question may list every choice
        return all(
            choice.casefold() in prediction.question.casefold() for choice in prediction.choices
        )
    return bool(re.search(rf"(?<![\d.,]){prediction.expected}(?![\d])", prediction.question))


# ----------------------------------------------------------------------------
# the numbers, worked out again from the core by another route
# ----------------------------------------------------------------------------
def _positions(size, window, stride=1, padding=0, dilation=1):
    """Where a window can start: counted one by one, not with the formula."""
    span = dilation * (window - 1) + 1
    return len(range(0, size + 2 * padding - span + 1, stride))


def test_sizes_agree_with_counting_positions():
    assert find_prediction("conv-stride-2-padding-1").expected == _positions(28, 3, 2, 1) == 14
    assert find_prediction("conv-dilation-2").expected == _positions(9, 3, dilation=2) == 5
    assert find_prediction("conv-upload-width").expected == _positions(96, 3) == 94
    assert find_prediction("stepper-stride-2-positions").expected == _positions(8, 3, 2) ** 2
    assert find_prediction("pool-window-3-stride-2").expected == _positions(6, 3, 2) == 2
    assert find_prediction("occlusion-map-size").expected == _positions(28, 6, 2) == 12


def _network(blocks, padding, filters=(8, 16, 32, 64), side=28):
    layers, channels = [], 1
    for block in range(blocks):
        layers += [Conv2D(channels, filters[block], 3, padding=padding), ReLU(), MaxPool2D(2)]
        channels = filters[block]
    return Sequential(*layers)


def test_the_network_builders_numbers_agree_with_real_networks():
    fits = find_prediction("builder-valid-blocks").expected
    _network(fits, padding=0).summary((1, 28, 28))  # fits
    with pytest.raises(ValueError):
        _network(fits + 1, padding=0).summary((1, 28, 28))  # shrunk to nothing
    model = cnnlib.reference_cnn(seed=0)
    dense = model.layers[-1]
    assert isinstance(dense, Dense)
    expected = find_prediction("builder-dense-parameters").expected
    assert expected == sum(v.size for v in dense.params.values()) == 7_850
    features = _network(2, padding=1).summary((1, 28, 28)).rows[-1]["output_shape"]
    assert find_prediction("feature-maps-last-size").expected == features[-1] == 7
    assert Flatten().forward(np.zeros((1, *features))).shape == (1, 784)


def test_the_occlusion_numbers_agree_with_the_core():
    from cnnlib import attribution

    model = cnnlib.load_pretrained()
    digit = cnnlib.load_mnist("test")[0][0]
    drops = attribution.occlusion_map(model, digit, 0, patch=6, stride=2)
    assert drops.shape[-1] == find_prediction("occlusion-map-size").expected
    assert drops.reshape(-1, *drops.shape[-2:])[0][0, 0] == 0  # blank corner: exactly 0


def test_the_hand_wired_answers_follow_from_the_scores():
    dot = find_prediction("handwired-dot")
    assert dot.expected == pytest.approx(float(cnnlib.softmax(np.array([0.0, 0.0]))[0]))


def test_the_descent_answers_follow_from_the_step_factor():
    """On w squared one step multiplies w by 1 - 2 x learning rate (notebook 06)."""
    for prediction_id, rate in [("descent-lr-1.1", 1.1), ("descent-lr-0.9", 0.9)]:
        factor = 1 - 2 * rate
        word = "diverges" if abs(factor) > 1 else "bounces in" if factor < 0 else "walks"
        assert find_prediction(prediction_id).expected.startswith(word)
    assert 4 * 0.98**30 > 2  # the crawl: still more than half way after 30 steps
    assert find_prediction("descent-lr-0.01").expected.startswith("crawls")


def test_the_first_loss_is_ln_10():
    assert find_prediction("training-first-loss").expected == f"about {math.log(10):.1f}"


# ----------------------------------------------------------------------------
# check_prediction
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("prediction", PREDICTIONS, ids=IDS)
def test_the_expected_answer_passes_and_each_typical_mistake_gets_its_hint(prediction):
    right = check_prediction(prediction.id, prediction.expected)
    assert right.passed and right.kind == "prediction" and right.exercise == prediction.id
    assert prediction.explanation in right.message and prediction.reveal in right.message
    for mistake in prediction.mistakes:
        wrong = check_prediction(prediction.id, mistake.compute())
        assert not wrong.passed and wrong.mistakes == (mistake.id,)
        assert mistake.hint in wrong.message and prediction.reveal in wrong.message
        if not _given(prediction):
            assert not _gives_away(prediction, wrong.message), (mistake.id, wrong.message)


def _gives_away(prediction, message) -> bool:
    """Whether ``message`` states the expected answer (a wrong answer's feedback must not)."""
    if prediction.choices:
        pattern = rf"(?<!\w){re.escape(prediction.expected.casefold())}(?!\w)"
        return re.search(pattern, message.casefold()) is not None
    expected = prediction.expected
    shown = {f"{expected:,}", f"{expected}"} if isinstance(expected, int) else {f"{expected:g}"}
    return any(re.search(rf"(?<![\d.,]){re.escape(s)}(?![\d]|[.,]\d)", message) for s in shown)


@pytest.mark.parametrize("prediction", CHOICES, ids=[p.id for p in CHOICES])
def test_every_other_choice_gets_the_nudge(prediction):
    known = {m.compute() for m in prediction.mistakes}
    for choice in prediction.choices:
        if choice != prediction.expected and choice not in known:
            feedback = check_prediction(prediction.id, choice)
            assert not feedback.passed and feedback.mistakes == ()
            assert prediction.nudge in feedback.message
            assert not _gives_away(prediction, feedback.message), feedback.message


def test_a_choice_may_be_typed_loosely():
    expected = find_prediction("descent-lr-1.1").expected
    for typed in [
        expected,
        expected.upper(),
        f"  {expected}  ",
        f"'{expected}'",
        "diverges",
        "Diverge",
        "diverges.",
    ]:
        feedback = check_prediction("descent-lr-1.1", typed)
        assert feedback.passed, typed
        assert f"You predicted: {expected}." in feedback.message
    for ambiguous in ["d", "di", "about", "a"]:
        feedback = check_prediction("training-first-loss", ambiguous)
        assert not feedback.passed and feedback.mistakes == ("unreadable",)
        assert "choose one of 'about 0.1'" in feedback.message


def test_a_number_may_be_typed_as_a_learner_types_it():
    for typed in [
        "14",
        " 14 ",
        "14.0",
        "+14",
        "1.4e1",
        "14x14",
        "14 x 14",
        "14 × 14",
        "(14, 14)",
        "14,14",
        "14 pixels",
        np.int64(14),
        np.float32(14),
        np.array(14),
        (14, 14),
        [14],
        np.array([14, 14]),
    ]:
        assert check_prediction("conv-stride-2-padding-1", typed).passed, typed
    assert check_prediction("builder-dense-parameters", "7,850").passed
    assert check_prediction("builder-dense-parameters", "7 850").passed
    assert check_prediction("builder-dense-parameters", "7_850").passed
    assert check_prediction("resolution-factor-8-numbers", "14,400").passed
    for typed in ["0.5", ".5", "50%", "50 %", "50"]:  # a probability, in percent or not
        assert check_prediction("handwired-dot", typed).passed, typed


def test_answers_that_are_not_numbers_say_what_to_enter():
    cases = {
        "fourteen": "is not a number",
        "14,5": "write decimals with a point, e.g. 14.5",
        "14 x 15": "two different numbers",
        "(14, 15)": "two different numbers",
        "14%": "is a percentage",
        "": "Write down your prediction first",
        None: "Write down your prediction first",
        ...: "Write down your prediction first",
        "1" * 100: "long text",
        True: "truth value",
        "nan": "NaN",
        1j: "complex",
    }
    for answer, said in cases.items():
        feedback = check_prediction("conv-stride-2-padding-1", answer)
        assert not feedback.passed and said in feedback.message, (answer, feedback.message)
        assert feedback.mistakes in (("unreadable",), ("placeholder",), ("not-finite",))


def test_a_whole_number_question_says_so_to_a_fraction():
    feedback = check_prediction("conv-stride-2-padding-1", 13.5)
    assert not feedback.passed and "whole number" in feedback.message


def test_an_unknown_id_is_a_clear_error_naming_the_closest():
    with pytest.raises(ValueError, match="Did you mean 'conv-stride-2-padding-1'"):
        check_prediction("conv-stride-2-padding1", 14)
    with pytest.raises(ValueError, match="no prediction called 3"):
        check_prediction(3, 14)
    with pytest.raises(ValueError, match="no prediction called"):
        find_prediction(None)


@pytest.mark.parametrize("prediction", [NUMBERS[0], CHOICES[0]], ids=["number", "choice"])
def test_a_zoo_of_answers_gets_a_helpful_not_yet(prediction):
    problems = []
    for answer in [*ZOO, *TYPED]:
        start = time.monotonic()
        try:
            feedback = check_prediction(prediction.id, answer)
        except BaseException as err:  # noqa: BLE001 - exactly what must never happen
            problems.append(f"{answer!r:.40}: raised {type(err).__name__}: {err}")
            continue
        if not isinstance(feedback, Feedback):
            problems.append(f"{answer!r:.40}: returned {type(feedback).__name__}")
        elif feedback.passed and answer != "-0":
            problems.append(f"{answer!r:.40}: passed")
        elif len(feedback.message) < 40 or "Traceback" in feedback.message:
            problems.append(f"{answer!r:.40}: unhelpful: {feedback.message!r}")
        elif "checker-error" in feedback.mistakes or feedback.exercise != prediction.id:
            problems.append(f"{answer!r:.40}: answered by the safety net")
        elif len(feedback.message) > 600:
            problems.append(f"{answer!r:.40}: {len(feedback.message)} characters long")
        if time.monotonic() - start > 0.5:
            problems.append(f"{answer!r:.40}: took {time.monotonic() - start:.1f} s")
    assert not problems, "\n".join(problems[:20])


def test_every_prediction_holds_up_under_the_typed_zoo():
    for prediction in PREDICTIONS:
        for answer in TYPED:
            feedback = check_prediction(prediction.id, answer)
            assert isinstance(feedback, Feedback) and "checker-error" not in feedback.mistakes


# ----------------------------------------------------------------------------
# the session log
# ----------------------------------------------------------------------------
def test_each_check_is_logged_as_a_prediction_apart_from_exercises():
    assert attempts() == []
    check_prediction("conv-stride-2-padding-1", "13")
    check_prediction("conv-stride-2-padding-1", "14")
    ex.check_learning_rate(0.9)
    logged = attempts("prediction")
    assert [a["exercise"] for a in logged] == ["conv-stride-2-padding-1"] * 2
    assert [a["passed"] for a in logged] == [False, True]
    assert logged[0]["mistakes"] == ["padding-forgotten"]
    assert logged[0]["notebook"] == "02_convolution"
    assert logged[0]["title"] == find_prediction("conv-stride-2-padding-1").title
    latest = results()
    assert latest["conv-stride-2-padding-1"]["kind"] == "prediction"
    assert latest["conv-stride-2-padding-1"]["attempts"] == 2
    assert latest["conv-stride-2-padding-1"]["ever_passed"] is True
    assert latest["learning_rate"]["kind"] == "exercise"
    assert set(results("exercise")) == {"learning_rate"}
    assert set(results("prediction")) == {"conv-stride-2-padding-1"}
    assert [a["kind"] for a in attempts()] == ["prediction", "prediction", "exercise"]
    assert json.loads(json.dumps(results())) == results()


# ----------------------------------------------------------------------------
# the student release
# ----------------------------------------------------------------------------
@pytest.mark.skipif(
    not (ROOT / "cnnlib" / "exercises" / "solutions.py").exists(),
    reason="a student edition: it has no solutions.py to look into",
)
def test_predictions_do_not_live_in_the_deletable_solutions_module():
    source = (ROOT / "cnnlib" / "exercises" / "solutions.py").read_text()
    for prediction_id in IDS:
        assert prediction_id not in source
    for path in [*PACKAGE.glob("*.py"), ROOT / "cnnlib" / "explorers" / "prediction.py"]:
        tree = ast.parse(path.read_text())
        imported = {
            alias.name if isinstance(node, ast.Import) else node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in (node.names if isinstance(node, ast.Import) else [node])
        }
        assert not any("solutions" in (name or "") for name in imported), path.name


def test_predictions_work_in_a_copy_of_the_course_without_solutions(tmp_path):
    """As a student release ships cnnlib: solutions.py deleted; every prediction still
    checks, and the widget still shows."""
    package = Path(cnnlib.__file__).parent
    shutil.copytree(package, tmp_path / "cnnlib", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "cnnlib" / "exercises" / "solutions.py").unlink(
        missing_ok=True
    )  # a release has none
    (tmp_path / "data").symlink_to(ROOT / "data")  # the release ships data/ beside cnnlib/
    script = textwrap.dedent(
        """
        import sys
        import cnnlib.exercises as ex
        from cnnlib import predict_first
        assert ex.__file__.startswith(sys.argv[1]), ex.__file__
        listed = ex.catalogue()["predictions"]
        assert len(listed) == int(sys.argv[2])
        for entry in listed:
            assert ex.check_prediction(entry["id"], entry["answer"]).passed, entry["id"]
        prompt = predict_first("conv-stride-2-padding-1")
        prompt.controls["answer"].value = "13"
        prompt.controls["check"].click()
        assert prompt.feedback.mistakes == ("padding-forgotten",)
        assert "cnnlib.exercises.solutions" not in sys.modules
        print("ok")
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path), str(len(PREDICTIONS))],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr
