"""Work over many documents: the crawl (`crawl`: URLs, feeds, sitemaps, local files; with its
`frontier` — each URL once, within bounds — and its `incremental` policy — what need not be
asked for, cleaned or written again), the cron run (`run`), a batch of local inputs (`batch`),
the cleaning of one document (`cleanone`, pure) and the cleaning worker pool (`workers`: workers
only clean; the main process writes).

May import: everything below it (`sources`, `store`, `fetch`, `pipeline`, `model`, `errors`).
"""
