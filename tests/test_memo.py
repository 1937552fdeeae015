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
