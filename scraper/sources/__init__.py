"""Where documents come from: the sources file (`config`), local inputs (`local`), and what a
fetched document is and points to (`discover`: feeds, sitemaps, robots.txt).

May import: `scraper.model`, `scraper.errors`, `scraper.settings`, `scraper.fetch` (body limits).
"""
