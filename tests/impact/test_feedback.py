"""Recipient feedback: links, the public form and every one of its safety rules, on the real database."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from indirect_work.audit.models import AuditEvent
from indirect_work.core.db import utcnow
from indirect_work.impact.models import FeedbackAnswer, FeedbackLink, FeedbackResponse, Question
from indirect_work.impact.services import close_link, create_link, question_set_for
from tests.conftest import extract_csrf

# A valid NHS number (Modulus 11), as a respondent might paste it.
NHS_NUMBER = "943 476 5919"


@pytest.fixture
def training(make, db):
    team = make.team()
    clinician = make.clinician(team)
    activity = make.activity(clinician, team, type_code="TRAIN_STAFF", people_reached=12)
    return clinician, team, activity


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _answer(app, token, values, free_text="", browser=None):
    """One respondent: a fresh browser (no session) opens the link and sends the form."""
    browser = browser or app.test_client()
    page = browser.get(f"/feedback/{token}")
    if page.status_code != 200 or b"feedback-form" not in page.data:
        return browser, page
    codes = re.findall(r'name="q_([a-z_]+)"', page.get_data(as_text=True))
    data = {"csrf_token": extract_csrf(page.get_data(as_text=True)), "free_text": free_text}
    for code, value in zip(dict.fromkeys(codes), values, strict=False):
        data[f"q_{code}"] = str(value)
    return browser, browser.post(f"/feedback/{token}", data=data)


def test_default_question_sets_have_three_to_six_items_on_known_scales(make, db):
    from indirect_work.impact.questions import SCALES
    from indirect_work.taxonomy.models import ActivityCategory

    for category in db.session.scalars(select(ActivityCategory)):
        questions = question_set_for(category).active_questions("first")
        assert 3 <= len(questions) <= 6, category.code
        assert all(q.scale in SCALES for q in questions)


def test_link_token_is_unguessable_and_expires_by_setting(app, training, db, monkeypatch):
    clinician, _, activity = training
    monkeypatch.setitem(app.config, "IW_FEEDBACK_EXPIRY_DAYS", 7)
    links = [create_link(actor=clinician, activity=activity) for _ in range(3)]
    assert len({link.token for link in links}) == 3
    for link in links:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", link.token)  # 32 random bytes = 256 bits
        assert timedelta(days=6, hours=23) < link.expires_at - utcnow() <= timedelta(days=7)
    assert _count(db, AuditEvent) >= 3


def test_only_the_clinician_opens_links(make, training, db):
    from indirect_work.core.errors import PermissionDenied

    _, team, activity = training
    with pytest.raises(PermissionDenied):
        create_link(actor=make.lead(team), activity=activity)
    with pytest.raises(PermissionDenied):
        create_link(actor=make.clinician(team), activity=activity)


def test_three_answer_then_closed_link_refuses_the_fourth(app, training, db):
    clinician, _, activity = training
    link = create_link(actor=clinician, activity=activity)
    db.session.commit()
    for values in ([5, 4, 4, 5], [4, 4, 3, 5], [3, 5, 4, 4]):
        _, response = _answer(app, link.token, values, free_text="Use the grounding exercise in handovers")
        assert response.status_code == 200 and b"feedback-thanks" in response.data
    assert _count(db, FeedbackResponse) == 3
    close_link(actor=clinician, link=link)
    db.session.commit()
    browser, page = _answer(app, link.token, [5, 5, 5, 5])
    assert page.status_code == 410 and b"closed" in page.data
    browser.get(f"/feedback/{link.token}")  # a cookie from the refused visit, then a post
    refused = browser.post(
        f"/feedback/{link.token}", data={"csrf_token": browser.csrf_token(), "q_relevant": "5"}
    )
    assert refused.status_code == 410
    assert _count(db, FeedbackResponse) == 3


def test_expired_link_refuses_with_a_clear_page(app, training, db):
    clinician, _, activity = training
    link = create_link(actor=clinician, activity=activity)
    link.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    _, page = _answer(app, link.token, [5, 5, 5, 5])
    assert page.status_code == 410 and b"expired" in page.data


def test_one_response_per_browser_per_link(app, training, db):
    clinician, _, activity = training
    link = create_link(actor=clinician, activity=activity)
    db.session.commit()
    browser, first = _answer(app, link.token, [5, 4, 4, 5])
    assert b"feedback-thanks" in first.data
    again = browser.get(f"/feedback/{link.token}")
    assert b"already answered" in again.data
    token = browser.csrf_token()
    second = browser.post(
        f"/feedback/{link.token}",
        data={"csrf_token": token, "q_relevant": "1", "q_learned": "1", "q_confidence": "1", "q_intend": "1"},
    )
    assert b"already answered" in second.data
    assert _count(db, FeedbackResponse) == 1


def test_no_nonce_cookie_no_response(app, training, db):
    clinician, _, activity = training
    link = create_link(actor=clinician, activity=activity)
    db.session.commit()
    browser = app.test_client()
    data = {
        "csrf_token": browser.csrf_token(),
        "q_relevant": "4",
        "q_learned": "4",
        "q_confidence": "4",
        "q_intend": "4",
    }
    response = browser.post(f"/feedback/{link.token}", data=data)
    assert response.status_code == 422 and b"cookie" in response.data
    assert _count(db, FeedbackResponse) == 0


@pytest.mark.parametrize(
    ("values", "free_text", "field", "message"),
    [
        ([5, 4, 4], "", "q_intend", b"Choose an answer"),
        ([5, 4, 4, 6], "", "q_intend", b"Choose one of the answers shown"),
        ([5, 4, 4, 0], "", "q_intend", b"Choose one of the answers shown"),
        ([5, 4, 4, 4], f"Spoke about {NHS_NUMBER} with the team", "free_text", b"NHS number"),
        ([5, 4, 4, 4], "x" * 1001, "free_text", b"1000 characters"),
    ],
)
def test_bad_answers_are_refused_next_to_the_field_and_nothing_stored(
    app, training, db, values, free_text, field, message
):
    clinician, _, activity = training
    link = create_link(actor=clinician, activity=activity)
    db.session.commit()
    _, response = _answer(app, link.token, values, free_text=free_text)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in response.data
    assert f'id="{field}-error"' in html
    assert _count(db, FeedbackResponse) == 0 and _count(db, FeedbackAnswer) == 0


def test_tampered_or_unknown_token_is_not_found(app, training, db):
    clinician, _, activity = training
    link = create_link(actor=clinician, activity=activity)
    db.session.commit()
    browser = app.test_client()
    for token in (link.token[:-1] + ("A" if link.token[-1] != "A" else "B"), link.token[:20], "x" * 500):
        assert browser.get(f"/feedback/{token}").status_code == 404


def test_answers_keep_the_wording_asked(app, training, db):
    clinician, _, activity = training
    link = create_link(actor=clinician, activity=activity)
    db.session.commit()
    _answer(app, link.token, [5, 4, 4, 5])
    question = db.session.scalar(
        select(Question).where(Question.question_set_id == link.question_set_id).limit(1)
    )
    original = question.wording
    question.wording = "A reworded question"
    question.is_active = False
    db.session.commit()
    stored = db.session.scalar(select(FeedbackAnswer).where(FeedbackAnswer.question_code == question.code))
    assert stored.wording == original and stored.scale_points == 5
    assert stored.scale_labels.split("|")[0] == "Strongly disagree"


def test_rate_limited_per_address(app, training, db, monkeypatch):
    clinician, _, activity = training
    monkeypatch.setitem(app.config, "IW_FEEDBACK_MAX_PER_ADDRESS", 2)
    link = create_link(actor=clinician, activity=activity)
    db.session.commit()
    assert b"feedback-thanks" in _answer(app, link.token, [5, 4, 4, 5])[1].data
    assert _answer(app, link.token, [5, 4])[1].status_code == 422  # a refused post counts too
    _, limited = _answer(app, link.token, [5, 4, 4, 5])
    assert limited.status_code == 429 and limited.headers["Retry-After"]
    assert _count(db, FeedbackResponse) == 1


def test_respondent_gets_only_the_nonce_cookie_and_csrf(app, training, db):
    clinician, _, activity = training
    link = create_link(actor=clinician, activity=activity)
    db.session.commit()
    page = app.test_client().get(f"/feedback/{link.token}")
    cookies = page.headers.getlist("Set-Cookie")
    nonce = [c for c in cookies if c.startswith("iw_feedback=")]
    assert nonce and "Path=/feedback/" in nonce[0] and "HttpOnly" in nonce[0]
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_clinician_page_shows_qr_means_and_free_text_lead_sees_it_commissioner_does_not(
    app, client, login, make, training, db
):
    clinician, team, activity = training
    link = create_link(actor=clinician, activity=activity)
    db.session.commit()
    for values in ([5, 4, 4, 5], [4, 4, 3, 5], [3, 5, 4, 4]):
        _answer(app, link.token, values, free_text="Try the grounding exercise")
    login(clinician)
    page = client.get(f"/activities/{activity.id}/feedback").get_data(as_text=True)
    assert 'data-testid="feedback-qr"' in page and "data:image/svg+xml" in page
    assert "3 responses" in page
    rows = db.session.scalars(select(FeedbackAnswer).where(FeedbackAnswer.question_code == "relevant")).all()
    expected = sum(a.value for a in rows) / len(rows)
    assert f'data-testid="mean-relevant">{expected:.2f}<' in page
    assert "Try the grounding exercise" in page
    lead_client = app.test_client()
    login(make.lead(team), target=lead_client)
    assert "Try the grounding exercise" in lead_client.get(f"/activities/{activity.id}/feedback").get_data(
        as_text=True
    )
    commissioner_client = app.test_client()
    login(make.commissioner(team.organisation), target=commissioner_client)
    assert commissioner_client.get(f"/activities/{activity.id}/feedback").status_code == 404


def test_clinician_opens_and_closes_links_through_the_pages(client, login, training, db):
    clinician, _, activity = training
    login(clinician)
    response = client.post_form(f"/activities/{activity.id}/feedback/links")
    assert response.status_code == 302
    link = db.session.scalar(select(FeedbackLink).where(FeedbackLink.activity_id == activity.id))
    assert link is not None and link.stage == "first"
    client.post_form(f"/activities/{activity.id}/feedback/links", {"stage": "follow_up"})
    assert _count(db, FeedbackLink) == 2
    assert client.post_form(f"/feedback-links/{link.id}/close").status_code == 302
    db.session.expire_all()
    assert db.session.get(FeedbackLink, link.id).closed_at is not None


def test_admin_edits_a_question_set_and_past_answers_keep_their_wording(
    app, client, login, make, training, db
):
    from indirect_work.impact.models import QuestionSet

    clinician, _, activity = training
    link = create_link(actor=clinician, activity=activity)
    db.session.commit()
    _answer(app, link.token, [5, 4, 4, 5])
    login(make.admin())
    category_id = activity.activity_type.category_id
    page = client.get(f"/admin/taxonomy/categories/{category_id}/questions")
    assert page.status_code == 200
    question_set = db.session.scalar(select(QuestionSet).where(QuestionSet.category_id == category_id))
    data = {
        "follow_up_days": "56",
        "new_wording": "The session was pitched at the right level.",
        "new_scale": "agree5",
    }
    for question in question_set.questions:
        data[f"wording_{question.id}"] = question.wording + (
            " (edited)" if question.code == "relevant" else ""
        )
        data[f"scale_{question.id}"] = question.scale
        if question.code != "intend":
            data[f"active_{question.id}"] = "y"
    assert client.post_form(page.request.path, data).status_code == 302
    db.session.expire_all()
    question_set = db.session.get(QuestionSet, question_set.id)
    assert question_set.follow_up_days == 56
    wordings = [q.wording for q in question_set.active_questions("first")]
    assert "The session was relevant to my work. (edited)" in wordings and len(wordings) == 4
    old = db.session.scalar(select(FeedbackAnswer).where(FeedbackAnswer.question_code == "relevant"))
    assert old.wording == "The session was relevant to my work."
    # Fewer than three questions is refused and nothing changes.
    data = {f"wording_{q.id}": q.wording for q in question_set.questions}
    refused = client.post_form(page.request.path, data)
    assert refused.status_code == 422 and b"Keep 3 to 6" in refused.data
    db.session.expire_all()
    assert len(db.session.get(QuestionSet, question_set.id).active_questions("first")) == 4


def test_follow_up_is_offered_only_where_the_category_has_follow_up_questions(client, login, make, db):
    team = make.team()
    clinician = make.clinician(team)
    training = make.activity(clinician, team, type_code="TRAIN_STAFF")
    supervision = make.activity(clinician, team, type_code="SUPERVISION_CLINICAL")
    for activity in (training, supervision):
        create_link(actor=clinician, activity=activity)
    db.session.commit()
    login(clinician)
    assert 'data-testid="new-follow-up-link"' in client.get(f"/activities/{training.id}/feedback").text
    assert 'data-testid="new-follow-up-link"' not in client.get(f"/activities/{supervision.id}/feedback").text
    refused = client.post_form(f"/activities/{supervision.id}/feedback/links", {"stage": "follow_up"})
    assert refused.status_code == 302
    assert _count(db, FeedbackLink) == 2


def test_a_response_keeps_no_client_address(app, training, db):
    from indirect_work.auth.models import AuthFailure

    clinician, _, activity = training
    link = create_link(actor=clinician, activity=activity)
    db.session.commit()
    _answer(app, link.token, [5, 4, 4, 5])
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "impact.response_recorded"))
    assert event.ip_address is None
    keys = db.session.scalars(select(AuthFailure.key).where(AuthFailure.key.like("feedback-address:%"))).all()
    assert keys and all("127.0.0.1" not in key for key in keys)
