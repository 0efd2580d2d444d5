"""The model answers of every exercise, shown by ``show_solution("name")``.

Nothing else in cnnlib imports this module: every checker computes what it
expects from cnnlib itself. A copy of the course for students can delete this
one file; the checkers keep working, and ``show_solution`` then says that the
model answers are with the instructor.

Two kinds of answers, as :data:`SOLUTIONS` records:

* ``"function"``: the learner writes a function; it is shown as written here;
* ``"cell"``: the learner writes values in a cell; the answer is written as a
  function so that the tests can run it, and shown as the cell: the body
  without the ``def`` line and the final ``return`` line. Its parameters are
  the notebook's own variables (e.g. ``matrix``).
"""

from __future__ import annotations

import numpy as np

__all__ = ["SOLUTIONS"]


# ----------------------------------------------------------------------------
# notebook 01: pixels
# ----------------------------------------------------------------------------
def image_sizes():
    thumbnail_shape = (24, 36)  # (height, width): rows first, one number per pixel
    thumbnail_count = 24 * 36  # 864
    photo_shape = (480, 640, 3)  # (height, width, channels): channels-last, as on disk
    photo_count = 480 * 640 * 3  # 921,600: three numbers per pixel
    return thumbnail_shape, thumbnail_count, photo_shape, photo_count


def make_negative(image):
    # 255 fits in uint8, and 255 - x stays within 0-255: no overflow
    return 255 - image


def draw_x():
    x_drawing = np.array(
        [
            [1, 0, 0, 0, 1],
            [0, 1, 0, 1, 0],
            [0, 0, 1, 0, 0],
            [0, 1, 0, 1, 0],
            [1, 0, 0, 0, 1],
        ]
    )
    return x_drawing


# ----------------------------------------------------------------------------
# notebook 02: convolution
# ----------------------------------------------------------------------------
def my_conv2d(image, kernel, stride=1, padding=0):
    # 1. surround the image with `padding` zeros on every side
    image = np.pad(image, padding)
    k_h, k_w = kernel.shape
    # 2. how many positions fit: (size - kernel) // stride + 1 along each axis
    out_h = (image.shape[0] - k_h) // stride + 1
    out_w = (image.shape[1] - k_w) // stride + 1
    out = np.zeros((out_h, out_w))
    for y in range(out_h):
        for x in range(out_w):
            top, left = y * stride, x * stride  # the window's top-left corner
            patch = image[top : top + k_h, left : left + k_w]
            out[y, x] = (patch * kernel).sum()  # multiply element-wise, add up
    return out


def output_sizes():
    # o = floor((i + 2p - d(k - 1) - 1) / s) + 1; // rounds down
    answers = [
        (28 + 2 * 0 - 1 * (3 - 1) - 1) // 1 + 1,  # case 1: 26
        (28 + 2 * 1 - 1 * (3 - 1) - 1) // 1 + 1,  # case 2: 28, padding 1 keeps the size
        (32 + 2 * 0 - 1 * (5 - 1) - 1) // 1 + 1,  # case 3: 28
        (7 + 2 * 0 - 1 * (3 - 1) - 1) // 2 + 1,  # case 4: 3 (positions 0, 2, 4)
        (10 + 2 * 0 - 1 * (3 - 1) - 1) // 3 + 1,  # case 5: 3 (the last column is never reached)
        (28 + 2 * 2 - 1 * (5 - 1) - 1) // 2 + 1,  # case 6: 14
        (9 + 2 * 0 - 2 * (3 - 1) - 1) // 1 + 1,  # case 7: 5 (the dilated kernel spans 5 pixels)
        (224 + 2 * 3 - 1 * (7 - 1) - 1) // 2 + 1,  # case 8: 112
    ]
    return answers


def horizontal_edge_kernel():
    # Top row negative, bottom row positive, middle row 0: the kernel compares the row
    # below with the row above. Each row is the same from left to right (up to the 1-2-1
    # smoothing), so a change from left to right cancels out, and the weights add up to
    # 0, so a flat area gives 0. This is the Sobel y kernel.
    my_kernel = np.array(
        [
            [-1.0, -2.0, -1.0],
            [0.0, 0.0, 0.0],
            [1.0, 2.0, 1.0],
        ]
    )
    return my_kernel


# ----------------------------------------------------------------------------
# notebook 03: pooling
# ----------------------------------------------------------------------------
def pooled_shapes():
    # (height - window) // stride + 1, the convolution formula without padding;
    # no stride given means stride = window (side by side); the 8 or 16 maps stay
    shapes = [
        (8, (28 - 2) // 2 + 1, (28 - 2) // 2 + 1),  # case 1: (8, 14, 14)
        (8, (27 - 2) // 2 + 1, (27 - 2) // 2 + 1),  # case 2: (8, 13, 13), the last row unused
        (8, (28 - 3) // 2 + 1, (28 - 3) // 2 + 1),  # case 3: (8, 13, 13)
        (16, (7 - 3) // 3 + 1, (7 - 3) // 3 + 1),  # case 4: (16, 2, 2)
    ]
    return shapes


def my_max_pool(x, size=2, stride=2):
    # how many window positions fit along each axis (the same formula as for a
    # convolution without padding; // rounds down, so no window sticks out)
    out_h = (x.shape[0] - size) // stride + 1
    out_w = (x.shape[1] - size) // stride + 1
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            top, left = i * stride, j * stride  # the window's top-left corner
            window = x[top : top + size, left : left + size]
            out[i, j] = window.max()  # keep the largest value
    return out


# ----------------------------------------------------------------------------
# notebook 04: ReLU
# ----------------------------------------------------------------------------
def relu_by_hand():
    # each number x becomes max(0, x): negatives -> 0, positives and zeros stay
    my_answer = [
        [3, 0, 0, 2],
        [0, 5, 0, 1],
        [0, 0, 6, 0],
        [1, 2, 0, 0],
    ]
    return my_answer


def block_parameters():
    # block 1: 16 filters, each 3 channels x 3 x 3 weights, plus 16 biases
    block_1 = 16 * 3 * 3 * 3 + 16  # 448
    # block 2: 32 filters, each 16 channels x 5 x 5 weights, plus 32 biases
    block_2 = 32 * 16 * 5 * 5 + 32  # 12,832
    # ReLU and 2x2 max pooling: 0 parameters each
    return block_1, block_2


def my_leaky_relu(x, negative_slope=0.01):
    # keep x where it is positive, multiply it by the small slope elsewhere
    return np.where(x > 0, x, negative_slope * x)


# ----------------------------------------------------------------------------
# notebook 05: the dense classifier
# ----------------------------------------------------------------------------
def softmax_by_hand():
    e = [np.exp(2.0), np.exp(0.0), np.exp(-1.0)]  # 7.389, 1.0, 0.368
    total = sum(e)  # 8.757
    my_probabilities = [value / total for value in e]  # cat 0.844, dog 0.114, bird 0.042
    return my_probabilities


def my_softmax(scores):
    scores = np.asarray(scores, dtype=float)
    shifted = scores - scores.max(axis=-1, keepdims=True)  # largest becomes 0: no overflow
    e = np.exp(shifted)  # every value in (0, 1]
    return e / e.sum(axis=-1, keepdims=True)  # each row adds up to 1


def parameter_count():
    # only convolutions and dense layers learn; ReLU, pooling and Flatten have 0
    conv1 = 8 * (3 * 5 * 5) + 8  # 8 filters of 3x5x5 weights, one bias each: 608
    conv2 = 16 * (8 * 3 * 3) + 16  # 16 filters of 8x3x3 weights, one bias each: 1,168
    flat = 16 * 8 * 8  # padding keeps 32x32; two 2x2 poolings: 32 -> 16 -> 8; 16 maps
    dense = flat * 10 + 10  # a weight per (input, class) and a bias per class: 10,250
    my_counts = {
        "conv1": conv1,
        "relu1": 0,
        "pool1": 0,
        "conv2": conv2,
        "relu2": 0,
        "pool2": 0,
        "flatten": 0,
        "dense": dense,
    }  # 12,026 in all, 85% of them in the dense layer
    return my_counts


# ----------------------------------------------------------------------------
# notebook 06: training
# ----------------------------------------------------------------------------
def learning_rate():
    # 0.1 crawls (still 0.37 above the lowest after 50 steps), 1.2 diverges.
    # Anything from about 0.46 to 0.97 arrives; 0.9 is among the fastest (25 steps).
    my_learning_rate = 0.9
    return my_learning_rate


def regulariser():
    # Random shifts of up to 2 pixels make every epoch's digits new to the network: it
    # cannot memorise them, and learns what shifted copies of a digit share instead
    # (about 5 points more validation accuracy). Dropout 0.5 alone and weight decay alone
    # mostly lower the validation loss: the network is less sure of its mistakes, but
    # the accuracy rises by less than the 1.5 points asked for.
    weight_decay = 0.0
    dropout = 0.0
    max_shift = 2
    return weight_decay, dropout, max_shift


# ----------------------------------------------------------------------------
# notebook 07: inside the trained network
# ----------------------------------------------------------------------------
def confusion_reading(matrix):
    # the two numbers you read off the picture, found by code to check your reading
    fours_as_nines = matrix[4, 9]  # row 4 = the true 4s, column 9 = called "9"
    mistakes = matrix.copy()
    np.fill_diagonal(mistakes, 0)  # the diagonal holds the right answers
    most_common = np.unravel_index(np.argmax(mistakes), mistakes.shape)  # (true, said)
    return fours_as_nines, most_common


def cover_the_cue():
    # In the explorer: test digit # 141, class "the true digit" (5), patch 3, stride 1. The
    # blue square marks where covering raises P(5) most: rows 7-9, columns 11-13, the
    # middle of the slanted top stroke. Unbroken, that stroke runs from the top right down
    # into the loop, as the one stroke of a 6 does; with a gap in it, the top becomes the
    # flag of a 5 and the network says 5 (94% sure).
    row, column = 7, 11
    size = 3
    return row, column, size


#: exercise id -> (model answer, how it is shown: "function" or "cell")
SOLUTIONS = {
    "image_sizes": (image_sizes, "cell"),
    "negative": (make_negative, "function"),
    "draw_x": (draw_x, "cell"),
    "my_conv2d": (my_conv2d, "function"),
    "output_sizes": (output_sizes, "cell"),
    "horizontal_edge_kernel": (horizontal_edge_kernel, "cell"),
    "pooled_shapes": (pooled_shapes, "cell"),
    "my_max_pool": (my_max_pool, "function"),
    "relu_by_hand": (relu_by_hand, "cell"),
    "block_parameters": (block_parameters, "cell"),
    "my_leaky_relu": (my_leaky_relu, "function"),
    "softmax_by_hand": (softmax_by_hand, "cell"),
    "softmax": (my_softmax, "function"),
    "parameter_count": (parameter_count, "cell"),
    "learning_rate": (learning_rate, "cell"),
    "regulariser": (regulariser, "cell"),
    "confusion_reading": (confusion_reading, "cell"),
    "cover_the_cue": (cover_the_cue, "cell"),
}
