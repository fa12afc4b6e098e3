"""People, roles, sign-in and session revocation."""
