"""幸福来敲门: the duty board, a district viewer's figures, or a volunteer's own part
(the people they visit, their shifts on the duty line). Nobody else has a page here."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


def care_entry(user) -> str | None:
    from kuihua.care.models import CareRecipient, DutyShift

    if user.has_perm("care.handle_alert"):
        return reverse("care:board")
    if user.has_perm("care.view_figures"):
        return reverse("care:figures")
    visited = CareRecipient.objects.filter(Q(primary_visitor=user) | Q(backup_visitors=user))
    if visited.filter(active=True).exists():
        return reverse("care:my_visits")
    if DutyShift.objects.filter(user=user, day__gte=timezone.localdate()).exists():
        return reverse("care:my_duty")
    return None
