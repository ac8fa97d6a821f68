"""Rules of procedure (赋制): one version in force per community, written first from a
template, changed only by a vote (docs/adr/0013-council.md).

`rules_in_force` is what every other council service asks: who may raise topics, the
notice a meeting needs, the quorum, and the defaults a vote copies when it opens.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.core.audit import audit
from kuihua.core.errors import ApplicationError
from kuihua.council.models import RulesOfProcedure

# The template a community starts from: the usual practice of residents' councils
# (a week's notice, more than half of the delegates present, one vote per household,
# more than half of those voting, open ballots that may be changed before the close).
TEMPLATE = {
    "who_may_raise": RulesOfProcedure.Raisers.EVERYONE,
    "notice_days": 7,
    "quorum_percent": 50,
    "voters": "household",
    "majority": "simple",
    "secret": False,
    "results_before_close": False,
    "allow_change": True,
}
RULE_FIELDS = tuple(TEMPLATE)


class ProcedureError(ApplicationError):
    """The rules of procedure refuse this; the message is for the user, translated."""


def rules_in_force(community_id: int | None = None) -> RulesOfProcedure | None:
    """The version in force in the current (or given) community, or None before the first."""
    rows = RulesOfProcedure.objects.filter(status=RulesOfProcedure.Status.IN_FORCE)
    if community_id is not None:
        rows = rows.filter(community_id=community_id)
    return rows.first()


def rules_values(rules: RulesOfProcedure | None) -> dict:
    """The rule values of `rules`, or the template's where there are no rules yet."""
    if rules is None:
        return dict(TEMPLATE)
    return {name: getattr(rules, name) for name in RULE_FIELDS}


def _clean(values: dict) -> dict:
    clean = {**TEMPLATE, **{k: v for k, v in values.items() if k in RULE_FIELDS}}
    if clean["who_may_raise"] not in RulesOfProcedure.Raisers.values:
        raise ProcedureError(_("请选择谁可以提议题"), field="who_may_raise")
    # Owners vote only on a compound's matters, never as the council's general rule.
    if clean["voters"] not in ("resident", "household"):
        raise ProcedureError(_("请选择谁来投票"), field="voters")
    if clean["majority"] not in ("simple", "two_thirds", "three_quarters"):
        raise ProcedureError(_("请选择通过要求"), field="majority")
    try:
        notice = int(clean["notice_days"])
        quorum = int(clean["quorum_percent"])
    except (TypeError, ValueError):
        raise ProcedureError(_("通知天数和到会比例须是整数"), field="notice_days") from None
    if not 0 <= notice <= 60:
        raise ProcedureError(_("会议提前通知天数须在 0 到 60 天之间"), field="notice_days")
    if not 0 <= quorum < 100:
        raise ProcedureError(
            _("到会比例须在 0 到 99 之间（超过该比例才算到会）"), field="quorum_percent"
        )
    clean["notice_days"], clean["quorum_percent"] = notice, quorum
    for flag in ("secret", "results_before_close", "allow_change"):
        clean[flag] = bool(clean[flag])
    if clean["secret"] and clean["results_before_close"]:
        raise ProcedureError(
            _("无记名投票不能在截止前公布票数：边投边看票数，就能看出谁投了什么"),
            field="results_before_close",
        )
    return clean


@transaction.atomic
def rules_adopt_first(*, actor, text: str = "", **values) -> RulesOfProcedure:
    """Write a community's first rules, from the template with `values` over it.

    Only the first version is adopted without a vote; later ones go through
    `rules_propose` (procedure_votes.py).
    """
    if RulesOfProcedure.objects.exists():
        raise ProcedureError(_("本社区已有议事规则，修改须提交表决"))
    clean = _clean(values)
    try:
        with transaction.atomic():
            rules = RulesOfProcedure.objects.create(
                version=1,
                status=RulesOfProcedure.Status.IN_FORCE,
                text=(text or "").strip(),
                proposed_by=actor if getattr(actor, "pk", None) else None,
                in_force_from=timezone.now(),
                **clean,
            )
    except IntegrityError:
        raise ProcedureError(_("本社区已有议事规则，修改须提交表决")) from None
    audit(
        actor=actor,
        community_id=rules.community_id,
        action="council.rules.adopt",
        obj=rules,
        new={k: str(v) for k, v in clean.items()},
    )
    return rules


@transaction.atomic
def rules_propose(*, actor, closes_at, reason: str = "", text: str = "", **values):
    """Propose a new version of the rules, and open the vote that decides it.

    The vote runs under the rules in force now (who votes, the majority); the proposal
    comes into force only if it passes (`rules_settle`, called when the vote closes).
    """
    from django.db.models import Max

    from kuihua.council.services import vote_open

    current = (
        RulesOfProcedure.objects.select_for_update()
        .filter(status=RulesOfProcedure.Status.IN_FORCE)
        .first()
    )  # locked: two proposals at once are taken one after the other
    if current is None:
        raise ProcedureError(_("本社区还没有议事规则，请先从模板制定第一版"))
    reason = (reason or "").strip()
    if not reason:
        raise ProcedureError(_("请写明修改理由"), field="reason")
    if RulesOfProcedure.objects.filter(status=RulesOfProcedure.Status.PROPOSED).exists():
        raise ProcedureError(_("已有一项规则修改正在表决，请等表决结束后再提"))
    clean = _clean({**rules_values(current), **values})
    if clean == rules_values(current) and not text:
        raise ProcedureError(_("新规则和现行规则一样，没有需要表决的修改"))
    version = (RulesOfProcedure.objects.aggregate(m=Max("version"))["m"] or 0) + 1
    vote = vote_open(
        actor=actor,
        title=_("修改议事规则（第 %(v)s 版）") % {"v": version},
        closes_at=closes_at,
    )
    proposal = RulesOfProcedure.objects.create(
        version=version,
        status=RulesOfProcedure.Status.PROPOSED,
        text=(text or current.text).strip(),
        reason=reason,
        proposed_by=actor if getattr(actor, "pk", None) else None,
        decided_by=vote,
        **clean,
    )
    audit(
        actor=actor,
        community_id=proposal.community_id,
        action="council.rules.propose",
        obj=proposal,
        new={**{k: str(v) for k, v in clean.items()}, "vote": vote.pk},
    )
    return proposal


def rules_settle(vote) -> RulesOfProcedure | None:
    """Settle the proposal `vote` decides, once it has closed: passed, it comes into force
    and the version it replaces is superseded; failed, it is rejected. Runs inside
    `vote_close`'s transaction; a vote that decides no rules is left alone."""
    from kuihua.council.services import vote_result

    proposal = (
        RulesOfProcedure.objects.select_for_update()
        .filter(decided_by=vote, status=RulesOfProcedure.Status.PROPOSED)
        .first()
    )
    if proposal is None or vote.closed_at is None:
        return None
    if vote_result(vote).passed:
        RulesOfProcedure.objects.filter(status=RulesOfProcedure.Status.IN_FORCE).update(
            status=RulesOfProcedure.Status.SUPERSEDED
        )
        proposal.status = RulesOfProcedure.Status.IN_FORCE
        proposal.in_force_from = vote.closed_at
    else:
        proposal.status = RulesOfProcedure.Status.REJECTED
    proposal.save(update_fields=["status", "in_force_from"])
    audit(
        actor=None,
        community_id=proposal.community_id,
        action="council.rules.settle",
        obj=proposal,
        new={"status": proposal.status, "vote": vote.pk},
    )
    return proposal
