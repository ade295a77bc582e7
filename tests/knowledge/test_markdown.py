"""Markdown is rendered and sanitised: no script, no javascript: links, no event handlers."""

from html.parser import HTMLParser

import pytest

from salesdesk.knowledge import services
from salesdesk.knowledge.markdown import render


class _Markup(HTMLParser):
    """The tags and attributes a browser would act on (escaped text is harmless)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def markup(html: str) -> list[tuple[str, dict]]:
    parser = _Markup()
    parser.feed(html)
    return parser.tags


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](<javascript:alert(1)>)",
        '<img src=x onerror="alert(1)">',
        "![x](data:text/html;base64,PHNjcmlwdD4=)",
        '<a href="https://ok.example" onclick="evil()">x</a>',
        "[x][r]\n\n[r]: javascript:alert(1)",
    ],
)
def test_hostile_markdown_is_neutralised(source):
    for tag, attrs in markup(render(source)):
        assert tag not in ("script", "iframe", "object", "style")
        assert not any(name.startswith("on") for name in attrs)
        for name in ("href", "src"):
            if name in attrs:
                assert attrs[name].split(":")[0].lower() in ("http", "https", "mailto"), attrs


def test_nh3_strips_what_markdown_would_let_through():
    from salesdesk.knowledge.markdown import sanitise

    html = sanitise('<a href="javascript:alert(1)" onclick="x()">a</a><script>b</script><img src="data:x">')
    assert markup(html) == [("a", {"rel": "noopener noreferrer nofollow"}), ("img", {})]


def test_ordinary_markdown_is_kept():
    html = render("## Steps\n\n1. **Upload** the [metadata](https://learn.example/saml)\n\n`code`")
    assert "<h2>Steps</h2>" in html
    assert "<strong>Upload</strong>" in html
    assert 'href="https://learn.example/saml"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert "<code>code</code>" in html


@pytest.mark.django_db
def test_a_page_never_serves_a_script_from_a_body(specialist, client_as):
    answer = services.answer_create(
        actor=specialist, data={"title": "Q?", "body": "<script>alert('x')</script> [a](javascript:alert(1))"}
    )
    body = client_as(specialist).get(f"/knowledge/answers/{answer.pk}/").content.decode()
    assert "<script>alert" not in body
    assert 'href="javascript:' not in body
