"""One document through the pipeline, pure: bytes and rules in, a cleaned document out.

decode → frontmatter / html (+ metadata, tomarkdown) → attribution → fingerprint, driven by
`core.clean_document`; `nearcopy` clusters the fingerprints of many documents. No I/O, no
globals: safe to run in worker processes or on a cluster.
May import: `cleaners` (its public facade), `scraper.model`, `scraper.errors`,
`scraper.settings`. Nothing above it.
"""
