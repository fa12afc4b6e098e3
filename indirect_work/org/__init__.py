"""Organisations, teams and professions: who delivers the work and where."""
