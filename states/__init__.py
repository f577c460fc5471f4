"""The lifecycles as data: states, triggers, sources, destinations and the names of
their guards and effects. One shared machine per lifecycle drives every case."""

from clms.states.case import CASE_LIFECYCLE
from clms.states.lifecycle import Lifecycle
from clms.states.referral import REFERRAL_LIFECYCLE

__all__ = ["CASE_LIFECYCLE", "REFERRAL_LIFECYCLE", "Lifecycle"]
