"""What a trained network looks at: saliency maps and occlusion maps.

Both answer the same question about one image and one class: *which pixels
does the network's answer depend on?* (Attributing a decision to parts of
the input is called *attribution*, hence the module's name.) They ask it in
two different ways:

* :func:`saliency_map` asks the network's own calculus. The gradient of the
  class's score with respect to every pixel says how fast the score would
  change if that one pixel got a little more ink. It is the backward pass of
  training, carried one step further: instead of stopping at the weights, the
  chain rule goes on to the pixels. One forward and one backward pass.
* :func:`occlusion_map` asks by experiment. Cover part of the image with a
  patch of background, run the network again and see how much the class's
  probability drops; slide the patch over the image like a kernel (the same
  output-size formula as a convolution) and map the drops. One forward pass
  per patch position.

What the maps do *not* show: a saliency map is local (it describes tiny
changes around this very image, and a ReLU network's gradient jumps from
pixel to pixel, so it looks noisy); an occlusion map depends on the patch
(its size, its stride and what "covered" means: painting background is
itself a change the network may react to). Neither says *why* a pixel
matters, nor what the network would do with a different image.

Shapes: an image is (H, W), (C, H, W) or a batch of one (1, C, H, W). Integer
images (``uint8`` pixels 0-255, as :func:`cnnlib.load_mnist` gives them) are
scaled exactly as :func:`cnnlib.prepare_images` does (divided by 255); float
images are taken as the network's input as they are.
"""

from __future__ import annotations

import contextlib

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnnlib import _validate as v
from cnnlib.geometry import output_size
from cnnlib.layers import Layer
from cnnlib.model import Sequential
from cnnlib.ops import softmax
from cnnlib.training import prepare_images

__all__ = ["saliency_map", "occlusion_map", "occlusion_per_pixel"]


def saliency_map(model, image, target) -> np.ndarray:
    """How much the score of class ``target`` changes per unit of each input pixel.

    The gradient d(score of ``target``)/d(pixel), computed by the model's own
    backward pass: the output gradient is 1 for the target's score and 0 for
    the other scores, and the chain rule carries it back, layer by layer, to
    the pixels. The score is the network's output *before* softmax (the
    logit), so the map is about this class alone, not about how it compares
    with the others.

    Parameters
    ----------
    model : Sequential (or any cnnlib Layer)
        A network that ends in class scores (N, K), e.g. :func:`cnnlib.load_pretrained`.
        It runs in evaluation mode (dropout off); its mode and its parameters'
        gradients (``model.grads``) are as before when the call returns.
    image : array (H, W), (C, H, W) or (1, C, H, W)
        One image. Integer pixels (0-255) are first scaled as
        :func:`cnnlib.prepare_images` does, so the map is per unit of what the
        network reads (0 = paper, 1 = full ink for an MNIST digit), not per
        grey level: divide it by 255 for "per grey level".
    target : int
        The class whose score is differentiated, 0 to K-1.

    Returns
    -------
    array, same shape as ``image``, the network's float dtype
        Positive where more of that pixel would raise the score, negative
        where it would lower it.

    Raises
    ------
    TypeError, ValueError
        For a model that is not a cnnlib network, an image of the wrong shape
        or with NaN/inf, or a ``target`` that is not one of the classes.

    Examples
    --------
    >>> model = load_pretrained()                                  # doctest: +SKIP
    >>> images, labels = load_mnist("test")                        # doctest: +SKIP
    >>> saliency_map(model, images[0], labels[0]).shape            # doctest: +SKIP
    (28, 28)
    """
    _check_model(model)
    x = _network_input(image)  # (1, C, H, W), as the network reads it
    with _evaluation_mode(model):
        scores = model.forward(x)  # (1, K): one score per class
        v.check_class_scores(scores)
        target = v.as_class_index(target, scores.shape[1])
        grad_scores = np.zeros_like(scores)
        grad_scores[0, target] = 1.0  # d(score of target)/d(each score): 1 for it, 0 otherwise
        grad_x = model.backward(grad_scores)  # the chain rule, back to the pixels
    return grad_x.reshape(np.shape(image))


def occlusion_map(model, image, target, patch=6, stride=2, fill=0.0) -> np.ndarray:
    """How much the probability of class ``target`` drops when a patch of the image is covered.

    A ``patch`` of ``fill`` (background) slides over the image, ``stride``
    pixels at a time, exactly as a kernel slides in a convolution without
    padding. At each position the covered image goes through the network and
    the drop ``P(target | image) - P(target | covered image)`` is recorded.

    Parameters
    ----------
    model : Sequential (or any cnnlib Layer)
        A network that ends in class scores (N, K). It runs in evaluation mode;
        its mode and ``model.grads`` are as before when the call returns.
    image : array (H, W), (C, H, W) or (1, C, H, W)
        One image; integer pixels (0-255) are scaled as :func:`cnnlib.prepare_images` does.
    target : int or None
        The class, 0 to K-1; ``None`` gives the drops of every class at once.
    patch : int or (int, int)
        Height and width of the patch, at most the image's. The default 6
        covers about a third of an MNIST digit's height: a patch much smaller
        rarely moves a confident answer.
    stride : int or (int, int)
        Step between two patch positions (default 2: 12x12 positions on a
        28x28 digit). A stride larger than the patch leaves some pixels never
        covered.
    fill : float
        The value painted over the patch, in the image's own units: 0 is the
        background of an MNIST digit (ink is high) whether the image holds
        0-255 integers or 0-1 floats. A patch covers every channel.

    Returns
    -------
    float64 array (Ho, Wo), or (K, Ho, Wo) with ``target=None``
        ``Ho = output_size(H, patch, stride)``, the formula of notebook 02;
        the same for ``Wo``. Cell ``[i, j]`` is the patch whose top-left
        pixel is ``(i * stride, j * stride)``: it covers rows ``i*stride`` to
        ``i*stride + patch - 1`` and the same for the columns. Positive: the
        covered pixels were evidence *for* the class; negative: covering
        them made the class more likely. Where the patch would only paint
        background over background the image does not change, so the drop
        is exactly 0 (those positions are not run through the network).
        :func:`occlusion_per_pixel` turns the map into one value per pixel.

    Raises
    ------
    TypeError, ValueError
        For a model that is not a cnnlib network, a bad image, a ``target``
        that is not a class, a patch larger than the image, a stride below 1
        or a ``fill`` that is not a finite number.

    Examples
    --------
    >>> occlusion_map(model, images[0], labels[0], patch=4, stride=2).shape  # doctest: +SKIP
    (13, 13)
    """
    _check_model(model)
    x = _network_input(image)  # (1, C, H, W)
    h, w = x.shape[2:]
    ph, pw = v.as_patch(patch, (h, w))
    sh, sw = v.as_pair(stride, "stride", minimum=1)
    fill = _fill_value(fill, image)
    out_h, out_w = output_size(h, ph, sh), output_size(w, pw, sw)  # patch positions per axis

    with _evaluation_mode(model):
        before = _probabilities(model, x)[0]  # (K,)
        if target is not None:
            target = v.as_class_index(target, len(before))
        drops = np.zeros((len(before), out_h, out_w))
        # background painted over background changes nothing: those drops stay exactly 0
        positions = np.argwhere(_patch_changes_image(x[0], (ph, pw), (sh, sw), fill))
        per_batch = max(1, min(64, 2**22 // x[0].size))  # covered images run at once (~16 MB)
        for start in range(0, len(positions), per_batch):
            batch = positions[start : start + per_batch]
            covered = np.repeat(x, len(batch), axis=0)  # one copy of the image per position
            for n, (i, j) in enumerate(batch):
                covered[n, :, i * sh : i * sh + ph, j * sw : j * sw + pw] = fill
            after = _probabilities(model, covered)  # (n, K)
            drops[:, batch[:, 0], batch[:, 1]] = (before - after).T
    return drops if target is None else drops[target]


def occlusion_per_pixel(drops, image_size, patch, stride) -> np.ndarray:
    """Spread an occlusion map over the pixels: each gets the mean drop of the patches covering it.

    An occlusion map has one value per patch *position* ((Ho, Wo), smaller
    than the image); this gives one value per *pixel*, to lay beside or over
    the image. A pixel covered by several overlapping patches gets their mean;
    a pixel no patch ever covered (at the right and bottom edges when the
    stride does not fit, or between patches when the stride is larger than
    the patch) gets NaN: nothing was measured there.

    Parameters
    ----------
    drops : array (Ho, Wo) or (K, Ho, Wo)
        From :func:`occlusion_map`.
    image_size : int or (int, int)
        ``(H, W)`` of the image the map was made from.
    patch, stride : int or (int, int)
        As given to :func:`occlusion_map`.

    Returns
    -------
    float64 array (H, W) or (K, H, W)
    """
    drops = v.as_float_array(drops, "drops")
    v.check_ndim(drops, (2, 3), "drops", "(Ho, Wo) or (K, Ho, Wo)")
    h, w = v.as_pair(image_size, "image_size", minimum=1)
    ph, pw = v.as_patch(patch, (h, w))
    sh, sw = v.as_pair(stride, "stride", minimum=1)
    out_h, out_w = output_size(h, ph, sh), output_size(w, pw, sw)
    if drops.shape[-2:] != (out_h, out_w):
        raise ValueError(
            f"drops has {drops.shape[-2]}x{drops.shape[-1]} patch positions, but a "
            f"{ph}x{pw} patch with stride {(sh, sw) if sh != sw else sh} on a {h}x{w} image "
            f"has {out_h}x{out_w}; pass the image_size, patch and stride given to occlusion_map"
        )
    total = np.zeros((*drops.shape[:-2], h, w))
    count = np.zeros((h, w))
    for di in range(ph):  # every cell of the patch, at every position at once
        for dj in range(pw):
            rows = slice(di, di + sh * (out_h - 1) + 1, sh)
            cols = slice(dj, dj + sw * (out_w - 1) + 1, sw)
            total[..., rows, cols] += drops
            count[rows, cols] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


# ----------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------
def _check_model(model) -> None:
    if not isinstance(model, Layer):
        raise TypeError(
            f"model must be a cnnlib network (a Sequential, e.g. load_pretrained()), but is "
            f"{type(model).__name__}; build one with cnnlib.Sequential(...)"
        )


def _network_input(image) -> np.ndarray:
    """The image as the network reads it: (1, C, H, W); 0-255 integers scaled to 0-1."""
    x = v.as_one_image(image, "image")
    return prepare_images(x) if x.dtype.kind in "iu" else v.as_float_array(x, "image")


def _fill_value(fill, image) -> float:
    """``fill`` on the network's scale: an integer image's grey level is scaled like its pixels."""
    fill = v.as_number(fill, "fill")
    if np.asarray(image).dtype.kind in "iu":
        return float(np.float32(fill) / np.float32(255))  # as prepare_images scales a pixel
    return fill


def _probabilities(model, x) -> np.ndarray:
    scores = model.forward(x)
    v.check_class_scores(scores)
    return softmax(scores, axis=1)


def _patch_changes_image(x, patch, stride, fill) -> np.ndarray:
    """(Ho, Wo) bools: True where a patch of ``fill`` would change some value of ``x`` (C, H, W)."""
    not_fill = np.any(x != np.asarray(fill, dtype=x.dtype), axis=0)  # (H, W)
    windows = sliding_window_view(not_fill, patch)[:: stride[0], :: stride[1]]  # (Ho, Wo, ph, pw)
    return windows.any(axis=(2, 3))


def _layers(model):
    """``model`` and every layer inside it (nested Sequentials opened up)."""
    yield model
    if isinstance(model, Sequential):
        for layer in model.layers:
            yield from _layers(layer)


@contextlib.contextmanager
def _evaluation_mode(model):
    """Run the ``with`` block in evaluation mode (dropout off); afterwards every layer is
    back in its mode and holds the parameter gradients it held before."""
    # a Sequential's grads are its layers' grads: kept once, with each layer
    saved = [
        (layer, layer.training, None if isinstance(layer, Sequential) else dict(layer.grads))
        for layer in _layers(model)
    ]
    model.eval()
    try:
        yield
    finally:
        for layer, training, grads in saved:
            layer.training = training
            if grads is not None:
                layer.grads.update(grads)  # backward replaced them: put the old arrays back
