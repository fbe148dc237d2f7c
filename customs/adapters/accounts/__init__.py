"""Credentials for console accounts: password hashing and one-time codes (libraries)."""
