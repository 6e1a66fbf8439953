"""Allocating a receipt across plan periods (pure rules, no SQL).

A period's *free* amount is its amount minus what other live, not rejected receipts already allocate to it
(drafts and receipts in approval count: two drafts cannot both claim the same money). Rules:
- each allocation is to a live period of the receipt's contract, at most once per period;
- the allocations add up to at most the receipt amount (422);
- no period gets more than its free amount (409: over-allocated);
- by default (no list given) the receipt fills the periods oldest due first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from loam.errors import Conflict, Invalid
from loam.kit.i18n import gettext as _

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Slot:
    """One live plan period as the allocation sees it."""

    plan_id: int
    number: int
    due_on: date
    amount: Decimal
    taken: Decimal  # allocated by other live, not rejected receipts

    @property
    def free(self) -> Decimal:
        return max(self.amount - self.taken, ZERO)


def oldest_first(amount: Decimal, slots: list[Slot]) -> list[tuple[int, Decimal]]:
    """Fill the free amounts of the periods in due-date order (then number) until ``amount`` is used up."""
    out: list[tuple[int, Decimal]] = []
    left = amount
    for slot in sorted(slots, key=lambda s: (s.due_on, s.number, s.plan_id)):
        if left <= ZERO:
            break
        part = min(slot.free, left)
        if part > ZERO:
            out.append((slot.plan_id, part))
            left -= part
    return out


def checked(
    amount: Decimal, wanted: list[tuple[int, Decimal]], slots: list[Slot], currency: str
) -> list[tuple[int, Decimal]]:
    """Validate an explicit allocation list against the rules above; returns it unchanged when it holds."""
    from loam.receivables.common import money

    by_id = {s.plan_id: s for s in slots}
    seen: set[int] = set()
    for plan_id, _part in wanted:
        if plan_id not in by_id:
            raise Invalid(
                _("Plan period %(id)s is not a live period of this contract.", id=plan_id),
                detail={"allocations": _("Choose periods of this contract's plan.")},
            )
        if plan_id in seen:
            raise Invalid(_("Each plan period may appear only once in the allocations."))
        seen.add(plan_id)
    total = sum((part for _pid, part in wanted), ZERO)
    if total > amount:
        raise Invalid(
            _(
                "The allocations add up to %(total)s, more than the receipt amount %(amount)s.",
                total=money(total, currency),
                amount=money(amount, currency),
            ),
            detail={"allocations": str(total), "amount": str(amount)},
        )
    for plan_id, part in wanted:
        slot = by_id[plan_id]
        if part > slot.free:
            raise Conflict(
                _(
                    "Period %(number)s has only %(free)s left to allocate.",
                    number=slot.number,
                    free=money(slot.free, currency),
                ),
                detail={"plan_id": plan_id, "free": str(slot.free), "requested": str(part)},
            )
    return wanted
