"""The activity taxonomy and the MHSDS code lists an activity is recorded against."""
