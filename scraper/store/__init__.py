"""What is kept on disk: run state (SQLite, `state`), raw responses (WARC, `archive`, and
`replay` to read them back as a fetcher), the run lock (`lock`) and output files (`writer`: the
only code that writes an output; it runs in the main process).

May import: `scraper.model`, `scraper.errors`, `scraper.settings`, `scraper.fetch` (config and
errors, for the replaying fetcher). Never the pipeline.
"""
