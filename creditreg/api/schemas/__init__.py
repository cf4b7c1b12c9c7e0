"""Typed request and response models of the HTTP API, one module per context.

They are the OpenAPI document's schemas: an integrating unit reads nothing else, so each
model carries a docstring and each field says what it holds.
"""
