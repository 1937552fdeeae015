"""`scraper audit`: the data of every removal and change (`data`, `changes`); where originals
are read (`originals`); one view of each document (`rows`), made from a line diff (`mdview`)
or by putting a page's removals back in place (`page`, `align`, `pageview`), with word-level
changes (`words`); narrowing (`filters`); and its outputs: hunks (`hunks`), the terminal
(`term`) and the self-contained HTML report (`html`, `payload`, `render.js`, `report.js`).

May import: `store`, `sources`, `model`, `errors`, `settings`, `pipeline.decode`, `cleaners`,
`cleaners.safeurl`, and lexbor (selectolax) to read pages as the cleaner did. Not `jobs` or
`cli`; nothing from the cleaning pipeline beyond decoding.
"""
