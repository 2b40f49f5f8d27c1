"""Custom Rasa input channels. Loaded by the Rasa server only: no core imports here."""
