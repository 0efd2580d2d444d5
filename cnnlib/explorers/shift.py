"""Explorer for notebook 01: the computer sees only numbers.

* :class:`ShiftExplorer` -- the same digit moved by two pixels is a very
  different array of numbers, compared with the nearest other handwritten
  digits of the same and of another class.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from cnnlib import images as img
from cnnlib.explorers._blit import BlitExplorer
from cnnlib.explorers._pictures import MARK, bare, check_digits, full_labels
from cnnlib.images import pixel_distance
from cnnlib.plotting import SIGNED_CMAP, show_image

__all__ = ["ShiftExplorer"]


# ----------------------------------------------------------------------------
# ShiftExplorer
# ----------------------------------------------------------------------------
class ShiftExplorer(BlitExplorer):
    """The computer sees only numbers: move a digit by a few pixels.

    Left: the digit. Middle: the same digit shifted. Right: the difference,
    shifted minus original, red where the shifted copy is brighter and blue
    where it is darker. The bars compare the distance between the two arrays
    with the distance from the original to the closest *other* handwritten
    digit of the same class, and of a different class, searched among
    ``references`` (by default the 4,000 bundled training digits).

    Without labels the class of a digit is unknown: the second bar is then the
    closest other digit of any class, and the third bar says it is unknown.

    Parameters
    ----------
    index : int
        Which digit (0 to 99 for the default digits).
    down, right : int
        The shift in pixels, -6 to 6 (negative: up, left).
    digits : array (n, H, W), optional
        Other digits to shift (default: the first 100 training digits).
    labels : array (n,), optional
        Their classes (default for your own ``digits``: unknown).
    references : (images, labels) pair, optional
        The digits searched for the closest ones, images (m, H, W) and labels
        (m,) with -1 for an unknown class. Default: the 4,000 bundled training
        digits, or ``(digits, labels)`` when you pass ``digits``.

    Attributes
    ----------
    output : ndarray, shape (28, 28), uint8
        The shifted digit.
    """

    title = "Shift a digit: same drawing, very different numbers"
    MAX_SHIFT = 6
    #: the names of the two comparison bars, with and without the digit's label
    BAR_NAMES = {
        True: ("nearest\nsame digit", "nearest\ndifferent digit"),
        False: ("nearest\nother digit", "nearest\ndifferent digit"),
    }

    def __init__(self, index=0, down=0, right=2, *, digits=None, labels=None, references=None):
        super().__init__(figsize=(9.2, 3.6))  # 828 px: fits a notebook column
        self._digits, self._labels = check_digits(digits, labels)
        if references is None:
            from cnnlib.datasets import load_mnist

            references = load_mnist("train") if digits is None else (self._digits, self._labels)
        self._ref_images = (
            np.asarray(references[0], dtype=np.float64).reshape(len(references[0]), -1) / 255.0
        )
        self._ref_labels = np.asarray(references[1])
        self._nearest_cache: dict[int, tuple[float, int, float, int]] = {}
        c = self.controls
        c["index"] = widgets.IntSlider(
            value=index, min=0, max=len(self._digits) - 1, description="digit #"
        )
        m = self.MAX_SHIFT
        c["down"] = widgets.IntSlider(value=down, min=-m, max=m, description="down")
        c["right"] = widgets.IntSlider(value=right, min=-m, max=m, description="right")
        grid = self.figure.add_gridspec(1, 4, width_ratios=[1, 1, 1, 1.05])
        axes = [self.figure.add_subplot(grid[k]) for k in range(4)]
        self._ax_orig, self._ax_shift, self._ax_diff, self._ax_bars = axes
        first = self._digits[index]
        self._im_orig = show_image(axes[0], first, title=" ")
        self._im_shift = show_image(axes[1], first, title=" ")
        self._im_diff = axes[2].imshow(
            np.zeros_like(first, dtype=float), cmap=SIGNED_CMAP, vmin=-255, vmax=255
        )
        bare(axes[2])
        axes[2].set_title(" ")
        # the sign in words, not in colour alone (issue 15: colour-vision deficiencies)
        axes[2].set_xlabel("red: brighter (+)\nblue: darker (\u2212)", fontsize=10)
        ax = self._ax_bars
        self._bars = ax.barh([0, 1, 2], [1, 1, 1], color=[MARK, "#4e79a7", "0.6"], height=0.65)
        ax.set_yticks([0, 1, 2], ["shifted\ncopy", *self.BAR_NAMES[True]])
        self._bar_names_known = True
        ax.invert_yaxis()
        ax.set_xticks([])
        ax.set_title("distance to original")
        for side in ("top", "right", "bottom"):
            ax.spines[side].set_visible(False)
        self._bar_labels = [
            ax.text(0, k, "", va="center", ha="left", fontsize=12, fontweight="bold")
            for k in range(3)
        ]
        self._value_color = self._bar_labels[0].get_color()
        full_labels(self.controls)
        self._watch()
        self.update()

    def _background_key(self):
        return self.controls["index"].value

    def _dynamic_artists(self):
        return [
            self._im_shift,
            self._im_diff,
            self._ax_shift.title,
            self._ax_diff.title,
            *self._ax_shift.spines.values(),
            *self._ax_diff.spines.values(),
            self._ax_bars.spines["left"],  # the bars start on it
            *self._bars,
            *self._bar_labels,
        ]

    def _known(self, index):
        """Whether the class of digit ``index`` is known (labels are -1 when not)."""
        return bool(self._labels[index] >= 0)

    def _nearest(self, index):
        """Distances to the closest same-class and other-class reference digits.

        For a digit without a label: the closest reference of any class, and inf
        for the other class. inf also means that no reference qualifies.
        """
        if index not in self._nearest_cache:
            target = self._digits[index].astype(np.float64).ravel() / 255.0
            dist = np.sqrt(np.sum((self._ref_images - target) ** 2, axis=1))
            dist[dist < 1e-9] = np.inf  # the digit itself
            label = self._labels[index]
            if self._known(index):
                same = np.where(self._ref_labels == label, dist, np.inf)
                other = np.where(self._ref_labels != label, dist, np.inf)
            else:
                same, other = dist, np.full_like(dist, np.inf)
            i_same, i_other = int(np.argmin(same)), int(np.argmin(other))
            self._nearest_cache[index] = (same[i_same], i_same, other[i_other], i_other)
        return self._nearest_cache[index]

    def _compute(self):
        c = self.controls
        return img.shift(self._digits[c["index"].value], c["down"].value, c["right"].value)

    def _draw(self, moved):
        c = self.controls
        index = c["index"].value
        original = self._digits[index]
        diff = moved.astype(np.float64) - original
        self._im_orig.set_data(original)
        self._im_shift.set_data(moved)
        self._im_diff.set_data(diff)
        label = self._labels[index]
        self._ax_orig.set_title(f"digit #{index}" + (f" (a {label})" if label >= 0 else ""))
        self._ax_shift.set_title(f"shifted by ({c['down'].value}, {c['right'].value})")
        changed = int(np.count_nonzero(moved != original))
        self._ax_diff.set_title(f"{changed} pixels differ")
        d_same, _, d_other, _ = self._nearest(index)
        known = self._known(index)
        if known != self._bar_names_known:  # the tick labels are part of the background
            self._ax_bars.set_yticklabels(["shifted\ncopy", *self.BAR_NAMES[known]])
            self._bar_names_known = known
        values = [pixel_distance(moved, original), d_same, d_other]
        shown = [v if np.isfinite(v) else 0.0 for v in values]  # inf: no such digit
        top = max(max(shown), 1e-9)
        self._ax_bars.set_xlim(0, top * 1.35)
        for bar, value in zip(self._bars, shown):
            bar.set_width(value)
        for k, (text, value) in enumerate(zip(self._bar_labels, values)):
            text.set_x(shown[k] + 0.03 * top)
            if np.isfinite(value):
                text.set(text=f"{value:.1f}", fontweight="bold", color=self._value_color)
            else:  # the third bar without labels, or no reference of that class
                missing = (
                    "unknown\nwithout labels"
                    if k == 2 and not known
                    else "none among\nthe references"
                )
                text.set(text=missing, fontweight="normal", color="0.35")

    def _describe_picture(self, moved):
        """The three images in words and numbers, and the bars' distances."""
        c = self.controls
        index, down, right = c["index"].value, c["down"].value, c["right"].value
        original = self._digits[index]
        label = self._labels[index]
        h, w = original.shape
        steps = [
            f"{abs(n)} pixel{'s' if abs(n) > 1 else ''} {way}"
            for n, way in (
                (down, "down" if down > 0 else "up"),
                (right, "right" if right > 0 else "left"),
            )
            if n
        ]
        middle = (
            f"the same digit moved {' and '.join(steps)}, the pixels moved in are 0 (black)"
            if steps
            else "the same digit, not moved (shift 0, 0)"
        )
        diff = moved.astype(np.int16) - original
        up, lower = int(np.count_nonzero(diff > 0)), int(np.count_nonzero(diff < 0))
        changes = (
            f"{up + lower} of the {original.size} pixels differ: {up} brighter (red, up to "
            f"+{int(diff.max())}) and {lower} darker (blue, down to {int(diff.min())})".replace(
                "-", "−"
            )
            if up or lower
            else "all 0, no pixel differs (white)"
        )
        name = f"digit #{index}" + (f" (a {label})" if label >= 0 else "")
        return (
            f"Left: {name}, {h}x{w} pixels (black = 0, white = 255). Middle: {middle}. "
            f"Right: shifted minus original, {changes}. {self._bar_words(moved)}"
        )

    def _bar_words(self, moved) -> str:
        """The bars: distance of the shifted copy and of the nearest other digits."""
        index = self.controls["index"].value
        label = self._labels[index]
        d_shift = pixel_distance(moved, self._digits[index])
        d_same, _, d_other, i_other = self._nearest(index)
        known = self._known(index)
        bars = [f"shifted copy {d_shift:.1f}"]
        if known:
            bars.append(
                f"nearest other handwritten {label} {d_same:.1f}"
                if np.isfinite(d_same)
                else f"no other {label} among the references"
            )
            bars.append(
                f"nearest different digit (a {self._ref_labels[i_other]}) {d_other:.1f}"
                if np.isfinite(d_other)
                else "no digit of another class among the references"
            )
        else:
            bars.append(
                f"nearest other digit {d_same:.1f}"
                if np.isfinite(d_same)
                else "no other digit among the references"
            )
            bars.append("nearest different digit unknown without labels")
        text = f"Bars, distance to the original: {', '.join(bars)}."
        if np.isfinite(d_same) and d_shift > 0:
            other = f"another handwritten {label}" if known else "the closest other digit"
            verdict = "farther from" if d_shift > d_same else "closer to"
            text += f" The shifted copy is {verdict} the original than {other} is"
            if known and np.isfinite(d_other) and d_shift > d_other:
                text += f", and than the nearest {self._ref_labels[i_other]}"
            text += "."
        return text

    def _describe(self, moved):
        c = self.controls
        index = c["index"].value
        d_shift = pixel_distance(moved, self._digits[index])
        d_same, i_same, d_other, i_other = self._nearest(index)
        text = (
            f"Distance = square root of the summed squared differences of the "
            f"{self._digits[index].size} numbers (scaled to 0-1). The shifted copy is "
            f"{d_shift:.1f} away from the original"
        )
        verdict = "farther than" if d_shift > d_same else "closer than"
        if not self._known(index):
            if not np.isfinite(d_same):
                return text + "; there is no other digit to compare with."
            return (
                f"{text}: {verdict} the closest other digit ({d_same:.1f}). Without labels "
                "it is unknown which digits show the same number: pass labels=... to "
                "compare with the same and with a different digit."
            )
        same = (
            f"{verdict} the closest different handwritten {self._labels[index]} ({d_same:.1f})"
            if np.isfinite(d_same)
            else f"no other {self._labels[index]} is among the references"
        )
        other = (
            f"the closest digit of another class is {d_other:.1f} away"
            if np.isfinite(d_other)
            else "no digit of another class is among the references"
        )
        return f"{text}: {same}, and {other}."
