"""Small helpers shared by the API list tests: fixed timestamps, expected summaries and error bodies."""

from http import HTTPStatus

BASE = "http://testserver"
STAMP = "2004-01-26T12:00:00Z"
NO_SUCH_CHOICE = "Select a valid choice. That choice is not one of the available choices."
INVALID_EDTF = (
    "“January” is not a valid EDTF date. Use forms such as 2004-01-22, 2003-10, 1971, "
    "1971-07-18/1971-07-20, 1952-04~ (approximate) or 1970? (uncertain)."
)
UNDATED = {
    "edtf": "",
    "earliest": None,
    "latest": None,
    "display": "undated",
    "precision": "",
    "approximate": False,
    "uncertain": False,
    "as_written": "",
    "basis": "",
    "note": "",
}


def stamp(*records):
    """Give the records fixed timestamps, so the expected JSON can name them."""
    for record in records:
        type(record).objects.filter(pk=record.pk).update(created_at=STAMP, updated_at=STAMP)


def slugs(response) -> list[str]:
    assert response.status_code == HTTPStatus.OK, response.json()
    return [item["slug"] for item in response.json()["results"]]


def summary(resource: str, slug: str, name: str) -> dict:
    return {"slug": slug, "name": name, "url": f"{BASE}/api/v1/{resource}/{slug}/"}


def passage_summary(source: str, start: int, end: int, text: str) -> dict:
    slug = f"{source}-{start}-{end}"
    return {
        "slug": slug,
        "source": source,
        "start": start,
        "end": end,
        "text": text,
        "url": f"{BASE}/api/v1/passages/{slug}/",
    }


def assert_invalid_query(response, errors: dict[str, list[str]]) -> None:
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"detail": f"Invalid query parameter(s): {', '.join(sorted(errors))}.", "errors": errors}


def choice_error(value: str) -> str:
    return f"Select a valid choice. {value} is not one of the available choices."
