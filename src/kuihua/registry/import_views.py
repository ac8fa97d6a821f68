"""The upload page for importing residents or organizations from Excel (coordinators only)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from kuihua.core.sheets import SHEET_KINDS

# A 15,000-row registry sheet is about 1 MB.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("导入内容"),
        # Read when the form is built: every app has registered its kind by then.
        choices=lambda: [(key, kind.label) for key, kind in SHEET_KINDS.items()],
        initial="residents",
    )
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))
    strict = forms.BooleanField(label=_("严格模式：只要有一行有错，就什么也不导入"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _("只支持 .xlsx 格式（旧的 .xls 请在 Excel 中另存为 .xlsx）")
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("文件太大（最大 %(mb)s MB）") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


@login_required
def import_page(request):
    """GET: the form. POST: import, then the row-by-row report (only the report for HTMX)."""
    if not request.user.has_perm("registry.import_data"):
        raise Http404
    report = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            kind = SHEET_KINDS[form.cleaned_data["kind"]]
            upload = form.cleaned_data["file"]
            report = kind.import_file(
                upload,
                actor=request.user,
                strict=form.cleaned_data["strict"],
                source=upload.name,
            )
    else:
        form = ImportForm()
    context = {"form": form, "report": report}
    if request.htmx and request.method == "POST":
        return render(request, "registry/_import_report.html", context)
    return render(request, "registry/import.html", context)
