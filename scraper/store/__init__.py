"""What is kept on disk: run state (SQLite, `state`), raw responses (WARC, `archive`, and
`replay` to read them back as a fetcher), the run lock (`lock`) and output files (`writer`).

May import: `scraper.model`, `scraper.errors`, `scraper.fetch` (types). Never the pipeline.
"""
