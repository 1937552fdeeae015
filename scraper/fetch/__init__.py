"""The network: one polite, bounded HTTP client (`client`), its configuration (`config`), the
address guard (`guard`), bodies bounded after decoding (`body`) and the fetch error tree
(`errors`).

May import: `scraper.model`, `scraper.errors`, `scraper.settings`. Never the pipeline.
"""
