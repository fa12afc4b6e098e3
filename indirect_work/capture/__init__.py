"""Clinician capture: log, list, correct and import indirect-work records."""
