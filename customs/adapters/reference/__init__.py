"""Reference files: HS codes, destination rules, duty rules and exchange rates."""
