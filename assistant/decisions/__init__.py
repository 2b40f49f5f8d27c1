"""Deciding: the validated inputs of each decision kind (``inputs``), the service that runs
the rules engine and stores the decision (``service``), flow diagrams (``diagram``) and
random valid inputs for diagrams and tests (``sampling``).
May import: ``rules``, ``assistant.store``, ``assistant.knowledge``, ``assistant.common``."""
