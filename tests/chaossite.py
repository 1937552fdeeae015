"""A hostile site on 127.0.0.1 for the chaos tests: names that collide, a sitemap index that
breeds a new child on every request, a redirect into a disallowed path, a feed whose items claim
another site's URLs, XML with a DOCTYPE internal subset (entities, external ones included),
markup nested 100,000 deep, slow and endless bodies; and companions: a host whose robots.txt
answers 503, a port nobody listens on, a name that never resolves (.invalid)."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from urllib.parse import quote

from siteserver import Handler, Site

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ARTICLE = (FIXTURES / "farm" / "000_022a837fca80a5ec.txt").read_text("utf-8")
CJK = "漢字" * 45  # 90 characters, 270 bytes of UTF-8: over any file-name limit on its own
COLLIDING = ("/collide/a/b", "/collide/a-b", "/collide/a-b.html", "/Collide/A-B", f"/{CJK}")
OTHER_SITE = "http://victim.invalid"  # what the cross-site feed's items claim to be

LOL = (
    '<?xml version="1.0"?>\n<?xml-stylesheet type="text/xsl" href="/s.xsl"?>\n'
    '<!DOCTYPE urlset [\n <!ENTITY lol "lol">\n'
    ' <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
    ' <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">\n'
    ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n'
    ' <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">\n'
    ' <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">\n'
    ' <!ENTITY xxe SYSTEM "file:///etc/passwd">\n <!-- a ] and a > in a comment -->\n'
    ' <!ENTITY quoted "a ] and a > in a value">\n]>\n'
)


def article(marker: str) -> bytes:
    """The bundled farm article with a line of its own, so each URL's output is told apart."""
    return ARTICLE.replace("Elevate", f"Elevate [{marker}]", 1).encode()


def nested(depth: int) -> bytes:
    text = "<p>" + "The article text survives the flattening of its markup. " * 20 + "</p>"
    return (
        "<!DOCTYPE html><html><head><title>Deep</title></head><body><article>"
        + text
        + "<div>" * depth
        + "<p>"
        + "Deep text is kept, however deep it sits in the markup of the page. " * 10
        + "</p>"
        + "</div>" * depth
        + "</article></body></html>"
    ).encode()


def chaos_site() -> Site:
    site = Site()

    @site.route("/robots.txt")
    def robots(h: Handler) -> None:
        h.send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")

    for path in COLLIDING:  # requested percent-encoded (the CJK one)
        site.static(quote(path), article(path), "text/markdown; charset=utf-8")
    site.static("/private/secret.md", article("secret"), "text/markdown; charset=utf-8")
    site.routes["/go-private"] = lambda h: h.send(302, b"", "text/plain", {"Location": "/private/secret.md"})
    site.static("/nested.html", nested(100_000), "text/html; charset=utf-8")
    _breeding(site)
    _feeds(site)
    _slow(site)
    return site


def _breeding(site: Site) -> None:
    """/breed.xml: a sitemap index whose every answer names a child never seen before."""

    @site.route("/breed.xml")
    def breed(h: Handler) -> None:
        n = site.hits["/breed.xml"]
        body = (
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{site.base}/breed.xml?n={n}</loc></sitemap>"
            f"<sitemap><loc>{site.base}/breed.xml?m={n}</loc></sitemap></sitemapindex>"
        )
        h.send(200, body.encode(), "application/xml")

    @site.route("/doctype-sitemap.xml")
    def doctype(h: Handler) -> None:
        body = (
            LOL + '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{site.base}/collide/a-b</loc></url>"
            f"<url><loc>{site.base}/x-&lol5;</loc></url><url><loc>{site.base}/y-&xxe;</loc></url></urlset>"
        )
        h.send(200, body.encode(), "text/xml")


def _feeds(site: Site) -> None:
    """/cross.xml: items with the full article whose links point to another site."""

    @site.route("/cross.xml")
    def cross(h: Handler) -> None:
        items = "".join(
            f"<item><title>Item {i}</title><link>{OTHER_SITE}/news/story-{i}.html</link>"
            f"<guid>{OTHER_SITE}/news/story-{i}.html</guid><description><![CDATA["
            + "".join(f"<p>{line}</p>" for line in ARTICLE.split("\n\n")[3:12])
            + f"<p>Item {i} of the cross-site feed.</p>]]></description></item>"
            for i in range(3)
        )
        body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>c</title>{items}</channel></rss>'
        h.send(200, body.encode(), "application/rss+xml")


def _slow(site: Site) -> None:
    @site.route("/drip")
    def drip(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", "100000")
        h.end_headers()
        for _ in range(100):
            h.wfile.write(b"x")
            h.wfile.flush()
            time.sleep(0.2)

    @site.route("/endless")
    def endless(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.end_headers()
        chunk = b"<p>" + b"a" * 65533 + b"</p>"
        for _ in range(2000):  # 128 MB unless the client stops first
            h.wfile.write(chunk)
        h.close_connection = True


def robots_503_site() -> Site:
    """A host whose robots.txt answers 503: it must not be crawled in this run."""
    site = Site()
    site.routes["/robots.txt"] = lambda h: h.send(503, b"busy", "text/plain")
    site.static("/page.md", article("robots-503"), "text/markdown; charset=utf-8")
    return site


def closed_port() -> int:
    """A port on 127.0.0.1 nobody listens on (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
