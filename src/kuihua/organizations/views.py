"""Organization pages: the directory, profiles, members, lifecycle and partner units.

Views parse input, fetch through the `access_*` selectors (404 for anything the
user may not see or act on) and call services for every write.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from kuihua.core import disclosure
from kuihua.core.pages import apply_service_error, post_only, render_page, require
from kuihua.organizations import services
from kuihua.organizations.forms import (
    DirectoryFilterForm,
    LeaderForm,
    MemberAddForm,
    OrganizationCreateForm,
    OrganizationEditForm,
    PartnerContactForm,
    PartnerForm,
    StageForm,
)
from kuihua.organizations.models import STAGE_ORDER, Organization, Stage
from kuihua.organizations.selectors import (
    access_organization,
    access_organization_for_change,
    access_partner_unit,
    organization_directory,
    organization_members,
    partner_units_visible_to,
)
from kuihua.organizations.services import OrganizationError
from kuihua.registry.selectors import access_resident
from kuihua.registry.selectors import resident_list as select_residents

CANDIDATE_LIMIT = 20


def next_stage(organization: Organization) -> str | None:
    position = STAGE_ORDER.index(organization.stage)
    return STAGE_ORDER[position + 1] if position + 1 < len(STAGE_ORDER) else None


# --- directory ---------------------------------------------------------------


@login_required
def organization_list(request):
    form = DirectoryFilterForm(request.GET or None)
    organizations = organization_directory(request.user, **form.filters())
    page = Paginator(organizations, 50).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "can_create": request.user.has_perm("organizations.add_organization"),
    }
    return render_page(
        request,
        "organizations/organization_list.html",
        "organizations/_organization_rows.html",
        context,
    )


@login_required
def organization_create(request):
    require(request.user, "organizations.add_organization")
    form = OrganizationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.organization_create(actor=request.user, **form.cleaned_data)
        except OrganizationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已创建组织 %(name)s") % {"name": organization.name})
            return redirect("organizations:detail", organization_id=organization.pk)
    return render(request, "organizations/organization_create.html", {"form": form})


# --- profile -----------------------------------------------------------------


def _profile_context(request, organization: Organization, **forms) -> dict:
    user = request.user
    members = list(organization_members(organization))
    can_change = user.has_perm("organizations.change_organization", organization)
    can_stage = user.has_perm("organizations.change_stage", organization)
    following = next_stage(organization)
    context = {
        "organization": organization,
        "members": members,
        "stage_changes": list(organization.stage_changes.select_related("by")),
        "stage_number": STAGE_ORDER.index(organization.stage) + 1,
        "next_stage": following,
        "next_stage_label": Stage(following).label if following else None,
        "can_change": can_change,
        "can_stage": can_stage,
        "can_set_leader": user.has_perm("organizations.set_leader", organization),
        "stage_form": StageForm(initial={"to_stage": following}) if can_stage else None,
        "leader_form": LeaderForm(memberships=members) if can_stage else None,
        "member_form": MemberAddForm() if can_change else None,
    }
    context.update(forms)
    return context


@login_required
def organization_detail(request, organization_id: int):
    organization = access_organization(request.user, organization_id)
    return render(
        request,
        "organizations/organization_detail.html",
        _profile_context(request, organization),
    )


@login_required
def organization_edit(request, organization_id: int):
    organization = access_organization_for_change(request.user, organization_id)
    initial = {
        "description": organization.description,
        "founded_on": organization.founded_on,
        "funds_note": organization.funds_note,
    }
    form = OrganizationEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            if changes:
                services.organization_update(
                    actor=request.user, organization=organization, **changes
                )
        except OrganizationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("organizations:detail", organization_id=organization.pk)
    return render(
        request,
        "organizations/organization_edit.html",
        {"organization": organization, "form": form},
    )


@login_required
def advance_stage(request, organization_id: int):
    organization = access_organization(request.user, organization_id)
    require(request.user, "organizations.change_stage", organization)
    if (refused := post_only(request)) is not None:
        return refused
    form = StageForm(request.POST)
    if form.is_valid():
        try:
            services.organization_advance_stage(
                actor=request.user,
                organization=organization,
                to_stage=form.cleaned_data["to_stage"],
                on=form.cleaned_data["on"],
            )
        except OrganizationError as exc:
            organization.refresh_from_db()
            apply_service_error(form, exc)
        else:
            messages.success(
                request,
                _("已进入“%(stage)s”阶段") % {"stage": organization.get_stage_display()},
            )
            return redirect("organizations:detail", organization_id=organization.pk)
    context = _profile_context(request, organization, stage_form=form)
    return render(request, "organizations/organization_detail.html", context)


@login_required
def set_leader(request, organization_id: int):
    organization = access_organization(request.user, organization_id)
    require(request.user, "organizations.set_leader", organization)
    if (refused := post_only(request)) is not None:
        return refused
    members = list(organization_members(organization))
    form = LeaderForm(request.POST, memberships=members)
    if form.is_valid():
        membership = form.memberships[form.cleaned_data["membership"]]
        try:
            services.organization_set_leader(
                actor=request.user, organization=organization, resident=membership.resident
            )
        except OrganizationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request, _("%(name)s 已成为负责人") % {"name": membership.resident.name}
            )
            return redirect("organizations:detail", organization_id=organization.pk)
    context = _profile_context(request, organization, leader_form=form)
    return render(request, "organizations/organization_detail.html", context)


# --- members -----------------------------------------------------------------


@login_required
def member_search(request, organization_id: int):
    """Residents to add, found with the registry's search; HTMX gets the list only."""
    organization = access_organization_for_change(request.user, organization_id)
    query = request.GET.get("q", "").strip()[:40]
    candidates = []
    notice = disclosure.search_refusal(request.user, query)
    if query:
        try:
            candidates = list(
                select_residents(request.user, query=query).exclude(
                    memberships__organization=organization
                )[:CANDIDATE_LIMIT]
            )
        except disclosure.WholeValueSearchThrottled as exc:
            notice = str(exc)
    context = {
        "organization": organization,
        "query": query,
        "search_notice": notice,
        "candidates": candidates,
        "member_form": MemberAddForm(),
    }
    return render_page(
        request,
        "organizations/member_search.html",
        "organizations/_member_candidates.html",
        context,
    )


@login_required
def member_add(request, organization_id: int):
    organization = access_organization_for_change(request.user, organization_id)
    if (refused := post_only(request)) is not None:
        return refused
    form = MemberAddForm(request.POST)
    if form.is_valid():
        # The resident comes through the same door as every other read.
        resident = access_resident(request.user, form.cleaned_data["resident_id"])
        try:
            services.membership_add(
                actor=request.user,
                organization=organization,
                resident=resident,
                role=form.cleaned_data["role"],
            )
        except OrganizationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("%(name)s 已加入本组织") % {"name": resident.name})
            return redirect("organizations:detail", organization_id=organization.pk)
    context = _profile_context(request, organization, member_form=form)
    return render(request, "organizations/organization_detail.html", context)


@login_required
def member_remove(request, organization_id: int, membership_id: int):
    organization = access_organization_for_change(request.user, organization_id)
    membership = get_object_or_404(organization_members(organization), pk=membership_id)
    if (refused := post_only(request)) is not None:
        return refused
    try:
        services.membership_remove(actor=request.user, membership=membership)
    except OrganizationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已移除成员 %(name)s") % {"name": membership.resident.name})
    return redirect("organizations:detail", organization_id=organization.pk)


# --- partner units -----------------------------------------------------------


@login_required
def partner_list(request):
    partners = partner_units_visible_to(request.user).order_by("kind", "name")
    return render(
        request,
        "organizations/partner_list.html",
        {
            "partners": partners,
            "can_add": request.user.has_perm("organizations.add_partner"),
        },
    )


def _partner_context(user, partner, contact_form=None) -> dict:
    can_set_contact = user.has_perm("organizations.set_partner_contact")
    if can_set_contact and contact_form is None:
        username = partner.contact_user.username if partner.contact_user_id else ""
        contact_form = PartnerContactForm(initial={"username": username})
    return {
        "partner": partner,
        "view_private": user.has_perm("organizations.view_private"),
        "contact_form": contact_form if can_set_contact else None,
    }


@login_required
def partner_detail(request, partner_id: int):
    partner = access_partner_unit(request.user, partner_id)
    return render(
        request, "organizations/partner_detail.html", _partner_context(request.user, partner)
    )


@login_required
def partner_contact(request, partner_id: int):
    """接单人账号: a coordinator names the account that serves the unit's orders."""
    user = request.user
    partner = access_partner_unit(user, partner_id)
    require(user, "organizations.set_partner_contact")
    if (refused := post_only(request)) is not None:
        return refused
    form = PartnerContactForm(request.POST)
    if form.is_valid():
        try:
            partner = services.partner_unit_set_contact(
                actor=user, partner=partner, username=form.cleaned_data["username"]
            )
        except OrganizationError as exc:
            apply_service_error(form, exc)
        else:
            if partner.contact_user_id:
                messages.success(
                    request,
                    _("已设 %(user)s 为接单人账号，可在“我的服务单”查看和处理本单位的服务单")
                    % {"user": partner.contact_user.username},
                )
            else:
                messages.success(request, _("已取消该单位的接单人账号"))
            return redirect("organizations:partner_detail", partner_id=partner.pk)
    context = _partner_context(user, partner, contact_form=form)
    return render(request, "organizations/partner_detail.html", context, status=400)


@login_required
def partner_create(request):
    require(request.user, "organizations.add_partner")
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            partner = services.partner_unit_create(actor=request.user, **form.cleaned_data)
        except OrganizationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已添加共建单位 %(name)s") % {"name": partner.name})
            return redirect("organizations:partner_detail", partner_id=partner.pk)
    return render(request, "organizations/partner_form.html", {"form": form})
