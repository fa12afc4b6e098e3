"""Email settings come from the environment; email is off without a host."""

from __future__ import annotations

from indirect_work import create_app


def test_email_settings_are_read_from_the_environment(monkeypatch, tmp_path):
    values = {
        "IW_SMTP_HOST": "smtp.example.nhs.uk",
        "IW_SMTP_PORT": "2525",
        "IW_SMTP_USERNAME": "indirect-work",
        "IW_SMTP_PASSWORD": "not-a-real-password",
        "IW_SMTP_STARTTLS": "0",
        "IW_MAIL_FROM": "Indirect Work <iw@example.nhs.uk>",
        "IW_BASE_URL": "https://iw.example.nhs.uk",
        "IW_LINK_HOURS": "12",
        "IW_REMINDER_WEEKDAY": "0",
        "IW_REMINDER_HOUR": "9",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    app = create_app({"IW_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/s.db"})
    config = app.config
    assert config["IW_SMTP_HOST"] == "smtp.example.nhs.uk" and config["IW_SMTP_PORT"] == 2525
    assert config["IW_SMTP_USERNAME"] == "indirect-work" and config["IW_SMTP_STARTTLS"] is False
    assert config["IW_MAIL_FROM"] == "Indirect Work <iw@example.nhs.uk>"
    assert (config["IW_LINK_HOURS"], config["IW_REMINDER_WEEKDAY"], config["IW_REMINDER_HOUR"]) == (12, 0, 9)


def test_without_a_host_email_is_off(tmp_path, monkeypatch):
    from indirect_work.mail import compose, deliver, mail_enabled

    monkeypatch.delenv("IW_SMTP_HOST", raising=False)
    app = create_app({"IW_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/s.db"})
    with app.test_request_context():
        assert not mail_enabled()
        email = compose(
            to="a@example.nhs.uk",
            subject="S",
            template="password_link",
            name="A",
            purpose="reset",
            link="x",
            hours=1,
        )
        assert deliver(email) is False
