"""Predictions of notebook 02 (convolution): asked before each explorer, revealed by it.

TemplateMatcher, ConvolutionExplorer (its angle, its sizes and its upload) and
ConvolutionStepper. Sizes are computed with :func:`cnnlib.output_size`, the
formula the notebook teaches; each typical wrong size is the same formula
with the slip the mistake names.
"""

from __future__ import annotations

import math

from cnnlib.exercises._catalogue import Mistake, Prediction, register_predictions
from cnnlib.geometry import output_size

NOTEBOOK = "02_convolution"

#: The convolution explorer shrinks an upload so that neither side is longer than this.
UPLOAD_SIDE = 96


def _best_sum(letter, kernel_name):
    from cnnlib import kernels
    from cnnlib.datasets import xo_image
    from cnnlib.ops import conv2d

    return float(conv2d(xo_image(letter), getattr(kernels, kernel_name)()).max())


def _rounded_up(i, k, stride, padding=0):
    """The output size of a loop that also takes a last, incomplete window."""
    return math.ceil((i + 2 * padding - k) / stride) + 1


PREDICTIONS = (
    Prediction(
        id="template-moved-x",
        notebook=NOTEBOOK,
        explorer="TemplateMatcher",
        title="A template finds a moved letter",
        question=(
            "With the letter X and the cross template, the best match score is 1. Move the X "
            "2 pixels to the right (part of it leaves the image). What will the best score "
            "be?"
        ),
        answer="1: a perfect match, somewhere else",
        choices=(
            "1: a perfect match, somewhere else",
            "a little below 1",
            "about 0: the template no longer fits",
        ),
        explanation=(
            "The template is compared with every 3 x 3 patch, so it finds the centre of the X "
            "wherever it is: the best score is still 1, two columns further right."
        ),
        reveal=(
            "choose the cross template, drag 'move right' to 2 and read the best score and "
            "where its orange frame is"
        ),
        nudge=(
            "The score map holds one score per 3 x 3 patch, at every position. Is the centre "
            "of the X still somewhere in the image?"
        ),
        settings={"image": "x", "template": "cross x", "down": 0, "right": 2, "noise": 0.0},
        moves=("right",),
        mistakes=(
            Mistake(
                "match-weakens-with-move",
                "Thinks a move weakens the match",
                "Convolution scores every position the same way, so the perfect patch still "
                "scores 1; it is only found somewhere else.",
                "The learner pictures the template fixed in one place. Let them drag the "
                "letter while watching the orange frame follow it: that is weight sharing "
                "seen from the outside, and it is why a CNN finds a pattern anywhere.",
                compute=lambda: "a little below 1",
            ),
            Mistake(
                "template-fixed-in-place",
                "Thinks the template stays in one place",
                "The template slides over every position of the image, not only the middle: "
                "it meets the moved X where it now is.",
                "Ask the learner to count the positions of a 3 x 3 template on a 9 x 9 image "
                "(7 x 7 = 49) and where each one sits; the moved X's centre is one of them.",
                compute=lambda: "about 0: the template no longer fits",
            ),
        ),
    ),
    Prediction(
        id="conv-angle-180",
        notebook=NOTEBOOK,
        explorer="ConvolutionExplorer",
        title="Turning an edge detector by 180 degrees",
        question=(
            "On the shapes image, the oriented edge kernel at 45 degrees makes red and blue "
            "rims. Turn the edge angle to 225 degrees (180 more). What will happen to the "
            "feature map?"
        ),
        answer="red and blue swap places",
        choices=(
            "nothing changes",
            "red and blue swap places",
            "the map turns upside down",
            "the map becomes 0 everywhere",
        ),
        explanation=(
            "Turned by 180 degrees, the kernel is its own negative (every weight changes "
            "sign), so every value of the map changes sign: the same edges, red and blue "
            "swapped."
        ),
        reveal=(
            "drag 'edge angle' from 45 to 225 and compare the red and blue rims around the disk"
        ),
        nudge=(
            "Look at the kernel at 45 and at 225 degrees: how is each weight of one related to "
            "the weight in the same cell of the other?"
        ),
        settings={
            "image": "shapes (32x32)",
            "preset": "oriented edge (angle)",
            "size": 5,
            "padding": "same",
            "angle": 225,
        },
        moves=("angle",),
        mistakes=(
            Mistake(
                "map-rotates",
                "Thinks the map turns with the kernel",
                "The kernel turns, the image does not: every edge stays where it is in the "
                "map; what changes is the sign of its response.",
                "The learner rotates the output together with the filter. Point at one rim of "
                "the disk before and after: same place, opposite colour. Turning by 180 "
                "degrees multiplies the kernel by -1.",
                compute=lambda: "the map turns upside down",
            ),
            Mistake(
                "same-edge-same-map",
                "Thinks the same edge gives the same map",
                "Both kernels find the same edges, but one says 'brighter this way' where the "
                "other says 'darker this way': the signs are opposite.",
                "Right intuition (the same edges), missing the sign. Red means the image gets "
                "brighter in the kernel's direction; turned around, the same edge gets darker "
                "in the new direction, so it turns blue.",
                compute=lambda: "nothing changes",
            ),
        ),
    ),
    Prediction(
        id="conv-stride-2-padding-1",
        notebook=NOTEBOOK,
        explorer="ConvolutionExplorer",
        title="Feature-map size with stride 2 and padding 1",
        question=(
            "The digit is 28 x 28 and the kernel 3 x 3. With stride 2 and padding 1, how many "
            "rows (= columns) will the feature map have?"
        ),
        answer=lambda: output_size(28, 3, stride=2, padding=1),
        explanation=(
            "o = ⌊(28 + 2·1 − 3) / 2⌋ + 1 = ⌊13.5⌋ + 1 = 14: the padded image has "
            "30 pixels, the kernel fits 13.5 strides into what is left after its first "
            "position, rounded down, plus that first position."
        ),
        reveal=(
            "set stride 2 and padding 1 and read the feature map's title and the formula under "
            "the picture"
        ),
        nudge="Use o = ⌊(i + 2p − d(k − 1) − 1) / s⌋ + 1 with i = 28, k = 3, p = 1, s = 2.",
        settings={
            "image": "digit 3 (28x28)",
            "preset": "sobel y (horizontal edges)",
            "size": 3,
            "dilation": 1,
            "stride": 2,
            "padding": 1,
        },
        moves=("stride", "padding"),
        mistakes=(
            Mistake(
                "padding-forgotten",
                "Padding left out",
                "That is the size without padding. Padding 1 adds a row (and a column) of "
                "zeros on each side: the padded image is 28 + 2 = 30 pixels.",
                "The 2p term is missing. Have the learner switch padding on and off in the "
                "explorer and watch the dashed line of the original image inside the padded "
                "one.",
                compute=lambda: output_size(28, 3, stride=2, padding=0),
            ),
            Mistake(
                "stride-ignored",
                "Stride ignored",
                "That is the size with stride 1. With stride 2 the kernel jumps two pixels, "
                "so there are about half as many positions.",
                "The division by s is missing. Have the room call out the kernel's positions "
                "with stride 2 (0, 2, 4, ...) on the explorer's dashed second frame.",
                compute=lambda: output_size(28, 3, stride=1, padding=1),
            ),
            Mistake(
                "rounded-up",
                "Rounded up",
                "The formula rounds down: a last position whose window would stick out past "
                "the padded image does not exist.",
                "ceil instead of floor, often from computing 28 / 2 = 14 and adding 1. The "
                "explorer's formula line writes ⌊13.5⌋; the remark below it names the row "
                "and column the kernel never reaches.",
                compute=lambda: _rounded_up(28, 3, 2, 1),
            ),
            Mistake(
                "neither-stride-nor-padding",
                "Stride and padding both ignored",
                "That is the size with neither stride nor padding: 28 - 3 + 1. Both settings "
                "change the size here.",
                "The learner used the first formula of the notebook (i - k + 1) for every "
                "case. Write the full formula and cross out nothing: each letter is a control "
                "of the explorer.",
                compute=lambda: output_size(28, 3),
            ),
        ),
    ),
    Prediction(
        id="conv-dilation-2",
        notebook=NOTEBOOK,
        explorer="ConvolutionExplorer",
        title="Feature-map size with dilation 2",
        question=(
            "The X image is 9 x 9. With a 3 x 3 kernel, stride 1, no padding and dilation 2, "
            "how many rows (= columns) will the feature map have?"
        ),
        answer=lambda: output_size(9, 3, dilation=2),
        explanation=(
            "Dilation 2 spreads the 3 x 3 kernel over d(k - 1) + 1 = 5 pixels, so it fits "
            "9 - 5 + 1 = 5 positions along each side."
        ),
        reveal=(
            "choose the X image, set dilation 2 and read the feature map's title; the dots in "
            "the input show where the kernel's cells land"
        ),
        nudge="How many pixels wide is a 3 x 3 kernel whose cells are 2 pixels apart?",
        settings={
            "image": "X (9x9, +1/-1)",
            "size": 3,
            "stride": 1,
            "padding": "valid",
            "dilation": 2,
        },
        moves=("dilation",),
        mistakes=(
            Mistake(
                "dilation-ignored",
                "Dilation ignored",
                "That is the size without dilation. Dilation 2 spaces the kernel's cells 2 "
                "pixels apart: how many pixels does the kernel span now?",
                "Show the dots of the dilated kernel in the explorer: 3 x 3 weights, but "
                "spread over a 5 x 5 area. The extra coverage is the point of dilation, and "
                "it costs positions.",
                compute=lambda: output_size(9, 3),
            ),
            Mistake(
                "dilated-span-d-times-k",
                "Dilated span taken as d × k",
                "A kernel of k cells spaced d apart spans d(k − 1) + 1 pixels, not d × k: "
                "there are only k - 1 gaps between k cells.",
                "A fencepost slip. Count it on the dots: cell, gap, cell, gap, cell is 5 pixels.",
                compute=lambda: 9 - 2 * 3 + 1,
            ),
        ),
    ),
    Prediction(
        id="conv-same-stride-2",
        notebook=NOTEBOOK,
        explorer="ConvolutionExplorer",
        title="'same' padding with stride 2",
        question=(
            "On the 28 x 28 digit, choose padding 'same' and stride 2. What will the feature "
            "map be?"
        ),
        answer="not possible",
        choices=("28 x 28, the same size", "14 x 14", "not possible"),
        explanation=(
            "'same' promises a map as large as the input, which a kernel moving 2 pixels at a "
            "time cannot give; the explorer says so instead of guessing what you meant."
        ),
        reveal="choose padding 'same', then stride 2, and read the line under the picture",
        nudge="How many positions can a kernel that jumps 2 pixels at a time have along 28 pixels?",
        settings={"image": "digit 3 (28x28)", "size": 3, "padding": "same", "stride": 2},
        moves=("padding", "stride"),
        mistakes=(
            Mistake(
                "same-keeps-size-always",
                "Thinks 'same' always keeps the size",
                "'same' keeps the size only when the kernel moves one pixel at a time; with "
                "stride 2 there are only about half as many positions.",
                "The name suggests a promise that holds always. It holds only for stride 1; "
                "PyTorch refuses padding='same' with a stride too. Show the number of "
                "positions with stride 2 against the size of the input.",
                compute=lambda: "28 x 28, the same size",
            ),
            Mistake(
                "same-means-padding-1",
                "Reads 'same' as padding 1",
                "Padding 1 with stride 2 gives 14 x 14, but 'same' is not a number of zeros: it "
                "asks for an output as large as the input, which stride 2 cannot give.",
                "The learner replaced the name by the padding it means for a 3 x 3 kernel "
                "with stride 1. Separate the request ('same size') from the means (p = 1 for "
                "k = 3): with stride 2 the means no longer reach the end.",
                compute=lambda: "14 x 14",
            ),
        ),
    ),
    Prediction(
        id="conv-upload-width",
        notebook=NOTEBOOK,
        explorer="ConvolutionExplorer",
        title="Your photo, shrunk and convolved",
        question=(
            f"The explorer shrinks an uploaded photo so that neither side is longer than "
            f"{UPLOAD_SIDE} pixels. You upload a photo 1200 pixels wide and 900 high. With the "
            "3 x 3 kernel, stride 1 and no padding, how many columns will its feature map have?"
        ),
        answer=lambda: output_size(UPLOAD_SIDE, 3),
        explanation=(
            f"The 1200 columns are shrunk to {UPLOAD_SIDE}; a 3 x 3 kernel without padding fits "
            f"{UPLOAD_SIDE} - 3 + 1 = {output_size(UPLOAD_SIDE, 3)} positions across."
        ),
        reveal=(
            "upload a wide photo with the 'your picture' button and read the feature map's "
            "title and the 'width:' line under the picture"
        ),
        nudge=(
            f"First the shrinking (the longer side becomes {UPLOAD_SIDE}), then the "
            "output-size formula without padding."
        ),
        moves=("upload",),
        mistakes=(
            Mistake(
                "upload-not-shrunk",
                "Forgot that the photo is shrunk",
                f"That is the size for the photo as it was taken; the explorer first shrinks "
                f"it to {UPLOAD_SIDE} pixels across.",
                "The formula is right, the input size is not. Point to the status line, which "
                "says what was done to the upload, and to the input panel's title.",
                compute=lambda: output_size(1200, 3),
            ),
            Mistake(
                "no-shrink-by-kernel",
                "Forgot that the kernel loses columns",
                f"{UPLOAD_SIDE} is the width of the input. Without padding a 3 x 3 kernel "
                "cannot be centred on the first and last columns: the map is 2 narrower.",
                "The learner expected the image size back, as with 'same' padding. Switch "
                "padding between valid and same in the explorer and watch the map's title.",
                compute=lambda: UPLOAD_SIDE,
            ),
            Mistake(
                "rows-not-columns",
                "Gave the rows instead of the columns",
                "That is the number of rows (the photo's shorter side). The question asks for "
                "the columns: the wide side.",
                "Height and width mixed up, as with shapes in notebook 01: (rows, columns). "
                "The explorer prints a second formula line for the width of a picture that is "
                "not square.",
                compute=lambda: output_size(round(900 * UPLOAD_SIDE / 1200), 3),
            ),
        ),
    ),
    Prediction(
        id="stepper-stride-2-positions",
        notebook=NOTEBOOK,
        explorer="ConvolutionStepper",
        title="Kernel positions with stride 2",
        question=(
            "Choose the 8 x 8 edge image: the 3 x 3 kernel has 36 positions with stride 1. "
            "With stride 2 (no padding), how many positions will it visit?"
        ),
        answer=lambda: output_size(8, 3, stride=2) ** 2,
        explanation=(
            "Along each side: ⌊(8 − 3) / 2⌋ + 1 = 3 positions (corners at 0, 2, 4; a "
            "fourth at 6 would stick out). 3 rows × 3 columns = 9 positions."
        ),
        reveal=(
            "choose the edge image, set stride 2 and read 'Position 1 of ...' under the picture, "
            "or press play"
        ),
        nudge=(
            "Count the positions along one side first (where can the kernel's left edge be?), "
            "then multiply rows by columns."
        ),
        settings={
            "image": "edge (8x8, 0 and 9)",
            "kernel": "diagonal \\",
            "padding": 0,
            "stride": 2,
        },
        moves=("stride",),
        mistakes=(
            Mistake(
                "stride-ignored",
                "Stride ignored",
                "That is the number of positions with stride 1. With stride 2 the kernel skips "
                "every other position in both directions.",
                "Watch the orange frame jump two cells at a time with the play button; the "
                "feature map shrinks with it.",
                compute=lambda: output_size(8, 3, stride=1) ** 2,
            ),
            Mistake(
                "rounded-up",
                "Counted a window that sticks out",
                "(8 - 3) / 2 = 2.5 rounds down: a kernel starting at column 6 would stick out "
                "past column 7, so there is no such position.",
                "Let the learner place the kernel at corner 6 by hand: its right column would "
                "be 8, outside the image. Uneven strides leave the last column unread, which "
                "the output-size formula's floor says.",
                compute=lambda: _rounded_up(8, 3, 2) ** 2,
            ),
            Mistake(
                "one-side-only",
                "Counted one side only",
                "That is the number of positions along one side. The kernel moves along the "
                "rows and down the columns: multiply the two.",
                "The map is 3 x 3: rows times columns. Pressing play shows the kernel sweeping "
                "a row, then moving down.",
                compute=lambda: output_size(8, 3, stride=2),
            ),
        ),
    ),
    Prediction(
        id="stepper-perfect-match",
        notebook=NOTEBOOK,
        explorer="ConvolutionStepper",
        title="The sum of a perfect match",
        question=(
            "The X image holds +1 (ink) and -1 (background), and the 'diagonal \\' kernel "
            "holds +1 on its diagonal and -1 elsewhere. What is the largest sum the stepper "
            "will show?"
        ),
        answer=lambda: _best_sum("x", "diagonal"),
        explanation=(
            "Where the patch is exactly the kernel, each of the 9 products is (+1)(+1) or "
            "(-1)(-1) = +1, so the sum is 9: the largest a 3 x 3 kernel of +1 and -1 can give."
        ),
        reveal=(
            "press play (or drag 'position') and watch the sum under the products; the feature "
            "map fills with every sum"
        ),
        nudge="What is (−1) × (−1)? Count how many of the 9 products can be +1 at best.",
        settings={"image": "X (9x9, +1/-1)", "kernel": "diagonal \\", "stride": 1, "padding": 0},
        moves=("position",),
        mistakes=(
            Mistake(
                "only-ink-counts",
                "Counted only the ink cells",
                "The -1 cells count too: background (-1) under a -1 weight gives "
                "(−1) × (−1) = +1. All nine products add to the score.",
                "The learner counts matching ink only. The point of the -1 weights is that "
                "agreeing background also adds evidence; show the products panel at a "
                "perfect position: nine +1s.",
                compute=lambda: 3,
            ),
            Mistake(
                "averaged-score",
                "Gave the averaged score",
                "That is the match score, the sum divided by the number of products, as the "
                "template matcher shows it. The stepper shows the plain sum.",
                "Two views of one number: the sum (up to 9) and the average (up to 1). Write "
                "both on the board for the same position.",
                compute=lambda: 1,
            ),
        ),
    ),
)

register_predictions(*PREDICTIONS)
