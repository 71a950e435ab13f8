"""Response shapes of the exports, declared for the OpenAPI schema only."""

from __future__ import annotations

from rest_framework import serializers


class TimelineJSDateSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    month = serializers.IntegerField(required=False, min_value=1, max_value=12)
    day = serializers.IntegerField(required=False, min_value=1, max_value=31)


class TimelineJSTextSerializer(serializers.Serializer):
    headline = serializers.CharField()
    text = serializers.CharField(required=False, help_text="HTML.")


class TimelineJSSlideSerializer(serializers.Serializer):
    start_date = TimelineJSDateSerializer()
    end_date = TimelineJSDateSerializer(required=False)
    text = TimelineJSTextSerializer()
    group = serializers.CharField(help_text="The event type.")
    display_date = serializers.CharField(required=False, help_text="For approximate, uncertain or coarse dates.")
    unique_id = serializers.CharField(help_text="The event's slug.")


class TimelineJSTitleSerializer(serializers.Serializer):
    text = TimelineJSTextSerializer()
    unique_id = serializers.CharField()


class TimelineJSEraSerializer(serializers.Serializer):
    start_date = TimelineJSDateSerializer()
    end_date = TimelineJSDateSerializer()
    text = TimelineJSTextSerializer()


class TimelineJSSerializer(serializers.Serializer):
    """A TimelineJS3 JSON document (https://timeline.knightlab.com/docs/json-format.html)."""

    title = TimelineJSTitleSerializer()
    events = TimelineJSSlideSerializer(many=True)
    eras = TimelineJSEraSerializer(many=True)
    scale = serializers.ChoiceField(choices=["human"])


class GeoJSONGeometrySerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Point"])
    coordinates = serializers.ListField(
        child=serializers.FloatField(), min_length=2, max_length=2, help_text="Longitude, latitude."
    )


class GeoJSONEventSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    date = serializers.CharField(help_text="The date as shown to readers.")
    url = serializers.URLField()


class GeoJSONPropertiesSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    kind = serializers.CharField()
    coordinates_by_curator = serializers.BooleanField()
    url = serializers.URLField()
    site_url = serializers.URLField()
    events = GeoJSONEventSerializer(many=True, help_text="The first events at the place, in time (at most 20).")
    event_count = serializers.IntegerField(help_text="How many events there are at the place.")
    events_url = serializers.URLField(help_text="All of them, in the API's events list.")


class GeoJSONFeatureSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Feature"])
    id = serializers.CharField()
    geometry = GeoJSONGeometrySerializer()
    properties = GeoJSONPropertiesSerializer()


class GeoJSONSerializer(serializers.Serializer):
    """A GeoJSON FeatureCollection (RFC 7946)."""

    type = serializers.ChoiceField(choices=["FeatureCollection"])
    features = GeoJSONFeatureSerializer(many=True)


class JSONLDSerializer(serializers.Serializer):
    """JSON-LD (schema.org); its schema is written out in :class:`api.schema.JSONLDExtension`."""
