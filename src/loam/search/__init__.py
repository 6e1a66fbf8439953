"""Global search over customers, contacts and leads (substring, Chinese included), scoped like every list."""
