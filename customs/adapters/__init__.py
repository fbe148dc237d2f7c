"""Adapters, by what they talk to: database/ (SQL), documents/ (XML we read and write),
authority/ (messages to and from the customs authority), webhooks/ (subscribers over
HTTP) and reference/ (reference files)."""
