"""PostgreSQL: two-character search served by GIN indexes of name bigrams

pg_trgm cannot serve a two-character query (a pattern of fewer than three characters yields no trigram), so on
PostgreSQL "河池" scanned the whole table: 0.4–0.6 s at 1M customers, longest when nothing matches. A two-character
query is a fragment of a name (a city, a surname, a brand): this migration indexes the character pairs of each
lowercased name — ``loam_bigrams(lower(name))``, a text[] of the distinct pairs, in a GIN index on customers.name,
contacts.name, leads.name and leads.company. ``loam.search.repository`` asks ``loam_bigrams(lower(col)) @>
ARRAY[pair]`` and re-checks with ILIKE, so a row matches exactly when its name contains the pair. SQLite is not
touched (its FTS5 trigram vocabulary serves two characters already, see i3b_search).

Revision ID: i5c_search_bigrams
Revises: i5b_scenario_version
Create Date: 2026-12-03 15:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "i5c_search_bigrams"
down_revision: str | None = "i5b_scenario_version"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column): the names a two-character query looks in (loam.search.repository.BIGRAM_COLUMNS).
INDEXED = (("customers", "name"), ("contacts", "name"), ("leads", "name"), ("leads", "company"))

# Every pair, repeats included (GIN keeps each key once per row anyway): without DISTINCT the function costs half
# (measured: 8.6 s instead of 15.1 s over 903,412 names), which is what a bulk import pays to rebuild the index.
FUNCTION = """
CREATE OR REPLACE FUNCTION loam_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT ARRAY(SELECT substr(t, i, 2) FROM generate_series(1, char_length(t) - 1) AS i)
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    for table, column in INDEXED:
        op.execute(f"CREATE INDEX ix_{table}_{column}_bigrams ON {table} USING gin (loam_bigrams(lower({column})))")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in INDEXED:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}_bigrams")
    op.execute("DROP FUNCTION IF EXISTS loam_bigrams(text)")
