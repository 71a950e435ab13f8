"""One factory per model. Test data comes from here, never from the real fixtures."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from timeline import models

ARTICLE_TEXT = (
    "The national enlarged meeting of the union gathered in Cochabamba on January 22. "
    "It called an indefinite general strike in twenty days time. "
    "The leader said “the workers defend real democracy”."
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def permissions(self, create, extracted, **kwargs):
        """``UserFactory(permissions=["timeline.change_event"])``."""
        if not create or not extracted:
            return
        for name in extracted:
            app_label, codename = name.split(".")
            self.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Source
        django_get_or_create = ["slug"]

    title = factory.Sequence(lambda n: f"Source {n}")
    slug = factory.Sequence(lambda n: f"source-{n}")
    kind = models.SourceKind.ARTICLE
    language = "en"
    text = ARTICLE_TEXT
    date_edtf = "2004-01-26/2004-01-31"
    date_basis = models.DateBasis.INFERRED


class PassageFactory(factory.django.DjangoModelFactory):
    """A passage found by its words: ``PassageFactory(words="twenty days time")``."""

    class Meta:
        model = models.Passage
        exclude = ["words", "span"]

    source = factory.SubFactory(SourceFactory)
    words = "gathered in Cochabamba"
    span = factory.LazyAttribute(lambda p: p.source.text.index(p.words))
    start = factory.LazyAttribute(lambda p: p.span)
    end = factory.LazyAttribute(lambda p: p.span + len(p.words))
    text = factory.LazyAttribute(lambda p: p.words)


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Place
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Place {n}")
    slug = factory.Sequence(lambda n: f"place-{n}")
    kind = models.PlaceKind.CITY


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Period
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Period {n}")
    slug = factory.Sequence(lambda n: f"period-{n}")
    date_edtf = "2003-10/2004-02"
    date_basis = models.DateBasis.INFERRED


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organisation
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = models.OrganisationKind.UNION
    status = models.Status.PUBLISHED


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Actor
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Person {n}")
    slug = factory.Sequence(lambda n: f"person-{n}")
    status = models.Status.PUBLISHED


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Membership

    actor = factory.SubFactory(ActorFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "executive secretary"


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Event
        django_get_or_create = ["slug"]

    title = factory.Sequence(lambda n: f"Event {n}")
    slug = factory.Sequence(lambda n: f"event-{n}")
    summary = "What happened."
    event_type = models.EventType.MEETING
    date_edtf = "2004-01-22"
    date_basis = models.DateBasis.STATED
    status = models.Status.PUBLISHED


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Participation

    event = factory.SubFactory(EventFactory)
    actor = factory.SubFactory(ActorFactory)
    organisation = None
    role = models.ParticipantRole.LEADER


class EventRelationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.EventRelation

    from_event = factory.SubFactory(EventFactory)
    to_event = factory.SubFactory(EventFactory)
    relation = models.RelationType.CAUSED


class QuoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Quote
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"quote-{n}")
    text = "the workers defend real democracy"
    passage = factory.SubFactory(PassageFactory, words="the workers defend real democracy")
    speaker_actor = factory.SubFactory(ActorFactory)
    date_edtf = "2004-01-23"
    date_basis = models.DateBasis.STATED


# Every model that holds the timeline's data, in the order a fixture loads them.
DATA_MODELS = [
    models.Source,
    models.Passage,
    models.Place,
    models.Period,
    models.Organisation,
    models.Actor,
    models.Membership,
    models.Event,
    models.Participation,
    models.EventRelation,
    models.Quote,
    models.Citation,
    models.PlacePassage,
    models.OrganisationPassage,
]
