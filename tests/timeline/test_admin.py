"""The curators' admin, driven through its own pages and forms as a curator would."""

import datetime
import re
from html import unescape
from http import HTTPStatus

import pytest
from django.contrib import admin
from django.contrib.admin.utils import get_deleted_objects
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeData

from tests.factories import (
    ActorFactory,
    EventFactory,
    EventRelationFactory,
    MembershipFactory,
    OrganisationFactory,
    ParticipationFactory,
    PassageFactory,
    PeriodFactory,
    PlaceFactory,
    QuoteFactory,
    SourceFactory,
    UserFactory,
)
from timeline.models import Actor, Event, EventRelation, Organisation, Participation, Passage, Status

pytestmark = pytest.mark.django_db


def make_curator(username):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name="curator"))
    return user


@pytest.fixture
def ana(db):
    return make_curator("ana")


@pytest.fixture
def curator_client(client, ana):
    client.force_login(ana)
    return client


def form_data(response):
    """What a browser posts back from an admin form page when nothing is touched."""
    forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets") or []:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            if value is True:
                data[field.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[field.html_name] = [str(item) for item in value]
            else:
                data[field.html_name] = str(value)
    return data


def form_errors(response):
    """Every error on an admin form page: the form's, then each inline row's, by field."""
    errors = {}
    if response.context is None or "adminform" not in response.context:
        return errors
    form = response.context["adminform"].form
    errors.update({name: list(messages) for name, messages in form.errors.items()})
    for inline in response.context.get("inline_admin_formsets") or []:
        formset = inline.formset
        if formset.non_form_errors():
            errors[f"{formset.prefix}"] = list(formset.non_form_errors())
        for index, row in enumerate(formset.forms):
            for name, messages in row.errors.items():
                errors[f"{formset.prefix}-{index}-{name}"] = list(messages)
    return errors


def event_values(event):
    return {
        "title": event.title,
        "slug": event.slug,
        "summary": event.summary,
        "event_type": event.event_type,
        "occurrence": event.occurrence,
        "importance": event.importance,
        "status": event.status,
        "date_edtf": event.date_edtf,
        "date_earliest": event.date_earliest,
        "date_latest": event.date_latest,
        "date_precision": event.date_precision,
        "date_as_written": event.date_as_written,
        "date_basis": event.date_basis,
        "date_note": event.date_note,
        "place": event.place,
        "place_as_written": event.place_as_written,
        "period": event.period,
        "notes": event.notes,
    }


def change_url(obj):
    return reverse(f"admin:timeline_{obj._meta.model_name}_change", args=[obj.pk])


def changelist(client, model_name, **params):
    response = client.get(reverse(f"admin:timeline_{model_name}_changelist"), params)
    assert response.status_code == HTTPStatus.OK
    return list(response.context["cl"].result_list)


# The curator group --------------------------------------------------------------


def test_curator_group_holds_exactly_the_permissions_curators_need():
    group = Group.objects.get(name="curator")

    codenames = sorted(group.permissions.values_list("content_type__app_label", "codename"))

    models = [
        "actor",
        "event",
        "eventrelation",
        "membership",
        "organisation",
        "participation",
        "passage",
        "period",
        "place",
        "quote",
        "source",
    ]
    expected = [("timeline", f"{action}_{model}") for model in models for action in ("add", "change", "view")]
    expected += [("timeline", f"delete_{model}") for model in ("eventrelation", "membership", "participation")]
    links = ["citation", "organisationpassage", "placepassage"]  # the passages of sources, organisations, places
    expected += [("timeline", f"{action}_{model}") for model in links for action in ("add", "change", "delete", "view")]
    assert codenames == sorted(expected)


# Every page answers ---------------------------------------------------------------

RECORDS = {
    "source": lambda: SourceFactory(),
    "passage": lambda: PassageFactory(),
    "place": lambda: PlaceFactory(),
    "period": lambda: PeriodFactory(),
    "organisation": lambda: OrganisationFactory(),
    "actor": lambda: ActorFactory(),
    "membership": lambda: MembershipFactory(),
    "event": lambda: EventFactory(),
    "participation": lambda: ParticipationFactory(),
    "eventrelation": lambda: EventRelationFactory(),
    "quote": lambda: QuoteFactory(),
}


@pytest.mark.parametrize("model_name", list(RECORDS))
def test_every_admin_page_answers_a_curator(curator_client, model_name):
    record = RECORDS[model_name]()

    pages = {
        "changelist": curator_client.get(reverse(f"admin:timeline_{model_name}_changelist")),
        "add": curator_client.get(reverse(f"admin:timeline_{model_name}_add")),
        "change": curator_client.get(change_url(record)),
        "history": curator_client.get(reverse(f"admin:timeline_{model_name}_history", args=[record.pk])),
    }

    assert {name: response.status_code for name, response in pages.items()} == dict.fromkeys(pages, HTTPStatus.OK)
    assert list(pages["changelist"].context["cl"].result_list) == [record]
    assert pages["change"].context["original"] == record


# Changelists: columns, search, filters, ordering ---------------------------------


def test_event_changelist_shows_date_at_its_precision_and_counts_passages(curator_client):
    place = PlaceFactory(name="Cochabamba")
    meeting = EventFactory(title="Enlarged meeting", slug="enlarged-meeting", date_edtf="2004-01-22", place=place)
    meeting.passages.add(PassageFactory(), PassageFactory(words="in twenty days time"))
    EventFactory(title="Revolution", date_edtf="1952-04~", event_type="revolution", status=Status.DRAFT)

    response = curator_client.get(reverse("admin:timeline_event_changelist"))

    assert response.status_code == HTTPStatus.OK
    rows = response.context["cl"].result_list
    assert [(event.title, event.date_display, event.passage_count) for event in rows] == [
        ("Revolution", "c. April 1952", 0),
        ("Enlarged meeting", "22 January 2004", 2),
    ]
    content = response.content.decode()
    assert f'<th class="field-date_display"><a href="{change_url(meeting)}">22 January 2004</a></th>' in content
    assert '<a href="/events/enlarged-meeting/" class="public-link">view</a>' in content
    assert (
        '<td class="field-place nowrap">Cochabamba</td>' in content
        or '<td class="field-place">Cochabamba</td>' in content
    )


@pytest.mark.parametrize("count", [3, 30])
def test_event_changelist_query_count_does_not_grow_with_rows(curator_client, django_assert_max_num_queries, count):
    place, period, passage = PlaceFactory(), PeriodFactory(), PassageFactory()
    for _ in range(count):
        event = EventFactory(place=place, period=period)
        event.passages.add(passage)
        ParticipationFactory(event=event)

    # A fixed number, whatever the number of rows: nothing is fetched per row.
    with django_assert_max_num_queries(9):
        response = curator_client.get(reverse("admin:timeline_event_changelist"))

    assert len(response.context["cl"].result_list) == count


@pytest.mark.parametrize(
    ("model_name", "factory"),
    [
        ("actor", lambda: ActorFactory()),
        ("organisation", lambda: OrganisationFactory()),
        ("source", lambda: SourceFactory()),
        ("passage", lambda: PassageFactory()),
        ("place", lambda: PlaceFactory()),
        ("period", lambda: PeriodFactory()),
        ("quote", lambda: QuoteFactory()),
        ("membership", lambda: MembershipFactory()),
        ("participation", lambda: ParticipationFactory()),
        ("eventrelation", lambda: EventRelationFactory()),
    ],
)
def test_other_changelists_query_count_is_bounded(curator_client, django_assert_max_num_queries, model_name, factory):
    for _ in range(20):
        factory()

    with django_assert_max_num_queries(8):
        response = curator_client.get(reverse(f"admin:timeline_{model_name}_changelist"))

    assert response.status_code == HTTPStatus.OK


def test_event_changelist_orders_by_date_bounds(curator_client):
    year = EventFactory(title="The year 2004", date_edtf="2004")
    day = EventFactory(title="A day", date_edtf="2004-01-22")
    undated = EventFactory(title="Undated", date_edtf="", date_basis="")
    older = EventFactory(title="1971", date_edtf="1971-07-18/1971-07-20")

    assert changelist(curator_client, "event") == [older, year, day, undated]
    # Column 1 is the date, sorted by the earliest bound; undated events come last, or first when reversed.
    assert changelist(curator_client, "event", o="-1") == [undated, day, year, older]
    # Column 8 is the latest bound.
    assert changelist(curator_client, "event", o="8") == [older, day, year, undated]


def test_event_search_finds_titles_text_places_and_participants_names_aliases_acronyms(curator_client):
    goni = ActorFactory(name="Gonzalo Sánchez de Lozada", aliases="Goni")
    cob = OrganisationFactory(name="Bolivian Workers' Centre", acronym="COB")
    el_alto = PlaceFactory(name="El Alto", aliases="La Ceja")
    gas_war = EventFactory(title="Gas war", summary="Blockades against the export of gas.", place=el_alto)
    ParticipationFactory(event=gas_war, actor=goni, role="target")
    strike = EventFactory(title="General strike", notes="Called for February.")
    ParticipationFactory(event=strike, actor=None, organisation=cob, role="organiser")

    assert changelist(curator_client, "event", q="gas war") == [gas_war]
    assert changelist(curator_client, "event", q="export") == [gas_war]
    assert changelist(curator_client, "event", q="Goni") == [gas_war]
    assert changelist(curator_client, "event", q="COB") == [strike]
    assert changelist(curator_client, "event", q="La Ceja") == [gas_war]
    assert changelist(curator_client, "event", q="February") == [strike]
    assert changelist(curator_client, "event", q="nothing like this") == []


def test_event_filters_select_exactly_the_matching_rows(curator_client):
    period, place = PeriodFactory(), PlaceFactory()
    published = EventFactory(title="A", status=Status.PUBLISHED, date_edtf="2004-01-22", date_basis="stated")
    draft = EventFactory(
        title="B", status=Status.DRAFT, event_type="strike", date_edtf="2004-02", date_basis="relative"
    )
    placed = EventFactory(title="C", place=place, period=period, date_edtf="1971", date_basis="inferred")

    assert changelist(curator_client, "event", status="draft") == [draft]
    assert changelist(curator_client, "event", status="published") == [placed, published]
    assert changelist(curator_client, "event", event_type="strike") == [draft]
    assert changelist(curator_client, "event", period__id__exact=period.pk) == [placed]
    assert changelist(curator_client, "event", place__id__exact=place.pk) == [placed]
    assert changelist(curator_client, "event", date_precision="month") == [draft]
    assert changelist(curator_client, "event", date_basis="relative") == [draft]
    assert changelist(curator_client, "event", date_basis="inferred", date_precision="year") == [placed]


def test_actor_organisation_source_and_passage_search(curator_client):
    goni = ActorFactory(name="Gonzalo Sánchez de Lozada", aliases="Goni\nGoñi")
    solares = ActorFactory(name="Jaime Solares")
    cob = OrganisationFactory(name="Central Obrera Boliviana", acronym="COB", aliases="Bolivian Workers' Centre")
    MembershipFactory(actor=solares, organisation=cob)
    article = SourceFactory(title="The article")
    passage = PassageFactory(source=article, words="in twenty days time")

    assert changelist(curator_client, "actor", q="Goñi") == [goni]
    assert changelist(curator_client, "actor", q="COB") == [solares]
    assert changelist(curator_client, "organisation", q="COB") == [cob]
    assert changelist(curator_client, "organisation", q="Workers") == [cob]
    assert changelist(curator_client, "source", q="indefinite general strike") == [article]
    assert changelist(curator_client, "passage", q="twenty days") == [passage]


def test_publishable_changelists_filter_by_status(curator_client):
    draft_actor = ActorFactory(status=Status.DRAFT)
    ActorFactory(status=Status.PUBLISHED)
    draft_organisation = OrganisationFactory(status=Status.DRAFT)
    OrganisationFactory(status=Status.PUBLISHED)

    assert changelist(curator_client, "actor", status="draft") == [draft_actor]
    assert changelist(curator_client, "organisation", status="draft") == [draft_organisation]


# The change form: dates, links --------------------------------------------------


def test_event_change_page_shows_what_the_date_means_beside_the_date_as_written(curator_client):
    event = EventFactory(date_edtf="1952-04~", date_as_written="in April 1952", date_basis="stated")

    response = curator_client.get(change_url(event))

    content = response.content.decode()
    assert (
        "<strong>c. April 1952</strong> · earliest 1952-04-01 · latest 1952-04-30 · month precision, approximate"
        " · written “in April 1952”"
    ) in content
    assert f'<a href="/events/{event.slug}/" class="public-link">/events/{event.slug}/</a>' in content
    assert f'href="/admin/r/{response.context["content_type_id"]}/{event.pk}/"' in content  # "View on site"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "1952-04~",
            {
                "valid": True,
                "empty": False,
                "display": "c. April 1952",
                "earliest": "1952-04-01",
                "latest": "1952-04-30",
                "precision": "month",
                "qualifiers": ["approximate"],
            },
        ),
        (
            " 1971-07-18/1971-07-20 ",
            {
                "valid": True,
                "empty": False,
                "display": "18–20 July 1971",
                "earliest": "1971-07-18",
                "latest": "1971-07-20",
                "precision": "range",
                "qualifiers": [],
            },
        ),
        ("", {"valid": True, "empty": True, "message": "Undated: type an EDTF date to give it one."}),
        (
            "January 1971",
            {
                "valid": False,
                "empty": False,
                "message": "“January 1971” is not a valid EDTF date. Use forms such as 2004-01-22, 2003-10, 1971, "
                "1971-07-18/1971-07-20, 1952-04~ (approximate) or 1970? (uncertain).",
            },
        ),
        ("1" * 65, {"valid": False, "empty": False, "message": "At most 64 characters."}),
    ],
)
def test_the_date_preview_says_what_a_typed_date_means_or_why_it_is_refused(curator_client, value, expected):
    url = reverse("admin:timeline_event_date_preview")

    response = curator_client.get(url, {"date_edtf": value})

    assert (response.status_code, response.json()) == (HTTPStatus.OK, expected)


def test_the_date_preview_is_for_signed_in_staff_only(client):
    url = reverse("admin:timeline_period_date_preview")

    response = client.get(url, {"date_edtf": "1952"})

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/admin/login/")


def test_the_date_preview_needs_a_permission_on_the_model(client):
    client.force_login(UserFactory(username="staff-only", is_staff=True))

    response = client.get(reverse("admin:timeline_event_date_preview"), {"date_edtf": "1952"})

    assert response.status_code == HTTPStatus.FORBIDDEN


def test_every_dated_change_form_points_its_preview_at_its_own_model(curator_client):
    period = PeriodFactory()

    content = curator_client.get(change_url(period)).content.decode()

    assert '<span class="date-meaning" data-preview-url="/admin/timeline/period/date-preview/">' in content
    assert '<script src="/static/timeline/admin-date-preview.js"></script>' in content


# Creating and editing through the admin's forms ---------------------------------


def test_event_add_form_with_inlines_stores_exactly_what_was_entered(curator_client, ana):
    article = SourceFactory(title="The article")
    place, period = PlaceFactory(name="Cochabamba"), PeriodFactory(name="Gas war")
    solares = ActorFactory(name="Jaime Solares")
    cob = OrganisationFactory(name="COB")
    october = EventFactory(title="October insurrection", date_edtf="2003-10")
    url = reverse("admin:timeline_event_add")
    data = form_data(curator_client.get(url))
    data.update(
        {
            "title": "Enlarged meeting",
            "slug": "enlarged-meeting",
            "summary": "The union's enlarged meeting.",
            "event_type": "meeting",
            "occurrence": "occurred",
            "importance": "3",
            "status": "draft",
            "date_edtf": "2004-01-22",
            "date_as_written": "January 22",
            "date_basis": "stated",
            "date_note": "The year is the article's.",
            "place": str(place.pk),
            "place_as_written": "Cochabamba",
            "period": str(period.pk),
            "notes": "A curator's note.",
            "participations-TOTAL_FORMS": "2",
            "participations-0-actor": str(solares.pk),
            "participations-0-role": "leader",
            "participations-0-role_as_written": "executive secretary",
            "participations-1-organisation": str(cob.pk),
            "participations-1-role": "organiser",
            "Event_passages-0-source": str(article.pk),
            "Event_passages-0-words": "gathered in Cochabamba on January 22",
            "relations_out-TOTAL_FORMS": "1",
            "relations_out-0-relation": "response_to",
            "relations_out-0-to_event": str(october.pk),
        }
    )

    response = curator_client.post(url, data)

    assert form_errors(response) == {}
    assert response.status_code == HTTPStatus.FOUND
    event = Event.objects.get(slug="enlarged-meeting")
    assert event_values(event) == {
        "title": "Enlarged meeting",
        "slug": "enlarged-meeting",
        "summary": "The union's enlarged meeting.",
        "event_type": "meeting",
        "occurrence": "occurred",
        "importance": 3,
        "status": "draft",
        "date_edtf": "2004-01-22",
        "date_earliest": datetime.date(2004, 1, 22),
        "date_latest": datetime.date(2004, 1, 22),
        "date_precision": "day",
        "date_as_written": "January 22",
        "date_basis": "stated",
        "date_note": "The year is the article's.",
        "place": place,
        "place_as_written": "Cochabamba",
        "period": period,
        "notes": "A curator's note.",
    }
    assert list(event.participations.values_list("actor__name", "organisation__name", "role", "role_as_written")) == [
        ("Jaime Solares", None, "leader", "executive secretary"),
        (None, "COB", "organiser", ""),
    ]
    assert list(event.passages.values_list("source__slug", "start", "end", "text")) == [
        (article.slug, 43, 79, "gathered in Cochabamba on January 22")
    ]
    assert list(EventRelation.objects.values_list("from_event", "relation", "to_event")) == [
        (event.pk, "response_to", october.pk)
    ]
    assert [(record.history_type, record.history_user) for record in event.history.all()] == [("+", ana)]


def test_event_edit_form_fixes_the_date_and_adds_a_passage_by_pasting_words(curator_client, ana):
    article = SourceFactory(title="The article")
    event = EventFactory(title="General strike", date_edtf="2004-03", date_basis="inferred")
    existing = PassageFactory(source=article, words="general strike")
    event.passages.add(existing)
    url = change_url(event)
    data = form_data(curator_client.get(url))
    assert data["Event_passages-0-words"] == "general strike"
    data.update(
        {
            "date_edtf": "2004-02-11/2004-02-12",
            "date_as_written": "in twenty days time",
            "date_basis": "relative",
            "Event_passages-1-source": str(article.pk),
            "Event_passages-1-words": "  in twenty days time\n",
        }
    )

    response = curator_client.post(url, data)

    assert form_errors(response) == {}
    assert response.status_code == HTTPStatus.FOUND
    event.refresh_from_db()
    assert (event.date_edtf, event.date_earliest, event.date_latest, event.date_precision, event.date_basis) == (
        "2004-02-11/2004-02-12",
        datetime.date(2004, 2, 11),
        datetime.date(2004, 2, 12),
        "range",
        "relative",
    )
    assert list(event.passages.order_by("start").values_list("start", "end", "text")) == [
        (105, 119, "general strike"),
        (120, 139, "in twenty days time"),
    ]
    latest = event.history.first()
    assert (latest.history_type, latest.history_user, latest.date_edtf) == ("~", ana, "2004-02-11/2004-02-12")


def test_citing_a_passage_that_is_already_recorded_reuses_it(curator_client):
    article = SourceFactory()
    passage = PassageFactory(source=article, words="in twenty days time")
    event = EventFactory()
    url = change_url(event)
    data = form_data(curator_client.get(url))
    data.update({"Event_passages-0-source": str(article.pk), "Event_passages-0-words": "in twenty days time"})

    response = curator_client.post(url, data)

    assert response.status_code == HTTPStatus.FOUND
    assert list(event.passages.all()) == [passage]
    assert Passage.objects.count() == 1


def test_unlinking_a_passage_from_an_event_keeps_the_passage(curator_client):
    passage = PassageFactory()
    event = EventFactory()
    event.passages.add(passage)
    url = change_url(event)
    data = form_data(curator_client.get(url))
    data["Event_passages-0-DELETE"] = "on"

    response = curator_client.post(url, data)

    assert response.status_code == HTTPStatus.FOUND
    assert list(event.passages.all()) == []
    assert list(Passage.objects.all()) == [passage]


@pytest.mark.parametrize(
    ("date_edtf", "message"),
    [
        (
            "22 January 2004",
            "“22 January 2004” is not a valid EDTF date. Use forms such as 2004-01-22, 2003-10, 1971, "
            "1971-07-18/1971-07-20, 1952-04~ (approximate) or 1970? (uncertain).",
        ),
        ("2004-02-12/2004-02-11", "“2004-02-12/2004-02-11” ends before it starts."),
        ("2004-01/..", "“2004-01/..” is open-ended or has an unknown end; give both ends of the range."),
    ],
)
def test_event_form_refuses_a_bad_date_and_saves_nothing(curator_client, date_edtf, message):
    event = EventFactory(title="Meeting", date_edtf="2004-01-22")
    url = change_url(event)
    data = form_data(curator_client.get(url))
    data.update({"date_edtf": date_edtf, "title": "Changed title"})

    response = curator_client.post(url, data)

    assert response.status_code == HTTPStatus.OK
    assert form_errors(response) == {"date_edtf": [message]}
    event.refresh_from_db()
    assert (event.title, event.date_edtf, event.date_earliest) == ("Meeting", "2004-01-22", datetime.date(2004, 1, 22))
    assert event.history.count() == 1


def test_event_add_form_refuses_words_not_in_the_source_and_saves_nothing(curator_client):
    article = SourceFactory(title="The article")
    url = reverse("admin:timeline_event_add")
    data = form_data(curator_client.get(url))
    data.update(
        {
            "title": "Meeting",
            "slug": "meeting",
            "event_type": "meeting",
            "date_edtf": "2004-01-22",
            "date_basis": "stated",
            "Event_passages-0-source": str(article.pk),
            "Event_passages-0-words": "gathered in La Paz",
        }
    )

    response = curator_client.post(url, data)

    assert response.status_code == HTTPStatus.OK
    assert form_errors(response) == {
        "Event_passages-0-words": [
            "These words are not in “The article”: “gathered in La Paz”. Paste them exactly as the document has them."
        ]
    }
    assert Event.objects.count() == 0
    assert Passage.objects.count() == 0


def test_event_form_asks_which_occurrence_when_words_repeat_then_uses_the_chosen_one(curator_client):
    article = SourceFactory(title="The article")
    event = EventFactory()
    url = change_url(event)
    data = form_data(curator_client.get(url))
    data.update({"Event_passages-0-source": str(article.pk), "Event_passages-0-words": "the"})

    response = curator_client.post(url, data)

    assert response.status_code == HTTPStatus.OK
    assert form_errors(response) == {
        "Event_passages-0-occurrence": [
            "These words occur 3 times in “The article”; choose which occurrence (1 to 3), "
            "or paste more of the surrounding words."
        ]
    }
    row = response.context["inline_admin_formsets"][1].formset.forms[0]
    assert row.fields["occurrence"].widget.choices == [
        (
            1,
            "1: The national enlarged meeting of [the] union gathered in Cochabamba on January 22. It ca… "
            "(characters 33–36)",
        ),
        (
            2,
            "2: The national enlarged meeting of the union ga[the]red in Cochabamba on January 22. It called an inde… "
            "(characters 45–48)",
        ),
        (
            3,
            "3: …eral strike in twenty days time. The leader said “[the] workers defend real democracy”. "
            "(characters 158–161)",
        ),
    ]
    assert 'type="radio" name="Event_passages-0-occurrence" value="2"' in response.content.decode()
    assert Passage.objects.count() == 0

    data["Event_passages-0-occurrence"] = "3"
    response = curator_client.post(url, data)

    assert response.status_code == HTTPStatus.FOUND
    assert list(event.passages.values_list("start", "end", "text")) == [(158, 161, "the")]


def test_event_form_refuses_the_same_passage_twice(curator_client):
    article = SourceFactory()
    event = EventFactory()
    url = change_url(event)
    data = form_data(curator_client.get(url))
    data.update(
        {
            "Event_passages-TOTAL_FORMS": "2",
            "Event_passages-0-source": str(article.pk),
            "Event_passages-0-words": "general strike",
            "Event_passages-1-source": str(article.pk),
            "Event_passages-1-words": "general strike",
        }
    )

    response = curator_client.post(url, data)

    assert response.status_code == HTTPStatus.OK
    assert form_errors(response) == {"Event_passages-1-words": ["This passage is already cited here."]}
    assert Passage.objects.count() == 0


def test_participation_row_needs_a_person_or_an_organisation(curator_client):
    event = EventFactory()
    url = change_url(event)
    data = form_data(curator_client.get(url))
    data.update(
        {
            "participations-0-actor": str(ActorFactory().pk),
            "participations-0-organisation": str(OrganisationFactory().pk),
        }
    )

    response = curator_client.post(url, data)

    assert response.status_code == HTTPStatus.OK
    assert form_errors(response) == {"participations-0-__all__": ["Choose either a person or an organisation."]}
    assert Participation.objects.count() == 0


def test_slug_is_validated(curator_client):
    EventFactory(slug="taken")
    url = reverse("admin:timeline_event_add")
    data = form_data(curator_client.get(url))
    data.update({"title": "T", "event_type": "meeting", "slug": "taken"})

    assert form_errors(curator_client.post(url, data)) == {"slug": ["Event with this Slug already exists."]}
    data["slug"] = "not a slug!"
    assert form_errors(curator_client.post(url, data)) == {
        "slug": ["Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."]
    }
    assert Event.objects.count() == 1


# The passage admin ----------------------------------------------------------------


def test_passage_add_form_finds_the_offsets_of_pasted_words(curator_client):
    article = SourceFactory(title="The article", slug="article")
    url = reverse("admin:timeline_passage_add")
    data = form_data(curator_client.get(url))
    data.update({"source": str(article.pk), "words": "in twenty days time", "note": "The strike's date."})

    response = curator_client.post(url, data)

    assert response.status_code == HTTPStatus.FOUND
    assert list(Passage.objects.values_list("slug", "source", "start", "end", "text", "note")) == [
        ("article-120-139", article.pk, 120, 139, "in twenty days time", "The strike's date.")
    ]


def test_passage_form_says_when_words_are_missing_repeated_or_already_recorded(curator_client):
    article = SourceFactory(title="The article")
    PassageFactory(source=article, words="general strike")
    url = reverse("admin:timeline_passage_add")
    data = form_data(curator_client.get(url))
    data["source"] = str(article.pk)

    missing = curator_client.post(url, {**data, "words": "in thirty days time"})
    repeated = curator_client.post(url, {**data, "words": "the"})
    bad_choice = curator_client.post(url, {**data, "words": "the", "occurrence": "4"})
    recorded = curator_client.post(url, {**data, "words": "general strike"})

    assert form_errors(missing) == {
        "words": [
            "These words are not in “The article”: “in thirty days time”. Paste them exactly as the document has them."
        ]
    }
    assert form_errors(repeated) == {
        "occurrence": [
            "These words occur 3 times in “The article”; choose which occurrence (1 to 3), "
            "or paste more of the surrounding words."
        ]
    }
    assert form_errors(bad_choice) == {
        "occurrence": ["These words occur 3 time(s) in “The article”; occurrence 4 does not exist."]
    }
    assert form_errors(recorded) == {"words": ["This passage is already recorded."]}
    assert Passage.objects.count() == 1


def test_passage_change_form_shows_the_words_and_moves_the_span_when_they_change(curator_client):
    passage = PassageFactory(words="the union")
    url = change_url(passage)
    response = curator_client.get(url)
    data = form_data(response)
    assert (data["source"], data["words"], "occurrence" in data) == (str(passage.source_id), "the union", False)

    data["words"] = "the union gathered"
    response = curator_client.post(url, data)

    assert response.status_code == HTTPStatus.FOUND
    passage.refresh_from_db()
    assert (passage.start, passage.end, passage.text, passage.slug) == (
        33,
        51,
        "the union gathered",
        f"{passage.source.slug}-33-51",
    )


# Publish and unpublish ---------------------------------------------------------------


def test_publish_action_asks_for_confirmation_then_publishes_exactly_the_selected(curator_client, ana):
    first = EventFactory(title="First", status=Status.DRAFT)
    second = EventFactory(title="Second", status=Status.DRAFT)
    untouched = EventFactory(title="Untouched", status=Status.DRAFT)
    already = EventFactory(title="Already", status=Status.PUBLISHED)
    url = reverse("admin:timeline_event_changelist")
    selection = {"action": "publish", "_selected_action": [first.pk, second.pk, already.pk]}

    confirmation = curator_client.post(url, selection)

    assert confirmation.status_code == HTTPStatus.OK
    assert list(confirmation.context["queryset"]) == [already, first, second]
    assert list(Event.objects.filter(status=Status.PUBLISHED)) == [already]

    response = curator_client.post(url, {**selection, "post": "yes"})

    assert response.status_code == HTTPStatus.FOUND
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "2 events published. 1 was already published."
    ]
    assert dict(Event.objects.values_list("title", "status")) == {
        "First": "published",
        "Second": "published",
        "Untouched": "draft",
        "Already": "published",
    }
    assert first.history.first().history_user == ana
    assert untouched.history.count() == 1


def test_unpublish_action_moves_exactly_the_selected_back_to_draft_and_hides_them(client, curator_client):
    hidden = EventFactory(title="To hide", slug="to-hide", status=Status.PUBLISHED)
    kept = EventFactory(title="To keep", slug="to-keep", status=Status.PUBLISHED)
    actor = ActorFactory(slug="to-hide-too", status=Status.PUBLISHED)
    anonymous = client.__class__()
    assert anonymous.get(hidden.get_absolute_url()).status_code == HTTPStatus.OK

    response = curator_client.post(
        reverse("admin:timeline_event_changelist"),
        {"action": "unpublish", "_selected_action": [hidden.pk], "post": "yes"},
    )
    curator_client.post(
        reverse("admin:timeline_actor_changelist"),
        {"action": "unpublish", "_selected_action": [actor.pk], "post": "yes"},
    )

    assert [str(message) for message in get_messages(response.wsgi_request)] == ["1 event moved back to draft."]
    assert dict(Event.objects.values_list("slug", "status")) == {"to-hide": "draft", "to-keep": "published"}
    assert Actor.objects.get().status == Status.DRAFT
    assert anonymous.get(hidden.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND
    assert anonymous.get(actor.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND
    assert anonymous.get(kept.get_absolute_url()).status_code == HTTPStatus.OK
    home = anonymous.get(reverse("timeline:home")).content.decode()
    assert ("To keep" in home, "To hide" in home) == (True, False)
    api_list = anonymous.get(reverse("api:event-list"), HTTP_ACCEPT="application/json").json()
    assert [event["slug"] for event in api_list["results"]] == ["to-keep"]
    api_detail = reverse("api:event-detail", kwargs={"slug": "to-hide"})
    assert anonymous.get(api_detail, HTTP_ACCEPT="application/json").status_code == HTTPStatus.NOT_FOUND
    # Curators still see the draft, on the site and in the API.
    assert curator_client.get(hidden.get_absolute_url()).status_code == HTTPStatus.OK
    assert curator_client.get(api_detail, HTTP_ACCEPT="application/json").status_code == HTTPStatus.OK


def test_publish_action_on_organisations(curator_client):
    draft, other = OrganisationFactory(status=Status.DRAFT), OrganisationFactory(status=Status.DRAFT)

    response = curator_client.post(
        reverse("admin:timeline_organisation_changelist"),
        {"action": "publish", "_selected_action": [draft.pk], "post": "yes"},
    )

    assert [str(message) for message in get_messages(response.wsgi_request)] == ["1 organisation published."]
    assert dict(Organisation.objects.values_list("pk", "status")) == {draft.pk: "published", other.pk: "draft"}


# Permissions -------------------------------------------------------------------------


def test_staff_without_permissions_cannot_reach_change_pages_or_delete(client):
    event = EventFactory()
    client.force_login(UserFactory(username="visitor", is_staff=True))

    responses = [
        client.get(reverse("admin:timeline_event_changelist")),
        client.get(change_url(event)),
        client.post(change_url(event), {"title": "Hijacked"}),
        client.post(reverse("admin:timeline_event_delete", args=[event.pk]), {"post": "yes"}),
        client.get(reverse("admin:timeline_event_history", args=[event.pk])),
    ]

    assert [response.status_code for response in responses] == [HTTPStatus.FORBIDDEN] * 5
    assert Event.objects.get().title == event.title


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    event = EventFactory()

    response = client.get(change_url(event))

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == f"/admin/login/?next={change_url(event)}"


def test_curators_cannot_delete_records_sources_or_users_but_can_delete_links(curator_client, ana):
    event, source = EventFactory(), SourceFactory()
    participation = ParticipationFactory()

    assert curator_client.get(reverse("admin:timeline_event_delete", args=[event.pk])).status_code == 403
    assert (
        curator_client.post(reverse("admin:timeline_source_delete", args=[source.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert curator_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert curator_client.get(reverse("admin:auth_user_change", args=[ana.pk])).status_code == 403
    response = curator_client.post(
        reverse("admin:timeline_participation_delete", args=[participation.pk]), {"post": "yes"}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert (Event.objects.count(), Participation.objects.count()) == (2, 0)


# History and revert ---------------------------------------------------------------------


def test_history_records_each_change_with_its_author_and_revert_restores_the_earlier_values(client):
    ana, bea = make_curator("ana"), make_curator("bea")
    event = EventFactory(title="Original title", date_edtf="2004-01-22", date_basis="stated")
    url = change_url(event)

    client.force_login(ana)
    data = form_data(client.get(url))
    client.post(url, {**data, "title": "Ana's title", "date_edtf": "2004-01"})
    client.force_login(bea)
    data = form_data(client.get(url))
    client.post(url, {**data, "title": "Bea's title"})

    records = list(event.history.order_by("history_date"))
    assert [(r.history_type, r.history_user, r.title, r.date_edtf) for r in records] == [
        ("+", None, "Original title", "2004-01-22"),
        ("~", ana, "Ana's title", "2004-01"),
        ("~", bea, "Bea's title", "2004-01"),
    ]
    history_page = client.get(reverse("admin:timeline_event_history", args=[event.pk]))
    assert history_page.status_code == HTTPStatus.OK
    assert [r.history_user for r in history_page.context["page_obj"]] == [bea, ana, None]

    revert_url = reverse("admin:timeline_event_simple_history", args=[event.pk, records[0].history_id])
    revert_form = client.get(revert_url)
    assert revert_form.status_code == HTTPStatus.OK
    response = client.post(revert_url, form_data(revert_form))

    assert response.status_code == HTTPStatus.FOUND
    event.refresh_from_db()
    assert (event.title, event.date_edtf, event.date_earliest, event.date_latest) == (
        "Original title",
        "2004-01-22",
        datetime.date(2004, 1, 22),
        datetime.date(2004, 1, 22),
    )
    latest = event.history.first()
    assert (latest.history_user, latest.title) == (bea, "Original title")


# Editing conflicts --------------------------------------------------------------------------


def test_a_second_save_does_not_overwrite_the_first(client):
    ana, bea = make_curator("ana"), make_curator("bea")
    event = EventFactory(title="Original", date_edtf="2004-01-22")
    url = change_url(event)
    client.force_login(ana)
    anas_form = form_data(client.get(url))
    client.force_login(bea)
    beas_form = form_data(client.get(url))

    client.force_login(ana)
    assert client.post(url, {**anas_form, "title": "Ana's fix"}).status_code == HTTPStatus.FOUND
    saved = Event.objects.get()
    history_count = event.history.count()
    client.force_login(bea)
    response = client.post(url, {**beas_form, "title": "Bea's fix", "date_edtf": "2004-01-23"})

    assert response.status_code == HTTPStatus.OK
    when = timezone.localtime(saved.updated_at).strftime("%Y-%m-%d %H:%M:%S UTC")
    assert form_errors(response) == {
        "__all__": [
            f"Someone else saved this event after you opened it: ana at {when}. Nothing was saved. "
            "Reload the page to see their changes, then make yours again."
        ]
    }
    assert "Someone else saved this event after you opened it: ana at" in response.content.decode()
    event.refresh_from_db()
    assert (event.title, event.date_edtf, event.updated_at) == ("Ana's fix", "2004-01-22", saved.updated_at)
    assert event.history.count() == history_count

    # Reloading gives Bea the current version; her save then goes through.
    beas_form = form_data(client.get(url))
    assert beas_form["title"] == "Ana's fix"
    assert client.post(url, {**beas_form, "title": "Bea's fix"}).status_code == HTTPStatus.FOUND
    assert Event.objects.get().title == "Bea's fix"


def test_a_form_without_its_version_is_refused(curator_client):
    event = EventFactory(title="Original")
    url = change_url(event)
    data = form_data(curator_client.get(url))
    del data["loaded_updated_at"]

    response = curator_client.post(url, {**data, "title": "Changed"})

    assert form_errors(response) == {
        "__all__": ["This form is missing the version it was opened with. Nothing was saved: reload the page."]
    }
    assert Event.objects.get().title == "Original"


def test_conflicts_are_detected_on_every_curated_model(client):
    ana, bea = make_curator("ana"), make_curator("bea")
    actor = ActorFactory(name="Original")
    url = change_url(actor)
    client.force_login(bea)
    beas_form = form_data(client.get(url))
    client.force_login(ana)
    client.post(url, {**form_data(client.get(url)), "name": "Ana's name"})
    client.force_login(bea)

    response = client.post(url, {**beas_form, "name": "Bea's name"})

    assert list(form_errors(response)) == ["__all__"]
    assert form_errors(response)["__all__"][0].startswith("Someone else saved this actor after you opened it: ana at ")
    assert Actor.objects.get().name == "Ana's name"


def record_with_rows(model_name: str, rows: int):
    """A record whose every inline has ``rows`` rows, each naming its own objects and passages."""
    if model_name == "event":
        record = EventFactory()
        for _ in range(rows):
            ParticipationFactory(event=record).passages.add(PassageFactory())
            ParticipationFactory(event=record, actor=None, organisation=OrganisationFactory())
            EventRelationFactory(from_event=record).passages.add(PassageFactory())
            record.passages.add(PassageFactory())
    elif model_name in ("actor", "organisation"):
        record = ActorFactory() if model_name == "actor" else OrganisationFactory()
        for _ in range(rows):
            MembershipFactory(**{model_name: record}).passages.add(PassageFactory())
            if model_name == "actor":
                QuoteFactory(speaker_actor=record, event=EventFactory())
            record.passages.add(PassageFactory())
    else:
        record = {"place": PlaceFactory, "period": PeriodFactory, "source": SourceFactory}[model_name]()
        for _ in range(rows):
            record.passages.add(PassageFactory())
    return record


def queries_of(client, django_assert_max_num_queries, most: int, *urls: str) -> list[int]:
    """How many queries each page makes (at most ``most``, each answering 200), once the session's
    and the content types' first reads are done."""
    client.get(urls[0])
    counts = []
    for url in urls:
        with django_assert_max_num_queries(most) as counted:
            assert client.get(url).status_code == HTTPStatus.OK
        counts.append(len(counted))
    return counts


@pytest.mark.parametrize(
    ("model_name", "most"),
    [("event", 20), ("actor", 18), ("organisation", 15), ("source", 10), ("place", 11), ("period", 11)],
)
def test_change_pages_do_not_query_per_inline_row(curator_client, django_assert_max_num_queries, model_name, most):
    """A query per inline and per autocomplete field, whatever the number of rows: each field reads the
    objects of all its rows at once, and each row's label what it names (a person with ten quotations
    and twenty passages took 66 queries). The session, the user, the permissions and the transaction's
    savepoint are counted too."""
    one, six = record_with_rows(model_name, 1), record_with_rows(model_name, 6)

    counts = queries_of(curator_client, django_assert_max_num_queries, most, change_url(one), change_url(six))

    assert counts == [most, most]


def chosen_options(html: str, name: str) -> list[tuple[str, str]]:
    """The (value, label) of each chosen option of the select called ``name``."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None, name
    return [
        (value, unescape(label))
        for value, label in re.findall(r'<option value="(\d+)" selected>(.*?)</option>', select[1])
    ]


def test_each_inline_row_shows_its_own_chosen_objects(curator_client):
    source = SourceFactory(slug="article")
    gathered, twenty = (
        PassageFactory(source=source, words="gathered in Cochabamba"),
        PassageFactory(source=source, words="twenty days time"),
    )
    event = EventFactory()
    solares = ParticipationFactory(event=event, actor=ActorFactory(name="Jaime Solares"))
    cob = ParticipationFactory(event=event, actor=None, organisation=OrganisationFactory(name="Workers' Centre"))
    solares.passages.add(twenty, gathered)
    cob.passages.add(twenty)

    html = curator_client.get(change_url(event)).content.decode()

    assert chosen_options(html, "participations-0-actor") == [(str(solares.actor.pk), "Jaime Solares")]
    assert chosen_options(html, "participations-0-organisation") == []
    assert chosen_options(html, "participations-0-passages") == [
        (str(gathered.pk), f"“gathered in Cochabamba” (article {gathered.start}–{gathered.end})"),
        (str(twenty.pk), f"“twenty days time” (article {twenty.start}–{twenty.end})"),
    ]
    assert chosen_options(html, "participations-1-actor") == []
    assert chosen_options(html, "participations-1-organisation") == [(str(cob.organisation.pk), "Workers' Centre")]
    assert chosen_options(html, "participations-1-passages") == [
        (str(twenty.pk), f"“twenty days time” (article {twenty.start}–{twenty.end})")
    ]
    assert chosen_options(html, "participations-2-actor") == []  # the empty row to add one


BEYOND_64_BITS = str(2**63)


@pytest.mark.parametrize(
    ("organisation", "passage", "passage_error"),
    [
        ("abc", "x", "“x” is not a valid value."),
        (BEYOND_64_BITS, BEYOND_64_BITS, f"“{BEYOND_64_BITS}” is not a valid value."),
        ("9" * 5000, "-1", "Select a valid choice. -1 is not one of the available choices."),
    ],
)
def test_an_inline_row_with_forged_keys_shows_errors_and_keeps_the_valid_choices(
    curator_client, organisation, passage, passage_error
):
    """Never a 500 (a key beyond 64 bits was one on SQLite): the row's errors, its valid choices still shown."""
    event = EventFactory()
    participation = ParticipationFactory(event=event, actor=ActorFactory(name="Jaime Solares"))
    cited = PassageFactory(source=SourceFactory(slug="article"), words="twenty days time")
    data = form_data(curator_client.get(change_url(event)))
    data.update({"participations-0-organisation": organisation, "participations-0-passages": [passage, str(cited.pk)]})

    response = curator_client.post(change_url(event), data)

    assert response.status_code == HTTPStatus.OK
    errors = form_errors(response)
    assert errors["participations-0-organisation"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert errors["participations-0-passages"] == [passage_error]
    html = response.content.decode()
    assert chosen_options(html, "participations-0-actor") == [(str(participation.actor.pk), "Jaime Solares")]
    assert chosen_options(html, "participations-0-organisation") == []
    assert chosen_options(html, "participations-0-passages") == [
        (str(cited.pk), f"“twenty days time” (article {cited.start}–{cited.end})")
    ]
    assert list(participation.passages.all()) == []


@pytest.mark.parametrize("documents", [1, 2])
def test_a_new_passage_row_offers_the_only_document(curator_client, documents):
    """With one document to cite, the new row and the row template name it; with two, neither guesses."""
    article = SourceFactory(slug="article", title="The article")
    SourceFactory(slug="outlet", title="An outlet", text="")  # no text: nothing to cite in it
    if documents == 2:
        SourceFactory(slug="letter", title="A letter")

    html = curator_client.get(change_url(EventFactory())).content.decode()

    offered = [(str(article.pk), "The article")] if documents == 1 else []
    assert chosen_options(html, "Event_passages-0-source") == offered
    assert chosen_options(html, "Event_passages-__prefix__-source") == offered


@pytest.mark.parametrize(("model_name", "most"), [("organisation", 14), ("actor", 13), ("event", 12)])
def test_delete_confirmations_do_not_query_per_object(client, django_assert_max_num_queries, model_name, most):
    """What a delete takes with it is listed with one query per relation, not one per object (deleting
    an organisation named in 21 events took 21 queries to name them)."""
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    def record_with(rows):
        record = record_with_rows(model_name, rows)
        participant = {"event": {"event": record}, "actor": {"actor": record}}.get(
            model_name, {"actor": None, "organisation": record}
        )
        for _ in range(rows):
            ParticipationFactory(**participant).passages.add(PassageFactory())
        return record

    two, six = (reverse(f"admin:timeline_{model_name}_delete", args=[record_with(n).pk]) for n in (2, 6))

    counts = queries_of(client, django_assert_max_num_queries, most, two, six)

    assert counts == [most, most]


def deletion_cases():
    """(name, objects to delete, who): what the delete pages and the "delete selected" action are given."""

    def organisation():
        cob = OrganisationFactory(name="<b>Workers'</b> Centre", acronym="COB")
        for _ in range(3):
            ParticipationFactory(actor=None, organisation=cob).passages.add(PassageFactory())
            MembershipFactory(organisation=cob)
        cob.passages.add(PassageFactory())
        return [cob]

    def events():
        first, second = EventFactory(title="First"), EventFactory(title="Second")
        for event in (first, second):
            ParticipationFactory(event=event)
            EventRelationFactory(from_event=event, to_event=first if event is second else second)
            QuoteFactory(event=event)
            event.passages.add(PassageFactory())
        return [first, second]

    def passage():
        cited = PassageFactory()
        QuoteFactory(passage=cited)  # a quotation protects its passage
        for factory in (EventFactory, ActorFactory, PlaceFactory):
            factory().passages.add(cited)
        return [cited]

    superuser = lambda: UserFactory(username="root", is_staff=True, is_superuser=True)  # noqa: E731
    deletes_events_only = lambda: UserFactory(  # noqa: E731
        username="editor", is_staff=True, permissions=["timeline.delete_event", "timeline.view_event"]
    )
    return [
        ("organisation", organisation, superuser),
        ("events", events, superuser),
        ("events, by one who may delete only events", events, deletes_events_only),
        ("passage", passage, superuser),
    ]


def leaves(nested):
    """Each listed line with whether it is safe HTML: a label without a link must stay escaped."""
    return [leaves(item) if isinstance(item, list) else (isinstance(item, SafeData), str(item)) for item in nested]


@pytest.mark.parametrize(("name", "make", "who"), deletion_cases(), ids=[case[0] for case in deletion_cases()])
def test_a_delete_confirmation_lists_what_djangos_own_lists(rf, name, make, who):
    objs = make()
    request = rf.get("/")
    request.user = who()
    model_admin = admin.site.get_model_admin(type(objs[0]))
    queryset = type(objs[0]).objects.filter(pk__in=[obj.pk for obj in objs])

    ours = model_admin.get_deleted_objects(queryset, request)
    djangos = get_deleted_objects(type(objs[0]).objects.filter(pk__in=[obj.pk for obj in objs]), request, admin.site)

    assert (leaves(ours[0]), ours[1], ours[2], leaves(ours[3])) == (
        leaves(djangos[0]),
        djangos[1],
        djangos[2],
        leaves(djangos[3]),
    )
    assert ours[0]
