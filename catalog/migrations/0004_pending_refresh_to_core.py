from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_pending_refresh"), ("core", "0001_pending_refresh_from_catalog")]

    operations = [migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="PendingRefresh")])]
