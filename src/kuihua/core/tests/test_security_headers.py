"""Content-Security-Policy without inline script or style, and a Permissions-Policy,
on every page; and no template that would need either."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import kuihua

TEMPLATES = sorted(Path(kuihua.__file__).parent.glob("*/templates/**/*.html"))
# What a strict policy refuses to run: inline <script> (one without src), <style>
# blocks, style="" attributes, on…="" event handlers, javascript: URLs, and htmx's
# hx-on / js: values, which it evaluates as script.
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:|hx-on|[\"']js:",
    re.IGNORECASE,
)


def test_there_are_templates_to_scan():
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: "/".join(p.parts[-3:]))
def test_no_template_has_inline_script_or_style(template):
    found = [
        f"line {text.count(chr(10), 0, m.start()) + 1}: {m.group(0)}"
        for text in [template.read_text()]
        for m in INLINE.finditer(text)
    ]
    assert not found, "the Content-Security-Policy would refuse these (use kuihua.js/.css)"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/api/me", "/verify/" + "0" * 32 + "/"])
def test_every_answer_carries_the_policies(client, path):
    response = client.get(path)

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions
