"""Approval flows (审批流): one engine for contracts, receivables, opportunity project approvals and more."""
