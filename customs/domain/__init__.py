"""The domain: plain values and rules. Imports nothing of Flask, SQL or XML."""
