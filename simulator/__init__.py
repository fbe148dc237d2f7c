"""A customs-authority simulator: a separate small web service for the demo, the tests and
integrators without test access to a real authority. Imports nothing of customs or api."""
