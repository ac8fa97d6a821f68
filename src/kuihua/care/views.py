"""Pages of the care programme."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render

from kuihua.care.models import Alert
from kuihua.care.services import CareError, alert_acknowledge, alert_resolve
from kuihua.core.pages import require


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
