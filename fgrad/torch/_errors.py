"""PyTorch's error wording plus one line of fgrad hint.

People search for PyTorch's exact message, so the first line is always PyTorch's own text; the second
line says what to do in fgrad terms.

Example:
    >>> str(torch_error("grad can be implicitly created only for scalar outputs", "pass gradient="))
    'grad can be implicitly created only for scalar outputs\\nfgrad hint: pass gradient='
"""

from __future__ import annotations


def torch_error(message: str, hint: str, kind: type = RuntimeError) -> Exception:
    """An exception of PyTorch's type whose text is PyTorch's message, then an fgrad hint line."""
    return kind(f"{message}\nfgrad hint: {hint}")


NON_SCALAR = ("grad can be implicitly created only for scalar outputs",
              "call .backward(gradient=torch.ones_like(out)) or reduce the output first, e.g. out.sum()")
SECOND_BACKWARD = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward.",
    "pass retain_graph=True to the first backward(), or recompute the forward pass before each backward")
NO_GRAD = ("element {i} of tensors does not require grad and does not have a grad_fn",
           "create the inputs with requires_grad=True (or call .requires_grad_()) before computing the output, "
           "and not under torch.no_grad()")
LEAF_INPLACE = ("a leaf Variable that requires grad is being used in an in-place operation.",
                "update parameters under `with torch.no_grad():`, or use an out-of-place op (x = x + 1)")
INT_GRAD = ("Only Tensors of floating point and complex dtype can require gradients",
            "create the tensor with a floating dtype, e.g. torch.tensor([1., 2.]) or dtype=torch.float32")
INT_GRAD_INPLACE = ("only Tensors of floating point dtype can require gradients",
                    "convert first: x = x.float().requires_grad_()")
NUMPY_GRAD = ("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.",
              "detach() gives a tensor sharing the values but outside the graph")
ITEM_MANY = ("a Tensor with {n} elements cannot be converted to Scalar",
             "item() needs exactly one element; reduce first (x.sum().item()) or use tolist()")
BCE_RANGE = ("all elements of input should be between 0 and 1",
             "BCELoss takes probabilities; apply torch.sigmoid first, or use BCEWithLogitsLoss on raw scores")
GRAD_SHAPE = ("Mismatch in shape: grad_output[{i}] has a shape of {got} and output[{i}] has a shape of {want}.",
              "gradient= must have the same shape as the tensor backward() is called on")
UNUSED = ("The differentiated Tensor at index {i} appears to not have been used in the graph. "
          "Set allow_unused=True if this is the desired behavior.",
          "the output does not depend on this input; pass allow_unused=True to get None for it")
INPLACE_VERSION = ("one of the variables needed for gradient computation has been modified by an inplace "
                   "operation: [{kind} {shape}]{origin} is at version {now}; expected version {then} instead. "
                   "Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
                   "with torch.autograd.set_detect_anomaly(True, check_nan=False).",
                   "a tensor saved for backward was changed in place after it was used (under no_grad, through "
                   ".detach() or a view, or by indexing); change a copy (x.clone()) or recompute the forward pass")
VIEW_INPLACE = ("a view of a leaf Variable that requires grad is being used in an in-place operation.",
                "update the leaf itself under `with torch.no_grad():`, or work on a copy (w.clone()[...] = ...)")
# torch's names of dtypes: ScalarType names (Float) and the C++ type names some messages use (float)
SCALAR_NAMES = {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int", "bool": "Bool",
                "float16": "Half", "uint8": "Byte", "int8": "Char", "int16": "Short"}
CPP_NAMES = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int", "bool": "bool",
             "float16": "c10::Half", "uint8": "unsigned char", "int8": "signed char", "int16": "short int"}
