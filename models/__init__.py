"""Physical models of a campus: pure, vectorised functions of arrays.

One module per kind of equipment:

- :mod:`models.psychro` -- wet-bulb and dew-point temperatures.
- :mod:`models.racks` -- workload utilisation and rack power.
- :mod:`models.electrical` -- UPS and transformer losses.
- :mod:`models.air_cooling` -- chilled-water plant (chillers, CRAH fans,
  cooling towers, waterside economiser).
- :mod:`models.immersion_cooling` -- single-phase immersion and the liquid loop
  of direct-to-chip cooling (dry coolers or towers).
- :mod:`models.lng_plant` -- gas turbines, engines, combined cycles, fuel, LNG.
- :mod:`models.grid` -- grid supply and tariffs.
- :mod:`models.solar` -- photovoltaic AC output (pvlib).
- :mod:`models.battery` -- state of charge, peak shaving, degradation cost.

Every model takes time-varying inputs first and coefficients as keyword
arguments with cited defaults. It accepts a float, a numpy array or an
``xarray.DataArray`` (or a ``pandas.Series``) and returns the same kind; a NaN
in one input element gives NaN only in the matching output element. Functions
that return several quantities return a ``dict`` whose keys carry units.

Submodules are not imported here, so ``import models`` stays cheap; import the
one you need, e.g. ``from models.air_cooling import air_cooling_power``.

The private helpers below (``_as_arrays``, ``_restore``, ``_check_*``) are
shared by the model modules: they unwrap labelled inputs to plain float
arrays for numpy and put the labels back on the results.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "air_cooling",
    "battery",
    "electrical",
    "grid",
    "immersion_cooling",
    "lng_plant",
    "psychro",
    "racks",
    "solar",
]


def _is_dataarray(value: Any) -> bool:
    return type(value).__module__.startswith("xarray") and hasattr(value, "dims")


def _is_series(value: Any) -> bool:
    return type(value).__module__.startswith("pandas") and hasattr(value, "index") and np.ndim(value) == 1


def _as_arrays(*values: Any) -> tuple[list[np.ndarray], Any]:
    """Unwrap inputs to float ndarrays and return them with a template.

    DataArrays among the inputs are broadcast against each other (by
    dimension name) first; the template is the first broadcast DataArray, or
    the first pandas Series, or ``None`` when all inputs are plain numbers or
    arrays.
    """
    template = None
    das = [v for v in values if _is_dataarray(v)]
    if das:
        import xarray as xr

        broadcast = iter(xr.broadcast(*das)) if len(das) > 1 else iter(das)
        out = []
        for v in values:
            if _is_dataarray(v):
                b = next(broadcast)
                if template is None:
                    template = b
                out.append(np.asarray(b.values, dtype=float))
            else:
                out.append(np.asarray(v, dtype=float))
        return out, template
    out = []
    for v in values:
        if template is None and _is_series(v):
            template = v
        out.append(np.asarray(v, dtype=float))
    return out, template


def _restore(result: np.ndarray, template: Any) -> Any:
    """Give ``result`` the labels of ``template`` (see :func:`_as_arrays`)."""
    result = np.asarray(result)
    if template is None:
        return result[()] if result.ndim == 0 else result
    if _is_dataarray(template):
        import xarray as xr

        if result.shape != template.shape:
            result = np.broadcast_to(result, template.shape).copy()
        return xr.DataArray(result, coords=template.coords, dims=template.dims)
    import pandas as pd

    if result.shape != (len(template),):
        result = np.broadcast_to(result, (len(template),)).copy()
    return pd.Series(result, index=template.index)


def _restore_dict(results: dict[str, np.ndarray], template: Any) -> dict[str, Any]:
    return {k: _restore(v, template) for k, v in results.items()}


def _first_bad(values: np.ndarray, bad: np.ndarray) -> float:
    return float(np.asarray(values, dtype=float)[bad].flat[0])


def _check_range(
    name: str,
    value: Any,
    lo: float | None = None,
    hi: float | None = None,
    *,
    lo_open: bool = False,
    hi_open: bool = False,
    why: str = "",
) -> None:
    """Raise ValueError naming ``name`` when a finite element is out of range.

    NaN elements pass (they propagate as missing data).
    """
    arr = np.asarray(value, dtype=float)
    bad = np.zeros(arr.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        if lo is not None:
            bad |= (arr <= lo) if lo_open else (arr < lo)
        if hi is not None:
            bad |= (arr >= hi) if hi_open else (arr > hi)
    if bad.any():
        lo_s = "-inf" if lo is None else f"{lo:g}"
        hi_s = "inf" if hi is None else f"{hi:g}"
        interval = f"{'(' if lo_open or lo is None else '['}{lo_s}, {hi_s}{')' if hi_open or hi is None else ']'}"
        v = _first_bad(arr, bad)
        msg = f"{name}={v:g} is outside {interval}"
        if why:
            msg += f": {why}"
        raise ValueError(msg)


def _check_choice(name: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{name}={value!r} is not valid; choose one of {', '.join(repr(c) for c in choices)}")
