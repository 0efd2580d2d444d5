"""Exercises with automatic feedback: one module per notebook topic.

Each ``check_...`` function takes the learner's answer and returns a
:class:`Feedback` that says what is right or names every mistake it finds;
it never raises on an answer and stops a learner's function that runs too
long. :func:`show_solution` shows a model answer on request (the answers live
in :mod:`cnnlib.exercises.solutions`, which a student copy of the course may
leave out).

Before each explorer the notebooks ask the learner to predict what it will
show (:mod:`cnnlib.exercises.predictions`); :func:`check_prediction` checks a
prediction, and :func:`cnnlib.predict_first` shows the question as a widget.

For instructors and graders: :func:`catalogue` lists every exercise and the
misconceptions its checker recognises (with notes on addressing them in
class), and every prediction with its answer and the typical wrong ones;
:func:`results` reads out, per exercise (and prediction), the latest check run
in this session (passed, message, mistake ids, kind).
"""

from cnnlib.exercises._catalogue import (
    Feedback,
    Mistake,
    attempts,
    catalogue,
    clear_results,
    results,
)
from cnnlib.exercises._check import (
    check_function,
    check_value,
    show_solution,
)
from cnnlib.exercises.activations import (
    RELU_MAP,
    check_block_parameters,
    check_my_leaky_relu,
    check_relu_by_hand,
)
from cnnlib.exercises.classifier import (
    EXERCISE_NETWORK,
    HAND_SCORES,
    check_parameter_count,
    check_softmax,
    check_softmax_by_hand,
    exercise_network,
)
from cnnlib.exercises.convolution import (
    check_horizontal_edge_kernel,
    check_my_conv2d,
    check_output_sizes,
)
from cnnlib.exercises.inside import check_confusion_reading, check_cover_the_cue
from cnnlib.exercises.pixels import check_image_sizes, check_negative, check_x_drawing
from cnnlib.exercises.pooling import check_my_max_pool, check_pooled_shapes
from cnnlib.exercises.predictions import check_prediction, find_prediction, predictions
from cnnlib.exercises.training import check_learning_rate, check_regulariser

__all__ = [
    "EXERCISE_NETWORK",
    "Feedback",
    "HAND_SCORES",
    "Mistake",
    "RELU_MAP",
    "attempts",
    "catalogue",
    "check_block_parameters",
    "check_confusion_reading",
    "check_cover_the_cue",
    "check_function",
    "check_horizontal_edge_kernel",
    "check_image_sizes",
    "check_learning_rate",
    "check_my_conv2d",
    "check_my_leaky_relu",
    "check_my_max_pool",
    "check_negative",
    "check_output_sizes",
    "check_parameter_count",
    "check_pooled_shapes",
    "check_prediction",
    "check_regulariser",
    "check_relu_by_hand",
    "check_softmax",
    "check_softmax_by_hand",
    "check_value",
    "check_x_drawing",
    "clear_results",
    "exercise_network",
    "find_prediction",
    "predictions",
    "results",
    "show_solution",
]
