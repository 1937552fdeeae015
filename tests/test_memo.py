"""The speed-ups that remember or skip work give the answers of the work itself: bounded host
memo (not pickled), the URL gate's memo, the affiliate-network pre-check."""

from __future__ import annotations

import pickle

from cleaners import load_rules
from cleaners.hosts import _MEMO_HOSTS
from cleaners.safeurl import _MEMO_LEN, _scheme, is_safe_url, scheme_of
from cleaners.urlparts import _NETWORK_STR, network_domains


def test_host_memo_is_bounded_and_not_pickled() -> None:
    index = load_rules().redirect_index
    hosts = [f"h{i}.example.com" for i in range(_MEMO_HOSTS + 10)] + ["www.amazon.com", "amzn.to"]
    assert [index.matching(h) for h in hosts] == [index._matching(h) for h in hosts]
    assert len(index._memo) <= _MEMO_HOSTS
    copy = pickle.loads(pickle.dumps(index))
    assert copy._memo == {} and copy == index and hash(copy) == hash(index)


def test_gate_memo_answers_as_the_gate() -> None:
    urls = ["https://a.example/x", "java&#10;script:alert(1)", "javascript\\:x", "mailto:a@b.c", "/p"]
    urls.append("data:image/png;base64," + "A" * (_MEMO_LEN + 1))
    for url in urls * 2:
        for md in (False, True):
            assert scheme_of(url, markdown=md) == _scheme(url, md)
    assert not is_safe_url(urls[1]) and not is_safe_url(urls[2], markdown=True) and is_safe_url(urls[0])


def test_network_precheck_skips_only_pages_without_a_network_path() -> None:
    texts = [
        "[deal](https://razer.a9yw.net/c/1234567/890/123) and https://razer.a9yw.net/x1y2",
        "HTTPS://RAZER.A9YW.NET/I/1234567/890/123",
        "//brand.netw.io/\u0130/1234567/890/123",  # "İ" matches [ci] case-insensitively
        "//brand.netw.io/c/\u0661\u0662\u0663\u0664/890/123",  # Arabic-Indic digits are \\d
        "no network path here /c/ but /i/x",
        # matches after "///", a path on a host-less "//", one host twice, "//" inside a query
        "///a.b.io/c/1234/123/123 //c/1234/123/123 //x.y.io/i/1234/123/1234 x.y.io/i/1234/123/123",
        "https://t.example/?u=//n.m.io/C/12345/678/910&v=//p.q.io/c/1234/12/123 //r.s.io/c/1234/123/123x",
        "//a.b.io/c//c/1234/123/123 //d.e.io/c/123/123/123 //K.f.io/c/1234/123/123",
    ]
    for text in texts:
        assert network_domains(text) == _reference(text)
        assert network_domains(text.encode()) == _reference(text.encode().decode("ascii", "replace"))
    assert network_domains(texts[0]) == {"a9yw.net"}


def _reference(text: str) -> frozenset[str]:
    from cleaners.hosts import registrable_domain
    from cleaners.urlparts import _BRAND_TRACKERS

    out = set()
    for raw in _NETWORK_STR.findall(text):
        host = raw.lower()
        domain = registrable_domain(host)
        if domain != host and host.split(".")[0] not in _BRAND_TRACKERS:
            out.add(domain)
    return frozenset(out)


def test_url_memos_are_shared_only_by_pages_with_the_same_inputs() -> None:
    from cleaners import page_context
    from cleaners.context import _memos_by_page
    from cleaners.urls import _MEMO_URLS, UrlCleaner

    rules = load_rules()
    url = "https://www.amazon.com/dp/B0?tag=farm-20&utm_source=x"
    farm_text = "---\ntitle: t\n---\n" + "".join(f.strip() + " " for f in rules.farm_fingerprints)[:200]
    a, _, _ = page_context(rules, "plain page", "https://blog.example/a", [])
    b, _, _ = page_context(rules, "another plain page", "https://blog.example/a", [])
    c, _, _ = page_context(rules, "plain page", "https://other.example/a", [])
    d, farm, _ = page_context(rules, farm_text, "https://blog.example/a", [])
    assert a.urls._cache is b.urls._cache and a.urls._cache is not c.urls._cache
    assert farm == bool(rules.farm_fingerprints) and (not farm or d.urls._cache is not a.urls._cache)
    for ctx in (a, b, c, d, a):
        fresh = UrlCleaner(ctx.urls.rules, ctx.urls.farm_hosts, ctx.urls.base_url, ctx.urls.network_domains)
        for u in (url, "/relative?utm_source=x", "https://blog.example/post", "#top"):
            assert ctx.urls.clean(u) == fresh.clean(u)
            assert ctx.urls.host(u) == fresh.host(u)
            assert ctx.urls.media_verdict(u) == fresh.media_verdict(u)
    for i in range(_MEMO_URLS + 5):
        a.urls.clean(f"https://x.example/{i}")
    assert len(a.urls._cache) <= _MEMO_URLS and len(_memos_by_page) <= 64
