"""Loam: an open-source CRM for large B2B deals with Huawei's account-management method built in."""

__version__ = "0.1.0"
