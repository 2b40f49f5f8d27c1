"""The source of truth: the SQLite file of decisions, users, villages, households and tasks,
via sqlite-utils (``db``: the only module that speaks SQL), and the records it returns
(``records``, ``decision``). May import: ``assistant.common``, ``assistant.knowledge``."""
