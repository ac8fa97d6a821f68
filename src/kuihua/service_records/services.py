"""Every write to service records, corrections, points and certificates.

Rules kept here:

- Hours from attendance are the actual time between check-in and check-out in
  whole minutes, truncated to hundredths of an hour (never rounded up), and
  never more than the activity's `hours_credited`. Travel is not service: the
  organizer's check-in/out marks the service itself.
- The organization that organized the service records and verifies it: only
  its leader or deputy, or a coordinator, verifies, rejects, decides
  corrections and issues certificates; nobody verifies their own hours unless
  they are a coordinator.
- Verification credits points (hours × the community's rate) in the same
  transaction; points are an append-only ledger, and a correction posts an
  adjusting entry at the rate the record earned at.
- A correction never edits silently: the approved change writes a revision
  row (old, new, who, why) shown on the record.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.core.attribution import resolve_project
from kuihua.core.audit import audit
from kuihua.core.crypto import blind_index
from kuihua.core.errors import ApplicationError
from kuihua.core.masking import mask_id_number, mask_name
from kuihua.core.models import Community
from kuihua.notifications.services import notify, recipients_language
from kuihua.service_records.models import (
    Certificate,
    CorrectionRequest,
    PointsEntry,
    PointsRule,
    RecordRevision,
    ServiceRecord,
    VolunteerProfile,
)

HUNDREDTH = Decimal("0.01")
MAX_HOURS_PER_RECORD = Decimal("24")
DEFAULT_POINTS_PER_HOUR = Decimal("1")
CERTIFICATE_CODE_LENGTH = 32


class ServiceRecordError(ApplicationError):
    """A broken rule of service records; `field` names the input at fault."""


# --- helpers -------------------------------------------------------------------------


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


def _account_of(resident):
    """The user account linked to a resident, or None (most residents have none)."""
    if resident is None:
        return None
    from kuihua.accounts.models import User

    return User.objects.filter(resident_id=resident.pk, is_active=True).first()


def _require(actor, perm: str, obj, message: str) -> None:
    if actor is None or not actor.has_perm(perm, obj):
        raise ServiceRecordError(message)


def _not_own(actor, record: ServiceRecord) -> None:
    """Nobody proves their own hours, except a coordinator (the community's office)."""
    if getattr(actor, "is_coordinator", False):
        return
    if actor.resident_id is not None and actor.resident_id == record.volunteer_id:
        raise ServiceRecordError(_("不能审核自己的服务记录"))


def _clean_hours(value, *, field: str = "hours") -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(HUNDREDTH, rounding=ROUND_DOWN)
    except (InvalidOperation, ValueError, TypeError):
        raise ServiceRecordError(_("服务时长格式不正确"), field=field) from None
    if hours <= 0:
        raise ServiceRecordError(_("服务时长必须大于0"), field=field)
    if hours > MAX_HOURS_PER_RECORD:
        raise ServiceRecordError(_("一条记录的服务时长不能超过24小时"), field=field)
    return hours


def attendance_hours(started_at: dt.datetime, ended_at: dt.datetime, *, cap: Decimal) -> Decimal:
    """Actual time served in hours: whole minutes, truncated to 0.01 h, capped by `cap`."""
    minutes = int((ended_at - started_at).total_seconds() // 60)
    if minutes <= 0:
        return Decimal("0.00")
    hours = (Decimal(minutes) / Decimal(60)).quantize(HUNDREDTH, rounding=ROUND_DOWN)
    return min(hours, Decimal(cap).quantize(HUNDREDTH, rounding=ROUND_DOWN))


def points_rate() -> Decimal:
    """Points per verified hour in the community in force (1 unless a coordinator set it)."""
    rate = PointsRule.objects.values_list("points_per_hour", flat=True).first()
    return DEFAULT_POINTS_PER_HOUR if rate is None else rate


def _person_in_charge(organization) -> str:
    leader = organization.leader
    return leader.name if leader is not None else ""


# --- volunteers -------------------------------------------------------------------


@transaction.atomic
def volunteer_profile_ensure(*, resident) -> VolunteerProfile:
    """The resident's volunteer profile, created with a new volunteer number if missing."""
    profile = VolunteerProfile.objects.filter(resident=resident).first()
    if profile is not None:
        return profile
    try:
        with transaction.atomic():
            profile = VolunteerProfile.objects.create(
                community_id=resident.community_id, resident=resident
            )
    except IntegrityError:
        # Someone registered them a moment ago.
        return VolunteerProfile.objects.get(resident=resident)
    code = Community.objects.values_list("code", flat=True).get(pk=resident.community_id)
    profile.number = f"KH-{code.upper()}-{profile.pk:06d}"
    profile.save(update_fields=["number"])
    return profile


@transaction.atomic
def volunteer_profile_update(*, actor, resident, skills: str) -> VolunteerProfile:
    profile = volunteer_profile_ensure(resident=resident)
    old = profile.skills
    profile.skills = skills.strip()[:2000]
    profile.save(update_fields=["skills"])
    audit(
        actor=actor,
        community_id=profile.community_id,
        action="volunteer_profile.update",
        obj=profile,
        old={"skills": old},
        new={"skills": profile.skills},
    )
    return profile


# --- records ----------------------------------------------------------------------


def _counting_record_of(*, volunteer_id, activity) -> ServiceRecord | None:
    """The volunteer's record of `activity` that counts (pending or verified), if any:
    there is one at most (the constraint service_record_once_per_volunteer_activity)."""
    if volunteer_id is None or activity is None:
        return None
    return (
        ServiceRecord.objects.filter(volunteer_id=volunteer_id, activity=activity)
        .exclude(status=ServiceRecord.Status.REJECTED)
        .first()
    )


@transaction.atomic
def record_from_attendance(*, attendance) -> ServiceRecord | None:
    """The service record of a finished attendance, made once (pending verification).

    Called at check-out (by QR, by the organizer, or by the automatic close at
    the activity's end). Returns the existing record when there is one (of this
    attendance, or the volunteer's record of this activity: one activity is one
    record, never a second one to count), and None when there is nothing to
    record: a no-show, no check-in or check-out, a cancelled activity, or less
    than a minute served. The check-out itself is never refused for it.
    """
    existing = ServiceRecord.objects.filter(attendance_id=attendance.pk).first()
    if existing is not None:
        return existing
    if attendance.no_show or not attendance.checked_in_at or not attendance.checked_out_at:
        return None
    signup = attendance.signup
    activity = signup.activity
    if activity.status == activity.Status.CANCELLED:
        return None
    if signup.status != signup.Status.CONFIRMED:
        return None  # cancelled after checking in: nothing served for this sign-up
    # Service time is the part spent within the activity: coming early or staying
    # on after the end is not service (and never more than the hours it credits).
    hours = attendance_hours(
        max(attendance.checked_in_at, activity.starts_at),
        min(attendance.checked_out_at, activity.ends_at),
        cap=activity.hours_credited,
    )
    if hours <= 0:
        return None
    same_activity = _counting_record_of(volunteer_id=signup.resident_id, activity=activity)
    if same_activity is not None:
        return same_activity
    organization = activity.organization
    try:
        with transaction.atomic():
            record = ServiceRecord.objects.create(
                community_id=attendance.community_id,
                volunteer_id=signup.resident_id,
                organization=organization,
                activity=activity,
                attendance=attendance,
                service_item=activity.title[:200],
                project_id=activity.project_id,
                date=timezone.localdate(attendance.checked_in_at),
                started_at=attendance.checked_in_at,
                ended_at=attendance.checked_out_at,
                place=str(activity.room) if activity.room_id else activity.address,
                content=activity.description or activity.title,
                hours=hours,
                person_in_charge=_person_in_charge(organization),
                recorder=attendance.recorded_by,
                source=ServiceRecord.Source.ATTENDANCE,
            )
    except IntegrityError:
        # The same check-out reported twice at once: the other one made it (or the
        # volunteer's record of this activity was made in the meantime).
        return ServiceRecord.objects.filter(
            attendance_id=attendance.pk
        ).first() or _counting_record_of(volunteer_id=signup.resident_id, activity=activity)
    audit(
        actor=attendance.recorded_by,
        community_id=record.community_id,
        action="service_record.create",
        obj=record,
        new={"source": record.source, "hours": str(hours), "attendance": attendance.pk},
    )
    return record


@transaction.atomic
def record_create_manual(
    *,
    actor,
    organization,
    resident,
    date: dt.date,
    hours,
    content: str,
    evidence: str,
    reason: str,
    place: str = "",
    recipients: str = "",
    service_item: str = "",
    project=None,
    quality: str = "",
    person_in_charge: str = "",
) -> ServiceRecord:
    """A record entered by hand by the organizing organization, with evidence and a reason."""
    _require(
        actor,
        "service_records.add_record",
        organization,
        _("只有该组织的负责人或社区工作者可以补录服务记录"),
    )
    if resident.community_id != organization.community_id:
        raise ServiceRecordError(_("该居民不在本社区"), field="resident_id")
    hours = _clean_hours(hours)
    if date > timezone.localdate():
        raise ServiceRecordError(_("服务日期不能晚于今天"), field="date")
    content, evidence, reason = content.strip(), evidence.strip(), reason.strip()
    if not content:
        raise ServiceRecordError(_("请填写服务内容"), field="content")
    if not evidence:
        raise ServiceRecordError(_("请填写证明材料（如签到表、照片说明）"), field="evidence")
    if not reason:
        raise ServiceRecordError(_("请填写补录原因"), field="reason")
    if quality and quality not in ServiceRecord.Quality.values:
        raise ServiceRecordError(_("未知的服务质量评价"), field="quality")
    # Hours are often entered after the fact: a finished project still takes them.
    project = resolve_project(
        project,
        community_id=organization.community_id,
        open_only=False,
        error=ServiceRecordError,
    )
    record = ServiceRecord.objects.create(
        community_id=organization.community_id,
        volunteer=resident,
        organization=organization,
        service_item=(service_item.strip() or content)[:200],
        project=project,
        date=date,
        place=place.strip()[:200],
        recipients=recipients.strip()[:200],
        content=content,
        hours=hours,
        quality=quality,
        person_in_charge=(person_in_charge.strip() or _person_in_charge(organization))[:40],
        recorder=_actor(actor),
        source=ServiceRecord.Source.MANUAL,
        evidence=evidence,
        reason=reason,
    )
    audit(
        actor=actor,
        community_id=record.community_id,
        action="service_record.create",
        obj=record,
        new={
            "source": record.source,
            "hours": str(hours),
            "volunteer": resident.pk,
            "project": record.project_id,
        },
    )
    return record


def _locked(record: ServiceRecord) -> ServiceRecord:
    # `of`: the volunteer may be empty (erased), and PostgreSQL locks no outer join's null side.
    return (
        ServiceRecord.objects.select_for_update(of=("self",))
        .select_related("organization", "volunteer")
        .get(pk=record.pk)
    )


@transaction.atomic
def record_verify(*, actor, record: ServiceRecord, quality: str = "") -> ServiceRecord:
    """Prove a pending record (谁记录谁证明) and credit its points, in one transaction."""
    record = _locked(record)
    _require(
        actor,
        "service_records.verify_record",
        record,
        _("只有记录组织的负责人或社区工作者可以审核"),
    )
    _not_own(actor, record)
    if record.status != ServiceRecord.Status.PENDING:
        raise ServiceRecordError(_("该记录已处理过"))
    if quality and quality not in ServiceRecord.Quality.values:
        raise ServiceRecordError(_("未知的服务质量评价"), field="quality")
    record.status = ServiceRecord.Status.VERIFIED
    record.verified_by = _actor(actor)
    record.verified_at = timezone.now()
    if quality:
        record.quality = quality
    record.save(update_fields=["status", "verified_by", "verified_at", "quality"])
    volunteer_profile_ensure(resident=record.volunteer)
    rate = points_rate()
    points = (record.hours * rate).quantize(HUNDREDTH)
    PointsEntry.objects.create(
        community_id=record.community_id,
        resident_id=record.volunteer_id,
        kind=PointsEntry.Kind.EARN,
        points=points,
        hours=record.hours,
        rate=rate,
        record=record,
        note=record.service_item[:200],
        created_by=_actor(actor),
    )
    audit(
        actor=actor,
        community_id=record.community_id,
        action="service_record.verify",
        obj=record,
        old={"status": ServiceRecord.Status.PENDING},
        new={"status": record.status, "hours": str(record.hours), "points": str(points)},
    )
    with recipients_language():
        notify(
            recipient=_account_of(record.volunteer),
            kind="service_record.verified",
            title=_("服务时长已审核：%(project)s") % {"project": record.service_item},
            body=_(
                "%(date)s 的服务记录 %(hours)s 小时已由%(org)s审核通过，获得爱心积分 %(points)s。"
            )
            % {
                "date": record.date.isoformat(),
                "hours": record.hours,
                "org": record.organization.name,
                "points": points,
            },
            link=reverse("service_records:record", args=[record.pk]),
        )
    return record


@transaction.atomic
def record_reject(*, actor, record: ServiceRecord, reason: str) -> ServiceRecord:
    record = _locked(record)
    _require(
        actor,
        "service_records.verify_record",
        record,
        _("只有记录组织的负责人或社区工作者可以审核"),
    )
    _not_own(actor, record)
    if record.status != ServiceRecord.Status.PENDING:
        raise ServiceRecordError(_("该记录已处理过"))
    reason = reason.strip()
    if not reason:
        raise ServiceRecordError(_("请填写驳回原因"), field="reason")
    record.status = ServiceRecord.Status.REJECTED
    record.verified_by = _actor(actor)
    record.verified_at = timezone.now()
    record.reject_reason = reason[:200]
    record.save(update_fields=["status", "verified_by", "verified_at", "reject_reason"])
    audit(
        actor=actor,
        community_id=record.community_id,
        action="service_record.reject",
        obj=record,
        old={"status": ServiceRecord.Status.PENDING},
        new={"status": record.status, "reason": record.reject_reason},
    )
    with recipients_language():
        notify(
            recipient=_account_of(record.volunteer),
            kind="service_record.rejected",
            title=_("服务记录未通过审核：%(project)s") % {"project": record.service_item},
            body=_("原因：%(reason)s。如有异议，请联系组织重新登记。")
            % {"reason": record.reject_reason},
            link=reverse("service_records:record", args=[record.pk]),
        )
    return record


# --- corrections --------------------------------------------------------------------


@transaction.atomic
def correction_request(
    *, actor, record: ServiceRecord, hours=None, content: str | None = None, reason: str
) -> CorrectionRequest:
    """Ask the recording organization to change a record's hours or content."""
    _require(
        actor,
        "service_records.request_correction",
        record,
        _("只能为自己的服务记录申请更正"),
    )
    if record.status == ServiceRecord.Status.REJECTED:
        raise ServiceRecordError(_("已驳回的记录不能更正，请联系组织方重新登记"))
    if record.volunteer_id is None:
        # Kept for the totals after the volunteer's erasure: nobody's to correct.
        raise ServiceRecordError(_("该记录的志愿者信息已删除，不能更正"))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceRecordError(_("请填写更正理由"), field="reason")
    new_hours = None if hours in (None, "") else _clean_hours(hours)
    new_content = (content or "").strip()
    if new_hours == record.hours:
        new_hours = None
    if new_content == record.content:
        new_content = ""
    if new_hours is None and not new_content:
        raise ServiceRecordError(_("请填写要更正的时长或内容"), field="hours")
    try:
        with transaction.atomic():
            correction = CorrectionRequest.objects.create(
                community_id=record.community_id,
                record=record,
                requested_by=_actor(actor),
                hours=new_hours,
                content=new_content,
                reason=reason,
            )
    except IntegrityError:
        raise ServiceRecordError(_("该记录已有待处理的更正申请")) from None
    audit(
        actor=actor,
        community_id=record.community_id,
        action="correction.request",
        obj=record,
        new={
            "correction": correction.pk,
            "hours": str(new_hours) if new_hours is not None else "",
            "content": new_content,
        },
    )
    organization = record.organization
    with recipients_language():
        notify(
            recipient=_account_of(organization.leader),
            kind="service_record.correction_requested",
            title=_("有一条服务记录的更正申请待处理"),
            body=_("%(project)s（%(date)s）")
            % {"project": record.service_item, "date": record.date},
            link=reverse("service_records:record", args=[record.pk]),
        )
    return correction


@transaction.atomic
def correction_decide(
    *, actor, correction: CorrectionRequest, approve: bool, note: str = ""
) -> CorrectionRequest:
    """Approve (the record changes, with a revision row and adjusted points) or refuse."""
    correction = CorrectionRequest.objects.select_for_update().get(pk=correction.pk)
    record = _locked(correction.record)
    _require(
        actor,
        "service_records.decide_correction",
        record,
        _("只有记录组织的负责人或社区工作者可以处理更正申请"),
    )
    _not_own(actor, record)
    if correction.status != CorrectionRequest.Status.PENDING:
        raise ServiceRecordError(_("该更正申请已处理过"))
    note = (note or "").strip()[:200]
    if not approve and not note:
        raise ServiceRecordError(_("请填写不同意的理由"), field="note")
    correction.status = (
        CorrectionRequest.Status.APPROVED if approve else CorrectionRequest.Status.REJECTED
    )
    correction.decided_by = _actor(actor)
    correction.decided_at = timezone.now()
    correction.decision_note = note
    correction.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    old, new = {}, {}
    if approve:
        if correction.hours is not None and correction.hours != record.hours:
            old["hours"], new["hours"] = str(record.hours), str(correction.hours)
        if correction.content and correction.content != record.content:
            old["content"], new["content"] = record.content, correction.content
        if old:
            _apply_revision(actor=actor, record=record, correction=correction, old=old, new=new)
    audit(
        actor=actor,
        community_id=record.community_id,
        action="correction.approve" if approve else "correction.reject",
        obj=record,
        old=old,
        new={**new, "correction": correction.pk, "note": note},
    )
    with recipients_language():
        title = (
            _("您的更正申请已同意：%(project)s")
            if approve
            else _("您的更正申请未同意：%(project)s")
        ) % {"project": record.service_item}
        notify(
            recipient=_account_of(record.volunteer),
            kind="service_record.correction_decided",
            title=title,
            body=note,
            link=reverse("service_records:record", args=[record.pk]),
        )
    return correction


def _apply_revision(*, actor, record, correction, old: dict, new: dict) -> None:
    RecordRevision.objects.create(
        community_id=record.community_id,
        record=record,
        correction=correction,
        changed_by=_actor(actor),
        reason=correction.reason,
        old=old,
        new=new,
    )
    old_hours = record.hours
    if "hours" in new:
        record.hours = Decimal(new["hours"])
    if "content" in new:
        record.content = new["content"]
    record.save(update_fields=["hours", "content"])
    if (
        record.status == ServiceRecord.Status.VERIFIED
        and record.hours != old_hours
        and record.volunteer_id is not None  # erased since the request: no ledger left
    ):
        # Posted points stay as they are; the difference is a new entry at the
        # rate the record earned at.
        earned = PointsEntry.objects.filter(record=record, kind=PointsEntry.Kind.EARN).first()
        rate = earned.rate if earned is not None and earned.rate is not None else points_rate()
        delta_hours = record.hours - old_hours
        PointsEntry.objects.create(
            community_id=record.community_id,
            resident_id=record.volunteer_id,
            kind=PointsEntry.Kind.ADJUST,
            points=(delta_hours * rate).quantize(HUNDREDTH),
            hours=delta_hours,
            rate=rate,
            record=record,
            correction=correction,
            note=_("更正：%(old)s → %(new)s 小时") % {"old": old_hours, "new": record.hours},
            created_by=_actor(actor),
        )


# --- points -----------------------------------------------------------------------


@transaction.atomic
def points_rule_set(*, actor, points_per_hour) -> PointsRule:
    """Set the community's points per verified hour; applies to verifications from now on."""
    _require(actor, "service_records.change_points_rule", None, _("只有社区工作者可以设置积分规则"))
    try:
        rate = Decimal(str(points_per_hour)).quantize(HUNDREDTH)
    except (InvalidOperation, ValueError):
        raise ServiceRecordError(_("积分格式不正确"), field="points_per_hour") from None
    if rate < 0 or rate > 1000:
        raise ServiceRecordError(_("每小时积分应在0到1000之间"), field="points_per_hour")
    rule = PointsRule.objects.select_for_update().first()
    old = str(rule.points_per_hour) if rule else str(DEFAULT_POINTS_PER_HOUR)
    if rule is None:
        rule = PointsRule.objects.create(points_per_hour=rate)
    else:
        rule.points_per_hour = rate
        rule.save(update_fields=["points_per_hour", "updated_at"])
    audit(
        actor=actor,
        community_id=rule.community_id,
        action="points_rule.set",
        obj=rule,
        old={"points_per_hour": old},
        new={"points_per_hour": str(rate)},
    )
    return rule


@transaction.atomic
def points_spend(*, actor, resident, points, note: str) -> PointsEntry:
    """Spend points (at the charity market): refused beyond the balance, whatever the race.

    The volunteer's profile row is locked first, so two purchases at once see
    each other's entry before deciding.
    """
    _require(actor, "service_records.spend_points", resident, _("没有权限使用积分"))
    return points_debit(actor=actor, resident=resident, points=points, note=note)


@transaction.atomic
def points_debit(*, actor, resident, points, note: str) -> PointsEntry:
    """`points_spend` without its permission check, for a caller that checked a narrower
    one: a sale at the charity market by someone who may sell at that stall
    (kuihua.market.services.sale_record). Same lock, same refusal beyond the balance.
    """
    try:
        amount = Decimal(str(points)).quantize(HUNDREDTH)
    except (InvalidOperation, ValueError):
        raise ServiceRecordError(_("积分格式不正确"), field="points") from None
    if amount <= 0:
        raise ServiceRecordError(_("积分必须大于0"), field="points")
    profile = volunteer_profile_ensure(resident=resident)
    VolunteerProfile.objects.select_for_update().filter(pk=profile.pk).first()
    balance = PointsEntry.objects.filter(resident=resident).aggregate(s=Sum("points"))["s"]
    if (balance or Decimal(0)) < amount:
        raise ServiceRecordError(_("积分余额不足"), field="points")
    entry = PointsEntry.objects.create(
        community_id=resident.community_id,
        resident=resident,
        kind=PointsEntry.Kind.SPEND,
        points=-amount,
        note=note.strip()[:200],
        created_by=_actor(actor),
    )
    audit(
        actor=actor,
        community_id=resident.community_id,
        action="points.spend",
        obj=entry,
        new={"points": str(-amount), "resident": resident.pk},
    )
    return entry


# --- certificates -------------------------------------------------------------------


def certificate_code(number: str) -> str:
    """The verification code of a certificate number: a keyed hash, not guessable."""
    return blind_index(number, purpose="certificate")[:CERTIFICATE_CODE_LENGTH]


def _content_summary(records) -> str:
    """'社区环境清洁 3次 6.00小时；…' for the service items of the period, largest first."""
    rows = (
        records.values("service_item")
        .annotate(n=Count("id"), h=Sum("hours"))
        .order_by("-h", "service_item")[:8]
    )
    parts = [
        _("%(project)s %(n)s次 %(hours)s小时")
        % {"project": r["service_item"], "n": r["n"], "hours": r["h"].quantize(HUNDREDTH)}
        for r in rows
    ]
    return "；".join(parts)


@transaction.atomic
def certificate_issue(
    *,
    actor,
    resident,
    organization,
    period_start: dt.date,
    period_end: dt.date,
    contact: str = "",
) -> Certificate:
    """Issue a certificate of the verified service `resident` gave `organization` in the period."""
    _require(
        actor,
        "service_records.issue_certificate",
        organization,
        _("只有该组织的负责人或社区工作者可以出具证明"),
    )
    if period_end < period_start:
        raise ServiceRecordError(_("截止日期不能早于起始日期"), field="period_end")
    if resident.community_id != organization.community_id:
        raise ServiceRecordError(_("该居民不在本社区"), field="resident_id")
    records = ServiceRecord.objects.filter(
        volunteer=resident,
        organization=organization,
        status=ServiceRecord.Status.VERIFIED,
        date__gte=period_start,
        date__lte=period_end,
    )
    totals = records.aggregate(hours=Sum("hours"), n=Count("id"))
    if not totals["n"]:
        raise ServiceRecordError(_("该时段内没有已审核的服务记录"), field="period_start")
    profile = volunteer_profile_ensure(resident=resident)
    certificate = Certificate.objects.create(
        community_id=organization.community_id,
        resident=resident,
        organization=organization,
        period_start=period_start,
        period_end=period_end,
        hours=totals["hours"].quantize(HUNDREDTH),
        record_count=totals["n"],
        content_summary=_content_summary(records),
        holder_masked_name=mask_name(resident.name),
        holder_masked_id=mask_id_number(resident.id_number),
        volunteer_number=profile.number or "",
        person_in_charge=_person_in_charge(organization),
        handler=str(actor)[:40],
        contact=contact.strip()[:60],
        issued_by=_actor(actor),
    )
    code = Community.objects.values_list("code", flat=True).get(pk=organization.community_id)
    certificate.number = f"{code.upper()}-ZM-{timezone.localdate():%Y}-{certificate.pk:06d}"
    certificate.code = certificate_code(certificate.number)
    certificate.save(update_fields=["number", "code"])
    audit(
        actor=actor,
        community_id=certificate.community_id,
        action="certificate.issue",
        obj=certificate,
        new={
            "number": certificate.number,
            "resident": resident.pk,
            "hours": str(certificate.hours),
            "period": f"{period_start}/{period_end}",
        },
    )
    with recipients_language():
        notify(
            recipient=_account_of(resident),
            kind="service_records.certificate",
            title=_("您的志愿服务证明已出具"),
            body=_("证明编号 %(number)s，可在“我的证明”中下载。") % {"number": certificate.number},
            link=reverse("service_records:certificates"),
        )
    return certificate
