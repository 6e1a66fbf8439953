"""Contracts (合同): numbering, status and approval, product lines, Word templates and print history."""
