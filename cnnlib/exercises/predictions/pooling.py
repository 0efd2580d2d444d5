"""Predictions of notebook 03 (pooling): asked before the PoolingExplorer, revealed by it."""

from __future__ import annotations

import math

from cnnlib.exercises._catalogue import Mistake, Prediction, register_predictions
from cnnlib.geometry import output_size

NOTEBOOK = "03_pooling"

PREDICTIONS = (
    Prediction(
        id="pool-window-3-stride-2",
        notebook=NOTEBOOK,
        explorer="PoolingExplorer",
        title="Pooled size with overlapping windows",
        question=(
            "The small example map is 6 x 6. Pool it with a window of 3 and a stride of 2 (no "
            "padding). How many rows (= columns) will the pooled map have?"
        ),
        answer=lambda: output_size(6, 3, stride=2),
        explanation=(
            "⌊(6 − 3) / 2⌋ + 1 = ⌊1.5⌋ + 1 = 2: windows start at 0 and 2; one at 4 "
            "would need rows 4 to 6, and row 6 does not exist. The last row and column are "
            "left over."
        ),
        reveal=(
            "set window 3 and stride 2 on the small example and read the pooled map's title "
            "and the formula under the picture"
        ),
        nudge="Pooling uses the convolution formula: o = ⌊(i + 2p − k) / s⌋ + 1.",
        settings={"source": "example", "mode": "max", "padding": 0, "window": 3, "stride": 2},
        moves=("window", "stride"),
        mistakes=(
            Mistake(
                "rounded-up",
                "Rounded up, or halved the map",
                "Stride 2 halves a map only when the window is 2 as well, and (6 - 3) / 2 = "
                "1.5 rounds down: a window starting at row 4 would stick out of the map, so "
                "it is not used.",
                "Two roads to the same wrong size: the rule of thumb 'pooling halves the map' "
                "(true for window 2, stride 2) and ceil instead of floor. Let the learner draw "
                "the windows of size 3 at rows 0, 2, 4: the third hangs over the edge, and "
                "the explorer's left-over row and column have no orange winner.",
                compute=lambda: math.ceil((6 - 3) / 2) + 1,
            ),
            Mistake(
                "stride-ignored",
                "Stride ignored",
                "That is the size with stride 1. With stride 2 the window jumps two cells "
                "between outputs.",
                "The window moves like a convolution kernel: the stride is the jump. Compare "
                "the dashed first window with where the second one starts.",
                compute=lambda: output_size(6, 3, stride=1),
            ),
        ),
    ),
    Prediction(
        id="pool-shift-change",
        notebook=NOTEBOOK,
        explorer="PoolingExplorer",
        title="How much a 1-pixel shift changes a pooled map",
        question=(
            "The digit is moved 1 pixel to the right: its edge map changes by about three "
            "quarters (the bottom-left title says how much). With max pooling, window 2 and "
            "stride 2, how much will the pooled map change?"
        ),
        answer="less: about half as much",
        choices=(
            "0%: pooling hides the shift",
            "less: about half as much",
            "about as much as the edge map",
            "more than the edge map",
        ),
        explanation=(
            "A stroke that moves by one pixel often stays inside the same 2 x 2 window, so "
            "the same value still wins there; where it crosses into the next window, the "
            "pooled map does change. Pooling softens a small shift, it does not hide it."
        ),
        reveal=(
            "start from 'digit: vertical edges', leave the shift at 1 and compare the two "
            "percentages in the bottom titles"
        ),
        nudge=(
            "Think of one stroke moving one pixel: when does its strongest value stay in the "
            "same 2 x 2 window, and when does it cross into the next one?"
        ),
        settings={
            "source": "digit",
            "mode": "max",
            "window": 2,
            "stride": 2,
            "padding": 0,
            "shift": 1,
        },
        moves=("shift",),
        mistakes=(
            Mistake(
                "pooling-is-invariant",
                "Thinks pooling ignores small shifts",
                "Pooling gives tolerance, not indifference: a stroke that crosses a window "
                "border moves to the next pooled cell, and that cell changes.",
                "A common overstatement, also in textbooks ('pooling makes CNNs shift "
                "invariant'). The bottom-right panel shows which pooled cells changed; the "
                "table of section 4 gives 47% on 500 digits.",
                compute=lambda: "0%: pooling hides the shift",
            ),
            Mistake(
                "pooling-changes-nothing-relative",
                "Thinks pooling keeps the change",
                "Max pooling keeps the largest value of each window: a value that moves "
                "within its window gives the same result, so part of the change disappears.",
                "The learner sees pooling as plain shrinking. Step through one window on the "
                "small example with the shift slider: the winner moves inside the window, "
                "the output stays.",
                compute=lambda: "about as much as the edge map",
            ),
        ),
    ),
)

register_predictions(*PREDICTIONS)
