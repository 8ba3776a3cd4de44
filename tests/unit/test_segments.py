"""Reading a segment from the admin's form, the safe Markdown of campaigns and news, the signed tokens of the
e-mail links, and the spacing of batches that keeps a campaign to MAIL_RATE_PER_MINUTE."""

from __future__ import annotations

import pytest

from claims.errors import InvalidInputError
from claims.i18n import LOCALES, has_key
from claims.services.mail_tokens import (
    delivery_for_open,
    delivery_for_unsubscribe,
    open_token,
    unsubscribe_token,
)
from claims.services.markdown_text import render_markdown
from claims.services.segments import Segment, parse_segment
from workers.campaign_mail import batch_delay


def test_a_segment_is_read_from_lists_or_comma_separated_text():
    segment = parse_segment(["Srebrny", "Złoty", "Srebrny"], "Kraków;  Nowy   Sącz\nGdańsk,", ["2", "1", "2"], " 30 ")
    assert segment == Segment(("Srebrny", "Złoty"), ("Kraków", "Nowy Sącz", "Gdańsk"), (1, 2), 30)
    assert not segment.is_everyone


def test_an_empty_form_is_everyone_and_survives_json():
    assert parse_segment().is_everyone and parse_segment([], "", [], None).is_everyone
    segment = parse_segment(["Złoty"], "Radom", "3, 4", "90", ["mazowieckie", "łódzkie"])
    assert segment.regions == ("mazowieckie", "łódzkie") and not parse_segment(regions=["śląskie"]).is_everyone
    assert Segment.from_json(segment.as_json()) == segment
    assert Segment.from_json(None) == Segment()


@pytest.mark.parametrize(("fields", "field"), [
    ({"inactive_days": "0"}, "inactive_days"), ({"inactive_days": "-5"}, "inactive_days"),
    ({"inactive_days": "dziesięć"}, "inactive_days"), ({"inactive_days": "3651"}, "inactive_days"),
    ({"partners": ["1", "x"]}, "partners"), ({"partners": "1;DROP TABLE"}, "partners"),
    ({"cities": "a" * 101}, "cities"), ({"cities": ",".join(f"m{i}" for i in range(51))}, "cities"),
    ({"tiers": ["t" * 101]}, "tiers"), ({"regions": ["Bawaria"]}, "regions"),
])
def test_a_malformed_segment_is_refused_with_the_field(fields, field):
    with pytest.raises(InvalidInputError) as refused:
        parse_segment(**fields)
    assert refused.value.code == "bad_segment" and refused.value.details["field"] == field


def test_markdown_keeps_its_subset_and_escapes_every_tag():
    html = render_markdown('**Hej** <script>alert(1)</script> <img src=x onerror=alert(1)>\n\n- a\n\n'
                           '[zły](javascript:alert(1)) [dobry](https://example.pl) [data](data:text/html,x)')
    assert "<strong>Hej</strong>" in html and "<li>a</li>" in html
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    assert 'href="https://example.pl"' in html and "javascript:" not in html.split("[zły]")[0]
    assert 'href="javascript' not in html and 'href="data' not in html


def test_e_mail_link_tokens_are_signed_and_kept_apart():
    leave, seen = unsubscribe_token("k", 42), open_token("k", 42)
    assert delivery_for_unsubscribe("k", leave) == 42 and delivery_for_open("k", seen) == 42
    assert delivery_for_open("k", leave) is None  # an unsubscribe token is no open token, and back
    for bad in (seen, leave[:-2] + "xx", "", "x" * 500):
        with pytest.raises(InvalidInputError) as refused:
            delivery_for_unsubscribe("k", bad)
        assert refused.value.code == "unsubscribe_link_invalid"
    with pytest.raises(InvalidInputError):
        delivery_for_unsubscribe("another key", leave)


def test_batches_are_spaced_to_keep_the_rate():
    assert [batch_delay(i, 100, 600) for i in range(3)] == [0.0, 10.0, 20.0]
    assert batch_delay(5, 100, 0) == 0.0  # no limit: every batch at once


@pytest.mark.parametrize("key", ["email.campaign.why", "email.campaign.unsubscribe",
                                 "email.campaign.unsubscribe_link", "error.unsubscribe_link_invalid",
                                 "error.unsubscribe_link_expired", "unsubscribe.title",
                                 "news.title", "mail.recipient_count", "error.bad_segment"])
def test_reach_texts_are_in_both_languages(key):
    assert all(has_key(key, locale) for locale in LOCALES)
