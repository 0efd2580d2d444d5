"""Predictions of notebook 01 (pixels): asked before each explorer, revealed by it.

PixelExplorer (and its upload), ChannelExplorer, ResolutionExplorer,
ImageEditExplorer and ShiftExplorer. Each answer is what the explorer shows
with the settings the question names; ``tests/explorers/test_prediction_answers.py``
sets them and reads it.
"""

from __future__ import annotations

from cnnlib.exercises._catalogue import Mistake, Prediction, register_predictions

NOTEBOOK = "01_pixels"

#: The photo of notebook 01 and its size (rows, columns): cnnlib.load_photo().
PHOTO_SHAPE = (600, 512, 3)


#: The number MNIST stores for blank paper (ink is high, up to 255).
MNIST_PAPER = 0

PREDICTIONS = (
    Prediction(
        id="pixel-background-value",
        notebook=NOTEBOOK,
        explorer="PixelExplorer",
        title="The number of blank paper",
        question=(
            "Switch colours to gray_r, so that the digit looks like dark ink on white paper. "
            "What number will a pixel of the white background hold?"
        ),
        answer=MNIST_PAPER,
        explanation=(
            "MNIST stores the blank paper as 0 and ink as high numbers, up to 255. The colour "
            "map only decides how a number is painted: gray_r paints 0 white."
        ),
        reveal=(
            "choose gray_r, move the window to a corner of the digit and read the numbers "
            "printed on its pixels"
        ),
        nudge=(
            "The colour map changes how the numbers are painted, not the numbers. What does "
            "MNIST store where no ink was written?"
        ),
        settings={"source": "MNIST digit", "cmap": "gray_r", "size": 4, "row": 0, "col": 0},
        moves=("cmap", "row", "col"),
        mistakes=(
            Mistake(
                "white-is-255",
                "White read as 255",
                "White is 255 only with the gray colour map. With gray_r the colours are "
                "reversed: a white pixel now holds the smallest number.",
                "The learner ties a colour to a number for good. Show one window under both "
                "colour maps side by side: the printed numbers do not move, only the paint "
                "does. MNIST stores ink high because that is how the scanner's numbers were "
                "turned around when the data set was made.",
                compute=lambda: 255,
            ),
        ),
    ),
    Prediction(
        id="pixel-colour-map-numbers",
        notebook=NOTEBOOK,
        explorer="PixelExplorer",
        title="What a colour map changes",
        question=(
            "The window shows 10 x 10 = 100 numbers of the digit. Switch colours from gray to "
            "gray_r. How many of those 100 numbers will change?"
        ),
        answer=0,
        explanation=(
            "None: a colour map is only the rule that paints each number, so switching it "
            "repaints the picture and leaves every number as it was."
        ),
        reveal="switch the colours back and forth and watch the printed numbers",
        nudge="Does a colour map change the array, or only the way the array is painted?",
        settings={"source": "MNIST digit", "size": 10, "cmap": "gray_r"},
        moves=("cmap",),
        mistakes=(
            Mistake(
                "all-numbers-change",
                "Thinks the numbers flip with the colours",
                "The picture flips, but the numbers are the array itself: a colour map only "
                "decides which colour each number gets.",
                "The learner expects 255 - x, the negative, because the picture looks like "
                "one. Contrast the two operations: negative(image) makes a new array, "
                "cmap='gray_r' draws the same array with other paint; print both.",
                compute=lambda: 100,
            ),
        ),
    ),
    Prediction(
        id="pixel-upload-height",
        notebook=NOTEBOOK,
        explorer="PixelExplorer",
        title="An uploaded photo is shrunk",
        question=(
            "The inspector shrinks an uploaded picture so that neither side is longer than 512 "
            "pixels. You upload a photo 2048 pixels wide and 1536 pixels high. How many pixels "
            "high will it be in the inspector?"
        ),
        answer=lambda: round(1536 * 512 / 2048),
        explanation=(
            "The longer side, 2048, becomes 512: everything is shrunk by the same factor, 4, so "
            "the 1536 rows become 384 and the photo keeps its shape."
        ),
        reveal=(
            "upload a photo with the 'your picture' button and read the size in the title "
            "above the whole image"
        ),
        nudge="Both sides shrink by the same factor: by how much must 2048 shrink to be 512?",
        moves=("upload",),
        mistakes=(
            Mistake(
                "squashed-to-square",
                "Both sides made 512",
                "Making both sides 512 would squash the photo out of shape. Only the longer "
                "side is limited; the other shrinks by the same factor.",
                "The learner reads 'at most 512 a side' as 'made 512 x 512'. Ask what a "
                "portrait photo would look like squeezed into a square; shrinking keeps the "
                "ratio of the sides (here 4 : 3).",
                compute=lambda: 512,
            ),
            Mistake(
                "not-shrunk",
                "Expects the photo unshrunk",
                "1536 is the photo's height before it is shrunk. The inspector makes it "
                "smaller so that it can redraw quickly.",
                "The learner overlooked the shrinking. Tie it to the explorer's speed budget: "
                "a 3-megapixel photo would take far longer than the 50 ms an explorer may "
                "take per move.",
                compute=lambda: 1536,
            ),
        ),
    ),
    Prediction(
        id="pixel-upload-numbers-per-pixel",
        notebook=NOTEBOOK,
        explorer="PixelExplorer",
        title="An uploaded photo becomes gray",
        question=(
            "You upload a colour photo to the pixel inspector. How many numbers per pixel "
            "will the inspector keep for it?"
        ),
        answer=1,
        explanation=(
            "One: the inspector turns an uploaded photo gray, mixing red, green and blue "
            "into one brightness per pixel, as to_grayscale does."
        ),
        reveal=(
            "upload a colour photo: the menu calls it 'your picture (grayscale)' and the "
            "window's shape, under the picture, has no third number"
        ),
        nudge="The inspector works on grayscale images: how many numbers is one gray pixel?",
        moves=("upload",),
        mistakes=(
            Mistake(
                "keeps-three-channels",
                "Expects the three colour channels",
                "A colour photo has three numbers per pixel, but the inspector makes it gray "
                "first: one brightness per pixel.",
                "Good recall of RGB, missed conversion. Point to the menu entry '(grayscale)' "
                "and to to_grayscale's weighted sum 0.299 R + 0.587 G + 0.114 B, which turns "
                "three numbers into one.",
                compute=lambda: 3,
            ),
        ),
    ),
    Prediction(
        id="channel-red-off-white",
        notebook=NOTEBOOK,
        explorer="ChannelExplorer",
        title="White without red",
        question=(
            "A white pixel holds (R, G, B) = (255, 255, 255). Switch off the red channel: "
            "what colour will the white parts of the photo turn?"
        ),
        answer="cyan (green + blue)",
        choices=("black", "cyan (green + blue)", "red", "they stay white"),
        explanation=(
            "Switching red off sets only the red number to 0; green and blue stay at full "
            "strength, and green light plus blue light look cyan."
        ),
        reveal=(
            "untick red and look at the white collar and the stars in the combined photo "
            "on the left"
        ),
        nudge="Which of the three numbers becomes 0, and which two stay as they were?",
        settings={"red": False},
        moves=("red",),
        mistakes=(
            Mistake(
                "all-channels-off",
                "Thinks one channel off turns white black",
                "Only the red number becomes 0. Green and blue are still 255, and a screen "
                "mixes what is left.",
                "The learner treats the channels as one switch. Have them read the pixel's "
                "three numbers above the panels before and after: only R changes. Black "
                "needs all three at 0.",
                compute=lambda: "black",
            ),
            Mistake(
                "off-means-red",
                "Thinks switching red off shows the red",
                "Switching red off removes the red light (R = 0); what remains is green and blue.",
                "The learner read 'red channel' as 'show red'. Compare with the red panel on "
                "the right, which shows where red is strong, and the combined photo, where "
                "the red light is now missing.",
                compute=lambda: "red",
            ),
            Mistake(
                "white-stays-white",
                "Thinks white needs no red",
                "White is red, green and blue at full strength together: without the red "
                "part it cannot stay white.",
                "The learner thinks of white as the absence of colour, as on paper. On a "
                "screen it is the opposite: white is all three lights on. Show (255, 255, "
                "255) and what is left when one of them is 0.",
                compute=lambda: "they stay white",
            ),
        ),
    ),
    Prediction(
        id="resolution-factor-8-numbers",
        notebook=NOTEBOOK,
        explorer="ResolutionExplorer",
        title="Numbers left after downsampling by 8",
        question=(
            f"The colour photo is {PHOTO_SHAPE[0]} x {PHOTO_SHAPE[1]} pixels with 3 numbers "
            "each (921,600 numbers). Shrink it by the factor 8, averaging each 8 x 8 block. "
            "How many numbers will be left?"
        ),
        answer=lambda: (PHOTO_SHAPE[0] // 8) * (PHOTO_SHAPE[1] // 8) * PHOTO_SHAPE[2],
        explanation=(
            "Each side is divided by 8 (600 → 75 rows, 512 → 64 columns), so there are "
            "8 × 8 = 64 times fewer pixels, and each still has 3 numbers: 75 × 64 × 3 = 14,400."
        ),
        reveal="leave the factor at 8 and read the number count in the right panel's title",
        nudge="A factor of 8 shrinks both the height and the width. How many pixels are left?",
        settings={"source": "photo (colour)", "factor": 8, "method": "mean"},
        moves=("factor",),
        mistakes=(
            Mistake(
                "divided-once",
                "Divided by 8 instead of 64",
                "Shrinking by 8 divides both the height and the width by 8, so the number of "
                "pixels is divided by 8 × 8 = 64.",
                "The one-dimensional intuition: 'eight times smaller'. Draw an 8 x 8 block "
                "turning into one square: 64 pixels become one. The same slip makes people "
                "underestimate what a 2x2 pooling saves later (a quarter, not a half).",
                compute=lambda: PHOTO_SHAPE[0] * PHOTO_SHAPE[1] * PHOTO_SHAPE[2] // 8,
            ),
            Mistake(
                "channels-forgotten",
                "Forgot the three colour numbers",
                "That counts the pixels, 75 × 64. Each pixel of a colour image still holds "
                "three numbers.",
                "The shrinking was right; the channels were dropped. Ask for the shape of "
                "the result, (75, 64, 3), and multiply all three numbers.",
                compute=lambda: (PHOTO_SHAPE[0] // 8) * (PHOTO_SHAPE[1] // 8),
            ),
        ),
    ),
    Prediction(
        id="resolution-factor-2-share",
        notebook=NOTEBOOK,
        explorer="ResolutionExplorer",
        title="The share of numbers kept at factor 2",
        question=(
            "Set the factor to 2: every 2 x 2 block of pixels becomes one pixel. What share of "
            "the numbers is kept?"
        ),
        answer="a quarter",
        choices=("a half", "a quarter", "an eighth"),
        explanation=(
            "Half the rows and half the columns: 1/2 × 1/2 = 1/4 of the pixels, and so of the "
            "numbers."
        ),
        reveal="set the factor to 2 and read the share in the line under the picture",
        nudge="Both the rows and the columns are halved. What is half of a half?",
        settings={"source": "photo (colour)", "factor": 2},
        moves=("factor",),
        mistakes=(
            Mistake(
                "halved-once",
                "Thinks factor 2 halves the numbers",
                "Factor 2 halves the height, and it also halves the width: take half of a half.",
                "The area effect again: a side halves, an area quarters. The same quarter "
                "comes back with 2x2 pooling in notebook 03, so it is worth settling here.",
                compute=lambda: "a half",
            ),
        ),
    ),
    Prediction(
        id="edit-wrap-bright",
        notebook=NOTEBOOK,
        explorer="ImageEditExplorer",
        title="uint8 overflow on bright pixels",
        question=(
            "Set numbers to 'raw uint8: wraps around' and the brightness to +80. What will "
            "happen to the brightest parts of the photo (values from 200 to 255), such as the "
            "collar and the cap?"
        ),
        answer="they turn dark",
        choices=("they stay white (stuck at 255)", "they turn dark", "they turn middle gray"),
        explanation=(
            "A uint8 keeps only 0-255: 200 + 80 = 280 wraps around to 280 - 256 = 24 and "
            "255 + 80 = 335 to 79, both dark. The brightest parts become the darkest."
        ),
        reveal=(
            "choose 'raw uint8: wraps around', drag the brightness to +80 and look at the collar "
            "and at the pile that moves to the left end of the histogram"
        ),
        nudge=(
            "With raw uint8, 250 + 10 gives 4. What do 200 + 80 and 255 + 80 give, counting "
            "past 255 back from 0?"
        ),
        settings={"overflow": "wrap", "brightness": 80},
        moves=("overflow", "brightness"),
        mistakes=(
            Mistake(
                "clips-instead",
                "Expects clipping at 255",
                "Stopping at 255 is what clipping does (the safe setting). Raw uint8 "
                "arithmetic does not stop: past 255 it starts again at 0.",
                "The learner assumes numbers saturate, as they do in photo software. Compare "
                "np.uint8(250) + 10 with np.clip(250 + 10, 0, 255) in a cell; the odometer "
                "that rolls from 999 to 000 is the picture that sticks.",
                compute=lambda: "they stay white (stuck at 255)",
            ),
            Mistake(
                "wraps-to-middle",
                "Thinks wrapping lands in the middle",
                "Wrapping subtracts 256: 280 becomes 24 and 335 becomes 79, near the dark "
                "end, not the middle.",
                "The idea of wrapping is there, the arithmetic is not. Work out two values "
                "together on the board: x + 80 - 256 for x = 200 and x = 255.",
                compute=lambda: "they turn middle gray",
            ),
        ),
    ),
    Prediction(
        id="edit-contrast-zero",
        notebook=NOTEBOOK,
        explorer="ImageEditExplorer",
        title="Contrast 0",
        question=(
            "Set the contrast to 0 (and the brightness to 0). What number will every pixel of "
            "the edited photo have?"
        ),
        answer=lambda: 128 + 0 * (255 - 128),
        explanation=(
            "With c = 0 every distance from middle gray is multiplied by 0, so every pixel "
            "becomes 128 + 0 = 128: a flat gray picture."
        ),
        reveal=(
            "drag the contrast to 0 and look at the edited picture and the single bar in the "
            "histogram"
        ),
        nudge=(
            "Contrast c multiplies each pixel's distance from middle gray: "
            "edited = 128 + c × (x − 128). Put c = 0 into it."
        ),
        settings={"contrast": 0.0, "brightness": 0},
        moves=("contrast",),
        mistakes=(
            Mistake(
                "contrast-scales-value",
                "Thinks contrast multiplies the pixel",
                "Contrast multiplies each pixel's distance from middle gray, not the pixel "
                "itself: contrast 0 pulls every pixel all the way to middle gray, not to black.",
                "The learner applies c x x. Sketch the rule on a number line: contrast "
                "pulls every value towards 128 (c < 1) or pushes it away (c > 1), with 128 "
                "as the fixed point.",
                compute=lambda: 0,
            ),
        ),
    ),
    Prediction(
        id="shift-smallest-farther",
        notebook=NOTEBOOK,
        explorer="ShiftExplorer",
        title="How small a shift makes a stranger",
        question=(
            "Digit #0 is a 4. Shift it to the right, one pixel at a time. From which shift on "
            "will the shifted copy be farther from the original, as numbers, than the closest "
            "4 written by someone else?"
        ),
        answer="1 pixel",
        choices=("1 pixel", "2 pixels", "4 pixels", "never: a moved 4 stays closer"),
        explanation=(
            "Already at 1 pixel: most stroke pixels now sit where the paper was, and the "
            "distance compares pixel by pixel, so the same drawing moved a little looks less "
            "like itself than another person's 4."
        ),
        reveal=(
            "set 'right' to 1, then 2, and compare the orange bar with the bar of the nearest "
            "same digit"
        ),
        nudge=(
            "The distance compares the two arrays pixel by pixel. How many pixels of a thin "
            "stroke are still ink after a shift of one?"
        ),
        settings={"index": 0, "down": 0, "right": 1},
        moves=("right",),
        mistakes=(
            Mistake(
                "shift-is-harmless",
                "Thinks a moved digit stays close",
                "You see the same 4, but the computer compares the numbers pixel by pixel: "
                "after a shift the ink sits on other pixels.",
                "The heart of notebook 01: people see shapes, a pixel distance sees positions. "
                "Show the difference panel for a 1-pixel shift, red and blue along every "
                "stroke, and connect it to why CNNs look for local patterns anywhere.",
                compute=lambda: "never: a moved 4 stays closer",
            ),
        ),
    ),
)

register_predictions(*PREDICTIONS)
