from timeline.reader import Segment, Span, paragraph_bounds, paragraphs


def test_paragraph_bounds_split_on_blank_lines_and_trim():
    text = "Title\n\n  First para.\nSame para.\n\n\n Second. \n"

    assert [text[start:end] for start, end in paragraph_bounds(text)] == [
        "Title",
        "First para.\nSame para.",
        "Second.",
    ]


def test_paragraphs_without_passages_are_one_plain_segment_each():
    result = paragraphs("One.\n\nTwo.", [])

    assert [(p.number, p.text, p.segments) for p in result] == [
        (1, "One.", (Segment("One.", 0, 4),)),
        (2, "Two.", (Segment("Two.", 6, 10),)),
    ]


def test_nested_and_overlapping_passages_become_flat_segments():
    text = "abcdefghij"
    spans = [Span(2, 8, "outer"), Span(3, 5, "inner"), Span(6, 10, "overlap")]

    (paragraph,) = paragraphs(text, spans)

    assert [(s.text, s.covering, s.starting) for s in paragraph.segments] == [
        ("ab", (), ()),
        ("c", ("outer",), ("outer",)),
        ("de", ("outer", "inner"), ("inner",)),
        ("f", ("outer",), ()),
        ("gh", ("outer", "overlap"), ("overlap",)),
        ("ij", ("overlap",), ()),
    ]
    assert paragraph.text == text
    assert paragraph.passages == ("outer", "inner", "overlap")
    assert [s.innermost for s in paragraph.segments] == [None, "outer", "inner", "outer", "overlap", "overlap"]


def test_identical_spans_share_segments_and_both_get_anchors():
    (paragraph,) = paragraphs("one two", [Span(0, 3, "a"), Span(0, 3, "b")])

    assert [(s.text, s.covering, s.starting) for s in paragraph.segments] == [
        ("one", ("a", "b"), ("a", "b")),
        (" two", (), ()),
    ]


def test_a_passage_across_a_paragraph_break_is_cut_and_anchored_once():
    text = "First para.\n\nSecond para."
    (first, second) = paragraphs(text, [Span(6, 19, "p")])

    assert [(s.text, s.covering, s.starting) for s in first.segments] == [
        ("First ", (), ()),
        ("para.", ("p",), ("p",)),
    ]
    assert [(s.text, s.covering, s.starting) for s in second.segments] == [
        ("Second", ("p",), ()),
        (" para.", (), ()),
    ]


def test_a_passage_starting_in_the_blank_lines_is_anchored_at_the_next_paragraph():
    text = "One.\n\nTwo words."
    (_, second) = paragraphs(text, [Span(5, 9, "p")])

    assert [(s.text, s.starting) for s in second.segments] == [("Two", ("p",)), (" words.", ())]


def test_spans_outside_the_text_or_empty_are_ignored():
    (paragraph,) = paragraphs("short", [Span(2, 2, "empty"), Span(3, 99, "beyond")])

    assert [(s.text, s.covering) for s in paragraph.segments] == [("short", ())]
