"""fgrad.torch: `import fgrad.torch as torch` runs PyTorch gradient code on fgrad's engine.

Every op computes eagerly with NumPy and records a node holding its definition in fgrad operations;
`backward()` turns the recorded graph into one fgrad IR, runs fgrad's reverse mode and compiles it with
the selected backend (`set_backend("numpy" | "xla")`, default: `fgrad.config.backend`).

Example:
    >>> import fgrad.torch as torch
    >>> x = torch.tensor(2.0, requires_grad=True)
    >>> y = 2 * x**2 + 3
    >>> y.backward()
    >>> x.grad
    tensor(8.)
"""

from . import accelerator as accelerator
from . import autograd as autograd
from . import backends as backends
from . import cuda as cuda
from . import linalg as linalg
from . import nn as nn
from . import optim as optim
from . import profiler as profiler
from . import random as random
from . import utils as utils
from ._dtypes import Size as Size
from ._dtypes import bool as bool
from ._dtypes import device as device
from ._dtypes import double as double
from ._dtypes import dtype as dtype
from ._dtypes import float as float
from ._dtypes import float16 as float16
from ._dtypes import float32 as float32
from ._dtypes import float64 as float64
from ._dtypes import get_default_device as get_default_device
from ._dtypes import get_default_dtype as get_default_dtype
from ._dtypes import half as half
from ._dtypes import int as int
from ._dtypes import int8 as int8
from ._dtypes import int16 as int16
from ._dtypes import int32 as int32
from ._dtypes import int64 as int64
from ._dtypes import long as long
from ._dtypes import promote_types as promote_types
from ._dtypes import set_default_device as set_default_device
from ._dtypes import set_default_dtype as set_default_dtype
from ._dtypes import short as short
from ._dtypes import uint8 as uint8
from ._graph import enable_grad as enable_grad
from ._graph import is_grad_enabled as is_grad_enabled
from ._graph import no_grad as no_grad
from ._graph import set_grad_enabled as set_grad_enabled
from ._legacy import BoolTensor as BoolTensor
from ._legacy import ByteTensor as ByteTensor
from ._legacy import CharTensor as CharTensor
from ._legacy import DoubleTensor as DoubleTensor
from ._legacy import FloatTensor as FloatTensor
from ._legacy import HalfTensor as HalfTensor
from ._legacy import IntTensor as IntTensor
from ._legacy import LongTensor as LongTensor
from ._legacy import ShortTensor as ShortTensor
from ._printing import get_printoptions as get_printoptions
from ._printing import set_printoptions as set_printoptions
from ._products import bmm as bmm
from ._products import dot as dot
from ._products import matmul as matmul
from ._products import mm as mm
from ._products import mv as mv
from ._random import Generator as Generator
from ._random import bernoulli as bernoulli
from ._random import default_generator as default_generator
from ._random import get_rng_state as get_rng_state
from ._random import initial_seed as initial_seed
from ._random import manual_seed as manual_seed
from ._random import multinomial as multinomial
from ._random import normal as normal
from ._random import rand as rand
from ._random import rand_like as rand_like
from ._random import randint as randint
from ._random import randint_like as randint_like
from ._random import randn as randn
from ._random import randn_like as randn_like
from ._random import randperm as randperm
from ._random import seed as seed
from ._random import set_rng_state as set_rng_state
from ._threads import get_num_threads as get_num_threads
from ._threads import set_num_threads as set_num_threads
from .autograd import set_backend as set_backend
from .creation import arange as arange
from .creation import as_tensor as as_tensor
from .creation import empty as empty
from .creation import empty_like as empty_like
from .creation import eye as eye
from .creation import from_numpy as from_numpy
from .creation import full as full
from .creation import full_like as full_like
from .creation import linspace as linspace
from .creation import ones as ones
from .creation import ones_like as ones_like
from .creation import tensor as tensor
from .creation import zeros as zeros
from .creation import zeros_like as zeros_like
from .ops import abs as abs
from .ops import add as add
from .ops import allclose as allclose
from .ops import atan as atan
from .ops import clamp as clamp
from .ops import clamp_max as clamp_max
from .ops import clamp_min as clamp_min
from .ops import clip as clip
from .ops import cos as cos
from .ops import cosh as cosh
from .ops import div as div
from .ops import eq as eq
from .ops import equal as equal
from .ops import exp as exp
from .ops import expm1 as expm1
from .ops import isnan as isnan
from .ops import log as log
from .ops import log1p as log1p
from .ops import logical_not as logical_not
from .ops import maximum as maximum
from .ops import minimum as minimum
from .ops import mul as mul
from .ops import neg as neg
from .ops import pow as pow
from .ops import relu as relu
from .ops import rsqrt as rsqrt
from .ops import sigmoid as sigmoid
from .ops import sign as sign
from .ops import sin as sin
from .ops import sinh as sinh
from .ops import sqrt as sqrt
from .ops import square as square
from .ops import sub as sub
from .ops import tan as tan
from .ops import tanh as tanh
from .ops import where as where
from .ops_math import acos as acos
from .ops_math import acosh as acosh
from .ops_math import all as all
from .ops_math import any as any
from .ops_math import asin as asin
from .ops_math import asinh as asinh
from .ops_math import atanh as atanh
from .ops_math import bitwise_and as bitwise_and
from .ops_math import bitwise_not as bitwise_not
from .ops_math import bitwise_or as bitwise_or
from .ops_math import bitwise_xor as bitwise_xor
from .ops_math import ceil as ceil
from .ops_math import cross as cross
from .ops_math import dist as dist
from .ops_math import exp2 as exp2
from .ops_math import fix as fix
from .ops_math import floor as floor
from .ops_math import frac as frac
from .ops_math import log2 as log2
from .ops_math import log10 as log10
from .ops_math import logical_and as logical_and
from .ops_math import logical_or as logical_or
from .ops_math import logical_xor as logical_xor
from .ops_math import reciprocal as reciprocal
from .ops_math import round as round
from .ops_math import svd as svd
from .ops_math import tril as tril
from .ops_math import triu as triu
from .ops_math import trunc as trunc
from .ops_math import unique as unique
from .ops_shape import amax as amax
from .ops_shape import amin as amin
from .ops_shape import argmax as argmax
from .ops_shape import argmin as argmin
from .ops_shape import cat as cat
from .ops_shape import clone as clone
from .ops_shape import concat as concat
from .ops_shape import concatenate as concatenate
from .ops_shape import flatten as flatten
from .ops_shape import log_softmax as log_softmax
from .ops_shape import logsumexp as logsumexp
from .ops_shape import max as max
from .ops_shape import mean as mean
from .ops_shape import min as min
from .ops_shape import moveaxis as moveaxis
from .ops_shape import movedim as movedim
from .ops_shape import norm as norm
from .ops_shape import permute as permute
from .ops_shape import prod as prod
from .ops_shape import reshape as reshape
from .ops_shape import softmax as softmax
from .ops_shape import squeeze as squeeze
from .ops_shape import stack as stack
from .ops_shape import std as std
from .ops_shape import sum as sum
from .ops_shape import t as t
from .ops_shape import transpose as transpose
from .ops_shape import unsqueeze as unsqueeze
from .ops_shape import var as var
from .serialization import load as load
from .serialization import save as save
from .tensor import Tensor as Tensor

negative = neg
subtract = sub
multiply = mul
divide = true_divide = div
absolute = abs
arctan = atan
arcsin, arccos, arcsinh, arccosh, arctanh = asin, acos, asinh, acosh, atanh
__version__ = "2.13.0+fgrad"

# torch's in-place functions (torch.sin_(x)) are its in-place methods called on their first argument
fill_ = Tensor.fill_
zero_ = Tensor.zero_
clamp_ = Tensor.clamp_
clip_ = Tensor.clip_
exp_ = Tensor.exp_
log_ = Tensor.log_
sin_ = Tensor.sin_
cos_ = Tensor.cos_
tanh_ = Tensor.tanh_
sigmoid_ = Tensor.sigmoid_
relu_ = Tensor.relu_
abs_ = Tensor.abs_
sqrt_ = Tensor.sqrt_
neg_ = Tensor.neg_
tan_ = Tensor.tan_
log1p_ = Tensor.log1p_
expm1_ = Tensor.expm1_
rsqrt_ = Tensor.rsqrt_
asin_ = Tensor.asin_
acos_ = Tensor.acos_
floor_ = Tensor.floor_
ceil_ = Tensor.ceil_
trunc_ = Tensor.trunc_
round_ = Tensor.round_
frac_ = Tensor.frac_
reciprocal_ = Tensor.reciprocal_
square_ = Tensor.square_
clamp_min_ = Tensor.clamp_min_
clamp_max_ = Tensor.clamp_max_

# torch.func, torch.autograd.functional and torch.autograd.forward_ad build on Tensor, which imports
# autograd, so they are attached here; the sys.modules entries make `import torch.autograd.forward_ad
# as fwAD` (torch's idiom) work, since autograd is a module rather than a package here.
import sys as _sys  # noqa: E402

from . import _legacy  # noqa: E402
from . import autograd_function as _autograd_function  # noqa: E402,F401  (torch.autograd.Function)
from . import autograd_functional as _autograd_functional  # noqa: E402
from . import forward_ad as _forward_ad  # noqa: E402
from . import func as func  # noqa: E402
from .func import vmap as vmap  # noqa: E402  (torch.vmap is torch.func.vmap)

autograd.functional = _autograd_functional
autograd.Variable = _legacy.Variable
autograd.profiler = profiler
autograd.forward_ad = _forward_ad
_sys.modules[__name__ + ".autograd.functional"] = _autograd_functional
_sys.modules[__name__ + ".autograd.forward_ad"] = _forward_ad
_sys.modules[__name__ + ".autograd.profiler"] = profiler
