"""Importing tickets from ticketing systems' exports: files, source profiles, mapping, validation and the report."""
