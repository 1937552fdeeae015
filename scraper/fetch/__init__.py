"""The network: one polite, bounded HTTP client (`client`), the address guard (`guard`),
bodies bounded after decoding (`body`) and the fetch error tree (`errors`).

May import: `scraper.model`, `scraper.errors`. Never the pipeline.
"""
