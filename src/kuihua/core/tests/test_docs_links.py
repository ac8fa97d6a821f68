"""The repository stands alone: every link in the README and docs/ opens a file inside it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def markdown_files() -> list[Path]:
    return [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").rglob("*.md"))]


def test_every_relative_link_in_the_docs_opens_a_file_of_the_repository():
    broken = []
    for page in markdown_files():
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):  # http:, mailto: …
                continue
            resolved = (page.parent / target).resolve()
            if not resolved.is_relative_to(ROOT) or not resolved.exists():
                broken.append(f"{page.relative_to(ROOT)} → {target}")

    assert broken == []


def test_the_product_overview_lives_in_the_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    assert "../shared" not in readme
    assert "(docs/overview.md)" in readme
