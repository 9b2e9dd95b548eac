"""The pure rules of notices, table-driven: plain addresses only, one-line subjects, templates, backoff."""
from __future__ import annotations

from datetime import timedelta

import pytest

from analytics.notices.rules import backoff, html_body, one_line, render, reserved_domain, valid_address


@pytest.mark.parametrize("address, valid", [
    ("ana@alpha.example", True), ("inès.martin0@cobalt-sante.example", True), ("o'brien+x@b-c.example", True),
    ("ana@alpha.example\n", False), ("ana@alpha.example\r", False), ("x@y.example\r\nBcc: z@w.example", False),
    ("a b@c.example", False), ("a,b@c.example", False), ("<a@b.example>", False), ('"a"@b.example', False),
    ("Ana <ana@alpha.example>", False), ("a@b", False), ("a@-b.example", False), ("a@b_c.example", False),
    ("a@b.example.", False), ("", False), ("a" * 250 + "@b.example", False),
])
def test_only_one_plain_address_passes(address, valid):
    assert valid_address(address) is valid


@pytest.mark.parametrize("address, reserved", [
    ("a@alpha.example", True), ("a@example.com", True), ("a@mail.example.org", True), ("a@x.test", True),
    ("a@x.invalid", True), ("a@localhost", True), ("a@alpha.fr", False), ("a@notexample.com", False),
])
def test_reserved_example_domains(address, reserved):
    assert reserved_domain(address) is reserved


def test_a_subject_is_one_line_whatever_separators_it_holds():
    assert one_line("A\r\nBcc: x@y.example\rB\nC\u2028D\u2029E\x85F\vG\fH  \t I ") == \
        "A Bcc: x@y.example B C D E F G H I"


def test_only_known_placeholders_are_replaced_and_nothing_is_formatted():
    assert render("{reference} {title} {unknown} {0} {title.__class__} {{x}}", {"reference": "INC-1", "title": "T"}) \
        == "INC-1 T {unknown} {0} {title.__class__} {{x}}"


def test_the_html_body_escapes_every_character_and_keeps_paragraphs():
    assert html_body("<b>x</b> & \"y\"\nline 2\n\n<script>") == (
        '<!DOCTYPE html>\n<html><body style="font-family: sans-serif">\n'
        "<p>&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot;<br>\nline 2</p>\n<p>&lt;script&gt;</p>\n</body></html>\n")


@pytest.mark.parametrize("attempts, wait", [(1, 1), (2, 2), (3, 4), (6, 32), (7, 60), (20, 60)])
def test_backoff_doubles_up_to_an_hour(attempts, wait):
    assert backoff(attempts) == timedelta(minutes=wait)
