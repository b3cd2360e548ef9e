"""Every relative link in the README and in docs/ leads to a file that exists, and to a heading it has.

Anchors are made from headings as GitHub makes them: lower case, punctuation other than `-` and
`_` dropped, spaces turned into `-`, and a repeated heading numbered `-1`, `-2`, …
(GitHub Docs, "Basic writing and formatting syntax": section links). The vendor's documents are
cited by title and section, never by the file names they have in the team's reference folder,
which are not in the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^ *```.*?^ *```", re.S | re.M)
REFERENCE_FILE_NAME = re.compile(r"\b\d{3}_[0-9a-f]{16}\.txt\b")


def prose(page: Path) -> str:
    """The page without its code blocks: links and headings there are not rendered."""
    return FENCE.sub("", page.read_text())


def slug(heading: str) -> str:
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for heading in re.findall(r"^#{1,6} (.+?)\s*#*$", prose(page), re.M):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def relative_links() -> list[tuple[str, str]]:
    links = []
    for page in PAGES:
        # Inline code is not rendered as links either (a regex in backticks may look like one).
        for target in LINK.findall(re.sub(r"`[^`\n]*`", "", prose(page))):
            if not re.match(r"^[a-z]+:", target):  # http:, https:, mailto:
                links.append((str(page.relative_to(ROOT)), target))
    return links


def test_the_slugs_are_githubs():
    # Literal headings of these pages and the anchors GitHub gives them.
    assert slug("`tdce init STACK --cloud aws|gcp`") == "tdce-init-stack---cloud-awsgcp"
    assert slug("Aurora (`database.engine: aurora`)") == "aurora-databaseengine-aurora"
    assert slug("What the machines may reach (egress)") == "what-the-machines-may-reach-egress"


def test_there_are_links_to_check():
    assert len(relative_links()) > 40


@pytest.mark.parametrize(("page", "target"), relative_links(), ids=lambda value: value)
def test_relative_link_resolves(page, target):
    path_part, _, anchor = target.partition("#")
    source = ROOT / page
    destination = (source.parent / path_part).resolve() if path_part else source
    assert destination.exists(), f"{page}: {target} names no file"
    if anchor:
        assert destination.suffix == ".md", f"{page}: {target} has an anchor into a file that is not a page"
        assert anchor in anchors(destination), f"{page}: {destination.name} has no heading for #{anchor}"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_vendor_documents_are_cited_by_title_not_by_file_name(page):
    assert not REFERENCE_FILE_NAME.findall(page.read_text())
