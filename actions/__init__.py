"""Rasa custom actions: thin adapters that read slots, call the casework and decisions
services and utter.

Served by ``python -m rasa_sdk --actions actions`` from the core environment."""
