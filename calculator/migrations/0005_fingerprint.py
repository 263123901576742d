# A row stored by an HTTP API request under an Idempotency-Key keeps a fingerprint of that request
# (its line and angle mode), so the key sent again with another request is refused. Nullable and
# without a default: every existing row has none, and adding the column rewrites no table (SQLite
# and PostgreSQL both add it in place).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("calculator", "0004_owner"),
    ]

    operations = [
        migrations.AddField(
            model_name="calculation",
            name="fingerprint",
            field=models.CharField(blank=True, max_length=11, null=True),
        ),
    ]
