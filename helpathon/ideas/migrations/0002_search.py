"""Full-text search index for ideas: a side table `ideas_idea_fts` kept in step by triggers.

SQLite: an FTS5 table; PostgreSQL: a tsvector table with a GIN index (see helpathon/ideas/search.py,
which holds the SQL). Other databases: nothing (search falls back to icontains). Reversible.
"""

from django.db import migrations

from helpathon.ideas import search


class Migration(migrations.Migration):

    dependencies = [
        ("ideas", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(search._migrate_forwards, search._migrate_backwards, elidable=False),
    ]
