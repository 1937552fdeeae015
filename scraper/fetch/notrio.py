"""httpcore loaded without trio, for this package's modules to import before httpx.

httpcore imports trio when it is installed (another program's dependency: selenium brings it),
to support trio event loops; we run on asyncio only, and trio's import costs every `scraper
fetch` and `scraper run` more CPU than a hundred requests. httpcore is imported here with trio
out of reach (its module then falls back to asyncio-only, as where trio is not installed), and
trio stays importable for anything else in the process. Done here, not in the package's
`__init__`, so that a module needing only `scraper.fetch.urls` (the writer, `scraper clean`)
loads no HTTP stack.
"""

import sys

if "httpcore" not in sys.modules and "trio" not in sys.modules:
    sys.modules["trio"] = None  # type: ignore[assignment]  # `import trio` raises ImportError
    try:
        import httpcore  # noqa: F401
    finally:
        del sys.modules["trio"]
