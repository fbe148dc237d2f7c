"""Adapters: database tables and repositories, XML readers and writers, transports."""
