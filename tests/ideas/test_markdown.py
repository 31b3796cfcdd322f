"""render_markdown: what people write becomes safe HTML.

Every hostile input is checked the same way: parse the output as a browser would and look at
the elements and attributes that came out, not at the text (escaped text like `&lt;script&gt;`
is harmless and is allowed to show).
"""

from html.parser import HTMLParser

import pytest

from helpathon.ideas.markdown import ALLOWED_TAGS, render_markdown

SAFE_SCHEMES = ("http://", "https://", "mailto:")


class _Elements(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def _elements(text: str) -> list[tuple[str, dict]]:
    return _Elements(render_markdown(text)).elements


def _assert_harmless(text: str) -> None:
    for tag, attrs in _elements(text):
        assert tag in ALLOWED_TAGS, (tag, text)
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert not {"src", "style", "srcdoc", "formaction"} & set(attrs), (tag, attrs)
        href = attrs.get("href")
        if href is not None:
            assert href.strip().lower().startswith(SAFE_SCHEMES), href


HOSTILE = {
    "script": "<script>alert(1)</script>",
    "script-in-paragraph": "Hallo <script src=https://evil.example/x.js></script> Welt",
    "img-onerror": '<img src=x onerror="alert(1)">',
    "svg-onload": "<svg onload=alert(1)>",
    "handler-on-allowed-tag": '<strong onmouseover="alert(1)">fett</strong>',
    "html-link": '<a href="javascript:alert(1)">klick</a>',
    "javascript-link": "[klick](javascript:alert(1))",
    "javascript-link-mixed-case": "[klick](JaVaScRiPt:alert(1))",
    "javascript-link-entity": "[klick](&#106;avascript:alert(1))",
    "javascript-link-whitespace": "[klick](  javascript:alert(1) )",
    "javascript-autolink": "<javascript:alert(1)>",
    "javascript-reference": "[klick][1]\n\n[1]: javascript:alert(1)",
    "vbscript-link": "[klick](vbscript:msgbox(1))",
    "data-link": "[klick](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "data-image": "![bild](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "image": '![bild](https://evil.example/track.png "t")',
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "object": '<object data="https://evil.example/x.swf"></object>',
    "style": "<style>body { display: none }</style>",
    "form": '<form action="https://evil.example"><button formaction="javascript:x">go</button></form>',
    "html-block": "<div>\n<p onclick=alert(1)>Absatz</p>\n</div>",
    "html-comment-breakout": "<!-- --><script>alert(1)</script> -->",
    "link-title-breakout": '[x](https://example.org "a\\" onmouseover=\\"alert(1)")',
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_it_neutralises_hostile_input(text):
    _assert_harmless(text)


@pytest.mark.parametrize("name", ["script", "iframe", "img-onerror", "handler-on-allowed-tag"])
def test_it_shows_raw_html_as_text(name):
    text = HOSTILE[name]
    html = render_markdown(text)

    assert _elements(text) == [("p", {})]
    assert "&lt;" in html


def test_it_renders_no_link_for_a_javascript_url():
    assert [tag for tag, _ in _elements(HOSTILE["javascript-link"])] == ["p"]


def test_it_renders_bold_and_emphasis():
    assert render_markdown("**fett** und *kursiv*") == "<p><strong>fett</strong> und <em>kursiv</em></p>\n"


def test_it_renders_lists():
    assert render_markdown("- eins\n- zwei\n\n1. erstens\n2. zweitens") == (
        "<ul>\n<li>eins</li>\n<li>zwei</li>\n</ul>\n<ol>\n<li>erstens</li>\n<li>zweitens</li>\n</ol>\n"
    )


def test_it_renders_links_with_rel_nofollow():
    [paragraph, link] = _elements('[Stadt](https://example.org/stadt "Die Stadt")')

    assert paragraph == ("p", {})
    assert link == ("a", {"href": "https://example.org/stadt", "title": "Die Stadt", "rel": "nofollow noopener ugc"})


def test_it_renders_autolinks_and_mailto_links_with_rel_nofollow():
    links = [attrs for tag, attrs in _elements("<https://example.org> und [Mail](mailto:team@example.org)") if tag == "a"]

    assert links == [
        {"href": "https://example.org", "rel": "nofollow noopener ugc"},
        {"href": "mailto:team@example.org", "rel": "nofollow noopener ugc"},
    ]


def test_it_renders_inline_code_escaped():
    assert render_markdown("`a < b && <b>`") == "<p><code>a &lt; b &amp;&amp; &lt;b&gt;</code></p>\n"


def test_it_renders_code_blocks_escaped():
    assert render_markdown("```\n<script>alert(1)</script>\n```") == (
        "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>\n"
    )


def test_it_renders_quotes_and_small_headings():
    assert render_markdown("### Ziel\n\n> Zitat") == "<h3>Ziel</h3>\n<blockquote>\n<p>Zitat</p>\n</blockquote>\n"


def test_it_keeps_the_text_of_a_big_heading_without_the_heading():
    # h1 and h2 belong to the page, not to user text.
    html = render_markdown("# Titel")

    assert "Titel" in html and "<h1" not in html


def test_it_renders_nothing_for_nothing():
    assert (render_markdown(""), render_markdown(None)) == ("", "")
