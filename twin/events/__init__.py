"""Event studies: the seconds to minutes after something fails, from any instant of a run.

``state_at(run_ds, at)`` takes the campus at one instant of a stored run; ``simulate_bus(state,
load_delta_mw, step_s, **opts)`` integrates the campus bus (swing equation, governors, battery
fast frequency response, UFLS, UPS, grid feed) with an exogenous load series.
"""

from __future__ import annotations

from twin.events.bus import simulate_bus
from twin.events.run import event, event_kpis, parse_fault, save_event
from twin.events.state import CampusState, EventError, state_at

__all__ = ["CampusState", "EventError", "event", "event_kpis", "parse_fault", "save_event", "simulate_bus", "state_at"]
