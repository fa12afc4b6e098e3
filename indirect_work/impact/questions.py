"""The fixed response scales and the default question sets, one per activity category.

The items are our own, written for this product. They follow what reviews of psychological
consultation report as outcomes for staff (understanding of the person, feelings towards them,
confidence to act, changed plans) and for the service (less need for other referrals), and, for
training, Kirkpatrick's levels (reaction, learning, intended and then actual change in practice).
See docs/impact.md.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    code: str
    labels: tuple[str, ...]

    @property
    def points(self) -> int:
        return len(self.labels)


SCALES: dict[str, Scale] = {
    scale.code: scale
    for scale in (
        Scale(
            "agree5",
            ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"),
        ),
        Scale(
            "useful5",
            ("Not at all useful", "Slightly useful", "Moderately useful", "Very useful", "Extremely useful"),
        ),
    )
}

#: (code, wording, scale) of the first link's items and of the follow-up's, and the follow-up delay.
DefaultItems = tuple[tuple[str, str, str], ...]

_GENERIC: DefaultItems = (
    ("useful", "The work was useful to me.", "useful5"),
    ("confidence", "I feel more confident about what to do next.", "agree5"),
    ("again", "I would ask for this kind of work again.", "agree5"),
)

DEFAULT_SETS: dict[str, tuple[DefaultItems, DefaultItems, int | None]] = {
    "CONSULTATION": (
        (
            ("understanding", "The consultation helped me understand the person better.", "agree5"),
            ("feelings", "I feel more positive about working with the person.", "agree5"),
            ("confidence", "I feel more confident about what to do next.", "agree5"),
            ("plan", "We changed or clarified the plan as a result.", "agree5"),
            ("referral", "It may reduce the need for another referral or service.", "agree5"),
        ),
        (
            ("plan_changed", "Since the consultation, the plan for the person has changed.", "agree5"),
            ("difference", "The consultation made a difference for the person or the service.", "agree5"),
        ),
        42,
    ),
    "TRAINING": (
        (
            ("relevant", "The session was relevant to my work.", "agree5"),
            ("learned", "I learned something I can use.", "agree5"),
            ("confidence", "I feel more confident to apply what I learned.", "agree5"),
            ("intend", "I intend to change something in my practice.", "agree5"),
        ),
        (
            ("used", "Since the session, I have used what I learned in my work.", "agree5"),
            ("difference", "Using it has made a difference for the people I work with.", "agree5"),
        ),
        42,
    ),
    "SUPERVISION": (
        (
            ("space", "Supervision gave me space to think about my work.", "agree5"),
            ("manage", "I feel better able to manage the demands of my work.", "agree5"),
            ("clearer", "I have a clearer plan for the people I work with.", "agree5"),
        ),
        (),
        None,
    ),
    "REFLECTIVE": (
        (
            ("reflect", "The session helped me reflect on my experience at work.", "agree5"),
            ("supported", "I feel more supported in my role.", "agree5"),
            ("understand", "I understand the people I work with better.", "agree5"),
        ),
        (),
        None,
    ),
    "FORMULATION": (
        (
            ("understanding", "The formulation helped the team understand the person.", "agree5"),
            ("shared_plan", "The team agreed a shared way forward.", "agree5"),
            ("confidence", "I feel more confident about working with the person.", "agree5"),
        ),
        (("plan_changed", "Since the formulation, the team's plan for the person has changed.", "agree5"),),
        42,
    ),
    "LIAISON": (
        (
            ("helpful", "The contact was helpful for my work.", "useful5"),
            ("next", "I know who to contact and what happens next.", "agree5"),
            ("offer", "It was clear what the psychological service can offer.", "agree5"),
        ),
        (),
        None,
    ),
}


def default_items(category_code: str) -> tuple[DefaultItems, DefaultItems, int | None]:
    """The default first and follow-up items and follow-up delay for a category (a generic set otherwise)."""
    return DEFAULT_SETS.get(category_code, (_GENERIC, (), None))
