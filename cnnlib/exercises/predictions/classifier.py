"""Predictions of notebook 05 (the dense classifier): HandwiredExplorer, ClassifierExplorer.

The hand-wired network's answers are computed by running it
(:func:`cnnlib.trace_handwired`), exactly as the explorer does.
"""

from __future__ import annotations

from cnnlib.exercises._catalogue import Mistake, Prediction, register_predictions

NOTEBOOK = "05_dense_classifier"


def _handwired(shape="horizontal", position=2, length=5, size=8):
    """The trace of the hand-wired network on the explorer's bar (centred along its line)."""
    from cnnlib.handwired import bar_image, trace_handwired

    start = (size - length) // 2
    return trace_handwired(bar_image(shape, position, start, length, size))


def _moved_bar_choice():
    here, there = _handwired(position=2), _handwired(position=6)
    same = here.features[0] == there.features[0] and here.prediction == there.prediction
    return MOVED_BAR[0] if same else MOVED_BAR[1]


MOVED_BAR = (
    "h stays 3: still horizontal, as sure as before",
    "h gets smaller: less sure",
    "h drops to 0: it says vertical",
)

PREDICTIONS = (
    Prediction(
        id="handwired-dot",
        notebook=NOTEBOOK,
        explorer="HandwiredExplorer",
        title="The hand-wired network on a single dot",
        question=(
            "Shorten the horizontal bar to length 1: a single bright dot. What probability "
            "will the network give to 'horizontal'?"
        ),
        answer=lambda: float(_handwired(length=1).probabilities[0]),
        tolerance=0.005,
        percent=True,
        explanation=(
            "A dot is a line of length 1 in both directions: each detector's middle row (or "
            "column) sees it once, so h = v = 1, the two scores are equal (0 and 0) and "
            "softmax gives 0.5 to each class."
        ),
        reveal=("drag 'bar length' down to 1 and read h, v, the scores and the probability bars"),
        nudge=(
            "Work out h and v for a single dot first: what does each detector's strongest "
            "response become? Then the two scores h - v and v - h."
        ),
        settings={"shape": "horizontal", "position": 2, "noise": 0.0, "length": 1},
        moves=("length",),
        mistakes=(
            Mistake(
                "dot-is-horizontal",
                "Thinks a dot still counts as horizontal",
                "A dot gives the vertical detector exactly as much evidence as the horizontal "
                "one (h = v = 1), so neither class can win.",
                "The learner remembers the input was a horizontal bar. Trace the dot through "
                "both filters on the board: the +1 row of one and the +1 column of the other "
                "each cover it once.",
                compute=lambda: 1.0,
            ),
            Mistake(
                "dot-gives-nothing",
                "Thinks no evidence means probability 0",
                "Without evidence for either class the scores are equal, and softmax turns "
                "equal scores into equal probabilities: not 0 for both, since they must add "
                "up to 1.",
                "Probabilities of all classes add up to 1; 'no idea' between two classes is "
                "0.5 each. Show softmax([0, 0]).",
                compute=lambda: 0.0,
            ),
        ),
    ),
    Prediction(
        id="handwired-moved-bar",
        notebook=NOTEBOOK,
        explorer="HandwiredExplorer",
        title="The hand-wired network on a moved bar",
        question=(
            "The horizontal bar of length 5 sits on row 2 and gives h = 3. Move it to row 6. "
            "What will happen to h and to the network's answer?"
        ),
        answer=_moved_bar_choice,
        choices=MOVED_BAR,
        explanation=(
            "The filter is the same at every position and the max pooling takes the strongest "
            "response anywhere in the map: wherever the bar is, h is 3 and v is 0."
        ),
        reveal=(
            "drag 'row / column' and watch the orange box follow the bar while h and the "
            "probabilities stay put"
        ),
        nudge=(
            "The pooling takes the largest value of the whole feature map. Does it care where "
            "that value is?"
        ),
        settings={"shape": "horizontal", "length": 5, "noise": 0.0, "position": 6},
        moves=("position",),
        mistakes=(
            Mistake(
                "position-matters",
                "Thinks the position weakens the evidence",
                "The same filter slides over every position and the global max keeps the "
                "strongest response wherever it is: the bar gives the same h on any row.",
                "Weight sharing plus a global max makes the answer independent of position. "
                "Drag the bar across all rows in the explorer: the orange box moves, the "
                "numbers do not.",
                compute=lambda: MOVED_BAR[1],
            ),
        ),
    ),
    Prediction(
        id="classifier-temperature",
        notebook=NOTEBOOK,
        explorer="ClassifierExplorer",
        title="What the softmax temperature changes",
        question=(
            "Move the softmax temperature T from 1 up to 10, then down to 0.1, for a few "
            "digits. The probabilities change. What happens to the prediction (the dark bar)?"
        ),
        answer="it never changes",
        choices=("it never changes", "it changes for some digits", "it changes for every digit"),
        explanation=(
            "Dividing every score by the same positive T keeps their order, and softmax keeps "
            "the order of the scores: the largest score stays the largest probability. Only "
            "how sure the network looks changes."
        ),
        reveal=(
            "move the temperature for a few digits: the scores panel does not move, the "
            "probabilities get flatter or sharper, the dark bar stays"
        ),
        nudge="Does dividing all scores by the same positive number change which one is largest?",
        settings={"temperature": 10.0},
        moves=("temperature",),
        mistakes=(
            Mistake(
                "temperature-changes-answer",
                "Thinks a temperature can change the answer",
                "Dividing every score by the same positive T keeps their order, so the "
                "largest score, and with it the prediction, stays the same.",
                "The flatter bars look as if another class could win. Point at the scores "
                "panel, which does not move at all; temperature is a way to make confidence "
                "more honest, not a way to change decisions.",
                compute=lambda: "it changes for some digits",
            ),
        ),
    ),
    Prediction(
        id="classifier-feature-zeros",
        notebook=NOTEBOOK,
        explorer="ClassifierExplorer",
        title="Zeros in the feature vector",
        question=(
            "The dense layer of the trained network reads 784 features: the 16 final maps of "
            "7 x 7, after ReLU and max pooling. For a test digit, how many of them will be "
            "exactly 0?"
        ),
        answer="about half",
        choices=("none", "a few (under 10%)", "about half", "almost all (over 90%)"),
        explanation=(
            "Every feature went through ReLU, which turns each negative response into 0, and "
            "most detectors find nothing in most places of a digit: about half of the 784 "
            "numbers are exactly 0."
        ),
        reveal=(
            "step through a few digits and look at the feature vector panel: every white cell "
            "is a 0"
        ),
        nudge=(
            "What was the last activation before the pooling and the flatten, and what does it "
            "do to negative values?"
        ),
        settings={"index": 0, "temperature": 1.0},
        moves=("index",),
        mistakes=(
            Mistake(
                "features-all-active",
                "Forgot the ReLU before the features",
                "The features come out of ReLU (then max pooling), so every negative response "
                "is 0: many features are exactly 0.",
                "The learner pictures the features as raw sums. Recall notebook 04's sparsity "
                "and trace the network's layers from notebook 05's table: conv, ReLU, pool, "
                "conv, ReLU, pool, flatten.",
                compute=lambda: "none",
            ),
            Mistake(
                "features-almost-empty",
                "Thinks almost every feature is 0",
                "A digit has strokes in many places and 16 detectors look for different "
                "things: many of them find something.",
                "An overreaction to sparsity. The feature panel shows red in many rows: each "
                "row is one detector's 7 x 7 map.",
                compute=lambda: "almost all (over 90%)",
            ),
        ),
    ),
)

register_predictions(*PREDICTIONS)
