"""The organizations' part of a resident's export and erasure (registry/personal_data.py).

Export: the person's memberships and the organizations they lead.
Erasure: memberships are deleted (with the resident, by cascade); an organization
they led keeps going without a leader; an organization's description or a branch
secretary that names them keeps its text with their values replaced. StageChange
rows they signed keep the date and the step: their account stays as a nameless
"erased-<id>" account.
"""

from __future__ import annotations

from kuihua.organizations.models import Branch, Membership, Organization, PartnerUnit
from kuihua.registry.personal_data import Erasure, iso


def organizations_export(resident) -> dict:
    return {
        "memberships": [
            {
                "organization": m.organization.name,
                "role": m.role,
                "joined_on": iso(m.joined_on),
            }
            for m in Membership.objects.filter(resident=resident).select_related("organization")
        ],
        "leads": [o.name for o in Organization.objects.filter(leader=resident)],
    }


def organizations_erase(erasure: Erasure) -> None:
    resident = erasure.resident
    erasure.forget_objects(
        Membership, Membership.objects.filter(resident=resident).values_list("pk", flat=True)
    )
    # The leader FK is SET_NULL: the organization stays, led by nobody until one is set.
    # An organization's own text may name them (骨干 in its description, a branch
    # secretary written by name): the values go, the text stays.
    community_id = resident.community_id
    erasure.scrub_rows(
        Organization.objects.filter(community_id=community_id), "description", "funds_note"
    )
    erasure.scrub_rows(Branch.objects.filter(community_id=community_id), "secretary")
    if erasure.account is not None:
        # A unit they served for waits for the coordinator to name another account.
        PartnerUnit.objects.filter(contact_user=erasure.account).update(contact_user=None)
