"""Latvian and English words for the parts of a column key, where ``type.json`` has none.

``type.json`` labels the claims a wallet shows (``achievement.awardingBody`` is "Izsniedzējs /
Awarding body"); a CSV column is a leaf below them (``achievement.awardingBody.legalName.lv``),
so :mod:`wallet.intake.columns` joins the nearest ``type.json`` label with the words below:
"Izsniedzējs: nosaukums (latviski)". A property missing here is spelt out from its camelCase
name, so a new type still gets readable headers.
"""

from __future__ import annotations

import re

#: Property name → (Latvian, English), lower case: these follow a ``type.json`` label.
SEGMENTS: dict[str, tuple[str, str]] = {
    "givenName": ("vārds", "given name"),
    "familyName": ("uzvārds", "family name"),
    "birthDate": ("dzimšanas datums", "date of birth"),
    "title": ("nosaukums", "title"),
    "programme": ("programma", "programme"),
    "code": ("kods", "code"),
    "iscedF": ("ISCED-F joma", "ISCED-F field"),
    "workload": ("apjoms", "workload"),
    "ects": ("ECTS kredītpunkti", "ECTS credits"),
    "hours": ("stundas", "hours"),
    "creditPoints": ("Latvijas kredītpunkti", "Latvian credit points"),
    "creditScheme": ("kredītpunktu sistēma", "credit point scheme"),
    "eqfLevel": ("EKI līmenis", "EQF level"),
    "eqfLevelUri": ("EKI līmeņa URI", "EQF level URI"),
    "lkiLevel": ("LKI līmenis", "LQF level"),
    "pklLevel": ("PKL līmenis", "professional qualification level"),
    "startDate": ("sākuma datums", "start date"),
    "endDate": ("beigu datums", "end date"),
    "learningSetting": ("izglītības veids", "learning setting"),
    "grade": ("vērtējums", "grade"),
    "scheme": ("skala", "scale"),
    "value": ("atzīme", "mark"),
    "label": ("vārdiem", "in words"),
    "learningOutcomes": ("studiju rezultāti", "learning outcomes"),
    "escoSkills": ("ESCO prasmes", "ESCO skills"),
    "languages": ("mācību valodas", "languages of instruction"),
    "awardingBody": ("izsniedzējs", "awarding body"),
    "legalName": ("nosaukums", "legal name"),
    "countryCode": ("valsts kods", "country code"),
    "region": ("reģions (NUTS)", "region (NUTS)"),
    "registrationNumber": ("reģistrācijas numurs", "registration number"),
    "awardingDate": ("izsniegšanas datums", "date of issue"),
    "documentSeries": ("dokumenta sērija", "document series"),
    "documentNumber": ("dokumenta numurs", "document number"),
    "achievementType": ("grāds", "degree"),
    "decisionDate": ("lēmuma datums", "decision date"),
    "decisionNumber": ("lēmuma numurs", "decision number"),
    "overallGrade": ("kopvērtējums", "overall grade"),
    "courses": ("studiju kursi", "courses"),
    "professionalQualification": ("profesionālā kvalifikācija", "professional qualification"),
    "professionCode": ("profesijas kods", "occupation code"),
    "qfEheaCycle": ("EAIT cikls", "QF-EHEA cycle"),
    "assessment": ("vērtēšana", "assessment"),
    "assessmentTypes": ("vērtēšanas veidi", "types of assessment"),
    "supervision": ("uzraudzība", "supervision"),
    "participationMode": ("dalības forma", "form of participation"),
    "qualityAssurance": ("kvalitātes nodrošināšana", "quality assurance"),
    "qaType": ("veids", "type"),
    "accreditingAgent": ("akreditētājs", "accrediting body"),
    "entryRequirements": ("uzņemšanas prasības", "entry requirements"),
    "stackability": ("apvienojamība", "stackability"),
    "isPartialQualification": ("daļēja kvalifikācija", "partial qualification"),
    "integrationOptions": ("integrācijas iespējas", "integration options"),
    "additionalNote": ("piezīme", "additional note"),
    "qualificationExam": ("kvalifikācijas eksāmens", "qualification exam"),
    "assessmentDate": ("vērtēšanas datums", "assessment date"),
    "assessedBy": ("vērtētājs", "assessed by"),
    "recognitionOfPriorLearning": (
        "iepriekš iegūtas kompetences atzīšana",
        "recognition of prior learning",
    ),
}

#: List name → the word for one of its items (the item number follows it).
ITEMS: dict[str, tuple[str, str]] = {
    "learningOutcomes": ("studiju rezultāts", "learning outcome"),
    "courses": ("studiju kurss", "course"),
}

#: Properties that only group others; they add no word ("achievement.title" is "Nosaukums").
SILENT = frozenset({"achievement"})

#: Language tag → how a column of a language map says its language.
LANGUAGE_NAMES: dict[str, tuple[str, str]] = {
    "lv": ("latviski", "in Latvian"),
    "en": ("angliski", "in English"),
    "ru": ("krieviski", "in Russian"),
}

_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def segment(name: str) -> tuple[str, str]:
    """The (Latvian, English) words of a property name; unknown names are spelt out."""
    known = SEGMENTS.get(name)
    if known is not None:
        return known
    words = _HUMP.sub(" ", name).lower()
    return words, words


__all__ = ["ITEMS", "LANGUAGE_NAMES", "SEGMENTS", "SILENT", "segment"]
