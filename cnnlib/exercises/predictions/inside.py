"""Predictions of notebook 07 (inside the trained network).

FeatureMapExplorer, MistakesGallery, DigitPad, DigitPhoto, the saliency and
occlusion explorer (AttributionExplorer) and the NetworkBuilder. The occlusion of
test digit #12 (:func:`part_whose_covering_raises`) runs the course's trained network. Sizes and
parameter counts are computed with :func:`cnnlib.output_size` for the course's
network: two blocks of a 3 x 3 convolution (padding 1), ReLU and 2 x 2 max
pooling, then a dense layer to 10 classes.
"""

from __future__ import annotations

from cnnlib.exercises._catalogue import Mistake, Prediction, register_predictions
from cnnlib.geometry import output_size
from cnnlib.layers import Conv2D
from cnnlib.preprocess import BOX

NOTEBOOK = "07_inside_the_network"


def side_after_blocks(blocks, side=28, kernel=3, padding=1, pool=2):
    """The side of the maps after ``blocks`` blocks of convolution and pooling.

    None when a block does not fit any more (a map shrunk to nothing).
    """
    for _ in range(blocks):
        if side + 2 * padding < kernel:
            return None
        side = output_size(side, kernel, padding=padding)
        if side < pool:
            return None
        side = output_size(side, pool, stride=pool)
    return side


def blocks_that_fit(padding, side=28):
    """How many blocks of a 3 x 3 convolution and a 2 x 2 pooling fit on a ``side`` image."""
    blocks = 0
    while side_after_blocks(blocks + 1, side, padding=padding) is not None:
        blocks += 1
    return blocks


def dense_parameters(maps=16, blocks=2, classes=10, bias=True):
    """Weights (and biases) of the dense layer after ``blocks`` blocks of ``maps`` maps."""
    side = side_after_blocks(blocks)
    return maps * side * side * classes + (classes if bias else 0)


def costlier_convolution():
    """Which of the course network's two convolutions does more multiply-adds per digit."""
    first = Conv2D(1, 8, 3, padding=1).multiply_adds((1, 28, 28))  # 28*28*8*1*9 = 56,448
    second = Conv2D(8, 16, 3, padding=1).multiply_adds((8, 14, 14))  # 14*14*16*8*9 = 225,792
    return (
        COST_CHOICES[0]
        if first > second
        else COST_CHOICES[1]
        if second > first
        else (COST_CHOICES[2])
    )


COST_CHOICES = ("conv 1, on the 28 x 28 digit", "conv 2, on the 14 x 14 maps", "both the same")
PAD_CHOICES = (
    "small, in the same corner",
    f"in the middle, about {BOX} pixels tall",
    "filling the whole 28 x 28 picture",
)
MISTAKE_COUNTS = ("about 3", "about 30", "about 300")
SEVEN_PARTS = (
    "the left part of the top bar",
    "the bottom of the stem",
    "nowhere: covering can only lower P(1)",
)
#: The 7 of the prediction below: test digit #12, asked about class 1 with a 10 x 10 patch.
SEVEN, SEVEN_PATCH, SEVEN_STRIDE = 12, 10, 2


def part_whose_covering_raises(index=SEVEN, target=1, patch=SEVEN_PATCH, stride=SEVEN_STRIDE):
    """Which part of test digit ``index`` to cover to raise P(``target``) most (SEVEN_PARTS).

    From :func:`cnnlib.occlusion_map` of the course's trained network: the patch with the
    most negative drop, placed by its centre within the digit's ink box (top third and
    left half: the bar of a 7; bottom third: the foot of its stem). ``None`` if it is
    elsewhere.
    """
    import numpy as np

    from cnnlib.attribution import occlusion_map
    from cnnlib.datasets import load_mnist
    from cnnlib.pretrained import load_pretrained

    images, _ = load_mnist("test")
    digit = images[index]
    drops = occlusion_map(load_pretrained(), digit, target, patch=patch, stride=stride)
    if drops.min() >= 0:
        return SEVEN_PARTS[2]
    top, left = np.array(np.unravel_index(np.argmin(drops), drops.shape)) * stride
    row, column = top + (patch - 1) / 2, left + (patch - 1) / 2
    rows, columns = np.flatnonzero(digit.any(axis=1)), np.flatnonzero(digit.any(axis=0))
    height = rows[-1] - rows[0]
    if row <= rows[0] + height / 3 and column < (columns[0] + columns[-1]) / 2:
        return SEVEN_PARTS[0]
    if row >= rows[0] + 2 * height / 3:
        return SEVEN_PARTS[1]
    return None


PREDICTIONS = (
    Prediction(
        id="feature-maps-last-size",
        notebook=NOTEBOOK,
        explorer="FeatureMapExplorer",
        title="The size of the last feature maps",
        question=(
            "The network's convolutions use padding 1 and each of its two blocks ends with a "
            "2 x 2 max pooling. A 28 x 28 digit goes in: how many rows (= columns) will the "
            "maps after the second pooling have?"
        ),
        answer=lambda: side_after_blocks(2),
        explanation=(
            "Padding 1 keeps a 3 x 3 convolution's maps at their size, and each 2 x 2 pooling "
            "halves them: 28 → 14 → 7."
        ),
        reveal="read the titles of the panels in the second row",
        nudge="Which layers change the size here, and by how much each?",
        moves=("index",),
        mistakes=(
            Mistake(
                "one-pooling",
                "Counted one pooling only",
                "Each block ends with its own pooling: the maps are halved once per block.",
                "Count the poolings in the network's summary with the learner; every row of "
                "the explorer is one block, and each ends in a pooling panel.",
                compute=lambda: side_after_blocks(1),
            ),
            Mistake(
                "padding-forgotten",
                "Counted the convolutions as shrinking",
                "With padding 1 a 3 x 3 convolution keeps the size of its input; only the "
                "poolings shrink the maps.",
                "The learner applied i - k + 1 to every convolution. Point to padding=1 in "
                "the network's layers and to the equal sizes of the convolution and ReLU "
                "panels.",
                compute=lambda: side_after_blocks(2, padding=0),
            ),
        ),
    ),
    Prediction(
        id="feature-maps-relu-negatives",
        notebook=NOTEBOOK,
        explorer="FeatureMapExplorer",
        title="Blue values after ReLU",
        question=(
            "In each row, the convolution's maps show red (positive) and blue (negative) "
            "values. How many blue values will the ReLU panel next to it show?"
        ),
        answer="none",
        choices=("none", "about half as many", "as many as the convolution"),
        explanation=(
            "ReLU turns every negative value into 0 (white), so the ReLU panel is red and "
            "white only; the pooling after it keeps the strongest red of each 2 x 2 window."
        ),
        reveal="compare the convolution and ReLU panels of each row, for a few digits",
        nudge="What does ReLU do with a negative number?",
        moves=("index",),
        mistakes=(
            Mistake(
                "relu-shrinks-negatives",
                "Thinks ReLU only weakens negatives",
                "That is leaky ReLU. Plain ReLU, which this network uses, makes every "
                "negative value exactly 0.",
                "Leaky ReLU and ReLU mixed up; both were in notebook 04's explorer. The "
                "network's layers list ReLU, and ReLU(x) = max(0, x).",
                compute=lambda: "about half as many",
            ),
        ),
    ),
    Prediction(
        id="mistakes-count",
        notebook=NOTEBOOK,
        explorer="MistakesGallery",
        title="How many test digits the network misreads",
        question=(
            "The trained network reads at least 97% of the 1,000 test digits correctly. About "
            "how many will the gallery of mistakes hold?"
        ),
        answer="about 30",
        choices=MISTAKE_COUNTS,
        explanation=(
            "At least 97% right leaves at most 3% of 1,000, so about 30 mistakes (some fewer)."
        ),
        reveal="read the count in the line under the gallery, with 'any' in both menus",
        nudge="Percent means per hundred: how many digits of 1,000 are 3% of them?",
        settings={"true": -1, "said": -1},
        mistakes=(
            Mistake(
                "percent-of-1000",
                "Took 3% as 3 digits",
                "3% of 1,000 digits is 30, not 3: percent means per hundred.",
                "A percentage applied to the wrong total. Write 3/100 × 1,000 on the board; "
                "the confusion matrix of the same notebook shows the 30 off the diagonal.",
                compute=lambda: "about 3",
            ),
        ),
    ),
    Prediction(
        id="pad-small-digit",
        notebook=NOTEBOOK,
        explorer="DigitPad",
        title="Where a small drawing ends up",
        question=(
            "Draw a small digit in the top-left corner of the pad. Before the network reads "
            "it, the drawing is prepared the way MNIST digits were. Where will it be in the "
            "28 x 28 picture the network sees?"
        ),
        answer=lambda: PAD_CHOICES[1],
        choices=PAD_CHOICES,
        explanation=(
            f"The preparation cuts the ink out, scales it so its longer side is {BOX} pixels "
            "and puts its centre of mass in the middle of the 28 x 28 picture, as MNIST did: "
            "size and place do not matter."
        ),
        reveal="draw small in a corner and look at the left picture, 'what the network sees'",
        nudge=(
            "MNIST digits were all scaled to the same size and centred. The network only "
            "knows digits like that: what must happen to yours?"
        ),
        moves=("drawing",),
        mistakes=(
            Mistake(
                "drawing-used-as-is",
                "Thinks the drawing is used as drawn",
                "The drawing is scaled and centred first, like every MNIST digit, wherever and "
                "however small you drew it.",
                "The learner expects the network to see the raw pad. Show a digit drawn small "
                "in a corner and the same drawn large in the middle: the left picture is "
                "almost the same. A network trained on centred digits needs centred input.",
                compute=lambda: PAD_CHOICES[0],
            ),
            Mistake(
                "drawing-fills-picture",
                "Thinks the digit fills the picture",
                "MNIST digits keep a margin all round: the ink is scaled to fit a box smaller "
                "than the whole picture, so it never touches the border.",
                "A detail of the MNIST recipe that matters: the network never saw ink at the "
                "very border. Look at any training digit with the pixel inspector of "
                "notebook 01.",
                compute=lambda: PAD_CHOICES[2],
            ),
        ),
    ),
    Prediction(
        id="photo-digit-size",
        notebook=NOTEBOOK,
        explorer="DigitPhoto",
        title="The digit in a photo, as the network sees it",
        question=(
            "The example photo is 240 x 320 pixels, with a small digit on paper in the middle. "
            "In the 28 x 28 picture the network sees, how many pixels long will the digit's "
            "longer side be?"
        ),
        answer=BOX,
        explanation=(
            f"The ink is found, cut to its box and scaled so that its longer side is {BOX} "
            "pixels, then centred in 28 x 28: the same preparation as the drawing pad and "
            "MNIST."
        ),
        reveal="look at 'what the network sees' for each example photo: count the rows of ink",
        nudge="The photo is prepared like a drawing on the pad: to what size is the ink scaled?",
        settings={"photo": "example: a 7 on paper"},
        moves=("photo",),
        mistakes=(
            Mistake(
                "fills-28",
                "Thinks the digit fills all 28 pixels",
                "MNIST digits keep a margin all round: the ink is scaled to fit a box smaller "
                "than the whole picture.",
                "The same margin as on the drawing pad. The network never saw ink at the "
                "border, so the preparation keeps it away from there.",
                compute=lambda: 28,
            ),
        ),
    ),
    Prediction(
        id="occlusion-map-size",
        notebook=NOTEBOOK,
        explorer="AttributionExplorer",
        title="The size of an occlusion map",
        question=(
            "An occlusion map slides a 6 x 6 patch of background over the 28 x 28 digit, 2 "
            "pixels at a time, and measures the drop in probability at each position. How "
            "many rows (= columns) will the occlusion map have?"
        ),
        answer=lambda: output_size(28, 6, stride=2),
        explanation=(
            "The patch moves like a kernel: ⌊(28 − 6) / 2⌋ + 1 = 12 positions along each "
            "side, the same output-size formula as convolution and pooling."
        ),
        reveal="set patch 6 and stride 2 and read the occlusion map's title",
        nudge="The patch slides like a 6 x 6 kernel with stride 2: use the output-size formula.",
        settings={"patch": 6, "stride": 2},
        moves=("patch", "stride"),
        mistakes=(
            Mistake(
                "side-over-stride",
                "Divided the side by the stride",
                "28 / 2 = 14 counts windows that would stick out past the digit: the last "
                "position of a 6-wide patch starts at column 22.",
                "The patch's own width is forgotten. Place the patch at the right edge by "
                "hand: its left column is 28 - 6 = 22, and 0, 2, ..., 22 are 12 positions.",
                compute=lambda: 28 // 2,
            ),
            Mistake(
                "no-plus-one",
                "Forgot the first position",
                "(28 - 6) / 2 = 11 counts the steps between positions; the first position adds 1.",
                "The fencepost error of the output-size formula, seen again: 11 steps join 12 "
                "positions.",
                compute=lambda: (28 - 6) // 2,
            ),
            Mistake(
                "stride-ignored",
                "Stride ignored",
                "That is the size with stride 1. With stride 2 the patch jumps two pixels "
                "between measurements.",
                "Move the stride slider in the explorer and watch the map's cells get fewer "
                "and larger.",
                compute=lambda: output_size(28, 6),
            ),
        ),
    ),
    Prediction(
        id="occlusion-empty-corner",
        notebook=NOTEBOOK,
        explorer="AttributionExplorer",
        title="Covering paper that is already blank",
        question=(
            "The patch is background (0, blank paper). Placed on an empty corner of the "
            "digit's picture, by how much will it lower the probability of the network's "
            "answer?"
        ),
        answer="not at all: exactly 0",
        choices=("not at all: exactly 0", "a little", "a lot"),
        explanation=(
            "Painting blank paper over blank paper leaves the picture exactly as it was, so "
            "the network's answer and probabilities do not move: the drop is exactly 0 there."
        ),
        reveal=(
            "look at the corners of the occlusion map: white cells, and the line under the "
            "picture names the patch that matters most"
        ),
        nudge="Does covering an empty corner with the paper colour change the picture at all?",
        settings={"index": 0, "patch": 6, "stride": 2},
        mistakes=(
            Mistake(
                "any-patch-changes",
                "Thinks any patch disturbs the network",
                "A background patch on background leaves the input exactly as it was: the "
                "network cannot react to a change that did not happen.",
                "Occlusion measures the effect of hiding something; where there is nothing "
                "to hide, the map is exactly 0. That is also why the map outlines the "
                "digit's surroundings.",
                compute=lambda: "a little",
            ),
        ),
    ),
    Prediction(
        id="occlusion-seven-as-one",
        notebook=NOTEBOOK,
        explorer="AttributionExplorer",
        title="Covering part of a 7 to make it a 1",
        question=(
            f"Test digit #{SEVEN} is a 7, and the network is sure of it. Ask about class 1 "
            f"with a {SEVEN_PATCH} x {SEVEN_PATCH} patch: where does covering the 7 make '1' "
            "most likely?"
        ),
        answer=part_whose_covering_raises,
        choices=SEVEN_PARTS,
        explanation=(
            "Covering the left part of the bar leaves a slanted stroke with a small hook: a "
            "1. P(1) rises from almost 0 to over 90%, so those cells are deep blue on the "
            "occlusion map of class 1. The bar was the evidence against a 1."
        ),
        reveal=(
            f"choose test digit #{SEVEN}, class 1, patch {SEVEN_PATCH}: the blue square on the "
            "digit and the line under the picture name the patch that raises P(1) most"
        ),
        nudge="Which stroke does a 7 have that a 1 does not?",
        settings={
            "index": SEVEN,
            "target": 1,
            "patch": SEVEN_PATCH,
            "stride": SEVEN_STRIDE,
        },
        moves=("target", "patch"),
        mistakes=(
            Mistake(
                "occlusion-only-lowers",
                "Thinks covering can only lower a probability",
                "Covering removes evidence against a class too: hide what makes the digit "
                "a 7 and what is left may look like another digit. Blue on the occlusion map "
                "is exactly that.",
                "The map's two colours: red where covering lowers the class's probability "
                "(evidence for it), blue where it raises it (evidence against it). Ask what "
                "a 7 without its bar looks like.",
                compute=lambda: SEVEN_PARTS[2],
            ),
            Mistake(
                "occlusion-stem-foot",
                "Covered the foot of the stem",
                "Without the foot of its stem the digit still has its bar, and the bar is "
                "what says 7: a shorter 7 is still a 7.",
                "The learner looked for what a 1 lacks instead of what the 7 has too much "
                "of. Compare the two digits stroke by stroke: the 1 is the 7 minus its bar.",
                compute=lambda: SEVEN_PARTS[1],
            ),
        ),
    ),
    Prediction(
        id="builder-valid-blocks",
        notebook=NOTEBOOK,
        explorer="NetworkBuilder",
        title="How many blocks fit without padding",
        question=(
            "Each block is a 3 x 3 convolution without padding followed by a 2 x 2 max "
            "pooling. On a 28 x 28 digit, how many blocks fit before the maps shrink to "
            "nothing?"
        ),
        answer=lambda: blocks_that_fit(padding=0),
        explanation=(
            "28 → 26 → 13 after the first block, 13 → 11 → 5 after the second, 5 → 3 → 1 "
            "after the third: a fourth 3 x 3 convolution does not fit on a 1 x 1 map."
        ),
        reveal=(
            "choose no padding, add blocks one at a time and read the layer table; the line "
            "under it says when a block no longer fits"
        ),
        nudge=(
            "Follow the side through each block: the convolution takes 2 away, then the "
            "pooling halves it (rounding down)."
        ),
        settings={"padding": "valid", "blocks": 3},
        moves=("blocks", "padding"),
        mistakes=(
            Mistake(
                "pooling-only",
                "Counted only the poolings",
                "Without padding each 3 x 3 convolution also takes 2 pixels off the side "
                "before the pooling halves it.",
                "That is the count with padding 1 ('same'), where only the poolings shrink "
                "the maps. Compare the two paddings in the builder's table.",
                compute=lambda: blocks_that_fit(padding=1),
            ),
        ),
    ),
    Prediction(
        id="builder-dense-parameters",
        notebook=NOTEBOOK,
        explorer="NetworkBuilder",
        title="Parameters of the dense layer",
        question=(
            "Build two blocks (8, then 16 filters of 3 x 3, padding 1, each followed by a "
            "2 x 2 max pooling) and a dense layer to 10 classes. How many parameters will the "
            "dense layer have?"
        ),
        answer=dense_parameters,
        explanation=(
            "The dense layer reads 16 maps of 7 x 7 = 784 numbers and has one weight for each "
            "of them per class, plus one bias per class: 784 × 10 + 10 = 7,850."
        ),
        reveal="build the network and read the dense layer's row of the table",
        nudge=(
            "How many numbers does the dense layer read (maps × rows × columns)? It has one "
            "weight per number and per class, plus a bias per class."
        ),
        settings={"blocks": 2, "filters": 8, "padding": "same"},
        moves=("blocks", "filters"),
        mistakes=(
            Mistake(
                "bias-forgotten",
                "Forgot the biases",
                "Each class also has a bias: one more parameter per class.",
                "784 × 10 counts the weights only. The same slip as in notebook 05's "
                "parameter count: weights plus biases.",
                compute=lambda: dense_parameters(bias=False),
            ),
            Mistake(
                "pooling-forgotten",
                "Used the maps before pooling",
                "The dense layer reads the maps after the second pooling, 7 x 7, not the "
                "28 x 28 maps the first convolution makes.",
                "Follow the shapes through the table: 28 → 14 → 7. This is where pooling "
                "saves the most: 16 times fewer dense weights.",
                compute=lambda: 16 * 28 * 28 * 10 + 10,
            ),
        ),
    ),
)

PREDICTIONS += (
    Prediction(
        id="builder-multiply-adds",
        notebook=NOTEBOOK,
        explorer="NetworkBuilder",
        title="Which convolution costs more",
        question=(
            "In the course's network, conv 1 has 8 filters of 1 x 3 x 3 and slides over the "
            "28 x 28 digit; conv 2 has 16 filters of 8 x 3 x 3 and slides over the 14 x 14 "
            "maps the pooling leaves. Which one does more multiply-adds for one digit?"
        ),
        answer=costlier_convolution,
        choices=COST_CHOICES,
        explanation=(
            "Multiply-adds = positions × filters × weights per filter. First: 28 × 28 × 8 × "
            "(1 × 3 × 3) = 56,448. Second: 14 × 14 × 16 × (8 × 3 × 3) = 225,792, four times "
            "more: a quarter of the positions, but twice the filters, each eight times deeper."
        ),
        reveal="read the multiply-adds column of the layer table, rows 0 and 3",
        nudge=(
            "Count three things for each: the positions the filter visits, the filters, and "
            "the weights in one filter (its channels × 3 × 3)."
        ),
        settings={"blocks": 2, "filters": 8, "padding": "same"},
        moves=("blocks", "filters", "kernel"),
        mistakes=(
            Mistake(
                "bigger-map-costs-more",
                "Thinks the bigger picture costs more",
                "Conv 1 visits four times more positions, but each of its filters has only 9 "
                "weights; those of conv 2 have 72, and there are twice as many.",
                "Only the map size was compared. Write positions × filters × weights per "
                "filter for both; the depth of a filter (its input channels) is what is missed.",
                compute=lambda: COST_CHOICES[0],
            ),
            Mistake(
                "pooling-cancels-doubling",
                "Thinks pooling cancels the doubling",
                "Pooling leaves a quarter of the positions and the filters double, but each "
                "filter is also 8 times deeper than before: 4 times more in all.",
                "Two of the three factors were counted. The channels of the input set the "
                "depth of every filter: 1 for the digit, 8 after the first block.",
                compute=lambda: COST_CHOICES[2],
            ),
        ),
    ),
)

register_predictions(*PREDICTIONS)
