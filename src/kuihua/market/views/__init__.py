"""爱心集市 pages: the stall holder's phone (selling.py), the coordinator's desk (days.py)
and a resident's own points (points.py).

Every page opens its object through the `access_*` selectors (404 for what the user may
not see or act on) and every write is a service; a service's refusal is shown in the
form and records nothing.
"""

from __future__ import annotations

from kuihua.core.errors import ApplicationError

# A service names the input at fault by its own words; the forms here by theirs.
FIELDS = {"code_or_query": "buyer", "resident": "buyer", "price": "price_fen"}


def show_error(form, exc: ApplicationError) -> None:
    """The service's message on the field it names, or above the form (a hidden or unknown
    field: the person cannot act on what they cannot see)."""
    field = FIELDS.get(exc.field or "", exc.field)
    visible = field in form.fields and not form.fields[field].widget.is_hidden
    form.add_error(field if visible else None, str(exc))
