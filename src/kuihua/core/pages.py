"""Helpers shared by the server-rendered pages of every app.

One view, two renderings (STYLE.md practice 8, after NetBox `utilities/htmx.py`):
a request from HTMX gets the partial template, any other the whole page.
"""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from kuihua.core.errors import ApplicationError


def wants_partial(request) -> bool:
    """An HTMX request for a fragment (not a history restore, which needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def render_page(request, template: str, partial: str, context: dict) -> HttpResponse:
    """The partial for HTMX, the page otherwise; caches keep the two apart."""
    response = render(request, partial if wants_partial(request) else template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def require(user, perm: str, obj=None) -> None:
    """404, not 403: what a user may not act on is not disclosed either."""
    if not user.has_perm(perm, obj):
        raise Http404


def post_only(request) -> HttpResponse | None:
    """405 for anything but POST; call it after the object was fetched (404 first)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


def valid_data(form: forms.Form) -> dict:
    """The fields of a bound form that passed validation (all of them or not); {} if unbound."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return form.cleaned_data


def apply_service_error(form: forms.Form, exc: ApplicationError) -> None:
    """Show a service's error (any ApplicationError) on the field it names, else on the form."""
    field = exc.field
    form.add_error(field if field in form.fields else None, str(exc))
