"""The history's full-text index, on PostgreSQL only (SQLite searches without one).

Its expression is the one Django writes for SearchVector("search_text", config="simple")
(playground/runs/search.py), so that the planner uses it.
"""

from django.db import migrations

INDEX = "run_search_text_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON runs_run USING gin "
            "(to_tsvector('simple'::regconfig, COALESCE(search_text, '')))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("runs", "0002_default_prices")]

    operations = [migrations.RunPython(create_index, drop_index)]
