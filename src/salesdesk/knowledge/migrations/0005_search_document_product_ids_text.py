"""SearchDocument.product_ids becomes text: an item may link any number of products.

On SQLite, altering a column rebuilds the table, which drops the triggers that keep the
FTS5 index in step with it (migration 0003); they are created again here and the index
rebuilt, in the same migration, so search never sees a half-migrated table.
"""

from django.db import migrations, models

SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS knowledge_search_fts_ai",
    "DROP TRIGGER IF EXISTS knowledge_search_fts_ad",
    "DROP TRIGGER IF EXISTS knowledge_search_fts_au",
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


def restore_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_TRIGGERS:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0004_search_embedding")]

    operations = [
        migrations.AlterField(
            model_name="searchdocument",
            name="product_ids",
            field=models.TextField(blank=True),
        ),
        # Both directions: reversing the AlterField rebuilds the table again.
        migrations.RunPython(restore_sqlite_triggers, restore_sqlite_triggers),
    ]
