"""History labels of contract fields and actions, added to the shared audit registry (kit.audit) at import.

``setdefault``: a label another domain registered first for the same name is kept.
"""

from __future__ import annotations

from loam.kit import audit
from loam.kit.i18n import N_

FIELDS = {
    "number": N_("Contract number"),
    "type": N_("Contract type"),
    "opportunity_id": N_("Opportunity"),
    "customer_signatory_id": N_("Customer's signatory"),
    "our_signatory_id": N_("Our signatory"),
    "signing_entity": N_("Signing entity"),
    "amount": N_("Amount"),
    "currency": N_("Currency"),
    "payment_terms": N_("Payment terms"),
    "signed_on": N_("Signed on"),
    "start_on": N_("Start date"),
    "end_on": N_("End date"),
    "approved_at": N_("Approved at"),
    "void_reason": N_("Reason for voiding"),
    "voided_at": N_("Voided at"),
    "voided_by": N_("Voided by"),
    "lines": N_("Product lines"),
    "number_pattern": N_("Number pattern"),
    "expiry_days": N_("Expiry reminder (days before the end)"),
    "types": N_("Contract types"),
    "signing_entities": N_("Signing entities"),
    "active": N_("Active"),
}
ACTIONS = {
    "submit": N_("Submitted for approval"),
    "approve": N_("Approved"),
    "reject": N_("Rejected"),
    "withdraw": N_("Approval withdrawn"),
    "void": N_("Voided"),
}

for _key, _label in FIELDS.items():
    audit.FIELD_LABELS.setdefault(_key, _label)
for _key, _label in ACTIONS.items():
    audit.ACTION_LABELS.setdefault(_key, _label)
