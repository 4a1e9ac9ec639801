"""torch.nn for fgrad.torch: modules, parameters, losses and `functional`.

Example:
    >>> import fgrad.torch as torch
    >>> torch.nn.BCELoss()
    BCELoss()
"""

from . import functional as functional
from . import init as init
from .activation import ELU as ELU
from .activation import SiLU as SiLU
from .activation import Unflatten as Unflatten
from .conv import Conv1d as Conv1d
from .conv import Conv2d as Conv2d
from .conv import ConvTranspose1d as ConvTranspose1d
from .conv import ConvTranspose2d as ConvTranspose2d
from .losses import GELU as GELU
from .losses import BCELoss as BCELoss
from .losses import BCEWithLogitsLoss as BCEWithLogitsLoss
from .losses import CrossEntropyLoss as CrossEntropyLoss
from .losses import Dropout as Dropout
from .losses import Dropout1d as Dropout1d
from .losses import Dropout2d as Dropout2d
from .losses import Dropout3d as Dropout3d
from .losses import Flatten as Flatten
from .losses import L1Loss as L1Loss
from .losses import LeakyReLU as LeakyReLU
from .losses import LogSoftmax as LogSoftmax
from .losses import MSELoss as MSELoss
from .losses import NLLLoss as NLLLoss
from .losses import Softmax as Softmax
from .losses import Softplus as Softplus
from .modules import DataParallel as DataParallel
from .modules import Identity as Identity
from .modules import Linear as Linear
from .modules import Module as Module
from .modules import ModuleDict as ModuleDict
from .modules import ModuleList as ModuleList
from .modules import Parameter as Parameter
from .modules import ReLU as ReLU
from .modules import Sequential as Sequential
from .modules import Sigmoid as Sigmoid
from .modules import Tanh as Tanh
from .normalization import BatchNorm1d as BatchNorm1d
from .normalization import BatchNorm2d as BatchNorm2d
from .normalization import LayerNorm as LayerNorm
from .pooling import AdaptiveAvgPool2d as AdaptiveAvgPool2d
from .pooling import AvgPool2d as AvgPool2d
from .pooling import MaxPool2d as MaxPool2d
from .rnn import LSTM as LSTM
from .sparse import Embedding as Embedding
