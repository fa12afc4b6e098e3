"""Impact: what indirect work changed, from the people who received it and from the clinician."""
