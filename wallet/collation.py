"""Latvian alphabetical order, for lists people read (DESIGN §4).

The CLDR/ICU tailoring for ``lv`` makes every letter with a diacritic a letter of its own,
sorted after its base letter, and puts ``y`` between ``i`` and ``ī``:
``&A<ā&C<č&E<ē&G<ģ&I<y<ī&K<ķ&L<ļ&N<ņ&O<ō&R<ŗ&S<š&U<ū&Z<ž``
(``reference/domain.md`` §3.2, from ICU 77.1). Python's ``sorted`` instead puts every
diacritic initial after ``z``. Case and anything outside the alphabet only break ties.
"""

from __future__ import annotations

import unicodedata

#: The primary order: the Latvian alphabet with the foreign letters where ICU puts them.
ALPHABET = "aābcčdeēfgģhiyījkķlļmnņoōpqrŗsštuūvwxzž"
_RANK = {letter: index for index, letter in enumerate(ALPHABET)}


def latvian_key(text: str) -> tuple[tuple[int, ...], str]:
    """A sort key that orders ``text`` by Latvian rules (NFC, case-insensitive first)."""
    normal = unicodedata.normalize("NFC", text)
    primary = tuple(
        _RANK[ch] if ch in _RANK else len(ALPHABET) + ord(ch) for ch in normal.casefold()
    )
    return primary, normal
