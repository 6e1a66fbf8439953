"""Duplicate detection across leads, customers and contacts (a read-only, cross-entity index)."""
