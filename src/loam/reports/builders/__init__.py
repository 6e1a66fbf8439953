"""Report builders: run a report's queries and shape the numbers into tables and charts (service layer)."""
