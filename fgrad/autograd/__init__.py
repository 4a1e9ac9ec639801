"""fgrad.autograd: HIPS autograd's API on fgrad, so code written for autograd runs unchanged.

    import fgrad.autograd as autograd
    import fgrad.autograd.numpy as np
    from fgrad.autograd import grad, jacobian, hessian
    from fgrad.autograd.extend import primitive, defvjp

The differential operators are fgrad's transforms (fgrad.vjp, fgrad.jvp, fgrad.grad), so results
are fgrad's compiled programs; `@primitive` functions run on NumPy arrays inside those programs,
differentiated by their `defvjp`/`defjvp` rules. See docs/autograd.md.

Example:
    >>> import fgrad.autograd.numpy as np
    >>> float(grad(lambda x: np.sum(np.tanh(x)))(0.0))
    1.0
"""

from .builtins import dict as dict
from .builtins import isinstance as isinstance
from .builtins import list as list
from .builtins import tuple as tuple
from .builtins import type as type
from .core import primitive as primitive
from .differential_operators import checkpoint as checkpoint
from .differential_operators import deriv as deriv
from .differential_operators import elementwise_grad as elementwise_grad
from .differential_operators import grad as grad
from .differential_operators import grad_and_aux as grad_and_aux
from .differential_operators import grad_named as grad_named
from .differential_operators import hessian as hessian
from .differential_operators import hessian_tensor_product as hessian_tensor_product
from .differential_operators import hessian_vector_product as hessian_vector_product
from .differential_operators import holomorphic_grad as holomorphic_grad
from .differential_operators import jacobian as jacobian
from .differential_operators import make_ggnvp as make_ggnvp
from .differential_operators import make_hvp as make_hvp
from .differential_operators import make_jvp as make_jvp
from .differential_operators import make_vjp as make_vjp
from .differential_operators import multigrad_dict as multigrad_dict
from .differential_operators import tensor_jacobian_product as tensor_jacobian_product
from .differential_operators import value_and_grad as value_and_grad
from .differential_operators import vector_jacobian_product as vector_jacobian_product
