"""Team dashboards, commissioner workbooks and the MHSDS extract: all aggregated in SQL."""
