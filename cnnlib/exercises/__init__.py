"""Exercises with automatic feedback: one module per notebook topic.

Each ``check_...`` function takes the learner's answer and returns a
:class:`Feedback` that says what is right or what looks wrong.
:func:`show_solution` prints a model answer on request.
"""

from cnnlib.exercises._check import (
    Feedback,
    Mistake,
    check_function,
    check_value,
    show_solution,
    solution,
)
from cnnlib.exercises.pixels import check_image_sizes, check_negative, check_x_drawing

__all__ = [
    "Feedback",
    "Mistake",
    "check_function",
    "check_image_sizes",
    "check_negative",
    "check_value",
    "check_x_drawing",
    "show_solution",
    "solution",
]
