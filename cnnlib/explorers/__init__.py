"""Floor 3: interactive explorers (ipywidgets + matplotlib), a few modules per notebook topic."""

from cnnlib.explorers._base import Explorer
from cnnlib.explorers._render import pixel_density, set_pixel_density
from cnnlib.explorers.activations import ActivationExplorer
from cnnlib.explorers.attribution import AttributionExplorer
from cnnlib.explorers.builder import NetworkBuilder
from cnnlib.explorers.classifier import ClassifierExplorer, HandwiredExplorer
from cnnlib.explorers.convolution import ConvolutionExplorer
from cnnlib.explorers.drawing import DigitPad
from cnnlib.explorers.handwriting import DigitPhoto
from cnnlib.explorers.image_edits import ImageEditExplorer, ResolutionExplorer
from cnnlib.explorers.landscape import LossLandscape
from cnnlib.explorers.network import FeatureMapExplorer, MistakesGallery
from cnnlib.explorers.pixels import ChannelExplorer, PixelExplorer
from cnnlib.explorers.pooling import PoolingExplorer
from cnnlib.explorers.prediction import PredictionPrompt, predict_first
from cnnlib.explorers.shift import ShiftExplorer
from cnnlib.explorers.start import WidgetCheck
from cnnlib.explorers.stepper import ConvolutionStepper
from cnnlib.explorers.templates import TemplateMatcher
from cnnlib.explorers.training import TrainingDashboard

__all__ = [
    "ActivationExplorer",
    "AttributionExplorer",
    "ChannelExplorer",
    "ClassifierExplorer",
    "ConvolutionExplorer",
    "ConvolutionStepper",
    "DigitPad",
    "DigitPhoto",
    "Explorer",
    "FeatureMapExplorer",
    "HandwiredExplorer",
    "ImageEditExplorer",
    "LossLandscape",
    "MistakesGallery",
    "NetworkBuilder",
    "PixelExplorer",
    "PoolingExplorer",
    "PredictionPrompt",
    "ResolutionExplorer",
    "ShiftExplorer",
    "TemplateMatcher",
    "TrainingDashboard",
    "WidgetCheck",
    "pixel_density",
    "predict_first",
    "set_pixel_density",
]
