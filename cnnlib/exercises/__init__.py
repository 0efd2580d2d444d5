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
from cnnlib.exercises.pixels import check_image_sizes, check_negative, check_x_drawing
from cnnlib.exercises.pooling import check_my_max_pool, check_pooled_shapes
from cnnlib.exercises.training import (
    check_confusion_reading,
    check_learning_rate,
    check_regulariser,
)

__all__ = [
    "EXERCISE_NETWORK",
    "Feedback",
    "HAND_SCORES",
    "Mistake",
    "RELU_MAP",
    "check_block_parameters",
    "check_confusion_reading",
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
    "check_regulariser",
    "check_relu_by_hand",
    "check_softmax",
    "check_softmax_by_hand",
    "check_value",
    "check_x_drawing",
    "exercise_network",
    "show_solution",
    "solution",
]
