"""Rasa custom actions: thin adapters that read slots, call ``assistant.service`` and utter.

Served by ``python -m rasa_sdk --actions actions`` from the core environment."""
