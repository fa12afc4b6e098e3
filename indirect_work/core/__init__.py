"""Shared building blocks: database base class, errors, permissions, security helpers."""
