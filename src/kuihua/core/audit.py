"""Writing the audit and access logs. Call inside the service's transaction."""

from __future__ import annotations

from collections.abc import Iterable

from kuihua.core.masking import mask_name
from kuihua.core.models import AccessLog, AuditLog
from kuihua.core.nostore import mark_no_store


def audit(*, actor, community_id: int, action: str, obj, old=None, new=None) -> AuditLog:
    return AuditLog.objects.create(
        community_id=community_id,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        old=old or {},
        new=new or {},
    )


def log_access(
    *,
    user,
    subject,
    action: str = AccessLog.Action.VIEW,
    fields: Iterable[str] = (),
    purpose: str = "",
) -> AccessLog:
    """Record that `user` saw (or exported, or erased) `subject`'s sensitive data.

    The response of the request that logs it carries whole values, so it is marked
    no-store here (`kuihua.core.nostore.NoStoreMiddleware` sets the header): no
    endpoint that reveals can forget it.
    """
    mark_no_store()
    return AccessLog.objects.create(
        community_id=subject.community_id,
        user=user if getattr(user, "pk", None) else None,
        action=action,
        subject_type=subject._meta.label_lower,
        subject_id=subject.pk,
        subject_label=mask_name(getattr(subject, "name", str(subject))),
        fields=sorted(fields),
        purpose=purpose,
    )
