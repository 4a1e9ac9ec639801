"""Structured control flow: `cond` (lax.cond and lax.switch), `while_loop`, `scan` (lax.scan, map
and fori_loop with a static trip count), and `tuple_get`, which takes their several-array results
apart. Each primitive holds its sub-programs as closed IRs in its parameters (fgrad.lax traces
them); its operands are the sub-programs' constants followed by the values they act on.

The NumPy backend writes a Python `if`/`for`/`while` around each sub-program's generated code; the
xla backend calls jax.lax.switch, while_loop and scan on nested functions.
"""

from __future__ import annotations

import numpy as np

from ..backends.numpy_codegen import Block, _param_text
from ..core import IR, Aval, Primitive, Tracer, bind, eval_ir, find_trace
from ..transforms.batching import batch_ir, bdim_to_front
from ._subprograms import (
    Parts,
    TupleAval,
    batch_closed,
    closed_trace,
    jvp_closed,
    lift_batched,
    outs_of,
    padded,
    vjp_closed,
    zeros,
)
from .elementwise import convert, eq_p, gt_p, select

SRC = "fgrad/primitives/control.py"


def bind_multi(prim: Primitive, args: list, **params) -> list:
    """Apply a control-flow primitive; its results as a list (one `tuple_get` each when traced)."""
    out = bind(prim, *args, **params)
    if not isinstance(out, Tracer):
        return [np.asarray(o) for o in out]       # arrays, as jax.lax returns, even for 0-d results
    return [bind(tuple_get_p, out, index=k) for k in range(len(out.aval.avals))]


def _in_avals(ir: IR) -> list:
    return [v.aval for v in ir.in_vars]


def _check_operands(name: str, ir: IR, operands) -> None:
    if _in_avals(ir) != list(operands):
        raise TypeError(f"{name}: operands {list(operands)} do not match the sub-program's inputs {_in_avals(ir)}")


def _assign(targets: list, values: list) -> list:
    return [f"{', '.join(targets)} = {', '.join(values)}"] if targets else []


def _tuple_text(names: list) -> str:
    return f"({names[0]},)" if len(names) == 1 else f"({', '.join(names)})"


def _zeros_for(trace, items: list, avals: list) -> list:
    return [zeros(trace, a) if t is None else t for t, a in zip(items, avals)]


# --- tuple_get: one array of a several-array result ---------------------------------------------

tuple_get_p = Primitive("tuple_get", abstract=lambda t, *, index: t.avals[index], impl=lambda t, *, index: t[index],
                        source=SRC, numpy="{0}[{index}]", jax="{0}[{index}]", linear_view=True)
tuple_get_p.def_vjp(lambda ct, t, *, out, index: [Parts.one(index, ct, len(t.aval.avals))])
tuple_get_p.def_jvp(lambda p, t, *, out, index: t[0].items[index])
tuple_get_p.def_batch(lambda args, batched, *, size, index: args[0].items[index] if isinstance(args[0], Parts)
                      else bind(tuple_get_p, args[0], index=index))


# --- cond: run branches[index] (lax.cond and lax.switch) ----------------------------------------

def cond_bind(index, branches: list, operands: list) -> list:
    """Bind `cond` on closed branches [(IR, consts), ...], each taking (its consts..., operands...):
    every branch takes all branches' constants, so one operand list serves them all."""
    sizes = [len(c) for _, c in branches]
    const_avals = [_in_avals(ir)[:n] for (ir, _), n in zip(branches, sizes)]
    irs = tuple(padded(ir, sum(const_avals[:k], []), sum(const_avals[k + 1:], []), sizes[k])
                for k, (ir, _) in enumerate(branches))
    consts = [c for _, cs in branches for c in cs]
    return bind_multi(cond_p, [index, *consts, *operands], branches=irs)


def _cond_abstract(index, *operands, branches):
    if index.shape or index.dtype.kind not in "iu":
        raise TypeError(f"cond: the branch index must be an integer scalar, got {index!r}")
    for ir in branches:
        _check_operands("cond", ir, operands)
    return TupleAval(outs_of(branches[0]))


def _cond_impl(index, *operands, branches):
    return tuple(eval_ir(branches[int(np.clip(index, 0, len(branches) - 1))], list(operands)))


def _cond_vjp(ct, index, *operands, out, branches):
    cts = _zeros_for(out._trace, ct.items, outs_of(branches[0]))
    wrt = [k for k, a in enumerate(_in_avals(branches[0])) if a.is_float]
    ct_ops = iter(cond_bind(index, [vjp_closed(ir, wrt) for ir in branches], list(operands) + cts))
    return [None] + [next(ct_ops) if k in wrt else None for k in range(len(operands))]


def _cond_jvp(primals, tangents, *, out, branches):
    avals = _in_avals(branches[0])
    floats = [a.is_float for a in avals]
    t_ops = _zeros_for(out._trace, [t for t, f in zip(tangents[1:], floats) if f], [a for a in avals if a.is_float])
    t_outs = iter(cond_bind(primals[0], [jvp_closed(ir, floats) for ir in branches], list(primals[1:]) + t_ops))
    return Parts(next(t_outs) if a.is_float else None for a in outs_of(branches[0]))


def _cond_batch(args, batched, *, size, branches):
    index, operands = args[0], list(args[1:])
    n_out = len(branches[0].outs)
    closed = [batch_closed(ir, batched[1:], size, [True] * n_out) for ir in branches]
    if not batched[0]:
        return Parts(cond_bind(index, [(ir, consts) for ir, consts, _ in closed], operands))
    # a batched index, as in jax: every branch runs and each example takes its own branch's result
    results = [eval_ir(ir, consts + operands) for ir, consts, _ in closed]
    picked = results[-1]
    for k in range(len(branches) - 2, -1, -1):
        chosen = bind(eq_p, index, index.dtype.type(k))
        picked = [select(_lined_up(chosen, r), r, p) for r, p in zip(results[k], picked)]
    return Parts(picked)


def _lined_up(mask, like):
    """A batch mask (size,) broadcast to the shape of `like`, batch on axis 0."""
    from .shape import broadcast_in_dim
    return broadcast_in_dim(mask, like.shape, (0,)) if like.ndim > 1 else mask


def _cond_numpy(em, eqn) -> list:
    index, *operands = [em.operand(eqn, a) for a in eqn.inputs]
    branches = eqn.params["branches"]
    results = [em.fresh() for _ in branches[0].outs]
    depth = 1 if len(branches) == 1 else 2
    lines = []
    for k, ir in enumerate(branches):
        if depth == 2:
            lines.append("    else:" if k == len(branches) - 1 else f"    {'elif' if k else 'if'} {index} == {k}:")
        body, outs = em.sub_program(ir, operands, depth)
        lines += body + ["    " * depth + line for line in _assign(results, outs)] or ["    " * depth + "pass"]
    return lines + [f"    {em.name(eqn.out)} = {_tuple_text(results)}"]


def _cond_xla(w, eqn) -> list:
    index, *operands = [w.operand(eqn, a) for a in eqn.inputs]
    lines, names = [], []
    for ir in eqn.params["branches"]:
        name = f"branch_{w.fresh()}"
        lines += w.sub_function(ir, name)
        names.append(name)
    call = ", ".join([index, _tuple_text(names)] + operands)
    return lines + [f"    {w.name(eqn.out)} = lax.switch({call})"]


cond_p = Primitive("cond", abstract=_cond_abstract, impl=_cond_impl, source=SRC,
                   numpy=Block(_cond_numpy), jax=Block(_cond_xla))
cond_p.def_vjp(_cond_vjp)
cond_p.def_jvp(_cond_jvp)
cond_p.def_batch(_cond_batch)


# --- while_loop: carry = body(carry) while cond(carry) ------------------------------------------

def while_bind(cond: tuple, body: tuple, init: list) -> list:
    """Bind `while_loop` on closed (IR, consts) for the predicate and the body."""
    (cond_ir, cond_consts), (body_ir, body_consts) = cond, body
    return bind_multi(while_p, [*cond_consts, *body_consts, *init], cond=cond_ir, body=body_ir,
                      cond_nconsts=len(cond_consts), body_nconsts=len(body_consts))


def _while_parts(args, cond_nconsts, body_nconsts) -> tuple:
    k = cond_nconsts + body_nconsts
    return list(args[:cond_nconsts]), list(args[cond_nconsts:k]), list(args[k:])


def _while_abstract(*args, cond, body, cond_nconsts, body_nconsts):
    cc, bc, init = _while_parts(args, cond_nconsts, body_nconsts)
    _check_operands("while_loop", cond, cc + init)
    _check_operands("while_loop", body, bc + init)
    return TupleAval(init)


def _while_impl(*args, cond, body, cond_nconsts, body_nconsts):
    cc, bc, carry = _while_parts(args, cond_nconsts, body_nconsts)
    while eval_ir(cond, cc + carry)[0]:
        carry = eval_ir(body, bc + carry)
    return tuple(carry)


def _while_vjp(ct, *args, out, **params):
    raise ValueError("Reverse-mode differentiation does not work for lax.while_loop or lax.fori_loop with "
                     "dynamic start/stop values. Try using lax.scan, or using fori_loop with static start/stop.")


def _while_jvp(primals, tangents, *, out, cond, body, cond_nconsts, body_nconsts):
    cc, bc, init = _while_parts(primals, cond_nconsts, body_nconsts)
    _, t_bc, t_init = _while_parts(tangents, cond_nconsts, body_nconsts)
    avals = _in_avals(body)
    floats = [a.is_float for a in avals]
    t_in = _zeros_for(out._trace, [t for t, f in zip(t_bc + t_init, floats) if f], [a for a in avals if a.is_float])
    n_bc, n_tc = len(bc), sum(floats[:len(bc)])
    jvp_body, jvp_consts = jvp_closed(body, floats, with_primals=True)
    carry_avals = avals[len(bc):]
    t_carry_avals = [a for a in carry_avals if a.is_float]

    def step(*args):      # (body consts, their tangents, carry, carry tangents) -> (carry, tangents)
        consts, t_consts = list(args[:n_bc]), list(args[n_bc:n_bc + n_tc])
        carry = list(args[n_bc + n_tc:n_bc + n_tc + len(carry_avals)])
        return eval_ir(jvp_body, jvp_consts + consts + carry + t_consts + list(args[n_bc + n_tc + len(carry_avals):]))
    new_body = closed_trace(step, [avals[k] for k in range(n_bc)] + [a for a in avals[:n_bc] if a.is_float]
                            + carry_avals + t_carry_avals, "jvp")
    new_cond = padded(cond, [], t_carry_avals, len(cond.in_vars))
    outs = while_bind((new_cond, cc), (new_body[0], new_body[1] + bc + t_in[:n_tc]), init + t_in[n_tc:])
    t_outs = iter(outs[len(init):])
    return Parts(next(t_outs) if a.is_float else None for a in carry_avals)


def _carry_fixpoint(body: IR, consts_b: list, carry_b: list, rest_b: list, size: int) -> list:
    """Which carries hold a batch: those that start batched, and those the body makes batched."""
    for _ in range(len(carry_b) + 1):
        _, got = batch_ir(body, consts_b + carry_b + rest_b, size)
        new = [a or b for a, b in zip(carry_b, got)]
        if new == carry_b:
            break
        carry_b = new
    return carry_b


def _lift_all(trace, values: list, have: list, want: list, avals: list, size: int) -> list:
    return [lift_batched(trace, v, size, a) if w and not h else v for v, h, w, a in zip(values, have, want, avals)]


def _while_batch(args, batched, *, size, cond, body, cond_nconsts, body_nconsts):
    cc, bc, init = _while_parts(args, cond_nconsts, body_nconsts)
    cc_b, bc_b, init_b = _while_parts(batched, cond_nconsts, body_nconsts)
    carry_b = _carry_fixpoint(body, bc_b, list(init_b), [], size)
    if batch_ir(cond, cc_b + carry_b, size)[1][0]:
        carry_b = [True] * len(init)     # a batched predicate: each example stops on its own
    trace = find_trace(args)
    carry_avals = _in_avals(body)[len(bc):]
    init = _lift_all(trace, init, init_b, carry_b, carry_avals, size)
    b_cond, c_consts, pred_b = batch_closed(cond, cc_b + carry_b, size)
    b_body, b_consts, _ = batch_closed(body, bc_b + carry_b, size, carry_b)
    if not pred_b[0]:
        outs = while_bind((b_cond, c_consts + cc), (b_body, b_consts + bc), init)
        return Parts(_lift_all(trace, outs, carry_b, [True] * len(outs), carry_avals, size))
    return Parts(_while_selecting(b_cond, c_consts, b_body, b_consts, cc, bc, init))


def _while_selecting(b_cond, c_consts, b_body, b_consts, cc, bc, init) -> list:
    """As jax: loop while any example's predicate holds; examples whose predicate is false keep
    their carry (select between the body's result and the carry)."""
    from .reductions import reduce_max_p
    cc_avals = _in_avals(b_cond)[len(c_consts):len(c_consts) + len(cc)]
    bc_avals = _in_avals(b_body)[len(b_consts):len(b_consts) + len(bc)]
    carry_avals = _in_avals(b_body)[len(b_consts) + len(bc):]
    n_cc, n_bc = len(cc), len(bc)

    def pred(*args):
        holds = eval_ir(b_cond, c_consts + list(args))[0]
        return [bind(gt_p, bind(reduce_max_p, convert(holds, np.int32), axes=(0,)), np.int32(0))]

    def step(*args):
        carry = list(args[n_cc + n_bc:])
        keep = eval_ir(b_cond, c_consts + list(args[:n_cc]) + carry)[0]
        new = eval_ir(b_body, b_consts + list(args[n_cc:n_cc + n_bc]) + carry)
        return [select(_lined_up(keep, c), n, c) for n, c in zip(new, carry)]
    new_cond = closed_trace(pred, cc_avals + carry_avals, "vmap")
    new_body = closed_trace(step, cc_avals + bc_avals + carry_avals, "vmap")
    return while_bind((new_cond[0], new_cond[1] + cc), (new_body[0], new_body[1] + cc + bc), init)


def _while_numpy(em, eqn) -> list:
    p = eqn.params
    cc, bc, init = _while_parts([em.operand(eqn, a) for a in eqn.inputs], p["cond_nconsts"], p["body_nconsts"])
    carry = [em.fresh() for _ in init]
    lines = ["    " + line for line in _assign(carry, init)] + ["    while True:"]
    test, (pred,) = em.sub_program(p["cond"], cc + carry, 2)
    body, outs = em.sub_program(p["body"], bc + carry, 2)
    lines += test + [f"        if not {pred}:", "            break"] + body
    lines += ["        " + line for line in _assign(carry, outs)]
    return lines + [f"    {em.name(eqn.out)} = {_tuple_text(carry)}"]


def _while_xla(w, eqn) -> list:
    p = eqn.params
    cc, bc, init = _while_parts([w.operand(eqn, a) for a in eqn.inputs], p["cond_nconsts"], p["body_nconsts"])
    test, step, carry = f"cond_{w.fresh()}", f"body_{w.fresh()}", w.fresh()
    lines = w.sub_function(p["cond"], test) + w.sub_function(p["body"], step)
    pred = f"lambda {carry}: {test}({', '.join(cc + ['*' + carry])})[0]"
    new = f"lambda {carry}: {step}({', '.join(bc + ['*' + carry])})"
    return lines + [f"    {w.name(eqn.out)} = lax.while_loop({pred}, {new}, {_tuple_text(init)})"]


while_p = Primitive("while_loop", abstract=_while_abstract, impl=_while_impl, source=SRC,
                    numpy=Block(_while_numpy), jax=Block(_while_xla))
while_p.def_vjp(_while_vjp)
while_p.def_jvp(_while_jvp)
while_p.def_batch(_while_batch)


# --- scan: (carry, y) = body(consts, carry, x) over the leading axis of xs ----------------------

def scan_bind(body: tuple, consts: list, init: list, xs: list, *, length: int, reverse: bool = False,
              unroll: int = 1) -> list:
    """Bind `scan` on the closed (IR, consts) body taking (its consts..., consts, carry, x)."""
    body_ir, body_consts = body
    return bind_multi(scan_p, [*body_consts, *consts, *init, *xs], body=body_ir, length=length, reverse=reverse,
                      num_consts=len(body_consts) + len(consts), num_carry=len(init), unroll=unroll)


def saving_carries(body: tuple, num_carry: int) -> tuple:
    """The closed scan body with each step's input carry as extra `y`s after its own: reverse mode
    then reads the carries from the forward loop (see `_saved_carries`) instead of running it again."""
    ir, consts = body
    carry = ir.in_vars[len(consts):len(consts) + num_carry]       # the body takes (its consts, carry, x)
    return IR(ir.in_vars, ir.const_vars, ir.consts, ir.eqns, list(ir.outs) + list(carry)), consts


def _saved_carries(out, body: IR, num_consts: int, num_carry: int) -> list | None:
    """The stacked input carries of each step, where the forward scan `out` has them among its `y`s
    (a `y` that is the body's carry input, as `saving_carries` adds), else None."""
    first: dict = {}
    for j, o in enumerate(body.outs[num_carry:]):
        first.setdefault(id(o), j)
    found = [first.get(id(v)) for v in body.in_vars[num_consts:num_consts + num_carry]]
    if not isinstance(out, Tracer) or any(j is None for j in found):
        return None
    return [bind(tuple_get_p, out, index=num_carry + j) for j in found]


def _scan_parts(args, num_consts, num_carry) -> tuple:
    k = num_consts + num_carry
    return list(args[:num_consts]), list(args[num_consts:k]), list(args[k:])


def _stacked(length: int, aval: Aval) -> Aval:
    return Aval((length,) + aval.shape, aval.dtype)


def _scan_abstract(*args, body, length, reverse, num_consts, num_carry, unroll):
    consts, init, xs = _scan_parts(args, num_consts, num_carry)
    if any(x.shape[:1] != (length,) for x in xs):
        raise TypeError(f"scan: every scanned operand needs a leading axis of length {length}, got {xs}")
    _check_operands("scan", body, consts + init + [Aval(x.shape[1:], x.dtype) for x in xs])
    return TupleAval(init + [_stacked(length, o) for o in outs_of(body)[num_carry:]])


def _scan_impl(*args, body, length, reverse, num_consts, num_carry, unroll):
    consts, carry, xs = _scan_parts(args, num_consts, num_carry)
    ys = [np.empty(_stacked(length, a).shape, a.dtype) for a in outs_of(body)[num_carry:]]
    for i in (range(length - 1, -1, -1) if reverse else range(length)):
        outs = eval_ir(body, consts + carry + [x[i] for x in xs])
        carry = outs[:num_carry]
        for y, o in zip(ys, outs[num_carry:]):
            y[i] = o
    return tuple(carry + ys)


def _scan_jvp(primals, tangents, *, out, body, length, reverse, num_consts, num_carry, unroll):
    avals = _in_avals(body)
    floats = [a.is_float for a in avals]
    stacked = avals[:num_consts + num_carry] + [_stacked(length, a) for a in avals[num_consts + num_carry:]]
    t_in = _zeros_for(out._trace, [t for t, f in zip(tangents, floats) if f], [a for a, f in zip(stacked, floats) if f])
    groups = [floats[:num_consts], floats[num_consts:num_consts + num_carry], floats[num_consts + num_carry:]]
    t_consts, t_init, t_xs = _split_by(t_in, [sum(g) for g in groups])
    jvp_body, jvp_consts = jvp_closed(body, floats, with_primals=True)
    n = [num_consts, num_carry, len(avals) - num_consts - num_carry]
    nt = [sum(g) for g in groups]
    n_ys = len(body.outs) - num_carry
    t_avals = [a for a in avals if a.is_float]
    out_floats = [a.is_float for a in outs_of(body)]
    ty_n = sum(out_floats[num_carry:])

    def step(*args):  # (consts, t_consts, carry, t_carry, x, t_x) -> (carry, t_carry, y, t_y)
        c, tc, k, tk, x, tx = _split_by(list(args), [n[0], nt[0], n[1], nt[1], n[2], nt[2]])
        res = eval_ir(jvp_body, jvp_consts + c + k + x + tc + tk + tx)
        carry, ys, ts = res[:num_carry], res[num_carry:num_carry + n_ys], res[num_carry + n_ys:]
        return carry + ts[:len(ts) - ty_n] + ys + ts[len(ts) - ty_n:]
    order = _split_by(avals, n)
    t_order = _split_by(t_avals, nt)
    new_body = closed_trace(step, order[0] + t_order[0] + order[1] + t_order[1] + order[2] + t_order[2], "jvp")
    consts, init, xs = _scan_parts(primals, num_consts, num_carry)
    outs = scan_bind(new_body, consts + t_consts, init + t_init, xs + t_xs, length=length, reverse=reverse,
                     unroll=unroll)
    _, t_carry, _, t_ys = _split_by(outs, [num_carry, nt[1], n_ys, ty_n])
    t_carry, t_ys = iter(t_carry), iter(t_ys)
    return Parts([next(t_carry) if f else None for f in out_floats[:num_carry]]
                 + [next(t_ys) if f else None for f in out_floats[num_carry:]])


def _split_by(items: list, sizes: list) -> list:
    out, k = [], 0
    for size in sizes:
        out.append(list(items[k:k + size]))
        k += size
    return out


def _scan_vjp(ct, *args, out, body, length, reverse, num_consts, num_carry, unroll):
    trace, avals = out._trace, _in_avals(body)
    out_avals = out.aval.avals
    n_x = len(avals) - num_consts - num_carry
    cts = _zeros_for(trace, ct.items, out_avals)
    consts, init, xs = _scan_parts(args, num_consts, num_carry)
    carry_avals = avals[num_consts:num_consts + num_carry]
    # the carry at each step, saved by a forward scan and read backwards by the reverse scan
    saved = _saved_carries(out, body, num_consts, num_carry)
    if saved is None:         # a scan traced where it was not differentiated: run the loop again, saving
        def save(*a):
            return eval_ir(body, list(a))[:num_carry] + list(a[num_consts:num_consts + num_carry])
        saving = closed_trace(save, avals, "grad")
        saved = scan_bind(saving, consts, init, xs, length=length, reverse=reverse, unroll=unroll)[num_carry:]
    wrt = [k for k, a in enumerate(avals) if a.is_float]
    pullback, pb_consts = vjp_closed(body, wrt)
    f_consts = [k for k in wrt if k < num_consts]
    f_carry = [k - num_consts for k in wrt if num_consts <= k < num_consts + num_carry]
    n_fx = len(wrt) - len(f_consts) - len(f_carry)
    n_ys = len(body.outs) - num_carry

    def step(*a):   # (consts, ct consts so far, ct carry, carry, x, ct y) -> (ct consts, ct carry, ct x)
        c, acc, ctc, k, x, cty = _split_by(list(a), [num_consts, len(f_consts), len(f_carry), num_carry, n_x, n_ys])
        ct_carry = [zeros(a[0]._trace, av) for av in carry_avals]
        for j, v in zip(f_carry, ctc):
            ct_carry[j] = v
        g = eval_ir(pullback, pb_consts + c + k + x + ct_carry + cty)
        return [s + t for s, t in zip(acc, g[:len(f_consts)])] + g[len(f_consts):]
    step_avals = (avals[:num_consts] + [avals[k] for k in f_consts] + [carry_avals[j] for j in f_carry]
                  + carry_avals + avals[num_consts + num_carry:] + [o for o in outs_of(body)[num_carry:]])
    backward = closed_trace(step, step_avals, "grad")
    acc0 = [zeros(trace, avals[k]) for k in f_consts]
    ct_init = [cts[j] for j in f_carry]
    res = scan_bind(backward, consts, acc0 + ct_init, saved + xs + cts[num_carry:], length=length,
                    reverse=not reverse, unroll=unroll)
    ct_consts, ct_carry, ct_xs = _split_by(res, [len(f_consts), len(f_carry), n_fx])
    found = dict(zip(wrt, ct_consts + ct_carry + ct_xs))
    return [found.get(k) for k in range(len(avals))]


def _scan_batch(args, batched, *, size, body, length, reverse, num_consts, num_carry, unroll):
    consts, init, xs = _scan_parts(args, num_consts, num_carry)
    consts_b, init_b, xs_b = _scan_parts(batched, num_consts, num_carry)
    carry_b = _carry_fixpoint(body, consts_b, list(init_b), xs_b, size)
    trace = find_trace(args)
    carry_avals = _in_avals(body)[num_consts:num_consts + num_carry]
    init = _lift_all(trace, init, init_b, carry_b, carry_avals, size)
    xs = [bdim_to_front(x, 1) if b else x for x, b in zip(xs, xs_b)]     # scanned axis first
    n_ys = len(body.outs) - num_carry
    b_body, b_consts, _ = batch_closed(body, consts_b + carry_b + xs_b, size, carry_b + [True] * n_ys)
    outs = scan_bind((b_body, b_consts), consts, init, xs, length=length, reverse=reverse, unroll=unroll)
    carry = _lift_all(trace, outs[:num_carry], carry_b, [True] * num_carry, carry_avals, size)
    return Parts(carry + [bdim_to_front(y, 1) for y in outs[num_carry:]])


def _scan_numpy(em, eqn) -> list:
    p = eqn.params
    consts, init, xs = _scan_parts([em.operand(eqn, a) for a in eqn.inputs], p["num_consts"], p["num_carry"])
    n, nc = p["length"], p["num_carry"]
    carry, ys, step = [em.fresh() for _ in init], [em.fresh() for _ in p["body"].outs[nc:]], em.fresh()
    x_names = [em.fresh() for _ in xs]
    lines = ["    " + line for line in _assign(carry, init)]
    lines += [f"    {y} = np.empty({_param_text(_stacked(n, o.aval).shape)}, np.{o.aval.dtype.name})"
              for y, o in zip(ys, p["body"].outs[nc:])]
    lines.append(f"    for {step} in range({n - 1}, -1, -1):" if p["reverse"] else f"    for {step} in range({n}):")
    body, outs = em.sub_program(p["body"], consts + carry + x_names, 2)
    inner = [f"        {x} = {src}[{step}]" for x, src in zip(x_names, xs)] + body
    inner += [f"        {y}[{step}] = {o}" for y, o in zip(ys, outs[nc:])]    # before the carry changes
    inner += ["        " + line for line in _assign(carry, outs[:nc])]
    return lines + (inner or ["        pass"]) + [f"    {em.name(eqn.out)} = {_tuple_text(carry + ys)}"]


def _scan_xla(w, eqn) -> list:
    p = eqn.params
    consts, init, xs = _scan_parts([w.operand(eqn, a) for a in eqn.inputs], p["num_consts"], p["num_carry"])
    body, step, carry, x, res = f"body_{w.fresh()}", f"step_{w.fresh()}", w.fresh(), w.fresh(), w.fresh()
    nc = p["num_carry"]
    lines = w.sub_function(p["body"], body) + [
        f"    def {step}({carry}, {x}):",
        f"        {res} = {body}({', '.join(consts + ['*' + carry, '*' + x])})",
        f"        return {res}[:{nc}], {res}[{nc}:]"]
    call = (f"lax.scan({step}, {_tuple_text(init)}, {_tuple_text(xs)}, length={p['length']}, "
            f"reverse={p['reverse']}, unroll={_param_text(p['unroll'])})")
    return lines + [f"    {res} = {call}", f"    {w.name(eqn.out)} = (*{res}[0], *{res}[1])"]


scan_p = Primitive("scan", abstract=_scan_abstract, impl=_scan_impl, source=SRC,
                   numpy=Block(_scan_numpy), jax=Block(_scan_xla))
scan_p.def_vjp(_scan_vjp)
scan_p.def_jvp(_scan_jvp)
scan_p.def_batch(_scan_batch)
