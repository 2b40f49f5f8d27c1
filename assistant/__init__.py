"""Core of the empowerment-program assistant.

Kept free of imports on purpose: ``assistant.channels`` is loaded inside the Rasa server,
whose environment has none of the core's dependencies (see DESIGN.md section 3).
"""
