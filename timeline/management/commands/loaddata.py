"""``loaddata``, with the timeline's records loaded in bulk (timeline/loading.py), and the response cache told.

Django's loaddata saves one object at a time, with a query for each natural
key; the real fixtures took about 4,100 queries. JSON and JSON Lines fixtures
go through :class:`timeline.loading.Loader`: the timeline's records in a few
queries per model, anything else the way Django does. Other formats (XML,
YAML) are left to Django. Everything else (finding fixtures, one transaction,
constraint checks, sequences, messages) is Django's command.
"""

import json
import os

from django.core.management.commands import loaddata
from django.core.serializers import base, python
from django.db import router

from timeline import cache as response_cache
from timeline.loading import Loader

BULK_FORMATS = {"json", "jsonl"}


class Command(loaddata.Command):
    def handle(self, *fixture_labels, **options):
        super().handle(*fixture_labels, **options)
        response_cache.bump()

    def load_label(self, fixture_label):
        fixtures = self.find_fixtures(fixture_label)
        if not all(self.parse_name(os.path.basename(path))[1] in BULK_FORMATS for path, _, _ in fixtures):
            return super().load_label(fixture_label)
        for fixture_file, fixture_dir, fixture_name in fixtures:
            self.load_file(fixture_file, fixture_dir, fixture_name)

    def load_file(self, fixture_file, fixture_dir, fixture_name):
        """Django's ``load_label`` for one file, with the objects read at once and given to the loader."""
        _, ser_fmt, cmp_fmt = self.parse_name(os.path.basename(fixture_file))
        open_method, mode = self.compression_formats[cmp_fmt]
        self.fixture_count += 1
        if self.verbosity >= 2:
            self.stdout.write(f"Installing {ser_fmt} fixture '{fixture_name}' from {loaddata.humanize(fixture_dir)}.")
        fixture = open_method(fixture_file, mode)
        try:
            objects = read_objects(fixture.read(), ser_fmt)
            loader = Loader(
                self.using,
                ignorenonexistent=self.ignore,
                allowed=self.allowed,
                fallback=self.save_one,
                defer=self.objs_with_deferred_fields.append,
            )
            read, saved = loader.load(objects)
            self.models |= loader.models
        except Exception as e:
            if not isinstance(e, loaddata.CommandError):
                e.args = (f"Problem installing fixture '{fixture_file}': {e}",)
            raise
        finally:
            fixture.close()
        if read and self.verbosity >= 3:
            self.stdout.write(f"Processed {saved} object(s).")
        self.loaded_object_count += saved
        self.fixture_object_count += read
        if read == 0:
            loaddata.warnings.warn(
                f"No fixture data found for '{fixture_name}'. (File format may be invalid.)",
                RuntimeWarning,
            )

    def allowed(self, model) -> bool:
        """Django's ``save_obj`` tests: not excluded, and the router lets this database hold it."""
        excluded = model._meta.app_config in self.excluded_apps or model in self.excluded_models
        return not excluded and router.allow_migrate_model(self.using, model)

    def save_one(self, obj: dict) -> bool:
        """One object of a model the loader leaves to Django, saved as Django does."""
        for deserialized in python.Deserializer(
            [obj], using=self.using, ignorenonexistent=self.ignore, handle_forward_references=True
        ):
            return self.save_obj(deserialized)
        return False


def read_objects(content, ser_fmt: str) -> list[dict]:
    """The objects of a JSON or JSON Lines fixture, as Django's deserializers read them."""
    if isinstance(content, bytes):
        content = content.decode()
    try:
        if ser_fmt == "jsonl":
            return [json.loads(line) for line in content.splitlines() if line.strip()]
        return json.loads(content)
    except Exception as exc:
        raise base.DeserializationError() from exc
