"""Prediction of notebook 00 (start here): the course's first, on the widget check.

Notebook 00 shows how every explorer of the course is introduced: a question
first, answered and checked, then the explorer. Its explorer,
:class:`cnnlib.WidgetCheck`, draws the wave sin(frequency x) for x from 0 to 2π,
which repeats ``frequency`` times across the picture: one hill and one valley
per repeat.
"""

from __future__ import annotations

from cnnlib.exercises._catalogue import Mistake, Prediction, register_predictions

NOTEBOOK = "00_start_here"

#: The frequency the question asks for: whole repeats, so whole hills to count.
FREQUENCY = 4

PREDICTIONS = (
    Prediction(
        id="widget-wave-hills",
        notebook=NOTEBOOK,
        explorer="WidgetCheck",
        title="Hills of the wave",
        question=(
            f"At frequency 1 the wave below has one hill and one valley. Drag the slider to "
            f"{FREQUENCY}: how many hills will the wave have?"
        ),
        answer=FREQUENCY,
        explanation=(
            "The frequency says how many times the wave repeats across the picture. Each "
            f"repeat is one hill and one valley, so frequency {FREQUENCY} gives {FREQUENCY} "
            "hills."
        ),
        reveal=f"drag the frequency slider to {FREQUENCY} and count the hills of the wave",
        nudge=(
            "The frequency says how often the wave repeats across the picture. How many hills "
            "does one repeat hold?"
        ),
        settings={"frequency": float(FREQUENCY)},
        moves=("frequency",),
        mistakes=(
            Mistake(
                "hills-and-valleys",
                "Counted the valleys too",
                "That counts the valleys as well. Count only the hills: each repeat of the wave "
                "is one hill and one valley.",
                "A counting slip, harmless here, but it is the habit the course needs: say "
                "exactly what is counted before counting. Point at one hill and one valley "
                "together and call it one repeat.",
                compute=lambda: 2 * FREQUENCY,
            ),
            Mistake(
                "frequency-is-height",
                "Thinks the frequency makes it taller",
                "The frequency does not change the height of the wave, which always runs from "
                "-1 to 1, but how often it repeats.",
                "The learner reads 'more' as 'bigger'. Move the slider live and ask the room to "
                "watch the top of the wave: it never rises, the hills only crowd together.",
                compute=lambda: 1,
            ),
        ),
    ),
)

register_predictions(*PREDICTIONS)
