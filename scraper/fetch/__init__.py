"""The network: one polite, bounded HTTP client (`client`), its configuration (`config`), the
address guard (`guard`), bodies bounded after decoding (`body`) and the fetch error tree
(`errors`).

May import: `scraper.model`, `scraper.errors`, `scraper.settings`. Never the pipeline.
"""

import sys

# httpcore imports trio when it is installed (another program's dependency: selenium brings it),
# to support trio event loops; we run on asyncio only, and trio's import costs every `scraper
# fetch` and `scraper run` more CPU than a hundred requests. httpcore is imported here with trio
# out of reach (its module then falls back to asyncio-only, as where trio is not installed), and
# trio stays importable for anything else in the process.
if "httpcore" not in sys.modules and "trio" not in sys.modules:
    sys.modules["trio"] = None  # type: ignore[assignment]  # `import trio` raises ImportError
    try:
        import httpcore  # noqa: F401
    finally:
        del sys.modules["trio"]
