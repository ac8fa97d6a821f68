from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

# What each role can do here, in a line above the areas on the home page (the workbench,
# kuihua.dashboard.workbench_views); the areas are those the role can use
# (kuihua.core.navigation).
ROLE_NOTES = {
    "coordinator": _(
        "下面是社区的各项工作。居民台账、活动、服务时长、需求对接、公益项目、关爱服务和爱心集市都从这里进入。"
    ),
    "org_leader": _(
        "您可以为本组织发布活动、预约场地、审核志愿者的服务时长并出具证明，"
        "管理本组织牵头的公益项目，在爱心集市上摆摊收款。"
    ),
    "volunteer": _(
        "您可以报名参加活动、查看自己的服务时长、证明和爱心积分；"
        "如果您在关爱服务中探访老人或值班，也从这里进入。"
    ),
    "resident": _(
        "您可以报名参加社区活动、提出需要的服务，查看和修改自己家庭的信息，"
        "在“我的积分”里看爱心积分。"
    ),
    "steward": _(
        "您可以在“义管家”里为所管的小区开单、收款、打印收据、发催缴提醒和记账公示；"
        "也可以报名活动、提出需求，并查看自己的服务时长。"
    ),
    "district_viewer": _(
        "您可以查看所辖社区的服务统计、缺口分析、活动总览和关爱服务情况；"
        "用页面上方的“查看社区”切换社区。"
    ),
}


@login_required
@require_POST
def switch_community(request):
    """A district viewer reads one of their communities at a time; this picks which."""
    try:
        community_id = int(request.POST.get("community_id", ""))
    except ValueError:
        raise Http404 from None
    if community_id not in getattr(request, "community_ids", []):
        raise Http404
    request.session["community_id"] = community_id
    return redirect("home")


def csrf_failure(request, reason: str = ""):
    """A form sent from a page that had expired (or from elsewhere): say so in the
    user's language, with a way back, rather than Django's English 403."""
    message = _("页面已过期或表单已失效，请返回上一页刷新后重新提交。")
    return render(request, "403.html", {"exception": message}, status=403)
