"""The full-text index over SearchDocument: FTS5 on SQLite, a tsvector + GIN on PostgreSQL.

Both follow the table's rows by themselves (SQLite: triggers on an external-content FTS5
table; PostgreSQL: a generated column), so the services only write SearchDocument rows.
Weights: title > extra (phrasings, tags, products, specs) > body, on both databases.
"""

from django.db import migrations

SQLITE_UP = [
    """CREATE VIRTUAL TABLE knowledge_search_fts USING fts5(
        title, body, extra, content='knowledge_searchdocument', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER knowledge_search_fts_ai AFTER INSERT ON knowledge_searchdocument BEGIN
        INSERT INTO knowledge_search_fts(rowid, title, body, extra)
        VALUES (new.id, new.title, new.body, new.extra); END""",
    """CREATE TRIGGER knowledge_search_fts_ad AFTER DELETE ON knowledge_searchdocument BEGIN
        INSERT INTO knowledge_search_fts(knowledge_search_fts, rowid, title, body, extra)
        VALUES ('delete', old.id, old.title, old.body, old.extra); END""",
    """CREATE TRIGGER knowledge_search_fts_au AFTER UPDATE ON knowledge_searchdocument BEGIN
        INSERT INTO knowledge_search_fts(knowledge_search_fts, rowid, title, body, extra)
        VALUES ('delete', old.id, old.title, old.body, old.extra);
        INSERT INTO knowledge_search_fts(rowid, title, body, extra)
        VALUES (new.id, new.title, new.body, new.extra); END""",
    "INSERT INTO knowledge_search_fts(knowledge_search_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS knowledge_search_fts_au",
    "DROP TRIGGER IF EXISTS knowledge_search_fts_ad",
    "DROP TRIGGER IF EXISTS knowledge_search_fts_ai",
    "DROP TABLE IF EXISTS knowledge_search_fts",
]
POSTGRES_UP = [
    """ALTER TABLE knowledge_searchdocument ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector('english', coalesce(title, '')), 'A')
            || setweight(to_tsvector('english', coalesce(extra, '')), 'B')
            || setweight(to_tsvector('english', coalesce(body, '')), 'D')
        ) STORED""",
    "CREATE INDEX knowledge_searchdoc_fts ON knowledge_searchdocument USING GIN (search_vector)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS knowledge_searchdoc_fts",
    "ALTER TABLE knowledge_searchdocument DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_search")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
