"""`scraper audit`: the data of every removal and change (`data`, `changes`) and its views, the
terminal (`term`) and the self-contained HTML report (`html`).

May import: `store`, `sources`, `model`, `errors`, `cleaners.records`. Not `jobs` or `cli`.
"""
