"""Registry pages: residents, households, tags and the access log.

Views parse input, fetch through the `access_*` selectors (404 for anything the
user may not see) and call services for every write. A page that HTMX asks for
gets only its partial template (STYLE.md practice 8).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kuihua.core import disclosure
from kuihua.core.identity import pinyin_keys
from kuihua.core.models import AccessLog
from kuihua.core.pages import apply_service_error, post_only, render_page, require, wants_partial
from kuihua.registry import services
from kuihua.registry.forms import (
    AccessLogFilterForm,
    ConsentForm,
    EmergencyContactForm,
    EraseForm,
    HomeAreaForm,
    OwnerForm,
    ResidentFilterForm,
    ResidentForm,
    ResidentTagsForm,
    SensitiveViewForm,
    TagForm,
)
from kuihua.registry.models import Compound, Resident, Tag
from kuihua.registry.selectors import (
    access_household,
    access_resident,
    compound_electorate,
    household_members,
    household_owners,
)
from kuihua.registry.selectors import resident_list as select_residents
from kuihua.registry.services import RegistryError

PAGE_SIZE = 30

FIELD_LABELS = {
    "id_number": gettext_lazy("身份证号码"),
    "phone": gettext_lazy("联系电话"),
    "health_conditions": gettext_lazy("健康状况"),
    "all": gettext_lazy("全部信息"),
}


def registry_links(user) -> dict:
    """The registry's sub-navigation for this user."""
    import_url = None
    if user.has_perm("registry.import_data"):
        try:
            import_url = reverse("registry:import")
        except NoReverseMatch:
            import_url = None
    return {
        "can_add_resident": user.has_perm("registry.add_resident"),
        "can_manage_tags": user.has_perm("registry.add_tag"),
        "can_view_accesslog": user.has_perm("core.view_accesslog"),
        "can_view_owners": user.has_perm("registry.view_ownership"),
        "import_url": import_url,
    }


# --- residents -------------------------------------------------------------


@login_required
def resident_list(request):
    user = request.user
    is_coordinator = user.has_perm("registry.view_registry")
    if not is_coordinator and user.resident_id is None:
        raise Http404  # a district viewer reads figures; there is no one here for them
    tags = list(Tag.objects.order_by("id")) if is_coordinator else []
    compounds = list(Compound.objects.order_by("name")) if is_coordinator else []
    form = ResidentFilterForm(request.GET or None, tags=tags, compounds=compounds)
    filters = form.filters()
    search_notice = disclosure.search_refusal(user, filters.get("query", ""))
    try:
        residents = select_residents(user, **filters)
    except disclosure.WholeValueSearchThrottled as exc:
        residents, search_notice = Resident.objects.none(), str(exc)
    page = Paginator(residents, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "search_notice": search_notice,
        "show_filters": is_coordinator,
        **registry_links(user),
    }
    return render_page(
        request, "registry/resident_list.html", "registry/_resident_rows.html", context
    )


def _detail_context(request, resident: Resident, **forms) -> dict:
    user = request.user
    can_change = user.has_perm("registry.change_resident", resident)
    tags = list(resident.tags.all())
    context = {
        "resident": resident,
        "household": resident.household,
        "tags": tags,
        "contacts": list(resident.emergency_contacts.all()),
        "consents": list(resident.consents.select_related("recorded_by")),
        "can_sensitive": user.has_perm("registry.view_resident_sensitive", resident),
        "can_change": can_change,
        "can_consent": user.has_perm("registry.record_consent", resident),
        "can_export": user.has_perm("registry.export_resident", resident),
        "can_erase": user.has_perm("registry.erase_resident", resident),
        "can_view_accesslog": user.has_perm("core.view_accesslog"),
        "revealed": None,
        "sensitive_form": SensitiveViewForm(),
        "consent_form": ConsentForm(),
        "contact_form": EmergencyContactForm(),
        "tags_form": ResidentTagsForm(initial={"tags": [str(t.pk) for t in tags]})
        if can_change
        else None,
    }
    context.update(forms)
    return context


@login_required
def resident_detail(request, resident_id: int):
    resident = access_resident(request.user, resident_id)
    return render(request, "registry/resident_detail.html", _detail_context(request, resident))


@login_required
def resident_sensitive(request, resident_id: int):
    """The whole ID number, phone and health conditions; the look is written to the access log."""
    resident = access_resident(request.user, resident_id)
    require(request.user, "registry.view_resident_sensitive", resident)
    if (refused := post_only(request)) is not None:
        return refused
    form = SensitiveViewForm(request.POST)
    purpose = form.cleaned_data["purpose"] if form.is_valid() else ""
    revealed = services.resident_sensitive_view(
        user=request.user, resident=resident, purpose=purpose
    )
    if wants_partial(request):
        context = {
            "resident": resident,
            "revealed": revealed,
            "can_sensitive": True,
            "tags": list(resident.tags.all()),
        }
        return render(request, "registry/_resident_facts.html", context)
    context = _detail_context(request, resident)
    context["revealed"] = revealed
    return render(request, "registry/resident_detail.html", context)


@login_required
def resident_consent(request, resident_id: int):
    resident = access_resident(request.user, resident_id)
    require(request.user, "registry.record_consent", resident)
    if (refused := post_only(request)) is not None:
        return refused
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            services.consent_record(actor=request.user, resident=resident, **form.cleaned_data)
        except RegistryError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已记录授权同意"))
            return redirect(reverse("registry:resident_detail", args=[resident.pk]) + "#consents")
    context = _detail_context(request, resident, consent_form=form)
    return render(request, "registry/resident_detail.html", context)


@login_required
def resident_tags(request, resident_id: int):
    resident = access_resident(request.user, resident_id)
    require(request.user, "registry.change_resident", resident)
    if (refused := post_only(request)) is not None:
        return refused
    form = ResidentTagsForm(request.POST)
    if form.is_valid():
        services.resident_set_tags(actor=request.user, resident=resident, tags=form.selected_tags())
        messages.success(request, _("标签已保存"))
        return redirect(reverse("registry:resident_detail", args=[resident.pk]) + "#tags")
    context = _detail_context(request, resident, tags_form=form)
    return render(request, "registry/resident_detail.html", context)


@login_required
def resident_contact_add(request, resident_id: int):
    resident = access_resident(request.user, resident_id)
    require(request.user, "registry.change_resident", resident)
    if (refused := post_only(request)) is not None:
        return refused
    form = EmergencyContactForm(request.POST)
    if form.is_valid():
        try:
            services.emergency_contact_add(
                actor=request.user, resident=resident, **form.cleaned_data
            )
        except RegistryError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已添加紧急联系人"))
            return redirect(reverse("registry:resident_detail", args=[resident.pk]) + "#contacts")
    context = _detail_context(request, resident, contact_form=form)
    return render(request, "registry/resident_detail.html", context)


@login_required
def resident_export(request, resident_id: int):
    """Everything held about the resident as a JSON download (logged as an export)."""
    resident = access_resident(request.user, resident_id)
    require(request.user, "registry.export_resident", resident)
    if (refused := post_only(request)) is not None:
        return refused
    data = services.resident_export(actor=request.user, resident=resident)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="resident-{resident.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def resident_erase(request, resident_id: int):
    resident = access_resident(request.user, resident_id)
    require(request.user, "registry.erase_resident", resident)
    form = EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.resident_erase(
                actor=request.user, resident=resident, reason=form.cleaned_data["reason"]
            )
        except RegistryError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("该居民的个人信息已删除"))
            return redirect("registry:resident_list")
    return render(request, "registry/resident_erase.html", {"resident": resident, "form": form})


@login_required
def resident_create(request):
    require(request.user, "registry.add_resident")
    initial = {}
    household_id = request.GET.get("household_id", "")
    if household_id.isdigit():
        household = access_household(request.user, int(household_id))
        initial = {
            "compound": household.building.compound_id,
            "building": household.building.name,
            "unit": household.unit,
            "room": household.room,
            "relation_to_head": Resident.Relation.OTHER,
        }
    form = ResidentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            resident = services.resident_create(
                actor=request.user, address=form.address(), **form.values()
            )
        except RegistryError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已登记居民 %(name)s") % {"name": resident.name})
            return redirect("registry:resident_detail", resident_id=resident.pk)
    return render(
        request,
        "registry/resident_form.html",
        {"form": form, "resident": None, **registry_links(request.user)},
    )


@login_required
def resident_edit(request, resident_id: int):
    resident = access_resident(request.user, resident_id)
    require(request.user, "registry.change_resident", resident)
    form = ResidentForm(
        request.POST or None, initial=ResidentForm.initial_for(resident), resident=resident
    )
    if request.method == "POST" and form.is_valid():
        values = form.values()
        if form.address_changed():
            address = form.address()
            # No address left means the person no longer belongs to a household.
            values["address" if address else "household"] = address
        try:
            services.resident_update(actor=request.user, resident=resident, **values)
        except RegistryError as exc:
            resident.refresh_from_db()
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("registry:resident_detail", resident_id=resident.pk)
    return render(
        request,
        "registry/resident_form.html",
        {"form": form, "resident": resident, **registry_links(request.user)},
    )


# --- tags, households, access log -------------------------------------------


def _tag_code(name: str) -> str:
    full, _initials = pinyin_keys(name)
    return slugify(full or name)[:40]


@login_required
def tag_list(request):
    require(request.user, "registry.add_tag")
    form = TagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # The code is the tag's key in links and sheets, never shown: made from the pinyin.
            code = _tag_code(data["name"])
            if not code:
                raise RegistryError(_("请填写标签代码"), field="code")
            services.tag_create(
                actor=request.user,
                name=data["name"],
                code=code,
                is_sensitive=data["is_sensitive"],
            )
        except RegistryError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已添加标签 %(name)s") % {"name": data["name"]})
            return redirect("registry:tag_list")
    tags = Tag.objects.annotate(resident_count=Count("residents")).order_by("id")
    return render(
        request,
        "registry/tag_list.html",
        {"tags": tags, "form": form, **registry_links(request.user)},
    )


@login_required
def household_detail(request, household_id: int):
    """One household: its members, and for those who keep them, the home's floor area
    and its owners (业主), each changed in place."""
    user = request.user
    household = access_household(user, household_id)
    members = list(household_members(household))
    can_change = user.has_perm("registry.change_ownership")
    area_form = HomeAreaForm(initial={"exclusive_area": household.exclusive_area or ""})
    owner_form = OwnerForm(members=members)
    if request.method == "POST":
        if not can_change:
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "area":
                area_form = HomeAreaForm(request.POST)
                if area_form.is_valid():
                    household = services.home_area_set(
                        actor=user,
                        household=household,
                        area=area_form.cleaned_data["exclusive_area"],
                    )
                    messages.success(
                        request,
                        _("已保存 %(home)s 的专有面积：%(area)s ㎡")
                        % {"home": household.address, "area": household.exclusive_area}
                        if household.exclusive_area is not None
                        else _("已清除 %(home)s 的专有面积") % {"home": household.address},
                    )
                    return redirect("registry:household_detail", household_id=household.pk)
            elif action == "add_owner":
                owner_form = OwnerForm(request.POST, members=members)
                if owner_form.is_valid():
                    data = owner_form.cleaned_data
                    member = next((m for m in members if str(m.pk) == data["member"]), None)
                    ownership = services.owner_add(
                        actor=user,
                        household=household,
                        resident=member,
                        name=data["name"],
                        phone=data["phone"],
                    )
                    messages.success(
                        request,
                        _("已登记 %(name)s 为 %(home)s 的业主")
                        % {"name": ownership.name, "home": household.address},
                    )
                    return redirect("registry:household_detail", household_id=household.pk)
            elif action == "remove_owner":
                ownership = next(
                    (
                        o
                        for o in household_owners(household)
                        if str(o.pk) == request.POST.get("ownership")
                    ),
                    None,
                )
                if ownership is None:
                    raise Http404
                services.owner_remove(actor=user, ownership=ownership)
                messages.success(
                    request,
                    _("已把 %(name)s 从 %(home)s 的业主中移除")
                    % {"name": ownership.name, "home": household.address},
                )
                return redirect("registry:household_detail", household_id=household.pk)
        except RegistryError as exc:
            apply_service_error(area_form if action == "area" else owner_form, exc)
    can_view = user.has_perm("registry.view_ownership")
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "members": members,
            "can_add_resident": user.has_perm("registry.add_resident"),
            "can_view_owners": can_view,
            "can_change_owners": can_change,
            "owners": household_owners(household) if can_view else [],
            "area_form": area_form,
            "owner_form": owner_form,
        },
    )


@login_required
def owners_overview(request):
    """业主与面积: each compound's owners as they count in a vote, and what is missing."""
    require(request.user, "registry.view_ownership")
    rows = [
        {"compound": c, "electorate": compound_electorate(c)}
        for c in Compound.objects.order_by("name")
    ]
    return render(
        request,
        "registry/owners_overview.html",
        {"rows": rows, **registry_links(request.user)},
    )


@login_required
def access_log(request):
    require(request.user, "core.view_accesslog")
    form = AccessLogFilterForm(request.GET or None)
    entries = AccessLog.objects.select_related("user").order_by("-at", "-id")
    if form.is_valid():
        if form.cleaned_data["subject_id"]:
            entries = entries.filter(subject_id=form.cleaned_data["subject_id"])
        if form.cleaned_data["action"]:
            entries = entries.filter(action=form.cleaned_data["action"])
    subject_type = request.GET.get("subject_type", "")
    if subject_type:
        entries = entries.filter(subject_type=subject_type)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    for entry in page:
        entry.field_labels = [str(FIELD_LABELS.get(f, f)) for f in entry.fields]
    context = {"form": form, "page": page, **registry_links(request.user)}
    return render_page(request, "registry/access_log.html", "registry/_access_rows.html", context)
