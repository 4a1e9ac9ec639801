"""fgrad.numpy: the array API people write, mirroring jax.numpy names, built on fgrad's primitives.

On plain NumPy inputs every function computes eagerly and returns NumPy values; on traced inputs it
records primitives. Dtypes follow NumPy 2: Python scalars are weak (``x32 * 2.0`` stays float32).

Example:
    >>> import fgrad.numpy as fnp
    >>> float(fnp.sum(fnp.sin(fnp.zeros(3))))
    0.0
"""

from __future__ import annotations

import numpy as np

from ._creation import arange as arange
from ._creation import dtype as dtype
from ._creation import e as e
from ._creation import eye as eye
from ._creation import finfo as finfo
from ._creation import full as full
from ._creation import full_like as full_like
from ._creation import iinfo as iinfo
from ._creation import inf as inf
from ._creation import nan as nan
from ._creation import ndarray as ndarray
from ._creation import newaxis as newaxis
from ._creation import ones as ones
from ._creation import ones_like as ones_like
from ._creation import pi as pi
from ._creation import zeros as zeros
from ._creation import zeros_like as zeros_like
from ._elementwise import _unary_fn as _unary_fn
from ._elementwise import abs as abs
from ._elementwise import absolute as absolute
from ._elementwise import add as add
from ._elementwise import arctan as arctan
from ._elementwise import clip as clip
from ._elementwise import cos as cos
from ._elementwise import cosh as cosh
from ._elementwise import divide as divide
from ._elementwise import equal as equal
from ._elementwise import exp as exp
from ._elementwise import expm1 as expm1
from ._elementwise import greater as greater
from ._elementwise import greater_equal as greater_equal
from ._elementwise import isnan as isnan
from ._elementwise import less as less
from ._elementwise import less_equal as less_equal
from ._elementwise import log as log
from ._elementwise import log1p as log1p
from ._elementwise import logaddexp as logaddexp
from ._elementwise import logical_and as logical_and
from ._elementwise import logical_not as logical_not
from ._elementwise import logical_or as logical_or
from ._elementwise import maximum as maximum
from ._elementwise import minimum as minimum
from ._elementwise import multiply as multiply
from ._elementwise import negative as negative
from ._elementwise import not_equal as not_equal
from ._elementwise import power as power
from ._elementwise import sign as sign
from ._elementwise import sin as sin
from ._elementwise import sinh as sinh
from ._elementwise import sqrt as sqrt
from ._elementwise import square as square
from ._elementwise import stop_gradient as stop_gradient
from ._elementwise import subtract as subtract
from ._elementwise import tan as tan
from ._elementwise import tanh as tanh
from ._elementwise import true_divide as true_divide
from ._elementwise import where as where
from ._matmul import dot as dot
from ._matmul import einsum as einsum
from ._matmul import matmul as matmul
from ._matmul import outer as outer
from ._matmul import vdot as vdot
from ._promote import _as_operand as _as_operand
from ._promote import _axes as _axes
from ._promote import _binary as _binary
from ._promote import _float_dtype as _float_dtype
from ._promote import _holds_tracer as _holds_tracer
from ._promote import _is_traced as _is_traced
from ._promote import _lift as _lift
from ._promote import _unary as _unary
from ._promote import astype as astype
from ._promote import promote as promote
from ._promote import result_type as result_type
from ._reductions import _sqrt_zero_safe as _sqrt_zero_safe
from ._reductions import amax as amax
from ._reductions import amin as amin
from ._reductions import argmax as argmax
from ._reductions import argmin as argmin
from ._reductions import max as max
from ._reductions import mean as mean
from ._reductions import min as min
from ._reductions import prod as prod
from ._reductions import std as std
from ._reductions import sum as sum
from ._reductions import var as var
from ._reshape import broadcast_to as broadcast_to
from ._reshape import concatenate as concatenate
from ._reshape import expand_dims as expand_dims
from ._reshape import ravel as ravel
from ._reshape import reshape as reshape
from ._reshape import squeeze as squeeze
from ._reshape import stack as stack
from ._reshape import swapaxes as swapaxes
from ._reshape import transpose as transpose

# the version of the NumPy whose API this mirrors (autograd.numpy's convention)
__version__ = np.__version__

from . import fft as fft  # noqa: E402
from . import linalg as linalg  # noqa: E402  (uses the functions above)
from ._array import array as array  # noqa: E402
from ._array import asarray as asarray  # noqa: E402
from ._array import bool_ as bool_  # noqa: E402
from ._array import c_ as c_  # noqa: E402
from ._array import float16 as float16  # noqa: E402
from ._array import float32 as float32  # noqa: E402
from ._array import float64 as float64  # noqa: E402
from ._array import int8 as int8  # noqa: E402
from ._array import int16 as int16  # noqa: E402
from ._array import int32 as int32  # noqa: E402
from ._array import int64 as int64  # noqa: E402
from ._array import linspace as linspace  # noqa: E402
from ._array import r_ as r_  # noqa: E402
from ._array import uint8 as uint8  # noqa: E402
from ._array import uint32 as uint32  # noqa: E402
from ._bitwise import bitwise_and as bitwise_and  # noqa: E402
from ._bitwise import bitwise_not as bitwise_not  # noqa: E402
from ._bitwise import bitwise_or as bitwise_or  # noqa: E402
from ._bitwise import bitwise_xor as bitwise_xor  # noqa: E402
from ._bitwise import invert as invert  # noqa: E402
from ._bitwise import left_shift as left_shift  # noqa: E402
from ._bitwise import right_shift as right_shift  # noqa: E402
from ._complex import angle as angle  # noqa: E402
from ._complex import complex64 as complex64  # noqa: E402
from ._complex import complex128 as complex128  # noqa: E402
from ._complex import conj as conj  # noqa: E402
from ._complex import conjugate as conjugate  # noqa: E402
from ._complex import imag as imag  # noqa: E402
from ._complex import iscomplex as iscomplex  # noqa: E402
from ._complex import iscomplexobj as iscomplexobj  # noqa: E402
from ._complex import isreal as isreal  # noqa: E402
from ._complex import isrealobj as isrealobj  # noqa: E402
from ._complex import real as real  # noqa: E402
from ._complex import real_if_close as real_if_close  # noqa: E402
from ._diagonal import diag as diag  # noqa: E402
from ._diagonal import diagflat as diagflat  # noqa: E402
from ._diagonal import diagonal as diagonal  # noqa: E402
from ._diagonal import trace as trace  # noqa: E402
from ._diagonal import tril as tril  # noqa: E402
from ._diagonal import triu as triu  # noqa: E402
from ._logic import all as all  # noqa: E402
from ._logic import allclose as allclose  # noqa: E402
from ._logic import any as any  # noqa: E402
from ._logic import array_equal as array_equal  # noqa: E402
from ._logic import count_nonzero as count_nonzero  # noqa: E402
from ._logic import isclose as isclose  # noqa: E402
from ._logic import isfinite as isfinite  # noqa: E402
from ._logic import isinf as isinf  # noqa: E402
from ._logic import logical_xor as logical_xor  # noqa: E402
from ._math import arccos as arccos  # noqa: E402
from ._math import arccosh as arccosh  # noqa: E402
from ._math import arcsin as arcsin  # noqa: E402
from ._math import arcsinh as arcsinh  # noqa: E402
from ._math import arctan2 as arctan2  # noqa: E402
from ._math import arctanh as arctanh  # noqa: E402
from ._math import around as around  # noqa: E402
from ._math import cbrt as cbrt  # noqa: E402
from ._math import ceil as ceil  # noqa: E402
from ._math import deg2rad as deg2rad  # noqa: E402
from ._math import degrees as degrees  # noqa: E402
from ._math import exp2 as exp2  # noqa: E402
from ._math import fabs as fabs  # noqa: E402
from ._math import fix as fix  # noqa: E402
from ._math import floor as floor  # noqa: E402
from ._math import floor_divide as floor_divide  # noqa: E402
from ._math import fmax as fmax  # noqa: E402
from ._math import fmin as fmin  # noqa: E402
from ._math import fmod as fmod  # noqa: E402
from ._math import heaviside as heaviside  # noqa: E402
from ._math import hypot as hypot  # noqa: E402
from ._math import log2 as log2  # noqa: E402
from ._math import log10 as log10  # noqa: E402
from ._math import logaddexp2 as logaddexp2  # noqa: E402
from ._math import mod as mod  # noqa: E402
from ._math import nan_to_num as nan_to_num  # noqa: E402
from ._math import positive as positive  # noqa: E402
from ._math import rad2deg as rad2deg  # noqa: E402
from ._math import radians as radians  # noqa: E402
from ._math import reciprocal as reciprocal  # noqa: E402
from ._math import remainder as remainder  # noqa: E402
from ._math import rint as rint  # noqa: E402
from ._math import round as round  # noqa: E402
from ._math import sinc as sinc  # noqa: E402
from ._math import trunc as trunc  # noqa: E402
from ._products import convolve as convolve  # noqa: E402
from ._products import correlate as correlate  # noqa: E402
from ._products import cross as cross  # noqa: E402
from ._products import gradient as gradient  # noqa: E402
from ._products import inner as inner  # noqa: E402
from ._products import interp as interp  # noqa: E402
from ._products import kron as kron  # noqa: E402
from ._products import polyval as polyval  # noqa: E402
from ._products import tensordot as tensordot  # noqa: E402
from ._quantile import cumprod as cumprod  # noqa: E402
from ._quantile import cumsum as cumsum  # noqa: E402
from ._quantile import cumulative_prod as cumulative_prod  # noqa: E402
from ._quantile import cumulative_sum as cumulative_sum  # noqa: E402
from ._quantile import median as median  # noqa: E402
from ._quantile import percentile as percentile  # noqa: E402
from ._quantile import quantile as quantile  # noqa: E402
from ._shape import argpartition as argpartition  # noqa: E402
from ._shape import argsort as argsort  # noqa: E402
from ._shape import flip as flip  # noqa: E402
from ._shape import fliplr as fliplr  # noqa: E402
from ._shape import flipud as flipud  # noqa: E402
from ._shape import moveaxis as moveaxis  # noqa: E402
from ._shape import ndim as ndim  # noqa: E402
from ._shape import partition as partition  # noqa: E402
from ._shape import roll as roll  # noqa: E402
from ._shape import rollaxis as rollaxis  # noqa: E402
from ._shape import rot90 as rot90  # noqa: E402
from ._shape import shape as shape  # noqa: E402
from ._shape import size as size  # noqa: E402
from ._shape import sort as sort  # noqa: E402
from ._shape import take as take  # noqa: E402
from ._shape import take_along_axis as take_along_axis  # noqa: E402
from ._stack import append as append  # noqa: E402
from ._stack import array_split as array_split  # noqa: E402
from ._stack import atleast_1d as atleast_1d  # noqa: E402
from ._stack import atleast_2d as atleast_2d  # noqa: E402
from ._stack import atleast_3d as atleast_3d  # noqa: E402
from ._stack import column_stack as column_stack  # noqa: E402
from ._stack import diff as diff  # noqa: E402
from ._stack import dsplit as dsplit  # noqa: E402
from ._stack import dstack as dstack  # noqa: E402
from ._stack import hsplit as hsplit  # noqa: E402
from ._stack import hstack as hstack  # noqa: E402
from ._stack import meshgrid as meshgrid  # noqa: E402
from ._stack import pad as pad  # noqa: E402
from ._stack import repeat as repeat  # noqa: E402
from ._stack import row_stack as row_stack  # noqa: E402
from ._stack import select as select  # noqa: E402
from ._stack import split as split  # noqa: E402
from ._stack import tile as tile  # noqa: E402
from ._stack import vsplit as vsplit  # noqa: E402
from ._stack import vstack as vstack  # noqa: E402
from ._stats import average as average  # noqa: E402
from ._stats import corrcoef as corrcoef  # noqa: E402
from ._stats import cov as cov  # noqa: E402
from ._stats import nanmax as nanmax  # noqa: E402
from ._stats import nanmean as nanmean  # noqa: E402
from ._stats import nanmin as nanmin  # noqa: E402
from ._stats import nanprod as nanprod  # noqa: E402
from ._stats import nanstd as nanstd  # noqa: E402
from ._stats import nansum as nansum  # noqa: E402
from ._stats import nanvar as nanvar  # noqa: E402
from ._stats import ptp as ptp  # noqa: E402
