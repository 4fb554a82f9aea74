"""Simulator of the three source systems (CRM, ticketing, network operations).

`simulate(SimConfig(...))` writes a landing root to the data contract and the ground truth the
audit must reproduce. See docs/simulator.md.
"""

from complaint_trace.simulator.config import SimConfig, SimulationResult
from complaint_trace.simulator.core import simulate

__all__ = ["SimConfig", "SimulationResult", "simulate"]
