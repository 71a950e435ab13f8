from django.apps import AppConfig


class TimelineConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "timeline"
    verbose_name = "Timeline"

    def ready(self):
        from timeline import cache, lookups

        # A number beyond an integer column's range finds no row, on SQLite as on PostgreSQL.
        lookups.register()

        # Any write to a timeline record invalidates the cached responses.
        cache.connect_signals()
