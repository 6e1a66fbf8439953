"""Office approvals (办公审批): requests of administrator-defined types, approved through loam.approvals."""
