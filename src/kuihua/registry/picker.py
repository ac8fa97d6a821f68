"""Picking a resident in a form: type a name, pinyin initials or a phone's last four
digits, and choose from what the registry's search finds (HTMX refreshes the choices as
one types; without JavaScript the 查找 button does the same).

One view, two renderings: the form page includes `registry/_resident_picker.html`,
and an HTMX request for the same URL gets only `registry/_resident_options.html`.
Whole ID numbers and phones are searched only as the registry allows (core.disclosure).
"""

from __future__ import annotations

import contextlib

from django.http import Http404

from kuihua.core import disclosure
from kuihua.registry.selectors import access_resident, resident_list

CANDIDATE_LIMIT = 20


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def resident_candidates(user, query: str, selected_id: int | None) -> list:
    """Residents found by the registry's search, plus the one already chosen."""
    found = list(resident_list(user, query=query)[:CANDIDATE_LIMIT]) if query else []
    if selected_id and all(r.pk != selected_id for r in found):
        with contextlib.suppress(Http404):
            found.insert(0, access_resident(user, selected_id))
    return found


def resident_picker(request, *, name: str, label: str, url: str, form) -> dict:
    """The template context of a picker for the form field `name` (a resident's id)."""
    source = request.POST if request.method == "POST" else request.GET
    query = request.GET.get("q", "").strip()[:40]
    selected = _int(source.get(name))
    notice = disclosure.search_refusal(request.user, query)
    try:
        candidates = resident_candidates(request.user, query, selected)
    except disclosure.WholeValueSearchThrottled as exc:
        candidates, notice = resident_candidates(request.user, "", selected), str(exc)
    return {
        "picker": {
            "name": name,
            "label": label,
            "url": url,
            "query": query,
            "candidates": candidates,
            "notice": notice,
            "selected": selected,
            "errors": form[name].errors if form is not None and name in form.fields else [],
        }
    }
