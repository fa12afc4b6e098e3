"""Operations: the deployment check, backups with a restore drill, and the retention purge."""
