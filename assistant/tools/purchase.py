"""How many units a stated budget buys at a stated unit price: the hardware side of a cost question
("US$50 million for GPUs at US$31,500 apiece"). Servers, networking and discounts are not modelled."""

from __future__ import annotations

import math

from .formatting import fmt_num
from .results import ToolResult
from .validation import check_positive

MAX_USD = 1e13  # above any national budget


def purchase_count(budget_usd: float, unit_price_usd: float) -> ToolResult:
    """Whole units a budget buys: ⌊budget ÷ unit price⌋, with what is left over (US$).

    Raises ToolInputError when either amount is not a positive number below US$10 trillion, or the
    price exceeds the budget."""
    budget = check_positive(budget_usd, "budget_usd", MAX_USD)
    price = check_positive(unit_price_usd, "unit_price_usd", MAX_USD)
    units = math.floor(budget / price)
    left = budget - units * price
    return ToolResult(
        inputs={"budget_usd": budget, "unit_price_usd": price},
        formula=f"units = ⌊US${fmt_num(budget)} ÷ US${fmt_num(price)}⌋ = {fmt_num(units)} "
                f"(US${fmt_num(left)} left over)",
        result={"units": units, "left_over_usd": left, "exact_ratio": budget / price},
        assumptions=["Only the units themselves are bought at the stated price: no servers, networking, "
                     "power, discounts or taxes."],
        sources=[],
    )
