"""PostgreSQL: the searchable text's words stored beside it (a generated column), indexed.

The expression index of 0003 made every match be re-read and re-parsed: a phrase (each
Chinese word is one, see search.py) cannot be answered from a GIN index alone, so each
candidate row was checked again by parsing its text, 1.2 s for a common Chinese word
over 100,000 runs. A stored tsvector is checked without parsing. SQLite has neither.
"""

from django.db import migrations

ADD = (
    "ALTER TABLE runs_run ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, COALESCE(search_text, ''))) STORED",
    "CREATE INDEX IF NOT EXISTS run_search_vector_gin ON runs_run USING gin (search_vector)",
    "DROP INDEX IF EXISTS run_search_text_gin",
)
REMOVE = (
    "DROP INDEX IF EXISTS run_search_vector_gin",
    "ALTER TABLE runs_run DROP COLUMN IF EXISTS search_vector",
    "CREATE INDEX IF NOT EXISTS run_search_text_gin ON runs_run USING gin "
    "(to_tsvector('simple'::regconfig, COALESCE(search_text, '')))",
)


def add_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in ADD:
            schema_editor.execute(statement)


def remove_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in REMOVE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("runs", "0004_retention_sweep")]

    operations = [migrations.RunPython(add_vector, remove_vector)]
