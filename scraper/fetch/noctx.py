"""aiohttp imported without loading the system's CA certificates twice.

aiohttp's connector module builds two default TLS contexts when it is imported (a verified one,
which loads every CA certificate of the system, and an unverified one, which loads them too),
for sessions given no context of their own; the fetcher always gives its own (httpx's, certifi's
roots, as before), so those two are never used, and loading them cost each `scraper fetch` more
CPU than 200 requests. They are built here as contexts that load nothing: the "verified" one
trusts no certificate at all (it fails closed, should anything ever use it). Everything else
is the standard library's as before the import.
"""

import ssl
import sys

if "aiohttp" not in sys.modules:
    _create, _paths = ssl.create_default_context, ssl.SSLContext.set_default_verify_paths

    def _bare(*args: object, **kwargs: object) -> ssl.SSLContext:
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies, with no roots: trusts nothing

    def _no_paths(self: ssl.SSLContext) -> None:
        return None

    ssl.create_default_context = _bare
    ssl.SSLContext.set_default_verify_paths = _no_paths  # type: ignore[method-assign]
    try:
        import aiohttp.connector  # noqa: F401
    finally:
        ssl.create_default_context = _create
        ssl.SSLContext.set_default_verify_paths = _paths  # type: ignore[method-assign]
