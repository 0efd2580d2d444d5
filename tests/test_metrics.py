"""Numbers about a classifier's answers: the confusion matrix against a hand
count and against the class counts of real predictions, the mistakes against a
hand-sorted list. The ``digits`` and ``model`` fixtures are in tests/conftest.py."""

from __future__ import annotations

import numpy as np
import pytest

from cnnlib import (
    confusion_matrix,
    most_confident_mistakes,
    prepare_images,
)


def test_confusion_matrix_against_a_hand_count():
    labels = [0, 0, 1, 1, 1, 2, 2, 2, 2]
    predictions = [0, 1, 1, 1, 2, 2, 2, 0, 2]
    expected = np.array(
        [
            [1, 1, 0],  # two 0s: one right, one called 1
            [0, 2, 1],  # three 1s: two right, one called 2
            [1, 0, 3],  # four 2s: three right, one called 0
        ]
    )
    np.testing.assert_array_equal(confusion_matrix(labels, predictions), expected)
    m = confusion_matrix(labels, predictions, num_classes=5)
    assert m.shape == (5, 5) and m[:3, :3].tolist() == expected.tolist() and m[3:].sum() == 0


def test_confusion_matrix_rows_count_each_class(digits, model):
    images, labels = digits
    predictions = model.predict(prepare_images(images))
    m = confusion_matrix(labels, predictions, num_classes=10)
    np.testing.assert_array_equal(m.sum(axis=1), np.bincount(labels, minlength=10))
    np.testing.assert_array_equal(m.sum(axis=0), np.bincount(predictions, minlength=10))
    assert np.trace(m) == np.sum(predictions == labels)


def test_confusion_matrix_refuses_what_it_cannot_count():
    with pytest.raises(ValueError, match="same length"):
        confusion_matrix([0, 1], [0])
    with pytest.raises(TypeError, match="predictions must be integer class labels.*argmax"):
        confusion_matrix([0, 1], [0.2, 0.8])
    with pytest.raises(ValueError, match="num_classes"):
        confusion_matrix([0, 5], [0, 1], num_classes=3)


def test_most_confident_mistakes_by_hand():
    probabilities = np.array(
        [
            [0.9, 0.1],  # label 0, right
            [0.6, 0.4],  # label 1, wrong at 0.6
            [0.2, 0.8],  # label 0, wrong at 0.8
            [0.3, 0.7],  # label 1, right
            [0.6, 0.4],  # label 1, wrong at 0.6 (tie: data order)
        ]
    )
    labels = [0, 1, 0, 1, 1]
    np.testing.assert_array_equal(most_confident_mistakes(probabilities, labels), [2, 1, 4])
    assert most_confident_mistakes(probabilities[[0, 3]], [0, 1]).size == 0


def test_any_integer_type_of_labels_is_counted():
    """uint8 labels used to stop with numpy's 'Python integer -1 out of bounds'."""
    for dtype in (np.uint8, np.int8, np.uint64, np.int32):
        labels = np.array([0, 1, 1], dtype=dtype)
        np.testing.assert_array_equal(confusion_matrix(labels, labels), [[1, 0], [0, 2]])


def test_num_classes_is_a_whole_number():
    """num_classes=2.7 used to become 2 silently."""
    assert confusion_matrix([0, 1], [1, 1], num_classes=3).shape == (3, 3)
    with pytest.raises(TypeError, match="num_classes must be an int, but is 2.7"):
        confusion_matrix([0, 1], [1, 1], num_classes=2.7)


def test_most_confident_mistakes_refuses_labels_it_cannot_judge():
    """A label of 7 for 3 classes used to be counted as a mistake of the network."""
    probabilities = np.full((2, 3), 1 / 3)
    with pytest.raises(ValueError, match=r"labels must be class numbers from 0 to 2.*labels\[1\]"):
        most_confident_mistakes(probabilities, [0, 7])
    np.testing.assert_array_equal(most_confident_mistakes(np.zeros((0, 3)), []), [])
