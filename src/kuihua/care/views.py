"""Pages of the care programme."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from kuihua.care import selectors
from kuihua.care.duty import on_duty_now
from kuihua.care.models import Alert
from kuihua.care.services import (
    CareError,
    alert_acknowledge,
    alert_resolve,
    check_in,
    recipient_by_token,
)
from kuihua.care.sweep import last_sweep
from kuihua.core.pages import render_page, require
from kuihua.core.tenancy import use_community


@login_required
def alert_detail(request, alert_id: int):
    """One alert: who, which window, the emergency contacts in order; acknowledge, resolve."""
    require(request.user, "care.handle_alert")
    alert = get_object_or_404(
        Alert.objects.select_related("recipient__resident", "check_in"), pk=alert_id
    )
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "acknowledge":
                alert_acknowledge(actor=request.user, alert=alert)
            else:
                alert_resolve(
                    actor=request.user,
                    alert=alert,
                    outcome=request.POST.get("outcome", ""),
                    note=request.POST.get("note", ""),
                )
            return redirect("care:alert_detail", alert_id=alert.pk)
        except CareError as exc:
            error = str(exc)
    contacts = alert.recipient.resident.emergency_contacts.order_by("priority", "id")
    return render(
        request,
        "care/alert_detail.html",
        {"alert": alert, "contacts": contacts, "outcomes": Alert.Outcome.choices, "error": error},
    )


@never_cache
def self_check_in(request, token: str):
    """我很好: the elder's own page, opened from a saved link, one big button, no password.

    The link's secret is the key (only its hash is stored; a new link retires
    the old). The page shows the first name only and nothing else about the person.
    """
    recipient = recipient_by_token(token)
    if recipient is None:
        raise Http404
    done_at = None
    if request.method == "POST":
        with use_community(recipient.community_id):
            done_at = check_in(actor=None, recipient=recipient, channel="self").at
    return render(
        request,
        "care/self_check_in.html",
        {
            "given_name": recipient.resident.name[1:] or recipient.resident.name,
            "done_at": done_at and timezone.localtime(done_at),
        },
    )


@login_required
def board(request):
    """The duty officer's live board: open alerts, then today's windows, refreshed in place."""
    require(request.user, "care.handle_alert")
    context = {
        **selectors.board(),
        "on_duty": on_duty_now(request.user.community_id),
        "last_sweep": last_sweep(),
    }
    return render_page(request, "care/board.html", "care/_board.html", context)


@login_required
def my_visits(request):
    """A visitor's phone page: the people they look after, one tap per visit outcome."""
    people = selectors.visits_of(request.user)
    error = ""
    if request.method == "POST":
        chosen = next((p for p in people if str(p.pk) == request.POST.get("recipient")), None)
        if chosen is None:
            raise Http404
        try:
            check_in(
                actor=request.user,
                recipient=chosen,
                channel="visit",
                result=request.POST.get("result", ""),
                note=request.POST.get("note", ""),
            )
            return redirect("care:my_visits")
        except CareError as exc:
            error = str(exc)
    return render(request, "care/my_visits.html", {"people": people, "error": error})
