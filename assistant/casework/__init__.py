"""Casework: the graduation path, conflict and safeguarding intake, users and villages, the
trainers' sandbox (``service``); who may do what (``access``: the one access policy); the
CSV/XLSX importer, village reports and exports, NIK hashing.
May import: ``assistant.decisions``, ``assistant.reading``, ``assistant.store``,
``assistant.knowledge``, ``assistant.common``."""
