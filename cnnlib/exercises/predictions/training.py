"""Predictions of notebook 06 (training): the LossLandscape and the TrainingDashboard.

What a descent does is computed with the same functions the explorer uses
(:func:`cnnlib.descent.gradient_descent` and :func:`cnnlib.descent.judge_descent`).
"""

from __future__ import annotations

import math

import numpy as np

from cnnlib.exercises._catalogue import Mistake, Prediction, register_predictions

NOTEBOOK = "06_training"

CRAWLS = "crawls (barely moves)"
WALKS = "walks straight in"
BOUNCES = "bounces in (overshoots, but settles)"
DIVERGES = "diverges (overshoots more and more)"
DESCENT_CHOICES = (CRAWLS, WALKS, BOUNCES, DIVERGES)


def descent_path(landscape, learning_rate, momentum=0.0, steps=30):
    """The explorer's path and verdict: (path, Verdict)."""
    from cnnlib.descent import LANDSCAPES, gradient_descent, judge_descent

    land = LANDSCAPES[landscape]
    path = gradient_descent(
        land.gradient,
        land.start,
        learning_rate=learning_rate,
        momentum=momentum,
        steps=steps,
        escape=land.escape,
    )
    return path, judge_descent(land, path)


def descent_choice(path, verdict) -> str:
    """Which of :data:`DESCENT_CHOICES` a path on a 1-D landscape shows."""
    if verdict.outcome == "diverged":
        return DIVERGES
    if verdict.outcome == "crawling":
        return CRAWLS
    sides = np.sign(path[:, 0])
    switched = bool(np.any(sides[1:] * sides[:-1] < 0))  # it jumped over the bottom at 0
    return BOUNCES if switched else WALKS


def _parabola(learning_rate):
    return lambda: descent_choice(*descent_path("1-D: parabola", learning_rate))


def _momentum_choice():
    from cnnlib.descent import LANDSCAPES

    loss = LANDSCAPES["2-D: narrow valley"].loss
    without, _ = descent_path("2-D: narrow valley", 0.1)
    with_momentum, _ = descent_path("2-D: narrow valley", 0.1, momentum=0.8)
    gap_without, gap_with = float(loss(without[-1])), float(loss(with_momentum[-1]))
    if gap_with < gap_without / 2:
        return MOMENTUM[0]
    return MOMENTUM[2] if gap_with > 2 * gap_without else MOMENTUM[1]


def _nearest(choices, value):
    """The choice "about x" whose x is nearest to ``value`` on a log scale."""
    return min(choices, key=lambda c: abs(math.log(float(c.split()[-1]) / value)))


MOMENTUM = ("closer to the lowest point", "about as close", "farther from it")
LOSS_CHOICES = ("about 0.1", "about 1", "about 2.3", "about 10")

_DESCENT_NOTE = (
    "On w² (slope 2w) every step multiplies w by (1 − 2 × learning rate): 0.98 crawls, "
    "0.8 walks in, -0.8 bounces in, -1.2 flies out. Writing that factor on the board for the "
    "four rates turns the slider's behaviour into arithmetic."
)


def _parabola_prediction(id, rate, title, explanation, reveal_rate, mistakes):
    return Prediction(
        id=id,
        notebook=NOTEBOOK,
        explorer="LossLandscape",
        title=title,
        question=(
            f"On the parabola (loss = w², starting at w = 4), set the learning rate to "
            f"{rate:g} and take 30 steps. Will gradient descent crawl, walk straight in, "
            "bounce in, or diverge?"
        ),
        answer=_parabola(rate),
        choices=DESCENT_CHOICES,
        explanation=explanation,
        reveal=(
            f"choose the parabola, set the learning rate to {reveal_rate} and watch the path "
            "on the curve and the line under the picture"
        ),
        nudge=(
            "One step is w − learning rate × 2w = (1 − 2 × learning rate) × w. What is that "
            "factor here, and what does multiplying by it 30 times do?"
        ),
        settings={
            "landscape": "1-D: parabola",
            "momentum": 0.0,
            "steps": 30,
            "learning_rate": rate,
        },
        moves=("learning_rate",),
        mistakes=mistakes,
    )


PREDICTIONS = (
    _parabola_prediction(
        "descent-lr-1.1",
        1.1,
        "A learning rate of 1.1 on the parabola",
        "Each step multiplies w by 1 − 2 × 1.1 = −1.2: it jumps to the other side and 20% "
        "farther out every time, so the loss explodes.",
        "1.1",
        (
            Mistake(
                "big-steps-bounce-in",
                "Thinks big steps always settle",
                "Bouncing settles only while each jump lands closer to the bottom than the "
                "last. At 1.1 every jump overshoots by more than the one before.",
                _DESCENT_NOTE,
                compute=lambda: BOUNCES,
            ),
            Mistake(
                "big-steps-are-fast",
                "Thinks a larger rate is simply faster",
                "A larger step is faster only up to a point: past it, each step overshoots "
                "the valley by more than it gained.",
                "'More learning rate = faster learning' is the intuition to break. Show 0.1, "
                "0.9 and 1.1 in a row: the same direction, three different fates.",
                compute=lambda: WALKS,
            ),
        ),
    ),
    _parabola_prediction(
        "descent-lr-0.9",
        0.9,
        "A learning rate of 0.9 on the parabola",
        "Each step multiplies w by 1 − 2 × 0.9 = −0.8: it jumps over the bottom to the other "
        "side, but 20% closer every time, so it bounces in and settles.",
        "0.9",
        (
            Mistake(
                "overshoot-means-divergence",
                "Thinks any overshoot diverges",
                "Overshooting is harmless as long as each jump lands closer to the bottom: at "
                "0.9 every jump is 80% as long as the one before.",
                _DESCENT_NOTE,
                compute=lambda: DIVERGES,
            ),
            Mistake(
                "large-rate-smooth",
                "Expects a smooth walk at 0.9",
                "A step of 0.9 × slope is longer than the distance to the bottom: the path "
                "lands on the other side of the valley each time.",
                "Compare the step with the distance to the minimum: from w = 4 the slope is "
                "8, and 0.9 × 8 = 7.2 carries w to −3.2.",
                compute=lambda: WALKS,
            ),
        ),
    ),
    _parabola_prediction(
        "descent-lr-0.01",
        0.01,
        "A learning rate of 0.01 on the parabola",
        "Each step multiplies w by 1 − 2 × 0.01 = 0.98: after 30 steps w is still about "
        "0.55 × 4 = 2.2, far from the bottom. The descent crawls.",
        "0.01",
        (
            Mistake(
                "small-rate-arrives",
                "Thinks small steps arrive in 30 steps",
                "Small steps do go the right way, but each one removes only 2% of the "
                "distance: 30 of them are not nearly enough.",
                _DESCENT_NOTE,
                compute=lambda: WALKS,
            ),
        ),
    ),
    Prediction(
        id="descent-narrow-momentum",
        notebook=NOTEBOOK,
        explorer="LossLandscape",
        title="Momentum in a narrow valley",
        question=(
            "In the narrow valley with learning rate 0.1, 30 steps crawl along the gentle "
            "direction. Raise the momentum to 0.8. After the same 30 steps, will the path end "
            "closer to the lowest point, about as close, or farther from it?"
        ),
        answer=_momentum_choice,
        choices=MOMENTUM,
        explanation=(
            "Along the gentle direction the slopes all point the same way, so momentum adds "
            "them up and the path speeds up, like a ball rolling downhill: it ends about 15 "
            "times closer to the lowest loss."
        ),
        reveal=(
            "choose '2-D: narrow valley', learning rate 0.1, then raise the momentum to 0.8 and "
            "compare the path and the number in the line under the picture"
        ),
        nudge=(
            "Momentum adds up the recent steps. Along the valley floor, do the steps point the "
            "same way each time, or do they flip?"
        ),
        settings={
            "landscape": "2-D: narrow valley",
            "learning_rate": 0.1,
            "steps": 30,
            "momentum": 0.8,
        },
        moves=("momentum",),
        mistakes=(
            Mistake(
                "momentum-overshoots",
                "Thinks momentum only overshoots",
                "Momentum does swing across the steep direction a little, but along the long "
                "gentle one every step adds to the speed: that wins.",
                "The learner has seen momentum as 'a ball that overshoots'. Both are true; in "
                "a long narrow valley the gain along the floor dominates. Play the steps one "
                "by one to see the path gather speed.",
                compute=lambda: MOMENTUM[2],
            ),
        ),
    ),
    Prediction(
        id="training-first-loss",
        notebook=NOTEBOOK,
        explorer="TrainingDashboard",
        title="The loss of an untrained network",
        question=(
            "Before training, the network's 10 probabilities are all close to 0.1. Press Start: "
            "about what loss will the first mini-batches show?"
        ),
        answer=lambda: _nearest(LOSS_CHOICES, math.log(10)),
        choices=LOSS_CHOICES,
        explanation=(
            "The loss is -ln(probability of the right answer): -ln(0.1) = ln 10 = 2.30 for an "
            "even guess among 10 digits. Random weights lean a little towards some digits, "
            "so it starts at about 2.3, often a bit above."
        ),
        reveal="press Start and look where the thin blue loss curve begins, on the left",
        nudge="Put p = 0.1 into the loss -ln(p).",
        moves=("start",),
        mistakes=(
            Mistake(
                "loss-is-probability",
                "Took the probability for the loss",
                "0.1 is the probability of the right answer. The loss is -ln of it, and "
                "-ln(0.1) is much larger than 0.1.",
                "The learner equates the loss with the probability. Print -ln(p) for p = 0.9, "
                "0.5, 0.1, 0.01 as in section 1: small when right and sure, large when the "
                "right answer is unlikely.",
                compute=lambda: "about 0.1",
            ),
            Mistake(
                "loss-is-percent-wrong",
                "Thinks the loss counts mistakes",
                "The loss is not the share of wrong answers (that would be about 0.9) but "
                "-ln of the right answer's probability: 2.3 for an even guess.",
                "Loss and error rate are different numbers: the loss looks at how much "
                "probability the right answer got, the error rate only at which answer won.",
                compute=lambda: "about 1",
            ),
        ),
    ),
    Prediction(
        id="training-first-epoch-accuracy",
        notebook=NOTEBOOK,
        explorer="TrainingDashboard",
        title="Accuracy after one epoch",
        question=(
            "One epoch is one pass over the 3,500 training digits: 110 mini-batches of 32 "
            "(the last one holds the 12 left over). What accuracy on the 500 validation "
            "digits will the first orange dot show?"
        ),
        answer="between 90% and 99%",
        choices=("about 10% (still guessing)", "about 50%", "between 90% and 99%", "above 99%"),
        explanation=(
            "110 small steps are plenty to learn the easy things about digits (where ink "
            "usually is for each of them): one epoch already reads over 90% of new digits. "
            "The last few percent take the remaining epochs."
        ),
        reveal=(
            "press Start (one epoch is enough) and read the first orange dot of the accuracy "
            "panel and the line under the picture"
        ),
        nudge=(
            "Each of the 110 mini-batches nudges all the weights. How much can a network learn "
            "about the easy digits in 110 nudges?"
        ),
        settings={"epochs": 1},
        moves=("start",),
        mistakes=(
            Mistake(
                "one-epoch-is-nothing",
                "Thinks one epoch barely helps",
                "An epoch is 110 weight updates, not one: the network learns most of what is "
                "easy within the first epoch.",
                "The learner counts epochs as steps. Compare: the parabola needed about 20 "
                "steps; one epoch gives the network 110.",
                compute=lambda: "about 10% (still guessing)",
            ),
            Mistake(
                "one-epoch-is-everything",
                "Thinks one epoch gives the final accuracy",
                "The easy digits are learned fast; the last few percent (the odd 4s and 9s) "
                "take many more epochs.",
                "Fast early gains, slow late ones: that is why the dashboard's accuracy axis "
                "is stretched near 100%.",
                compute=lambda: "above 99%",
            ),
        ),
    ),
)

register_predictions(*PREDICTIONS)
