"""Dimensional analysis of a calculation the user states in full ("A hall has 30 MW for IT load and
each 72-GPU rack draws 120 kW. How many full racks can it power?").

The figures of the question become quantities: a physical amount with its unit, read by pint
("30 MW", "120 kW", "4 years", "70 KB"), times counts of things ("72-GPU rack" is 72 GPU per rack,
"US$30,000 each" is dollars per the thing counted before it). The asked quantity's unit comes from
"how many X", "how much X", "per X" and "each X" in the question sentence. The answer is the product
of all the stated figures, each multiplied or divided once, whose dimension is the asked one; a share
scales the figure its own phrase names ("four years at 80% utilisation", "a 15% discount").

Nothing is computed — a ToolInputError says why — when the figures do not say how they combine: a
plain number without a unit ("a PUE of 1.2" may multiply an IT load or divide a grid connection), a
share whose phrase does not place it, two shares, the same amount twice (a sum is no product), a
number left unread, a zero, no fitting product, or two fitting products with different values.

Word classes (what is counted, what "how much memory" asks for, the words of shares, scale suffixes)
are in `assistant/prompts/scenario.yaml`; units are pint's.
"""

from __future__ import annotations

from .asked import Target, target
from .reading import Figure, figures
from .solve import solve
from .units import _REGISTRY, registry

__all__ = ["Figure", "Target", "_REGISTRY", "figures", "registry", "solve", "target"]


