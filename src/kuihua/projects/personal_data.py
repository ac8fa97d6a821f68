"""The projects' part of a resident's export (registry/personal_data.py): the projects
that name them as a beneficiary.

Erasure needs nothing here: deleting the resident removes them from the projects'
beneficiary lists; the projects, their books and their counts stay.
"""

from __future__ import annotations

from kuihua.projects.models import Project


def projects_export(resident) -> dict:
    return {
        "beneficiary_of": [
            {
                "project": p.name,
                "domain": p.domain.name,
                "lead_organization": p.lead_organization.name,
                "starts_on": p.starts_on.isoformat(),
                "ends_on": p.ends_on.isoformat(),
            }
            for p in Project.objects.filter(beneficiaries=resident)
            .select_related("domain", "lead_organization")
            .order_by("starts_on", "id")
        ]
    }
