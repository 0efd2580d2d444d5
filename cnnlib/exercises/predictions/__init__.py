"""Predict, then move the slider: a question before every explorer of the course.

Before an explorer, the notebook asks one concrete question, with a number or
a choice as the answer ("with stride 2 and padding 1, how big will the
feature map be?"). The learner writes the prediction down, enters it, and
then moves the explorer's controls and sees the answer. Predictions are
practice, not graded: their answers are what the explorers show, and they
stay in a student copy of the course.

* one module per notebook (:mod:`~cnnlib.exercises.predictions.start` for
  00, :mod:`~cnnlib.exercises.predictions.pixels` for 01 ...
  :mod:`~cnnlib.exercises.predictions.inside` for 07) holds its
  questions as :class:`~cnnlib.exercises._catalogue.Prediction` records: the
  expected answer (computed with cnnlib where it is a number), why, where the
  explorer shows it, and the typical wrong predictions with a hint each;
* :func:`check_prediction` checks an answer given in Python;
* :func:`cnnlib.predict_first` shows the question as a widget in a notebook
  (a number box or choice buttons, a Check button, the feedback).

Everything is in :func:`cnnlib.exercises.catalogue` under ``"predictions"``,
for the instructor guides.
"""

from cnnlib.exercises._catalogue import Prediction, find_prediction, predictions
from cnnlib.exercises.predictions import (  # noqa: F401  (they register their predictions)
    activations,
    classifier,
    convolution,
    inside,
    pixels,
    pooling,
    start,
    training,
)
from cnnlib.exercises.predictions._check import check_prediction, read_choice, read_number

__all__ = [
    "Prediction",
    "check_prediction",
    "find_prediction",
    "predictions",
    "read_choice",
    "read_number",
]
