"""Benchmarks behind `customs bench`: the pipeline against its limit and the obvious
alternative, HTTP under gunicorn, database seeding and status-lookup latency.

A tool, not part of the application: it may reach into customs.adapters (tables, engines)
to build the limit and the alternative, which is why it lives beside the packages.
"""
