"""Administration: taxonomy, organisations, teams, people and the audit trail (admins only)."""
