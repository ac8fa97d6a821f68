"""Before one volunteer may have only one record per activity (0006), the duplicates
already there are merged, and the migration prints what it did.

Of the records of one volunteer for one activity that still count (pending or
verified; a rejected one counts nowhere and stays as it is), the one kept is the
verified one, else the earliest (by creation, then id). Each other one is merged
into it:

- it is rejected with the reason "重复记录，已并入记录 #N", so the volunteer sees
  where it went and no total, certificate or project counts it any more; it is not
  deleted: its revisions, decided corrections and points stay with it as history;
- its points, if it had been verified, are taken back by one adjusting entry
  (the ledger is append-only: nothing posted is changed), even if that leaves a
  balance below zero (the report says so);
- its attendance link moves to the kept record if that one has none, so a
  check-out reported again finds the kept record;
- its pending correction moves to the kept record, unless that one has its own
  pending correction: then it is closed as not agreed, saying why;
- certificates already issued are snapshots and are not changed: those whose
  hours include a merged verified record are named in the report, to be issued
  again;
- an audit log row (action "service_record.merge", no actor) is written on both
  records, with the old and new values.

Records of no activity (entered by hand) and records whose volunteer was erased
are not touched.
"""

from decimal import Decimal

from django.db import migrations
from django.db.models import Count, Sum
from django.utils import timezone

MERGED_REASON = "重复记录，已并入记录 #{keeper}"
CORRECTION_CLOSED = "记录重复，已并入记录 #{keeper}，该记录已有待处理的更正申请，请在其上重新申请"
POINTS_NOTE = "重复记录并入 #{keeper}，冲销积分"
RECORD_TYPE = "service_records.servicerecord"
STATUS_RANK = {"verified": 0, "pending": 1}


def merge_duplicates(apps, db) -> list[str]:
    """Merge every group of duplicates; the report's lines (empty when there were none)."""
    Record = apps.get_model("service_records", "ServiceRecord")
    groups = list(
        Record.objects.using(db)
        .filter(activity_id__isnull=False, volunteer_id__isnull=False)
        .exclude(status="rejected")
        .values("volunteer_id", "activity_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("activity_id", "volunteer_id")
    )
    report: list[str] = []
    for group in groups:
        rows = sorted(
            Record.objects.using(db)
            .filter(volunteer_id=group["volunteer_id"], activity_id=group["activity_id"])
            .exclude(status="rejected"),
            key=lambda r: (STATUS_RANK[r.status], r.created_at, r.pk),
        )
        keeper = rows[0]
        for duplicate in rows[1:]:
            report.append(_merge(apps, db, keeper=keeper, duplicate=duplicate))
    return report


def _merge(apps, db, *, keeper, duplicate) -> str:
    Record = apps.get_model("service_records", "ServiceRecord")
    Correction = apps.get_model("service_records", "CorrectionRequest")
    Points = apps.get_model("service_records", "PointsEntry")
    Certificate = apps.get_model("service_records", "Certificate")
    AuditLog = apps.get_model("core", "AuditLog")
    now = timezone.now()
    was = {
        "status": duplicate.status,
        "hours": str(duplicate.hours),
        "attendance": duplicate.attendance_id,
        "verified_by": duplicate.verified_by_id,
        "verified_at": duplicate.verified_at.isoformat() if duplicate.verified_at else None,
    }
    done: dict = {"status": "rejected", "merged_into": keeper.pk}

    # Certificates issued while the duplicate counted (before it is rejected).
    if duplicate.status == "verified":
        certificates = list(
            Certificate.objects.using(db)
            .filter(
                resident_id=duplicate.volunteer_id,
                organization_id=duplicate.organization_id,
                period_start__lte=duplicate.date,
                period_end__gte=duplicate.date,
                issued_at__gte=duplicate.verified_at or duplicate.created_at,
            )
            .order_by("pk")
            .values_list("number", flat=True)
        )
        if certificates:
            done["certificates_to_reissue"] = [n or "" for n in certificates]

    attendance_id = duplicate.attendance_id
    duplicate.status = "rejected"
    duplicate.reject_reason = MERGED_REASON.format(keeper=keeper.pk)[:200]
    duplicate.verified_by_id = None
    duplicate.verified_at = now
    duplicate.attendance_id = None if (attendance_id and not keeper.attendance_id) else attendance_id
    duplicate.save(
        update_fields=["status", "reject_reason", "verified_by", "verified_at", "attendance"]
    )
    if attendance_id and not keeper.attendance_id:
        keeper.attendance_id = attendance_id
        Record.objects.using(db).filter(pk=keeper.pk).update(attendance_id=attendance_id)
        done["attendance_moved"] = attendance_id

    pending = Correction.objects.using(db).filter(record_id=duplicate.pk, status="pending")
    for correction in pending:
        if Correction.objects.using(db).filter(record_id=keeper.pk, status="pending").exists():
            correction.status = "rejected"
            correction.decided_at = now
            correction.decision_note = CORRECTION_CLOSED.format(keeper=keeper.pk)[:200]
            correction.save(update_fields=["status", "decided_at", "decision_note"])
            done.setdefault("corrections_closed", []).append(correction.pk)
        else:
            correction.record_id = keeper.pk
            correction.save(update_fields=["record"])
            done.setdefault("corrections_moved", []).append(correction.pk)

    net = Points.objects.using(db).filter(record_id=duplicate.pk).aggregate(
        points=Sum("points"), hours=Sum("hours")
    )
    balance_note = ""
    if net["points"]:
        earned = (
            Points.objects.using(db).filter(record_id=duplicate.pk, kind="earn").order_by("pk").first()
        )
        Points.objects.using(db).create(
            community_id=duplicate.community_id,
            resident_id=duplicate.volunteer_id,
            kind="adjust",
            points=-net["points"],
            hours=-(net["hours"] or Decimal(0)),
            rate=earned.rate if earned is not None else None,
            record_id=duplicate.pk,
            note=POINTS_NOTE.format(keeper=keeper.pk)[:200],
        )
        done["points_reversed"] = str(-net["points"])
        balance = Points.objects.using(db).filter(resident_id=duplicate.volunteer_id).aggregate(
            s=Sum("points")
        )["s"] or Decimal(0)
        if balance < 0:
            done["balance_below_zero"] = str(balance)
            balance_note = f"，积分余额变为 {balance}"

    for record, old, new in (
        (duplicate, was, done),
        (keeper, {}, {"merged_from": duplicate.pk, **{k: v for k, v in done.items() if k != "status"}}),
    ):
        AuditLog.objects.using(db).create(
            community_id=record.community_id,
            actor=None,
            action="service_record.merge",
            object_type=RECORD_TYPE,
            object_id=record.pk,
            old=old,
            new=new,
        )

    line = (
        f"社区 {duplicate.community_id} 活动 {duplicate.activity_id} 志愿者 {duplicate.volunteer_id}："
        f"记录 #{duplicate.pk}（{was['status']}，{duplicate.hours} 小时）并入 #{keeper.pk}"
        f"（{keeper.status}，{keeper.hours} 小时）"
    )
    if "points_reversed" in done:
        line += f"，冲销积分 {done['points_reversed']}{balance_note}"
    if "corrections_moved" in done:
        line += f"，更正申请移到 #{keeper.pk}"
    if "corrections_closed" in done:
        line += "，待处理的更正申请已关闭"
    if "certificates_to_reissue" in done:
        line += "，需重新出具的证明：" + "、".join(done["certificates_to_reissue"])
    return line


def merge_and_report(apps, schema_editor):
    report = merge_duplicates(apps, schema_editor.connection.alias)
    if report:
        print(f"\n  合并了 {len(report)} 条重复的志愿服务记录（同一志愿者、同一活动）：")
        for line in report:
            print(f"    {line}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_community_moves_to_core"),
        ("service_records", "0004_service_item_and_project"),
    ]

    operations = [
        migrations.RunPython(merge_and_report, migrations.RunPython.noop),
    ]
