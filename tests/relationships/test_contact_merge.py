"""A contact merge carries what we know about the merged contact to the survivor — profile and stage history (when
the survivor has none), competitor preferences, relationship owners, power-map links, intelligence sources and
subjects, executive pairings, roles in deals — leaving behind only what would duplicate the survivor's own; the
undo puts every moved row back."""

from __future__ import annotations

from sqlalchemy import select

from loam.merge import service as merge_service
from loam.merge.schemas import MergeRequest
from loam.opportunities import details as opportunity_details
from loam.opportunities.models import OpportunityContact
from loam.opportunities.schemas import ContactLinkWrite
from loam.relationships import powermap, profiles
from loam.relationships.models import (
    ContactProfile,
    ContactRelationOwner,
    ContactStageChange,
    ExecPairing,
    IntelItem,
    IntelItemContact,
    IntelSource,
    PowerLink,
)
from loam.relationships.schemas_powermap import PowerLinkCreate
from loam.relationships.schemas_profiles import CompetitorPreference, CompetitorPreferencesWrite
from tests.helpers import scope_of
from tests.opportunities.factories import make_opportunity
from tests.relationships import network_factories as nf
from tests.relationships import profiles_factories as pf


def _state(session, keep_id: int, dup_id: int, other_id: int, item_id: int, deal_id: int) -> dict:
    session.expire_all()

    def contacts(model, column, **where):  # type: ignore[no-untyped-def]
        stmt = select(getattr(model, column))
        for k, v in where.items():
            stmt = stmt.where(getattr(model, k) == v)
        return sorted(session.scalars(stmt))

    return {
        "profiles": contacts(ContactProfile, "contact_id"),
        "stages of keep": contacts(ContactStageChange, "to_stage", contact_id=keep_id),
        "owners of keep": contacts(ContactRelationOwner, "user_id", contact_id=keep_id),
        "owners of dup": contacts(ContactRelationOwner, "user_id", contact_id=dup_id),
        "links": sorted(tuple(r) for r in session.execute(select(PowerLink.from_contact_id, PowerLink.to_contact_id))),
        "sources": contacts(IntelSource, "contact_id", item_id=item_id),
        "subject": session.scalar(select(IntelItem.subject_contact_id).where(IntelItem.id == item_id)),
        "pairings": contacts(ExecPairing, "contact_id"),
        "about": contacts(IntelItemContact, "contact_id", item_id=item_id),
        "deal roles": contacts(OpportunityContact, "contact_id", opportunity_id=deal_id),
    }


def test_merge_moves_the_relationship_records_and_undo_puts_them_back(session, ids):
    ar1 = scope_of(session, ids["ar1"])
    customer = nf.customer(session, ids["ar1"], "关系合并客户")
    keep = nf.contact(session, ids["ar1"], customer.id, "黄总", "网络部", level="executive")
    dup = nf.contact(session, ids["ar1"], customer.id, "黄总", "网络部", level="executive")
    other = nf.contact(session, ids["ar1"], customer.id, "李工", "网络部")
    pf.profile(session, ids["ar1"], dup.id, stage=3, support=2)
    profiles.set_competitor_preferences(
        session,
        ar1,
        dup.id,
        CompetitorPreferencesWrite(items=[CompetitorPreference(competitor="友商甲", preference="leaning")]),
    )
    pf.owners(session, ids["ar1"], dup.id, ids["sr1"], ids["fr1"])
    pf.owners(session, ids["ar1"], keep.id, ids["sr1"])  # sr1 owns both: keep's row stays, dup's stays behind
    for a, b in ((dup.id, other.id), (other.id, dup.id), (keep.id, dup.id)):  # the last would link keep to itself
        powermap.add_link(
            session, ar1, customer.id, PowerLinkCreate(from_contact_id=a, to_contact_id=b, kind="influences")
        )
    sources = [nf.src(dup.id), nf.src(other.id)]
    item = nf.item(session, ids["ar1"], customer.id, "黄总调任集团", "org_change", sources,
                   subject_contact_id=dup.id, change="role_changed", contact_ids=[dup.id])  # fmt: skip
    nf.pairing(session, ids["ar1"], dup.id, ids["director"])
    deal = make_opportunity(session, ids["ar1"], "关系合并商机", customer_id=customer.id)
    opportunity_details.link_contact(session, ar1, deal.id, ContactLinkWrite(contact_id=dup.id, role="decision_maker"))
    session.flush()
    before = _state(session, keep.id, dup.id, other.id, item.id, deal.id)
    assert before["profiles"] == [dup.id] and before["stages of keep"] == []

    director = scope_of(session, ids["director"])
    row = merge_service.merge(
        session, director, MergeRequest(entity="contact", survivor_id=keep.id, merged_ids=[dup.id])
    )
    session.flush()
    after = _state(session, keep.id, dup.id, other.id, item.id, deal.id)
    assert after["profiles"] == [keep.id]
    assert profiles.get(session, director, keep.id).stage == 3 and profiles.get(session, director, keep.id).support == 2
    assert after["stages of keep"] == [3]  # the history came with the profile
    assert (after["owners of keep"], after["owners of dup"]) == (sorted([ids["sr1"], ids["fr1"]]), [ids["sr1"]])
    assert after["links"] == sorted([(keep.id, other.id), (other.id, keep.id), (keep.id, dup.id)])
    assert (after["sources"], after["subject"]) == (sorted([keep.id, other.id]), keep.id)
    assert (after["pairings"], after["deal roles"], after["about"]) == ([keep.id], [keep.id], [keep.id])

    merge_service.undo(session, director, row.id)
    session.flush()
    assert _state(session, keep.id, dup.id, other.id, item.id, deal.id) == before


def test_the_survivors_own_profile_is_kept(session, ids):
    customer = nf.customer(session, ids["ar1"], "关系合并客户二")
    keep = nf.contact(session, ids["ar1"], customer.id, "韦主任", "办公室")
    dup = nf.contact(session, ids["ar1"], customer.id, "韦主任", "办公室")
    pf.profile(session, ids["ar1"], keep.id, stage=2, support=1)
    pf.profile(session, ids["ar1"], dup.id, stage=4, support=2)
    director = scope_of(session, ids["director"])
    merge_service.merge(session, director, MergeRequest(entity="contact", survivor_id=keep.id, merged_ids=[dup.id]))
    session.flush()
    kept = profiles.get(session, director, keep.id)
    assert (kept.stage, kept.support) == (2, 1)
    assert session.scalar(select(ContactProfile.stage).where(ContactProfile.contact_id == dup.id)) == 4
