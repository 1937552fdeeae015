"""The oracle for hostile input: render what we wrote as a publisher would, parse it as a browser.

The body is rendered by markdown-it-py with raw HTML on and link validation off (so nothing is
cleaned for us), and by Python-Markdown (raw HTML passes, with the tables and fenced-code
extensions), and each HTML parsed by html5lib (the WHATWG parsing algorithm). The front matter
is read by PyYAML (through python-frontmatter). Independent of the code under test: its own scheme
normalisation, its own lists of what may not appear.
"""

from __future__ import annotations

import html
import re
from typing import Any

import frontmatter
import html5lib
import markdown
from markdown_it import MarkdownIt

_MD = MarkdownIt("commonmark", {"html": True})
_MD.validateLink = lambda url: True  # type: ignore[method-assign]

# Elements that run, load, submit, redirect or re-parse their content, and SVG/MathML animation.
FORBIDDEN = frozenset(
    "script iframe object embed applet base meta link form frame frameset style noscript "
    "template textarea title xmp noembed noframes plaintext isindex keygen input button select "
    "animate set animatemotion animatetransform animatecolor handler listener maction "
    "foreignobject".split()
)
URL_ATTRS = frozenset(
    "href src action formaction poster background data cite longdesc lowsrc dynsrc ping codebase "
    "archive manifest icon profile usemap classid values to from by".split()
)
ALLOWED = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_MARKUP = re.compile(r"<[A-Za-z/!?]")


def scheme(url: str) -> str | None:
    """A browser's view of a URL's scheme: C0/space stripped at both ends, tab/LF/CR removed."""
    url = re.sub("[\t\n\r]", "", url.strip("".join(chr(c) for c in range(0x21))))
    m = _SCHEME.match(url)
    return m.group(1).lower() if m else None


def safe_url(url: str) -> bool:
    s = scheme(url)
    return s is None or s in ALLOWED


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def _urls(attr: str, value: str) -> list[str]:
    if attr.endswith("srcset"):
        return [u for u in re.split(r"[\s,]+", value) if u]
    return [value] if attr in URL_ATTRS else []


def body_problems(markdown_body: str) -> list[str]:
    """Everything executable in the body rendered by either renderer (empty when it is inert)."""
    python_markdown = markdown.markdown(markdown_body, extensions=["tables", "fenced_code"])
    return html_problems(_MD.render(markdown_body)) + html_problems(python_markdown)


def html_problems(rendered: str) -> list[str]:
    tree = html5lib.parse(rendered, namespaceHTMLElements=False)
    problems: list[str] = []
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue  # comments
        tag = _local(el.tag)
        if tag in FORBIDDEN:
            problems.append(f"<{tag}> element")
        for name, value in el.attrib.items():
            attr = _local(name if isinstance(name, str) else name[1])
            if attr.startswith("on"):
                problems.append(f"<{tag} {attr}> event handler")
            elif attr in ("style", "srcdoc"):
                problems.append(f"<{tag} {attr}> attribute")
            elif not all(safe_url(u) for u in _urls(attr, value)):
                problems.append(f"<{tag} {attr}={value!r}> URL")
    return problems


def split_output(markdown: str) -> tuple[dict[str, Any], str]:
    post = frontmatter.loads(markdown)
    return dict(post.metadata), post.content


_URL_KEYS = frozenset({"image", "canonical_url", "retrieved_from", "url"})


def _values(data: Any, key: str = "", depth: int = 0) -> list[tuple[str, Any]]:
    if depth > 10:
        return []
    if isinstance(data, dict):
        return [kv for k, v in data.items() for kv in _values(v, str(k), depth + 1)]
    if isinstance(data, list):
        return [kv for v in data for kv in _values(v, key, depth + 1)]
    return [(key, data)]


def front_matter_problems(data: dict[str, Any], allowed_keys: set[str]) -> list[str]:
    problems = [f"extra key {k!r}" for k in data if k not in allowed_keys]
    for key, value in _values(data):
        if not isinstance(value, str):
            continue
        text = html.unescape(value)
        if _MARKUP.search(text):
            problems.append(f"{key}: markup in {value!r}")
        if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in value):
            problems.append(f"{key}: control character in {value!r}")
        s = scheme(text)
        if s is None or s in ALLOWED:
            continue
        # a URL key; or a script URL in any value ("Data: the new oil", a space after the colon, is text)
        if key in _URL_KEYS or (
            s in ("javascript", "vbscript", "data") and not text[len(s) + 1 :][:1].isspace()
        ):
            problems.append(f"{key}: unsafe URL {value!r}")
    return problems


def output_problems(markdown: str, allowed_keys: set[str]) -> list[str]:
    data, body = split_output(markdown)
    return front_matter_problems(data, allowed_keys) + body_problems(body)
