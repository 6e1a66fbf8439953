"""Duplicate finder and merge of customers, contacts and leads; merges are audited and undoable."""
