"""customs: electronic customs clearance for cross-border e-commerce parcels."""

__version__ = "0.1.0"
