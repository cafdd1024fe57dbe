"""minibp: backpropagation from scratch, in numpy.

The framework of the course, one idea per module (read them in this order):

    autograd      backprop on a graph of scalars    activations   f and f' side by side
    initializers  where the weights start           losses        the output error signal delta_L
    network       forward pass and backprop         layers        convolutions, Flatten, Dropout
    gradcheck     finite differences as referee     optimizers    SGD, schedules, momentum
    training      the fit loop and its history      diagnostics   per-layer statistics
    data          XOR, the worked example, 2-D sets, the 8x8 digits
    hebbian       one-layer learning rules: Hebbian descent, gradient descent, Hebb, covariance
    noise         NEM noise injection (lesson 11)   bidirectional  one network run both ways

The course's own machinery (exercise checks, interactive explorers, shared figures) lives
beside it in the ``course`` package; minibp never imports it, and ``import minibp`` needs
numpy alone.
"""

from . import (
    activations,
    autograd,
    bidirectional,
    data,
    diagnostics,
    gradcheck,
    hebbian,
    initializers,
    layers,
    losses,
    network,
    noise,
    optimizers,
    training,
)
from .activations import get_activation
from .initializers import get_initializer
from .layers import Conv1D, Conv2D, Dropout, Flatten
from .losses import CrossEntropy, HebbianDescent, PowerError, SquaredError, get_loss
from .network import Dense, Network
from .optimizers import SGD, Momentum
from .training import DivergenceError, History, fit

__version__ = "0.1.0"

__all__ = [
    "activations", "autograd", "bidirectional", "data", "diagnostics", "gradcheck", "hebbian", "initializers",
    "losses", "network", "noise", "optimizers", "training", "get_activation", "get_initializer",
    "get_loss", "SquaredError", "CrossEntropy", "PowerError", "HebbianDescent", "Dense", "Network",
    "SGD", "Momentum", "fit", "History", "DivergenceError", "layers", "Conv1D", "Conv2D", "Flatten",
    "Dropout",
]
