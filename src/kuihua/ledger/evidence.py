"""The evidence of a ledger entry (凭据): a photo of a receipt or a PDF.

One place for every page that takes or serves it (the stewards' books, the projects'
funding and expenses): a file is recognised by its first bytes (a name can lie),
refused above 10 MB, stored under a name of our own, and served only as what it is.
"""

from __future__ import annotations

import mimetypes
import uuid

from django import forms
from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
_MAGIC = (
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"%PDF-", "pdf"),
)
EVIDENCE_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "heic": "image/heic",
    "pdf": "application/pdf",
}


def evidence_kind(head: bytes) -> str | None:
    """ "jpg", "png", "webp", "heic" or "pdf" from a file's first bytes; None otherwise."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1"):
        return "heic"
    return None


def evidence_field(label) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=False,
        help_text=_("拍照上传即可，JPG、PNG 或 PDF，不超过 10 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
    )


class EvidenceFormMixin:
    """`clean_evidence` for a form with an `evidence` field: a known kind, not too big."""

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if not upload:
            return None
        if upload.size > EVIDENCE_MAX_BYTES:
            raise forms.ValidationError(_("凭据文件太大了（不能超过 10 MB），请压缩照片后再传。"))
        head = upload.read(16)
        upload.seek(0)
        kind = evidence_kind(head)
        if kind is None:
            raise forms.ValidationError(
                _("凭据只能是照片（JPG、PNG、WEBP、HEIC）或 PDF 文件，请重新选择。")
            )
        # Stored under a name of our own: the phone's file name says nothing useful.
        upload.name = f"{uuid.uuid4().hex}.{kind}"
        return upload


def evidence_response(entry, filename_stem: str) -> FileResponse:
    """The entry's evidence as a private download; 404 when it has none. The caller
    has already decided that this user may see it."""
    if not entry.evidence:
        raise Http404
    stored = entry.evidence.name
    kind = stored.rsplit(".", 1)[-1].lower()
    content_type = EVIDENCE_TYPES.get(kind) or mimetypes.guess_type(stored)[0]
    response = FileResponse(
        entry.evidence.open("rb"),
        content_type=content_type or "application/octet-stream",
        as_attachment=content_type is None,
        filename=f"{filename_stem}.{kind}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
