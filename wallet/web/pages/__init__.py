"""HTML pages, built with lxml's E-factory (text escaped by construction)."""
