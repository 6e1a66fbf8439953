"""The recycle bin: soft-deleted customers, leads and contacts, restorable; purged for good by admins."""
