"""Use cases. They take their collaborators as keyword arguments and know no framework."""
