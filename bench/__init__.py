"""`make bench`: our pipeline against Rasa's stock default, measured side by side in one run (scripts/bench.py)."""
