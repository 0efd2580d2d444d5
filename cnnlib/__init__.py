"""cnnlib: the small numpy library behind the cnn-notebooks course.

Three floors, each importing only from the floors below it:

1. core (numpy only): ``ops`` (fast operations), ``reference`` (the same as
   plain loops), ``geometry`` (output sizes, padding, where a kernel goes),
   ``kernels``, ``images``, ``metrics``;
2. ``plotting``: draws on matplotlib axes it is given;
3. ``explorers``: ipywidgets controls wired to the core and the plots.

Notebooks import the names they use explicitly, e.g.
``from cnnlib import conv2d, output_size``.
"""

from cnnlib import geometry, kernels, reference
from cnnlib.activations import (
    best_single_kernel,
    leaky_relu_slope,
    relu_slope,
    sigmoid_slope,
    sparsity,
    tanh_slope,
)
from cnnlib.attribution import occlusion_map, occlusion_per_pixel, saliency_map
from cnnlib.augment import RandomShift, random_shift
from cnnlib.datasets import load_mnist, load_photo, make_xo, user_data_dir, xo_image
from cnnlib.descent import gradient_descent
from cnnlib.design import CNNDesign
from cnnlib.export import (
    PyTorchSource,
    Translation,
    pytorch_translation,
    to_pytorch,
    torch_state_dict,
)
from cnnlib.geometry import output_size
from cnnlib.gradcheck import check_gradients, numerical_gradient
from cnnlib.handwired import (
    BAR_CLASSES,
    bar_image,
    every_bar,
    handwired_cnn,
    make_bars,
    trace_handwired,
)
from cnnlib.images import (
    adjust_brightness,
    adjust_contrast,
    crop,
    downsample,
    negative,
    pixel_distance,
    shift,
    threshold,
    to_channels_first,
    to_channels_last,
    to_grayscale,
)
from cnnlib.layers import (
    AvgPool2D,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    Layer,
    LeakyReLU,
    MaxPool2D,
    ReLU,
    Sigmoid,
    Tanh,
)
from cnnlib.losses import SoftmaxCrossEntropy, softmax_cross_entropy
from cnnlib.metrics import confusion_matrix, most_confident_mistakes
from cnnlib.model import Sequential, reference_cnn
from cnnlib.ops import (
    avg_pool2d,
    conv2d,
    cross_entropy,
    leaky_relu,
    log_softmax,
    max_pool2d,
    relu,
    sigmoid,
    softmax,
    tanh,
)
from cnnlib.optim import SGD, Adam, RMSprop
from cnnlib.preprocess import digit_from_photo, ink_from_photo, mnist_style
from cnnlib.pretrained import load_pretrained
from cnnlib.source import show_source
from cnnlib.training import (
    Callback,
    CosineDecay,
    EarlyStopping,
    History,
    Trainer,
    evaluate,
    fit,
    prepare_images,
)

__version__ = "0.1.0"

# Names from the upper floors (plotting, explorers) and from modules that need
# more than numpy (Pillow, for read_image) are imported on first use, so
# `import cnnlib` stays light and the core works without matplotlib or ipywidgets.
_LAZY = {
    "ActivationExplorer": "cnnlib.explorers",
    "AttributionExplorer": "cnnlib.explorers",
    "check_environment": "cnnlib.environment",
    "ChannelExplorer": "cnnlib.explorers",
    "ClassifierExplorer": "cnnlib.explorers",
    "ConvolutionExplorer": "cnnlib.explorers",
    "ConvolutionStepper": "cnnlib.explorers",
    "describe": "cnnlib.plotting",
    "DigitPad": "cnnlib.explorers",
    "DigitPhoto": "cnnlib.explorers",
    "Explorer": "cnnlib.explorers",
    "FeatureMapExplorer": "cnnlib.explorers",
    "HandwiredExplorer": "cnnlib.explorers",
    "ImageEditExplorer": "cnnlib.explorers",
    "LossLandscape": "cnnlib.explorers",
    "MistakesGallery": "cnnlib.explorers",
    "NetworkBuilder": "cnnlib.explorers",
    "PixelExplorer": "cnnlib.explorers",
    "plot_confusion_matrix": "cnnlib.plotting",
    "plot_filters": "cnnlib.plotting",
    "plot_kernel_gallery": "cnnlib.plotting",
    "plot_panels": "cnnlib.plotting",
    "plot_training_curves": "cnnlib.plotting",
    "photo_of_digit": "cnnlib.photos",
    "PoolingExplorer": "cnnlib.explorers",
    "set_pixel_density": "cnnlib.explorers",
    "predict_first": "cnnlib.explorers",
    "PredictionPrompt": "cnnlib.explorers",
    "read_image": "cnnlib.photos",
    "ResolutionExplorer": "cnnlib.explorers",
    "shapes_image": "cnnlib.explorers.convolution",
    "ShiftExplorer": "cnnlib.explorers",
    "show_pixels": "cnnlib.plotting",
    "TemplateMatcher": "cnnlib.explorers",
    "TrainingDashboard": "cnnlib.explorers",
    "WidgetCheck": "cnnlib.explorers",
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'cnnlib' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    *_LAZY,
    "Adam",
    "AvgPool2D",
    "CNNDesign",
    "Callback",
    "Conv2D",
    "CosineDecay",
    "Dense",
    "Dropout",
    "EarlyStopping",
    "Flatten",
    "History",
    "Layer",
    "LeakyReLU",
    "MaxPool2D",
    "PyTorchSource",
    "RMSprop",
    "RandomShift",
    "ReLU",
    "SGD",
    "Sequential",
    "Sigmoid",
    "SoftmaxCrossEntropy",
    "Tanh",
    "Trainer",
    "Translation",
    "check_gradients",
    "confusion_matrix",
    "evaluate",
    "fit",
    "numerical_gradient",
    "prepare_images",
    "pytorch_translation",
    "random_shift",
    "reference_cnn",
    "softmax_cross_entropy",
    "BAR_CLASSES",
    "adjust_brightness",
    "adjust_contrast",
    "avg_pool2d",
    "bar_image",
    "best_single_kernel",
    "conv2d",
    "crop",
    "cross_entropy",
    "digit_from_photo",
    "downsample",
    "every_bar",
    "geometry",
    "gradient_descent",
    "handwired_cnn",
    "ink_from_photo",
    "kernels",
    "leaky_relu",
    "leaky_relu_slope",
    "load_mnist",
    "load_photo",
    "load_pretrained",
    "log_softmax",
    "make_bars",
    "make_xo",
    "max_pool2d",
    "mnist_style",
    "most_confident_mistakes",
    "negative",
    "occlusion_map",
    "occlusion_per_pixel",
    "output_size",
    "pixel_distance",
    "reference",
    "relu",
    "relu_slope",
    "saliency_map",
    "shift",
    "show_source",
    "sigmoid",
    "sigmoid_slope",
    "softmax",
    "sparsity",
    "tanh",
    "tanh_slope",
    "threshold",
    "to_channels_first",
    "to_channels_last",
    "to_grayscale",
    "to_pytorch",
    "torch_state_dict",
    "trace_handwired",
    "user_data_dir",
    "xo_image",
]
