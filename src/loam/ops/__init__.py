"""Operations: backup and restore of the database."""
