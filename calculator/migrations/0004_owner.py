# An entry (and a share link) belongs to an owner: a signed-in user ("user.<pk>") or, as before,
# a browser session key (calculator/owners.py). The column is renamed and its values stay valid;
# the index and the constraint naming it are rebuilt on the new name.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("calculator", "0003_submit_key"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="calculation", name="calc_submit_once"),
        migrations.RemoveIndex(model_name="calculation", name="calc_session_order"),
        migrations.RemoveIndex(model_name="share", name="share_session_order"),
        migrations.RenameField(model_name="calculation", old_name="session_key", new_name="owner"),
        migrations.RenameField(model_name="share", old_name="session_key", new_name="owner"),
        migrations.AddIndex(
            model_name="calculation",
            index=models.Index(fields=["owner", "id"], name="calc_owner_order"),
        ),
        migrations.AddIndex(
            model_name="share",
            index=models.Index(fields=["owner", "id"], name="share_owner_order"),
        ),
        migrations.AddConstraint(
            model_name="calculation",
            constraint=models.UniqueConstraint(
                fields=["owner", "submit_key"], name="calc_submit_once"
            ),
        ),
    ]
