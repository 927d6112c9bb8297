"""Deterministic tools: chip catalogue, TPP/PD, export classification, fleet compute, power,
fleet comparison, training compute, quantity parsing, and a question router.

Every tool returns a `ToolResult` whose `to_dict()` has the keys `inputs`, `formula`,
`result`, `assumptions`, `sources` (and `chart` for comparisons), so any answer that
relies on a number can show how the number was made and which documents to cite.
"""

from .catalogue import Catalogue, Chip, default_catalogue_path, load_catalogue
from .compare import compare, compare_fleets, make_side
from .errors import ToolInputError, UnknownChipError
from .export import classify_export
from .fleet import H100_SXM_TPP, equivalent_count, fleet_compute
from .named import NamedDefaults
from .power import accelerators_for_capacity, energy_cost, power_estimate
from .quantities import Quantity, format_quantity, parse_quantities, parse_quantity
from .results import ToolResult
from .router import ToolOutcome, route
from .tpp import compute_tpp
from .training import implied_mfu, training_cost, training_flops, training_time

__all__ = [
    "Catalogue",
    "Chip",
    "default_catalogue_path",
    "load_catalogue",
    "compare",
    "compare_fleets",
    "make_side",
    "ToolInputError",
    "UnknownChipError",
    "classify_export",
    "H100_SXM_TPP",
    "equivalent_count",
    "fleet_compute",
    "NamedDefaults",
    "accelerators_for_capacity",
    "energy_cost",
    "power_estimate",
    "Quantity",
    "format_quantity",
    "parse_quantities",
    "parse_quantity",
    "ToolResult",
    "ToolOutcome",
    "route",
    "compute_tpp",
    "implied_mfu",
    "training_cost",
    "training_flops",
    "training_time",
]
