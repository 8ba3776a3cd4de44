"""Generators of hostile uploads and defective photos (made on the fly, never stored as binaries)."""
