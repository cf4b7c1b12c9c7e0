"""The web portal and staff console (server-rendered templates)."""
