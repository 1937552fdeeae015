"""scraper: syndicated web articles to clean, attributed Markdown."""

__version__ = "0.1.0"
