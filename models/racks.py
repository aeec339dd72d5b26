"""IT load: workload utilisation over the day and rack power."""

from __future__ import annotations

import numpy as np

from models import _as_arrays, _check_range, _restore, _restore_dict

__all__ = ["workload_split", "workload_utilisation", "rack_power_kw"]

_SHARE_TOL = 1e-6


def _check_shares(training_share, inference_share, idle_share) -> None:
    for name, v in (
        ("training_share", training_share),
        ("inference_share", inference_share),
        ("idle_share", idle_share),
    ):
        _check_range(name, v, 0.0, 1.0, why="a share of the accelerator fleet is a fraction in [0, 1]")
    total = np.asarray(training_share, float) + np.asarray(inference_share, float) + np.asarray(idle_share, float)
    bad = np.isfinite(total) & (np.abs(total - 1.0) > _SHARE_TOL)
    if np.any(bad):
        s = float(np.asarray(total)[bad].flat[0]) if np.ndim(total) else float(total)
        raise ValueError(
            f"training_share + inference_share + idle_share = {s:g}: the shares must sum to 1"
        )


def workload_split(
    hour_of_day,
    training_share,
    inference_share,
    idle_share,
    *,
    training_utilisation=0.9,
    inference_peak_utilisation=0.6,
    inference_peak_hour=20.0,
    inference_trough_frac=0.4,
):
    r"""Accelerator utilisation split into a training part and an inference part.

    Parameters
    ----------
    hour_of_day : float, ndarray or DataArray
        Local time of day [h], 0 to 24 (fractions allowed).
    training_share, inference_share, idle_share : float
        Shares of the accelerator fleet running training, serving inference,
        or idle [fraction]; they must sum to 1.
    training_utilisation : float, default 0.9
        Utilisation of the dynamic power range by training jobs [fraction].
        Engineering assumption: synchronous training keeps accelerators near
        full power apart from communication phases.
    inference_peak_utilisation : float, default 0.6
        Utilisation of the inference fleet at its daily peak [fraction].
        Engineering assumption (see Notes).
    inference_peak_hour : float, default 20.0
        Local hour of the inference peak [h]. Engineering assumption
        (evening consumer demand).
    inference_trough_frac : float, default 0.4
        Inference utilisation at the daily trough as a fraction of the peak
        [fraction]. Engineering assumption.

    Returns
    -------
    dict
        ``training_frac``, ``inference_frac`` and ``utilisation_frac``
        [fraction of the whole fleet's dynamic range], with
        ``training_frac + inference_frac == utilisation_frac``. Training is
        reported separately because an optimiser may move training energy in
        time.

    Raises
    ------
    ValueError
        If a share or utilisation is outside [0, 1], the shares do not sum to
        1, or a finite ``hour_of_day`` is outside [0, 24].

    Notes
    -----
    Training runs flat:
    :math:`u_{train} = s_{train}\,u_{t}`. Inference follows a raised cosine
    with period 24 h, peaking at :math:`h_p` with trough-to-peak ratio
    :math:`r`:

    .. math::

        u_{inf}(h) = s_{inf}\,u_{p}\left[r + (1 - r)\,
                     \frac{1 + \cos(2\pi (h - h_p)/24)}{2}\right]

    Idle accelerators contribute 0 (their idle power is in
    :func:`rack_power_kw`).

    No numeric diurnal profile of inference load has been published (a gap in
    the literature); the cosine shape, the evening peak, the 0.4 trough ratio
    and the 0.6 peak utilisation are engineering assumptions. They are in line
    with the finding that average and peak power utilisation of LLM inference
    clusters is not high [1]_, and with a reported inference-facility peak of
    about 63 % of the nameplate (TDP) power [2]_: with idle at 30 % of peak,
    :math:`0.3 + 0.7 u = 0.63` gives :math:`u \approx 0.5` at peak.

    References
    ----------
    .. [1] Patel, P., Choukse, E., Zhang, C., Goiri, Í., Warrier, B.,
       Mahalingam, N., Bianchini, R. (2024). Characterizing power management
       opportunities for LLMs in the cloud (POLCA). ASPLOS '24.
       arXiv:2308.12908.
    .. [2] Wilkins, G., Kazhamiaka, F., Rajagopal, R. (2026). From servers to
       sites. arXiv:2603.18383.
    """
    _check_shares(training_share, inference_share, idle_share)
    for name, v in (
        ("training_utilisation", training_utilisation),
        ("inference_peak_utilisation", inference_peak_utilisation),
        ("inference_trough_frac", inference_trough_frac),
    ):
        _check_range(name, v, 0.0, 1.0, why="a utilisation is a fraction in [0, 1]")
    (h,), template = _as_arrays(hour_of_day)
    _check_range("hour_of_day", h, 0.0, 24.0, why="local hour of day runs from 0 to 24")
    r = float(inference_trough_frac)
    shape = 0.5 * (1.0 + np.cos(2.0 * np.pi * (h - float(inference_peak_hour)) / 24.0))
    inference = float(inference_share) * float(inference_peak_utilisation) * (r + (1.0 - r) * shape)
    # h * 0.0 keeps NaN hours as NaN in the flat training part too.
    training = float(training_share) * float(training_utilisation) + h * 0.0
    return _restore_dict(
        {
            "training_frac": training,
            "inference_frac": inference,
            "utilisation_frac": training + inference,
        },
        template,
    )


def workload_utilisation(
    hour_of_day,
    training_share,
    inference_share,
    idle_share,
    *,
    training_utilisation=0.9,
    inference_peak_utilisation=0.6,
    inference_peak_hour=20.0,
    inference_trough_frac=0.4,
):
    """Utilisation of the accelerators' dynamic power range at a local hour.

    Parameters and assumptions as in :func:`workload_split`, of which this
    returns ``utilisation_frac``.

    Returns
    -------
    float, ndarray or DataArray
        Utilisation [fraction, 0-1].

    References
    ----------
    .. [1] Patel, P., Choukse, E., et al. (2024). Characterizing power
       management opportunities for LLMs in the cloud (POLCA). ASPLOS '24.
       arXiv:2308.12908.
    """
    return workload_split(
        hour_of_day,
        training_share,
        inference_share,
        idle_share,
        training_utilisation=training_utilisation,
        inference_peak_utilisation=inference_peak_utilisation,
        inference_peak_hour=inference_peak_hour,
        inference_trough_frac=inference_trough_frac,
    )["utilisation_frac"]


def rack_power_kw(utilisation_frac, rack_kw_max, idle_frac=0.3):
    r"""Electrical power of a rack at a given utilisation.

    Parameters
    ----------
    utilisation_frac : float, ndarray or DataArray
        Utilisation of the dynamic power range [fraction, 0-1].
    rack_kw_max : float or array
        Rack power at full utilisation [kW].
    idle_frac : float, default 0.3
        Idle power as a fraction of full power [fraction]. The default (idle
        about 30 % of peak per accelerator) is a weak figure from a public
        hardware dataset [1]_; scenario values come from the rack catalogue.

    Returns
    -------
    float, ndarray or DataArray
        Rack power [kW].

    Raises
    ------
    ValueError
        If a finite ``utilisation_frac`` or ``idle_frac`` is outside [0, 1] or
        ``rack_kw_max`` is negative.

    Notes
    -----
    .. math:: P = P_{max}\,\left[f_{idle} + (1 - f_{idle})\,u\right]

    For immersion-cooled racks the catalogue's ``rack_kw_max`` should exclude
    server fans, which immersion removes.

    References
    ----------
    .. [1] Hugging Face dataset "ai-inference-hardware-economics-2026"
       (devidasmishra): H100 idle 215 W versus 685 W peak inference power.
    """
    (u, pmax, fidle), template = _as_arrays(utilisation_frac, rack_kw_max, idle_frac)
    _check_range("utilisation_frac", u, 0.0, 1.0 + 1e-9, why="utilisation is a fraction in [0, 1]")
    _check_range("idle_frac", fidle, 0.0, 1.0, why="idle power is a fraction of full power")
    _check_range("rack_kw_max", pmax, 0.0, None, why="rack power cannot be negative")
    return _restore(pmax * (fidle + (1.0 - fidle) * u), template)
