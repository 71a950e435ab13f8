"""The revision history keeps the passages each record cites: who attached or removed one, when, and revert."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from tests.factories import (
    ActorFactory,
    EventFactory,
    MembershipFactory,
    OrganisationFactory,
    PassageFactory,
    PeriodFactory,
    PlaceFactory,
    SourceFactory,
)
from tests.timeline.test_admin import change_url, form_data, form_errors, make_curator
from timeline import history
from timeline.models import Event, Membership, Place

pytestmark = pytest.mark.django_db

GATHERED = "gathered in Cochabamba"
STRIKE = "general strike"


def versions(record):
    """Each version, oldest first: (type, author, passage words per link field)."""
    rows = []
    for version in record.history.order_by("history_date", "history_id"):
        links = history.version_links(version)
        words = {name: sorted(PassageWords.of(ids)) for name, ids in links.items()}
        rows.append((version.history_type, version.history_user, words))
    return rows


class PassageWords:
    @staticmethod
    def of(ids):
        from timeline.models import Passage

        return list(Passage.objects.filter(pk__in=ids).values_list("text", flat=True))


def history_page(client, record):
    response = client.get(reverse(f"admin:timeline_{record._meta.model_name}_history", args=[record.pk]))
    assert response.status_code == HTTPStatus.OK
    return response


def revert_url(record, version):
    return reverse(f"admin:timeline_{record._meta.model_name}_simple_history", args=[record.pk, version.history_id])


@pytest.fixture
def article():
    return SourceFactory(slug="article")


def test_adding_and_removing_a_passage_through_the_inline_is_one_version_each_with_its_author(client, article):
    ana, bea = make_curator("ana"), make_curator("bea")
    event = EventFactory(title="Enlarged meeting")
    url = change_url(event)

    client.force_login(ana)
    data = form_data(client.get(url))
    data.update({"Event_passages-0-source": str(article.pk), "Event_passages-0-words": GATHERED})
    assert client.post(url, data).status_code == HTTPStatus.FOUND
    client.force_login(bea)
    data = form_data(client.get(url))
    assert data["Event_passages-0-words"] == GATHERED
    data["Event_passages-0-DELETE"] = "on"
    response = client.post(url, data)

    assert form_errors(response) == {}
    assert response.status_code == HTTPStatus.FOUND
    assert list(event.passages.all()) == []
    assert versions(event) == [
        ("+", None, {"passages": []}),
        ("~", ana, {"passages": [GATHERED]}),
        ("~", bea, {"passages": []}),
    ]
    page = history_page(client, event)
    changes = {record.history_user: getattr(record, "link_changes", None) for record in page.context["page_obj"]}
    label = "“gathered in Cochabamba” (article 43–65)"
    assert changes == {
        bea: [{"field": "passages", "added": [], "removed": [label]}],
        ana: [{"field": "passages", "added": [label], "removed": []}],
        None: None,
    }
    html = page.content.decode()
    assert "<strong>Passages added:</strong> “gathered in Cochabamba” (article 43–65)" in html
    assert "<strong>Passages removed:</strong> “gathered in Cochabamba” (article 43–65)" in html


def test_a_place_passage_added_through_its_inline_is_in_the_version(client, article):
    ana = make_curator("ana")
    place = PlaceFactory(name="Cochabamba")
    url = change_url(place)
    client.force_login(ana)
    data = form_data(client.get(url))
    data.update({"PlacePassage-0-source": str(article.pk), "PlacePassage-0-words": GATHERED})
    data = {key.replace("PlacePassage-", f"{_prefix(client, url)}-"): value for key, value in data.items()}

    response = client.post(url, data)

    assert form_errors(response) == {}
    assert response.status_code == HTTPStatus.FOUND
    assert versions(place) == [("+", None, {"passages": []}), ("~", ana, {"passages": [GATHERED]})]


@pytest.mark.parametrize(
    ("factory", "inline"),
    [
        (EventFactory, "EventPassageInline"),
        (ActorFactory, "ActorPassageInline"),
        (OrganisationFactory, "OrganisationPassageInline"),
        (PlaceFactory, "PlacePassageInline"),
        (PeriodFactory, "PeriodPassageInline"),
    ],
)
def test_a_curator_can_attach_passages_on_every_record_that_cites_them(client, factory, inline):
    client.force_login(make_curator("ana"))

    response = client.get(change_url(factory()))

    formsets = {type(formset.opts).__name__: formset for formset in response.context["inline_admin_formsets"]}
    assert inline in formsets
    assert (formsets[inline].has_add_permission, formsets[inline].has_delete_permission) == (True, True)


def _prefix(client, url):
    (inline,) = client.get(url).context["inline_admin_formsets"]
    return inline.formset.prefix


def test_revert_restores_the_passages_the_version_cited(client, article):
    ana = make_curator("ana")
    gathered, strike = PassageFactory(source=article, words=GATHERED), PassageFactory(source=article, words=STRIKE)
    event = EventFactory(title="Original")
    event.passages.add(gathered)
    with_gathered = event.history.first()
    client.force_login(ana)
    url = change_url(event)
    data = form_data(client.get(url))
    data.update(
        {
            "title": "Changed",
            "Event_passages-0-DELETE": "on",
            "Event_passages-1-source": str(article.pk),
            "Event_passages-1-words": STRIKE,
        }
    )
    assert client.post(url, data).status_code == HTTPStatus.FOUND
    assert list(event.passages.all()) == [strike]

    revert_form = client.get(revert_url(event, with_gathered))
    assert revert_form.status_code == HTTPStatus.OK
    html = revert_form.content.decode()
    assert "Reverting also gives it the passages this version cited." in html
    assert "<li>“gathered in Cochabamba” (article 43–65)</li>" in html
    response = client.post(revert_url(event, with_gathered), form_data(revert_form))

    assert response.status_code == HTTPStatus.FOUND
    event.refresh_from_db()
    assert (event.title, list(event.passages.all())) == ("Original", [gathered])
    assert versions(event)[-1] == ("~", ana, {"passages": [GATHERED]})
    assert len(versions(event)) == 4  # created, passage added, edited, reverted: one version each


def test_a_revert_form_shows_the_versions_passages_in_its_passage_field_and_saves_them(client, article):
    ana = make_curator("ana")
    gathered, strike = PassageFactory(source=article, words=GATHERED), PassageFactory(source=article, words=STRIKE)
    membership = MembershipFactory()
    membership.passages.set([gathered])
    old = membership.history.first()
    client.force_login(ana)
    url = change_url(membership)
    data = form_data(client.get(url))
    assert data["passages"] == [str(gathered.pk)]
    assert client.post(url, {**data, "passages": [str(strike.pk)]}).status_code == HTTPStatus.FOUND
    assert versions(membership)[-1] == ("~", ana, {"passages": [STRIKE]})
    assert len(versions(membership)) == 3  # one version for the edit, not one per link step

    revert_form = client.get(revert_url(membership, old))
    data = form_data(revert_form)
    assert data["passages"] == [str(gathered.pk)]
    assert "Reverting also gives it" not in revert_form.content.decode()  # the field shows them
    assert client.post(revert_url(membership, old), data).status_code == HTTPStatus.FOUND

    membership = Membership.objects.get()
    assert list(membership.passages.all()) == [gathered]
    assert versions(membership)[-1] == ("~", ana, {"passages": [GATHERED]})


def test_reverting_to_a_version_kept_before_links_were_recorded_leaves_the_passages_alone(client, article):
    ana = make_curator("ana")
    gathered = PassageFactory(source=article, words=GATHERED)
    event = EventFactory(title="Original")
    old = event.history.get()
    type(old).objects.filter(pk=old.pk).update(links_recorded=False)  # as migration 0006 marks older versions
    event.title = "Changed"
    event.save()
    event.passages.add(gathered)
    client.force_login(ana)

    revert_form = client.get(revert_url(event, old))
    assert "reverting to it leaves the current passages as they are" in revert_form.content.decode()
    assert client.post(revert_url(event, old), form_data(revert_form)).status_code == HTTPStatus.FOUND

    event.refresh_from_db()
    assert (event.title, list(event.passages.all())) == ("Original", [gathered])
    page = history_page(client, event)
    assert [getattr(record, "link_changes", None) for record in page.context["page_obj"]] == [
        None,  # the revert: same passages as before it
        [{"field": "passages", "added": ["“gathered in Cochabamba” (article 43–65)"], "removed": []}],
        None,  # "Changed": compared with a version that recorded no links
        None,
    ]


def test_link_changes_through_the_related_managers_are_versions(article):
    gathered, strike = PassageFactory(source=article, words=GATHERED), PassageFactory(source=article, words=STRIKE)
    first, second = EventFactory(), EventFactory()

    first.passages.add(gathered)
    strike.events.add(first, second)  # from the passage's side
    gathered.events.remove(first)
    strike.events.clear()

    assert versions(first) == [
        ("+", None, {"passages": []}),
        ("~", None, {"passages": [GATHERED]}),
        ("~", None, {"passages": [GATHERED, STRIKE]}),
        ("~", None, {"passages": [STRIKE]}),
        ("~", None, {"passages": []}),
    ]
    assert versions(second) == [
        ("+", None, {"passages": []}),
        ("~", None, {"passages": [STRIKE]}),
        ("~", None, {"passages": []}),
    ]


def test_one_version_per_record_takes_the_links_as_they_are_at_the_end(article):
    gathered, strike = PassageFactory(source=article, words=GATHERED), PassageFactory(source=article, words=STRIKE)
    event = EventFactory()

    with history.one_version_per_record():
        event.title = "Edited"
        event.save()
        event.passages.set([gathered])
        Event.passages.through.objects.create(event=event, passage=strike)  # a row, as the admin's inline saves it

    assert versions(event) == [("+", None, {"passages": []}), ("~", None, {"passages": [GATHERED, STRIKE]})]


def test_a_failed_edit_does_not_rewrite_its_versions_links(article):
    gathered = PassageFactory(source=article, words=GATHERED)
    place = PlaceFactory()

    def failing_edit():
        with history.one_version_per_record():
            place.save()
            place.passages.add(gathered)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        failing_edit()

    # The admin and the API run every edit in a transaction, which the error rolls back;
    # here nothing does, so the version is left as written: its links were never recorded.
    assert [(v.history_type, history.version_links(v)) for v in Place.objects.get().history.all()] == [
        ("~", {"passages": []}),
        ("+", {"passages": []}),
    ]


def test_loading_fixtures_writes_no_history(tmp_path, article):
    from django.core.management import call_command

    gathered = PassageFactory(source=article, words=GATHERED)
    event = EventFactory(slug="meeting")
    event.passages.add(gathered)
    fixture = tmp_path / "dump.json"
    call_command(
        "dumpdata", "timeline.event", "--natural-foreign", "--natural-primary", output=str(fixture), verbosity=0
    )
    link_model, _ = history._link_model(Event, "passages")
    Event.objects.all().delete()
    Event.history.all().delete()
    link_model.objects.all().delete()

    call_command("loaddata", str(fixture), verbosity=0)

    assert list(Event.objects.get().passages.all()) == [gathered]
    assert (Event.history.count(), link_model.objects.count()) == (0, 0)


def test_the_history_page_does_a_bounded_number_of_queries(client, article, django_assert_max_num_queries):
    ana = make_curator("ana")
    passages = [PassageFactory(source=article, words=words) for words in (GATHERED, STRIKE, "January 22")]
    small, large = EventFactory(), EventFactory()
    small.passages.add(passages[0])
    for index in range(30):
        large.passages.set([passages[index % 3]])
        large.title = f"Title {index}"
        large.save()
    client.force_login(ana)
    history_page(client, small)

    with django_assert_max_num_queries(18) as small_queries:
        history_page(client, small)
    with django_assert_max_num_queries(len(small_queries)) as large_queries:
        page = history_page(client, large)
    assert len(page.context["page_obj"]) == 25
    assert len(large_queries) == len(small_queries)


def test_deleting_a_passage_is_a_version_of_each_record_that_cited_it(article):
    gathered, strike = PassageFactory(source=article, words=GATHERED), PassageFactory(source=article, words=STRIKE)
    event, place = EventFactory(), PlaceFactory()
    event.passages.set([gathered, strike])
    place.passages.add(gathered)

    gathered.delete()

    assert versions(event)[-1] == ("~", None, {"passages": [STRIKE]})
    assert versions(place)[-1] == ("~", None, {"passages": []})
    assert len(versions(event)) == 3


def test_history_and_revert_survive_a_passage_deleted_since(client, article):
    ana = make_curator("ana")
    gathered = PassageFactory(source=article, words=GATHERED)
    event = EventFactory(title="Original")
    event.passages.add(gathered)
    citing = event.history.first()
    gathered_pk = gathered.pk
    gathered.delete()
    client.force_login(ana)

    page = history_page(client, event)
    assert [getattr(record, "link_changes", None) for record in page.context["page_obj"]] == [
        [{"field": "passages", "added": [], "removed": [f"passage #{gathered_pk}, deleted since"]}],
        [{"field": "passages", "added": [f"passage #{gathered_pk}, deleted since"], "removed": []}],
        None,
    ]
    revert_form = client.get(revert_url(event, citing))
    assert f"<li>passage #{gathered_pk}, deleted since: it cannot be restored</li>" in revert_form.content.decode()
    response = client.post(revert_url(event, citing), {**form_data(revert_form), "title": "Reverted"})

    assert response.status_code == HTTPStatus.FOUND
    event.refresh_from_db()
    assert (event.title, list(event.passages.all())) == ("Reverted", [])


def test_someone_who_may_only_view_cannot_revert(client, article):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_event"))
    gathered = PassageFactory(source=article, words=GATHERED)
    event = EventFactory(title="Original")
    first = event.history.get()
    event.title = "Current"
    event.save()
    event.passages.add(gathered)
    client.force_login(viewer)

    revert_form = client.get(revert_url(event, first))
    assert revert_form.status_code == HTTPStatus.OK  # they may look at it
    response = client.post(revert_url(event, first), form_data(revert_form))

    assert response.status_code == HTTPStatus.FORBIDDEN
    event.refresh_from_db()
    assert (event.title, list(event.passages.all()), event.history.count()) == ("Current", [gathered], 3)


def test_versions_written_in_bulk_say_they_recorded_no_links(article):
    from simple_history.utils import bulk_create_with_history

    gathered = PassageFactory(source=article, words=GATHERED)
    (place,) = bulk_create_with_history([Place(name="Oruro", slug="oruro", kind="city")], Place)
    place = Place.objects.get(slug="oruro")
    place.passages.add(gathered)

    assert [(v.history_type, v.links_recorded) for v in place.history.order_by("history_id")] == [
        ("+", False),
        ("~", True),
    ]


def test_every_version_written_in_one_edit_records_the_links(article):
    gathered = PassageFactory(source=article, words=GATHERED)
    event = EventFactory()

    with history.one_version_per_record():
        event.save()
        event.passages.add(gathered)
        event.save()

    assert versions(event) == [
        ("+", None, {"passages": []}),
        ("~", None, {"passages": [GATHERED]}),
        ("~", None, {"passages": [GATHERED]}),
    ]
