"""The guideline's tables: pydantic models of ``knowledge/*.yml`` (``models/``), the loader
that validates and cites them (``loader``), and browsing and search (``browse``).
May import: ``assistant.common``."""
