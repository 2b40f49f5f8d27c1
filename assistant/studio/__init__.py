"""The trainer studio: a web page for a classroom projector that shows a conversation with
the assistant next to the decision it produced (the flow with the path taken, each step's
guideline citation), a "what if" form that re-runs the decision, teaching scenarios, and
PNG/PDF exports. Trainers and admins only, through signed expiring links (``tokens``);
everything it writes or reads of casework is in the sandbox (``service``), served by
``server`` with the page in ``static/``.
A UI layer like ``assistant.chat`` and ``assistant.cli``: it may import every room below
it (``assistant.chat``, ``assistant.casework`` and down); only ``assistant.cli`` imports it
(``assistant trainer studio-link``)."""
