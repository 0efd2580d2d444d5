"""Predictions of notebook 04 (ReLU and other activations), before the ActivationExplorer.

The shares of zeros are choices ("about half"), not numbers: the explorer
prints them to a tenth of a percent, and a learner predicting 50% for 51.1%
has understood what matters.
"""

from __future__ import annotations

from cnnlib.exercises._catalogue import Mistake, Prediction, register_predictions

NOTEBOOK = "04_relu"

SHARES = ("almost none", "about half", "almost all")

PREDICTIONS = (
    Prediction(
        id="relu-sparsity-photo",
        notebook=NOTEBOOK,
        explorer="ActivationExplorer",
        title="Zeros after ReLU on an edge map",
        question=(
            "The photo goes through the vertical-edge kernel (Sobel x), then ReLU with bias 0. "
            "What share of the activated map will be exactly 0?"
        ),
        answer="about half",
        choices=SHARES,
        explanation=(
            "ReLU sets every negative value to 0. An edge map is negative wherever the photo "
            "gets darker from left to right, about as often as it gets brighter, so about "
            "half of the map becomes 0."
        ),
        reveal=(
            "with ReLU and bias 0, compare the two histograms and read the share of zeros "
            "above the right-hand map and in the line under the picture"
        ),
        nudge=("Which values does ReLU turn into 0? How often is an edge map's value negative?"),
        settings={
            "image": "photo (128x128)",
            "kernel": "sobel x (vertical edges)",
            "activation": "ReLU",
            "bias": 0.0,
        },
        moves=("activation",),
        mistakes=(
            Mistake(
                "relu-keeps-most",
                "Thinks ReLU changes little",
                "ReLU turns every negative value into 0, and an edge detector gives negative "
                "values wherever brightness falls: about as often as it rises.",
                "The learner thinks of ReLU as a small correction. The histogram before and "
                "after is the quickest argument: everything left of 0 collapses into one bar.",
                compute=lambda: "almost none",
            ),
            Mistake(
                "relu-kills-most",
                "Thinks ReLU empties the map",
                "ReLU keeps every positive value as it is, however weak; only the negative "
                "ones become 0. How often is an edge map negative?",
                "Confusion with a threshold: ReLU(x) = max(0, x) keeps weak positive values "
                "too. A negative bias is what turns it into a stricter threshold (section 3).",
                compute=lambda: "almost all",
            ),
        ),
    ),
    Prediction(
        id="relu-bias-minus-1",
        notebook=NOTEBOOK,
        explorer="ActivationExplorer",
        title="A negative bias as a threshold",
        question=(
            "Still with ReLU on the photo's edge map, drag the bias from 0 down to -1. Will "
            "the share of exact zeros grow, shrink or stay the same?"
        ),
        answer="it grows",
        choices=("it grows", "it shrinks", "it stays the same"),
        explanation=(
            "The bias is added before ReLU: with -1, a value survives only if it was above 1. "
            "Weak edges now fall below 0 and become 0 too, so the share of zeros grows (to "
            "most of the map)."
        ),
        reveal="drag the bias to -1 and watch the share of zeros above the right-hand map",
        nudge="ReLU(z + b) with b = -1: which values of z still give something above 0?",
        settings={
            "image": "photo (128x128)",
            "kernel": "sobel x (vertical edges)",
            "activation": "ReLU",
            "bias": -1.0,
        },
        moves=("bias",),
        mistakes=(
            Mistake(
                "negative-bias-fewer-zeros",
                "Thinks a negative bias removes zeros",
                "Subtracting 1 pushes every value down, so more of them end up below 0, where "
                "ReLU makes them 0.",
                "A sign slip. Take one value, say 0.5, through z + b and then ReLU for b = 0 "
                "and b = -1 on the board; then show the histogram sliding left.",
                compute=lambda: "it shrinks",
            ),
            Mistake(
                "bias-does-nothing",
                "Thinks the bias does not matter",
                "The bias is added to every value before ReLU; moving all values down by 1 "
                "changes which ones are below 0.",
                "The learner treats the bias as a constant that cancels out. It does cancel in "
                "a purely linear layer, but not before a ReLU: this is why the bias works as a "
                "learned threshold.",
                compute=lambda: "it stays the same",
            ),
        ),
    ),
    Prediction(
        id="relu-box-blur",
        notebook=NOTEBOOK,
        explorer="ActivationExplorer",
        title="ReLU after a kernel without negative weights",
        question=(
            "Switch the kernel to box blur (every weight positive), with ReLU and bias 0. How "
            "many values of the map will ReLU change?"
        ),
        answer="none: ReLU changes nothing",
        choices=("none: ReLU changes nothing", "about half", "all of them"),
        explanation=(
            "The photo's pixels are never negative and neither are the box blur's weights, "
            "so every value of the map is already 0 or more: ReLU passes them all unchanged."
        ),
        reveal="choose box blur and compare the map before and after ReLU and the two histograms",
        nudge="Can a sum of non-negative pixels times positive weights be negative?",
        settings={
            "image": "photo (128x128)",
            "kernel": "box blur",
            "activation": "ReLU",
            "bias": 0.0,
        },
        moves=("kernel",),
        mistakes=(
            Mistake(
                "relu-always-halves",
                "Thinks ReLU always removes about half",
                "ReLU removes negative values only, and a blur of a photo has none: the half "
                "seen before came from the edge kernel's negative weights.",
                "The share of zeros belongs to the map, not to ReLU. ReLU matters only after "
                "kernels with negative weights (or a negative bias).",
                compute=lambda: "about half",
            ),
        ),
    ),
    Prediction(
        id="sigmoid-zeros",
        notebook=NOTEBOOK,
        explorer="ActivationExplorer",
        title="Zeros after a sigmoid",
        question=(
            "Back to the Sobel x edge map, bias 0: switch the activation from ReLU to sigmoid. "
            "What share of the activated map will be exactly 0?"
        ),
        answer="almost none",
        choices=SHARES,
        explanation=(
            "The sigmoid squeezes every value into (0, 1) without ever reaching 0: a negative "
            "edge value becomes a small positive number, so there are no exact zeros."
        ),
        reveal="switch to sigmoid and read the share of zeros above the right-hand map",
        nudge="sigma(z) = 1 / (1 + e^(-z)): can it be exactly 0 for any z?",
        settings={
            "image": "photo (128x128)",
            "kernel": "sobel x (vertical edges)",
            "bias": 0.0,
            "activation": "sigmoid",
        },
        moves=("activation",),
        mistakes=(
            Mistake(
                "sigmoid-like-relu",
                "Thinks a sigmoid zeroes negatives",
                "The sigmoid squeezes values into (0, 1) and never reaches 0: negative values "
                "become small positive numbers, not zeros. Only ReLU makes exact zeros.",
                "ReLU and sigmoid blur together as 'the activation'. The right panel shows "
                "the map going from blue and red to pale red everywhere; sparsity is a ReLU "
                "property, one reason ReLU is cheaper for the next layer.",
                compute=lambda: "about half",
            ),
        ),
    ),
)

register_predictions(*PREDICTIONS)
