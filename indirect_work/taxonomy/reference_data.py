"""The default taxonomy and the MHSDS code lists, loaded by ``flask load-reference-data``.

Sources: MHSDS v6 code lists (SERVICE OR TEAM TYPE FOR MENTAL HEALTH, CONSULTATION MECHANISM
(MENTAL HEALTH), CARE PROFESSIONAL STAFF GROUP (MENTAL HEALTH)) and the national list of
psychological professions. Patient-specific types map to MHS204; the rest stay local, because
MHSDS indirect activity always concerns one identifiable patient. No SNOMED CT concept ids are
set: each trust chooses its own.
"""

from __future__ import annotations

SERVICE_TEAM_TYPES: list[tuple[str, str, bool]] = [
    ("A01", "Day Care Service", True),
    ("A02", "Crisis Resolution Team/Home Treatment Service", True),
    ("A03", "Crisis Resolution Team", False),
    ("A04", "Home Treatment Service", False),
    ("A05", "Primary Care Mental Health Service", True),
    ("A06", "Community Mental Health Team - Functional", True),
    ("A07", "Community Mental Health Team - Organic", True),
    ("A08", "Assertive Outreach Team", True),
    ("A09", "Community Rehabilitation Service", True),
    ("A10", "General Psychiatry Service", True),
    ("A11", "Psychiatric Liaison Service", True),
    ("A12", "Psychotherapy Service", True),
    ("A13", "Psychological Therapy Service (non IAPT)", True),
    ("A14", "Early Intervention Team for Psychosis", True),
    ("A15", "Young Onset Dementia Team", True),
    ("A16", "Personality Disorder Service", True),
    ("A17", "Memory Services/Clinic/Drop in service", True),
    ("A18", "Single Point of Access Service", True),
    ("A19", "24/7 Crisis Response Line", True),
    ("A20", "Health Based Place of Safety Service", True),
    ("A21", "Crisis Cafe/Safe Haven/Sanctuary Service", True),
    ("A22", "Walk-in Crisis Assessment Unit Service", True),
    ("A23", "Psychiatric Decision Unit Service", True),
    ("A24", "Acute Day Service", True),
    ("A25", "Crisis House Service", True),
    ("B01", "Forensic Mental Health Service", True),
    ("B02", "Forensic Learning Disability Service", True),
    ("C01", "Autism Service", True),
    ("C02", "Specialist Perinatal Mental Health Community Service", True),
    ("C03", "Eating Disorders/Dietetics Service", False),
    ("C04", "Neurodevelopment Team", True),
    ("C05", "Paediatric Liaison Service", True),
    ("C06", "Looked After Children Service", True),
    ("C07", "Youth Offending Service", True),
    ("C08", "Acquired Brain Injury Service", True),
    ("C09", "CEDS for Children and Young People", False),
    ("C10", "Community Eating Disorder Service", True),
    ("D01", "Substance Misuse Team", True),
    ("D02", "Criminal Justice Liaison and Diversion Service", True),
    ("D03", "Prison Psychiatric Inreach Service", True),
    ("D04", "Asylum Service", True),
    ("D05", "Individual Placement and Support Service", True),
    ("D06", "Mental Health In Education Service", True),
    ("D07", "Problem Gambling Service", True),
    ("D08", "Rough Sleeping Service", True),
    ("E01", "Community Team for Learning Disabilities", True),
    ("E02", "Epilepsy/Neurological Service", True),
    ("E03", "Specialist Parenting Service", True),
    ("E04", "Enhanced/Intensive Support Service", True),
    ("F01", "Education-based Mental Health Support Team", True),
    ("F02", "Maternal Mental Health Service", True),
    ("F03", "Mental Health Services for Deaf people", True),
    ("F04", "Veterans Complex Treatment Service", False),
    ("F05", "Enhanced care in care homes teams", True),
    ("F06", "Mental Health and Wellbeing Hubs", True),
    ("F07", "Service or team type F07 (MHSDS v6; confirm description locally)", True),
    ("Z01", "Other Mental Health Service - in scope of National Tariff Payment System", True),
    ("Z02", "Other Mental Health Service - out of scope of National Tariff Payment System", True),
]

CONSULTATION_MECHANISMS: list[tuple[str, str]] = [
    ("01", "Face to face"),
    ("02", "Telephone"),
    ("04", "Talk type for a person unable to speak"),
    ("05", "Email"),
    ("09", "Text message (asynchronous)"),
    ("10", "Instant messaging (synchronous)"),
    ("11", "Video consultation"),
    ("12", "Message board (asynchronous)"),
    ("13", "Chat room (synchronous)"),
    ("98", "Other (not listed)"),
]

#: (code, label, report group, MHSDS CARE PROFESSIONAL STAFF GROUP (MENTAL HEALTH))
PROFESSIONS: list[tuple[str, str, str, str]] = [
    ("CLIN_PSY", "Clinical psychologist", "Psychologists", "03"),
    ("COUNS_PSY", "Counselling psychologist", "Psychologists", "03"),
    ("FOR_PSY", "Forensic psychologist", "Psychologists", "03"),
    ("HEALTH_PSY", "Health psychologist", "Psychologists", "03"),
    ("EDUC_PSY", "Educational psychologist", "Psychologists", "03"),
    ("NEURO_PSY", "Clinical neuropsychologist", "Psychologists", "03"),
    ("CAP", "Clinical associate in psychology", "Associate and assistant roles", "03"),
    ("ASST_PSY", "Assistant psychologist", "Associate and assistant roles", "03"),
    ("CBT", "Cognitive behavioural therapist", "Psychological therapists", "11"),
    ("COUNSELLOR", "Counsellor", "Psychological therapists", "06"),
    ("CAP_PSYTHX", "Child and adolescent psychotherapist", "Psychological therapists", "05"),
    ("ADULT_PSYTHX", "Adult psychotherapist", "Psychological therapists", "11"),
    ("FAM_SYS", "Family and systemic psychotherapist", "Psychological therapists", "07"),
    ("ARTS_THX", "Arts therapist (art, drama, music)", "Psychological therapists", "10"),
    ("PWP", "Psychological wellbeing practitioner", "Psychological practitioners", "04"),
    ("CWP", "Children's wellbeing practitioner", "Psychological practitioners", "04"),
    ("EMHP", "Education mental health practitioner", "Psychological practitioners", "04"),
    ("MHWP", "Mental health and wellbeing practitioner", "Psychological practitioners", "04"),
    ("YIPP", "Youth intensive psychological practitioner", "Psychological practitioners", "04"),
    ("TRAINEE_CLIN_PSY", "Trainee clinical psychologist", "Trainees", "03"),
]

RECIPIENT_TYPES: list[tuple[str, str]] = [
    ("MH_TEAM_STAFF", "Mental health team staff"),
    ("WARD_STAFF", "Inpatient ward staff"),
    ("ACUTE_HOSPITAL", "Acute or physical health staff"),
    ("GP_PRIMARY_CARE", "GP or primary care"),
    ("SOCIAL_CARE", "Social care"),
    ("EDUCATION", "School, college or education staff"),
    ("CRIMINAL_JUSTICE", "Police, probation or criminal justice"),
    ("VOLUNTARY_SECTOR", "Voluntary or community sector"),
    ("FAMILY_CARER", "Family member or carer"),
    ("TRAINEES", "Trainees or students"),
    ("PSYCH_PROFESSIONS", "Other psychological professionals"),
    ("PUBLIC", "Public or community groups"),
    ("OTHER", "Other"),
]

#: (category code, label, description, [(type code, label, description, patient specific, target)])
TAXONOMY: list[tuple[str, str, str, list[tuple[str, str, str, bool, str]]]] = [
    (
        "CONSULTATION",
        "Consultation",
        "Psychological consultation to other professionals and teams.",
        [
            (
                "CONSULT_PATIENT",
                "Consultation about a named patient",
                "Advice to another professional about one identifiable patient, the patient not present.",
                True,
                "MHS204",
            ),
            (
                "CONSULT_CASELOAD",
                "Consultation about a caseload or group of patients",
                "Consultation about several patients or a service's caseload.",
                False,
                "LOCAL",
            ),
            (
                "CONSULT_TEAM",
                "Consultation to a team or service",
                "Consultation on team functioning, pathways or approach, not about one patient.",
                False,
                "LOCAL",
            ),
        ],
    ),
    (
        "TRAINING",
        "Teaching and training delivered",
        "Teaching, training and workshops delivered to others.",
        [
            (
                "TRAIN_STAFF",
                "Training delivered to staff",
                "Planned teaching or training for staff groups.",
                False,
                "LOCAL",
            ),
            (
                "TRAIN_CARER_PATIENT",
                "Training or advice to a carer or teacher for a named patient",
                "Helping a teacher, carer or other person support one identifiable patient.",
                True,
                "MHS204",
            ),
            (
                "TRAIN_PUBLIC",
                "Teaching to students or the public",
                "University teaching, public talks.",
                False,
                "LOCAL",
            ),
        ],
    ),
    (
        "SUPERVISION",
        "Supervision provided",
        "Clinical and professional supervision given to others.",
        [
            (
                "SUPERVISION_CLINICAL",
                "Clinical supervision (individual)",
                "One-to-one clinical supervision.",
                False,
                "LOCAL",
            ),
            (
                "SUPERVISION_GROUP",
                "Clinical supervision (group)",
                "Group clinical supervision.",
                False,
                "LOCAL",
            ),
            (
                "SUPERVISION_TRAINEE",
                "Trainee or placement supervision",
                "Supervising trainees on placement.",
                False,
                "LOCAL",
            ),
        ],
    ),
    (
        "REFLECTIVE",
        "Reflective practice and staff support",
        "Reflective practice groups and staff support.",
        [
            (
                "REFLECTIVE_GROUP",
                "Reflective practice group",
                "Facilitating a reflective practice group.",
                False,
                "LOCAL",
            ),
            (
                "STAFF_SUPPORT",
                "Staff support or debrief",
                "Support after incidents, debriefs, wellbeing sessions.",
                False,
                "LOCAL",
            ),
        ],
    ),
    (
        "FORMULATION",
        "Team formulation",
        "Psychologically informed formulation with teams.",
        [
            (
                "FORMULATION_PATIENT",
                "Team formulation about a named patient",
                "MDT discussion or formulation of one patient, the patient not present.",
                True,
                "MHS204",
            ),
            (
                "FORMULATION_TEAM",
                "Team formulation session (no named patient)",
                "Formulation work about themes or groups of patients.",
                False,
                "LOCAL",
            ),
        ],
    ),
    (
        "LIAISON",
        "Liaison and multi-agency work",
        "Liaison with other agencies and professionals.",
        [
            (
                "LIAISON_PATIENT",
                "Liaison about a named patient",
                "Liaison with GP, school, social care or police about one patient.",
                True,
                "MHS204",
            ),
            (
                "MULTI_AGENCY_MEETING",
                "Multi-agency meeting",
                "Multi-agency or partnership meetings.",
                False,
                "LOCAL",
            ),
        ],
    ),
    (
        "SERVICE_DEV",
        "Service development and quality improvement",
        "Improving services and pathways.",
        [
            (
                "SERVICE_DEVELOPMENT",
                "Service or pathway development",
                "Designing or changing services.",
                False,
                "LOCAL",
            ),
            (
                "QUALITY_IMPROVEMENT",
                "Quality improvement project",
                "QI projects and audit cycles.",
                False,
                "LOCAL",
            ),
        ],
    ),
    (
        "RESEARCH",
        "Research and evaluation",
        "Research, audit and service evaluation.",
        [
            ("RESEARCH", "Research", "Research activity.", False, "LOCAL"),
            ("EVALUATION_AUDIT", "Service evaluation or audit", "Evaluation and audit.", False, "LOCAL"),
        ],
    ),
    (
        "LEADERSHIP",
        "Leadership and governance",
        "Leadership, management and governance.",
        [
            (
                "LEADERSHIP",
                "Professional leadership",
                "Leading the psychological professions in a service.",
                False,
                "LOCAL",
            ),
            (
                "GOVERNANCE",
                "Clinical governance",
                "Governance meetings, incident reviews, policy work.",
                False,
                "LOCAL",
            ),
        ],
    ),
    (
        "COMMUNITY",
        "Community and public-health work",
        "Work with communities and populations.",
        [
            (
                "COMMUNITY_ENGAGEMENT",
                "Community engagement",
                "Work with community groups and partners.",
                False,
                "LOCAL",
            ),
            (
                "PUBLIC_HEALTH",
                "Public mental health promotion",
                "Prevention and promotion activity.",
                False,
                "LOCAL",
            ),
        ],
    ),
]

#: (code, label) of the default "what changed" outcomes a clinician can record on an activity.
OUTCOME_OPTIONS: list[tuple[str, str]] = [
    ("CARE_PLAN_CHANGED", "Care plan changed"),
    ("REFERRAL_AVOIDED", "Referral avoided or redirected"),
    ("RISK_MANAGEMENT_CHANGED", "Risk management changed"),
    ("STAFF_SKILLS", "Staff skills or confidence developed"),
    ("SERVICE_CHANGE", "Service change agreed"),
    ("NOT_YET_KNOWN", "Not yet known"),
]
