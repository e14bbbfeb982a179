# The public notice list's columns and indexes (issue 12, C9-C11).
#
# Fills the new columns of existing notices with one UPDATE (no Python loop), then
# adds the indexes; on PostgreSQL also the bigram function and its GIN index for
# the search (pg_trgm finds no trigram in a two-character Chinese word such as
# 养老 under C.UTF-8: bench/RESULTS.md, "pg_trgm for Chinese").

from django.conf import settings
from django.db import migrations, models

FILL_POSTGRESQL = """
UPDATE procurement_notice AS n
SET region_path = r.path,
    search_text = lower(n.title) || E'\\n' || lower(n.number) || E'\\n'
        || lower(p.code) || E'\\n' || lower(o.name)
FROM procurement_purchaseproject AS p
JOIN orgs_region AS r ON r.id = p.region_id
JOIN orgs_organization AS o ON o.id = p.department_id
WHERE p.id = n.project_id
"""

FILL_OTHER = """
UPDATE procurement_notice
SET region_path = (
        SELECT r.path FROM procurement_purchaseproject AS p
        JOIN orgs_region AS r ON r.id = p.region_id
        WHERE p.id = procurement_notice.project_id),
    search_text = (
        SELECT lower(procurement_notice.title) || char(10) || lower(procurement_notice.number)
            || char(10) || lower(p.code) || char(10) || lower(o.name)
        FROM procurement_purchaseproject AS p
        JOIN orgs_organization AS o ON o.id = p.department_id
        WHERE p.id = procurement_notice.project_id)
"""

# The distinct two-character substrings of a text: the search index's keys. A
# term of two or more characters is in the text only if all its bigrams are
# (`bigrams(search_text) @> bigrams(term)`, rechecked by LIKE).
BIGRAMS = """
CREATE OR REPLACE FUNCTION govbuy_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(t, i, 2)), '{}'::text[])
  FROM generate_series(1, char_length(t) - 1) AS i
$$
"""
SEARCH_INDEX = (
    "CREATE INDEX notice_search_bigrams ON procurement_notice "
    "USING gin (govbuy_bigrams(search_text))"
)


def fill(apps, schema_editor):
    sql = FILL_POSTGRESQL if schema_editor.connection.vendor == "postgresql" else FILL_OTHER
    schema_editor.execute(sql)


def search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BIGRAMS)
        schema_editor.execute(SEARCH_INDEX)
        schema_editor.execute("ANALYZE procurement_notice")


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS notice_search_bigrams")
        schema_editor.execute("DROP FUNCTION IF EXISTS govbuy_bigrams(text)")


class Migration(migrations.Migration):

    dependencies = [
        ('procurement', '0006_move_running_to_tendering_and_challenges'),
        ('tendering', '0002_counts_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='notice',
            name='region_path',
            field=models.CharField(default='', editable=False, max_length=40, verbose_name='region path'),
        ),
        migrations.AddField(
            model_name='notice',
            name='search_text',
            field=models.TextField(default='', editable=False, verbose_name='search text'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name='notice',
            index=models.Index(fields=['-published_at', '-id'], name='notice_published_desc'),
        ),
        migrations.AddIndex(
            model_name='notice',
            index=models.Index(fields=['region_path', '-published_at', '-id'], name='notice_region_published', opclasses=['varchar_pattern_ops', '', '']),
        ),
        migrations.AddIndex(
            model_name='notice',
            index=models.Index(fields=['kind', '-published_at', '-id'], name='notice_kind_published'),
        ),
        migrations.RunPython(search_index, drop_search_index),
    ]
