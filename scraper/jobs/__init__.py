"""Work over many documents: the crawl (`crawl`: URLs, feeds, sitemaps, local files), the cron
run (`run`), a batch of local inputs (`batch`) and the cleaning worker pool (`workers`).

May import: everything below it (`sources`, `store`, `fetch`, `pipeline`, `model`, `errors`).
"""
