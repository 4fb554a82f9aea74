"""Simulator of the three source systems (CRM, ticketing, network operations).

`simulate(SimConfig(...))` writes a landing root to the data contract and the ground truth the
audit must reproduce; `delivery_batches(landing)` lists its files delivery by delivery, to
replay it. See docs/simulator.md.
"""

from complaint_trace.simulator.batches import Batch, delivery_batches
from complaint_trace.simulator.config import SimConfig, SimulationResult
from complaint_trace.simulator.core import simulate

__all__ = ["Batch", "SimConfig", "SimulationResult", "delivery_batches", "simulate"]
