"""Power-conversion losses: UPS and transformers."""

from __future__ import annotations

from models import _as_arrays, _check_range, _restore

__all__ = ["ups_loss_coefficients", "ups_loss_mw", "ups_efficiency", "transformer_loss_mw"]


def ups_loss_coefficients(eff_full=0.96, eff_quarter=0.94, no_load_loss_frac=0.01, *, part_load_frac=0.25):
    r"""Coefficients :math:`(k_0, k_1, k_2)` of the UPS loss polynomial.

    Parameters
    ----------
    eff_full : float, default 0.96
        Efficiency at rated load [fraction].
    eff_quarter : float, default 0.94
        Efficiency at a quarter load (at ``part_load_frac``) [fraction].
    no_load_loss_frac : float, default 0.01
        Loss at zero load as a fraction of the rating, :math:`k_0` [fraction].
    part_load_frac : float, default 0.25
        Load fraction at which ``eff_quarter`` applies [fraction], in (0, 1).

    Returns
    -------
    tuple of float
        :math:`(k_0, k_1, k_2)` such that loss :math:`= P_r (k_0 + k_1 x + k_2 x^2)`.

    Raises
    ------
    ValueError
        If an input is out of range, or the efficiencies cannot be met with
        non-negative coefficients (e.g. the part-load efficiency is higher
        than the no-load loss allows).

    Notes
    -----
    Loss is taken on the output basis: at load fraction :math:`x` the UPS
    delivers :math:`x P_r` and draws :math:`x P_r / \eta(x)`, so the loss is
    :math:`x P_r (1/\eta(x) - 1)`. Matching the polynomial at :math:`x = 1`
    and :math:`x = x_p` gives two linear equations:

    .. math::

        k_1 + k_2 = \left(\tfrac{1}{\eta_{full}} - 1\right) - k_0, \qquad
        x_p k_1 + x_p^2 k_2 = x_p\left(\tfrac{1}{\eta_p} - 1\right) - k_0

    The defaults describe a double-conversion UPS in a hyperscale or AI
    facility: 96 % at full load lies inside the 90-99 % range of [1]_; the
    fall to 94 % at a quarter load and the 1 % no-load loss are engineering
    assumptions shaped on the part-load curves of [2]_ (efficiency falls
    steeply below about 30 % load, where redundant UPS often run).
    """
    for name, v, lo, hi in (
        ("eff_full", eff_full, 0.0, 1.0),
        ("eff_quarter", eff_quarter, 0.0, 1.0),
        ("part_load_frac", part_load_frac, 0.0, 1.0),
    ):
        _check_range(name, v, lo, hi, lo_open=True, hi_open=name == "part_load_frac", why="must be a fraction")
    _check_range("no_load_loss_frac", no_load_loss_frac, 0.0, 1.0, why="must be a fraction of the rating")
    k0 = float(no_load_loss_frac)
    xp = float(part_load_frac)
    a = 1.0 / float(eff_full) - 1.0 - k0
    b = xp * (1.0 / float(eff_quarter) - 1.0) - k0
    # k1 + k2 = a ; xp k1 + xp^2 k2 = b
    k2 = (b - xp * a) / (xp * xp - xp)
    k1 = a - k2
    if a < 0.0 or k1 < -1e-12 or k2 < -1e-12:
        raise ValueError(
            f"eff_quarter={float(eff_quarter):g} at part_load_frac={xp:g} with eff_full={float(eff_full):g} and "
            f"no_load_loss_frac={k0:g} needs a negative loss coefficient (k1={k1:.4g}, k2={k2:.4g}); "
            "lower no_load_loss_frac or eff_quarter"
        )
    return k0, max(k1, 0.0), max(k2, 0.0)


def ups_loss_mw(load_mw, rated_mw, *, eff_full=0.96, eff_quarter=0.94, no_load_loss_frac=0.01):
    r"""Loss of a UPS at a given output load.

    Parameters
    ----------
    load_mw : float, ndarray or DataArray
        Power delivered by the UPS [MW].
    rated_mw : float or array
        UPS rating [MW] (sum of the modules on line).
    eff_full, eff_quarter, no_load_loss_frac : float
        Efficiency at full load and at a quarter load, and no-load loss
        [fractions]; see :func:`ups_loss_coefficients`.

    Returns
    -------
    float, ndarray or DataArray
        Loss [MW]; the UPS draws ``load_mw + loss``.

    Raises
    ------
    ValueError
        If ``rated_mw`` is not positive, a finite ``load_mw`` is negative, or
        the efficiency inputs are inconsistent.

    Notes
    -----
    The standard three-term loss model, with :math:`x = P/P_r`:

    .. math:: L = P_r\,(k_0 + k_1 x + k_2 x^2)

    :math:`k_0` is the no-load (fixed) loss, :math:`k_1 x` losses proportional
    to current through semiconductors, :math:`k_2 x^2` resistive losses. The
    coefficients follow from the full-load and one part-load efficiency (see
    :func:`ups_loss_coefficients`); efficiency therefore falls at low load.
    Loads above the rating are evaluated with the same polynomial.

    References
    ----------
    .. [1] Shehabi, A., et al. (2024). 2024 United States Data Center Energy
       Usage Report. LBNL-2001637, Lawrence Berkeley National Laboratory,
       Table 4.3 (UPS efficiency 90-99 % for hyperscale and AI data centres).
    .. [2] Ton, M., Fortenbury, B. (2005). High Performance Buildings: Data
       Centers - Uninterruptible Power Supplies (UPS). LBNL / EPRI.
    """
    k0, k1, k2 = ups_loss_coefficients(eff_full, eff_quarter, no_load_loss_frac)
    (p, pr), template = _as_arrays(load_mw, rated_mw)
    _check_range("rated_mw", pr, 0.0, None, lo_open=True, why="a UPS rating must be positive")
    _check_range("load_mw", p, 0.0, None, why="UPS output cannot be negative")
    x = p / pr
    return _restore(pr * (k0 + x * (k1 + k2 * x)), template)


def ups_efficiency(load_frac, *, eff_full=0.96, eff_quarter=0.94, no_load_loss_frac=0.01):
    r"""UPS efficiency at a load fraction.

    Parameters
    ----------
    load_frac : float, ndarray or DataArray
        Output load as a fraction of the rating [fraction].
    eff_full, eff_quarter, no_load_loss_frac : float
        See :func:`ups_loss_coefficients`.

    Returns
    -------
    float, ndarray or DataArray
        Efficiency :math:`x / (x + k_0 + k_1 x + k_2 x^2)` [fraction]; 0 at
        zero load.

    References
    ----------
    .. [1] Shehabi, A., et al. (2024). LBNL-2001637, Table 4.3.
    .. [2] Ton, M., Fortenbury, B. (2005). LBNL / EPRI UPS report.
    """
    k0, k1, k2 = ups_loss_coefficients(eff_full, eff_quarter, no_load_loss_frac)
    (x,), template = _as_arrays(load_frac)
    _check_range("load_frac", x, 0.0, None, why="UPS load cannot be negative")
    return _restore(x / (x + k0 + x * (k1 + k2 * x)), template)


def transformer_loss_mw(load_mw, rated_mva, *, no_load_loss_frac=0.001, load_loss_frac=0.008, power_factor=0.95):
    r"""Loss of a power transformer: no-load (iron) plus load (copper) loss.

    Parameters
    ----------
    load_mw : float, ndarray or DataArray
        Active power through the transformer [MW]; negative for reverse
        flow (export), which loads the windings the same way.
    rated_mva : float or array
        Transformer rating [MVA].
    no_load_loss_frac : float, default 0.001
        Iron loss as a fraction of the rating [fraction]. Engineering
        assumption for large (>= 10 MVA) liquid-immersed units.
    load_loss_frac : float, default 0.008
        Copper loss at rated current as a fraction of the rating [fraction].
        Engineering assumption.
    power_factor : float, default 0.95
        Load power factor [-], used to turn MW into per-unit current.
        Engineering assumption.

    Returns
    -------
    float, ndarray or DataArray
        Loss [MW].

    Raises
    ------
    ValueError
        If ``rated_mva`` is not positive, ``power_factor`` is outside (0, 1],
        or a loss fraction is outside [0, 1).

    Notes
    -----
    With per-unit loading :math:`x = P / (S_r \cos\varphi)`:

    .. math:: L = S_r\,(f_{NL} + f_{LL}\,x^2)

    Published transformer efficiencies for data-centre distribution are a gap;
    the defaults give about 0.5 % loss at 70 % loading, consistent with the
    0-2 % distribution and transformation loss assumed for large data centres
    in [1]_. Losses are counted as active power; the power factor only sets
    the current.

    References
    ----------
    .. [1] Lei, N., Masanet, E. (2022). Climate- and technology-specific PUE
       and WUE estimations for U.S. data centers using a hybrid statistical
       and thermodynamics-based approach. Resources, Conservation and
       Recycling, 182, 106323 (assumption table: power distribution and
       transformation loss 0-2 % for large data centres).
    """
    _check_range("power_factor", power_factor, 0.0, 1.0, lo_open=True, why="a power factor is in (0, 1]")
    _check_range("no_load_loss_frac", no_load_loss_frac, 0.0, 1.0, hi_open=True, why="must be a fraction of the rating")
    _check_range("load_loss_frac", load_loss_frac, 0.0, 1.0, hi_open=True, why="must be a fraction of the rating")
    (p, sr), template = _as_arrays(load_mw, rated_mva)
    _check_range("rated_mva", sr, 0.0, None, lo_open=True, why="a transformer rating must be positive")
    x = p / (sr * float(power_factor))
    return _restore(sr * (float(no_load_loss_frac) + float(load_loss_frac) * x * x), template)
