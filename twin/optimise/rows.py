"""Small helpers shared by the row modules: mutable parameters and capacity bounds that may be
numbers (dispatch) or Pyomo expressions (planning: a built capacity is a decision)."""

from __future__ import annotations

import numbers

import pyomo.environ as pyo


def param(*idx, init=0.0):
    """A mutable Pyomo parameter over ``idx`` (the dispatch loads each window's data into it)."""
    return pyo.Param(*idx, mutable=True, initialize=init, within=pyo.Any)


def is_number(x) -> bool:
    """True for a plain number (a fixed capacity), False for a Pyomo variable or expression."""
    return isinstance(x, numbers.Real)


def var_upto(m, name: str, idx, cap, *, big: float | None = None):
    """A non-negative variable ``name`` over ``idx`` bounded by ``cap``.

    ``cap`` a number: the bound is the variable's (as in dispatch). ``cap`` a Pyomo expression
    (a built capacity in planning): the variable gets the bound ``big`` (the most that may be
    built, or none) and a row ``name_cap: var <= cap`` (named ``<name>_cap``).
    """
    if is_number(cap):
        v = pyo.Var(idx, bounds=(0, float(cap)))
        setattr(m, name, v)
        return v
    v = pyo.Var(idx, bounds=(0, big))
    setattr(m, name, v)
    setattr(m, f"{name}_cap", pyo.Constraint(idx, rule=lambda m, *i: v[i if len(i) > 1 else i[0]] <= cap))
    return v
