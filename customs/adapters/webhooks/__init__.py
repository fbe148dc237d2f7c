"""Webhook subscribers over HTTP: the sender, its URL policy, and sealed secrets."""
