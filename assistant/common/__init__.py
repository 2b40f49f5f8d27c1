"""The ground floor: errors, file locations, input limits, money amounts and the text
catalogue (``texts.yml``, Indonesian and English). Every other room may import it; it
imports nothing else of the assistant."""
