"""Glance's error responses, as webob writes them (webob/exc.py ``WSGIHTTPException``): Glance
raises webob's HTTP exceptions with its sentence as their explanation, and webob renders one by
the request's Accept header (``acceptable_offers(["text/html", "application/json"])``):

- text/html first acceptable (no Accept, ``*/*``: what glanceclient and Horizon send):
  a small HTML page, which glanceclient reduces to "404 Not Found: <sentence>";
- application/json (Tempest, openstacksdk): ``{"message", "code": "404 Not Found", "title"}``;
- neither: text/plain.

The sentence is followed by webob's ``<br /><br />`` and the empty detail, as on the wire."""

from __future__ import annotations

import html
import json
import re

from django.http import HttpResponse

#: webob's titles where they differ from http.HTTPStatus's phrases (or it has none).
TITLES = {
    413: "Request Entity Too Large",
    414: "Request-URI Too Long",
    416: "Request Range Not Satisfiable",
    422: "Unprocessable Entity",
}
OFFERS = ("text/html", "application/json")
#: What follows the sentence in webob's body template when there is no detail or comment.
BODY_TAIL = "<br /><br />\n\n\n"


def _quality(ranges: list[tuple[str, float]], offer: str) -> float:
    """The q of the most specific media range in ``ranges`` that matches ``offer`` (0: none)."""
    kind = offer.split("/")[0]
    best, best_q = -1, 0.0
    for media_range, q in ranges:
        specificity = {offer: 2, f"{kind}/*": 1, "*/*": 0}.get(media_range, -1)
        if specificity > best:
            best, best_q = specificity, q
    return best_q


def negotiate(accept: str | None) -> str:
    """What webob answers an error with for this Accept header: text/html, application/json
    or text/plain. No header (or one that does not parse) accepts anything: text/html."""
    if not accept or not accept.strip():
        return OFFERS[0]
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        media_range, *params = [item.strip() for item in part.split(";")]
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    return OFFERS[0]
        ranges.append((media_range.lower(), q))
    scored = [(offer, _quality(ranges, offer)) for offer in OFFERS]
    acceptable = sorted((item for item in scored if item[1] > 0), key=lambda item: item[1], reverse=True)
    return acceptable[0][0] if acceptable else "text/plain"


def _strip_tags(value: str) -> str:
    value = value.replace("\n", " ").replace("\r", "")
    value = re.sub(r"<br.*?>", "\n", value, flags=re.I | re.S)
    return re.sub(r"<.*?>", "", re.sub(r"<!--|-->", "", value), flags=re.S)


def _status_line(status: int, title: str) -> str:
    return f"{status} {TITLES.get(status, title)}"


def json_document(status: int, title: str, message: str) -> dict[str, str]:
    """webob's JSON error document: ``code`` is the status line, ``message`` its body."""
    return {"message": f"{message}{BODY_TAIL}", "code": _status_line(status, title), "title": TITLES.get(status, title)}


def webob_error(accept: str | None, status: int, title: str, message: str) -> HttpResponse:
    """The error response webob gives a request with this Accept header."""
    status_line = _status_line(status, title)
    content_type = negotiate(accept)
    if content_type == "text/html":
        body = f"{html.escape(message)}{BODY_TAIL}"
        text = (
            f"<html>\n <head>\n  <title>{status_line}</title>\n </head>\n <body>\n"
            f"  <h1>{status_line}</h1>\n  {body}\n </body>\n</html>"
        )
    elif content_type == "application/json":
        text = json.dumps(json_document(status, title, message))
    else:
        text = f"{status_line}\n\n{_strip_tags(message + BODY_TAIL)}"
    charset = "; charset=UTF-8" if content_type.startswith("text/") else ""
    return HttpResponse(text, status=status, content_type=content_type + charset)
