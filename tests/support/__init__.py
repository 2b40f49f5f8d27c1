"""Helpers shared by tests and benchmarks: generators of inputs and oracles. Nothing here
ships with the assistant; it may import the assistant, never the other way round."""
