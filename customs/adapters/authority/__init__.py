"""The customs authority: batch messages out, replies in, and the transports between."""
