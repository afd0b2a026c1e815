"""Examples of RFC 9901 (Selective Disclosure for JSON Web Tokens, November 2025), as data.

Transcribed from the specification text (draft-ietf-oauth-selective-disclosure-jwt-22, the
version published as RFC 9901 with the same section numbers and examples): the line breaks
the RFC adds inside base64url strings are removed, nothing else is changed. Every
Issuer-signed JWT below verifies under the key of Appendix A.5 and every KB-JWT under the
example ``cnf`` key, so a transcription error cannot pass the tests silently.
"""

from __future__ import annotations

from typing import Any

# RFC 9901 Appendix A.5: the Issuer's public key for all examples (ES256).
ISSUER_JWK = {
    "kty": "EC",
    "crv": "P-256",
    "x": "b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ",
    "y": "Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8",
}
# RFC 9901 §5.1: the Holder's key, as the examples' ``cnf.jwk``.
HOLDER_JWK = {
    "kty": "EC",
    "crv": "P-256",
    "x": "TCAER19Zvu3OHF4j4W4vfSVoHIP1ILilDls7vCeGemc",
    "y": "ZxjiWWbZMQGHVWKVQ4hbSIirsVfuecCE6t4jT9F2HZQ",
}
# RFC 9901 §5.2 and Appendix A.3: the KB-JWT payload values (aud, nonce, iat).
KB_AUD = "https://verifier.example.org"
KB_NONCE = "1234567890"
KB_IAT = 1748537243
# RFC 9901 §9.11: the examples' explicit type.
EXAMPLE_TYP = "example+sd-jwt"

# RFC 9901 §4.2.1 (Disclosure) and §4.2.3 (its digest).
MOBIUS_CONTENTS = ["_26bc4LT-ac6q2KI6cBW5es", "family_name", "Möbius"]
MOBIUS_DISCLOSURE = "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0"
MOBIUS_DIGEST = "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0"
# RFC 9901 §4.2.1: other valid encodings of the same claim ("\u00f6", no white space,
# newlines); each is its own Disclosure with its own digest.
MOBIUS_VARIANTS = [
    "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNXHUwMGY2Yml1cyJd",
    "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsImZhbWlseV9uYW1lIiwiTcO2Yml1cyJd",
    "WwoiXzI2YmM0TFQtYWM2cTJLSTZjQlc1ZXMiLAoiZmFtaWx5X25hbWUiLAoiTcO2Yml1cyIKXQ",
]
# RFC 9901 §4.2.2 (array-element Disclosure) and §4.2.4.2 (its digest in the example).
FR_CONTENTS = ["lklxF5jMYlGTPUovMNIvCA", "FR"]
FR_DISCLOSURE = "WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0"
FR_DIGEST = "w0I8EKcdCtUPkGCNUrfwVp2xEgNjtoIDlOxc9-PlOhs"

# RFC 9901 §5.1: the Disclosures of the example, in the order the issuance lists them, as
# (Disclosure, SHA-256 digest, contents).
SECTION_5_DISCLOSURES: list[tuple[str, str, list[Any]]] = [
    (
        "WyIyR0xDNDJzS1F2ZUNmR2ZyeU5STjl3IiwgImdpdmVuX25hbWUiLCAiSm9obiJd",
        "jsu9yVulwQQlhFlM_3JlzMaSFzglhQG0DpfayQwLUK4",
        ["2GLC42sKQveCfGfryNRN9w", "given_name", "John"],
    ),
    (
        "WyJlbHVWNU9nM2dTTklJOEVZbnN4QV9BIiwgImZhbWlseV9uYW1lIiwgIkRvZSJd",
        "TGf4oLbgwd5JQaHyKVQZU9UdGE0w5rtDsrZzfUaomLo",
        ["eluV5Og3gSNII8EYnsxA_A", "family_name", "Doe"],
    ),
    (
        "WyI2SWo3dE0tYTVpVlBHYm9TNXRtdlZBIiwgImVtYWlsIiwgImpvaG5kb2VAZXhhbXBsZS5jb20iXQ",
        "JzYjH4svliH0R3PyEMfeZu6Jt69u5qehZo7F7EPYlSE",
        ["6Ij7tM-a5iVPGboS5tmvVA", "email", "johndoe@example.com"],
    ),
    (
        "WyJlSThaV205UW5LUHBOUGVOZW5IZGhRIiwgInBob25lX251bWJlciIsICIrMS0yMDItNTU1LTAxMDEiXQ",
        "PorFbpKuVu6xymJagvkFsFXAbRoc2JGlAUA2BA4o7cI",
        ["eI8ZWm9QnKPpNPeNenHdhQ", "phone_number", "+1-202-555-0101"],
    ),
    (
        "WyJRZ19PNjR6cUF4ZTQxMmExMDhpcm9BIiwgInBob25lX251bWJlcl92ZXJpZmllZCIsIHRydWVd",
        "XQ_3kPKt1XyX7KANkqVR6yZ2Va5NrPIvPYbyMvRKBMM",
        ["Qg_O64zqAxe412a108iroA", "phone_number_verified", True],
    ),
    (
        "WyJBSngtMDk1VlBycFR0TjRRTU9xUk9BIiwgImFkZHJlc3MiLCB7InN0cmVl"
        "dF9hZGRyZXNzIjogIjEyMyBNYWluIFN0IiwgImxvY2FsaXR5IjogIkFueXRv"
        "d24iLCAicmVnaW9uIjogIkFueXN0YXRlIiwgImNvdW50cnkiOiAiVVMifV0",
        "XzFrzwscM6Gn6CJDc6vVK8BkMnfG8vOSKfpPIZdAfdE",
        [
            "AJx-095VPrpTtN4QMOqROA",
            "address",
            {
                "street_address": "123 Main St",
                "locality": "Anytown",
                "region": "Anystate",
                "country": "US",
            },
        ],
    ),
    (
        "WyJQYzMzSk0yTGNoY1VfbEhnZ3ZfdWZRIiwgImJpcnRoZGF0ZSIsICIxOTQwLTAxLTAxIl0",
        "gbOsI4Edq2x2Kw-w5wPEzakob9hV1cRD0ATN3oQL9JM",
        ["Pc33JM2LchcU_lHggv_ufQ", "birthdate", "1940-01-01"],
    ),
    (
        "WyJHMDJOU3JRZmpGWFE3SW8wOXN5YWpBIiwgInVwZGF0ZWRfYXQiLCAxNTcwMDAwMDAwXQ",
        "CrQe7S5kqBAHt-nMYXgc6bdt2SH5aTY1sU_M-PgkjPI",
        ["G02NSrQfjFXQ7Io09syajA", "updated_at", 1570000000],
    ),
    (
        "WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIlVTIl0",
        "pFndjkZ_VCzmyTa6UjlZo3dh-ko8aIKQc9DlGzhaVYo",
        ["lklxF5jMYlGTPUovMNIvCA", "US"],
    ),
    (
        "WyJuUHVvUW5rUkZxM0JJZUFtN0FuWEZBIiwgIkRFIl0",
        "7Cf6JkPudry3lcbwHgeZ8khAv1U1OSlerP0VkBJrWZ0",
        ["nPuoQnkRFq3BIeAm7AnXFA", "DE"],
    ),
]

# RFC 9901 §5.1: the Issuer-signed JWT (typ example+sd-jwt, ES256).
SECTION_5_JWT = (
    "eyJhbGciOiAiRVMyNTYiLCAidHlwIjogImV4YW1wbGUrc2Qtand0In0.eyJfc2QiOiBb"
    "IkNyUWU3UzVrcUJBSHQtbk1ZWGdjNmJkdDJTSDVhVFkxc1VfTS1QZ2tqUEkiLCAiSnpZ"
    "akg0c3ZsaUgwUjNQeUVNZmVadTZKdDY5dTVxZWhabzdGN0VQWWxTRSIsICJQb3JGYnBL"
    "dVZ1Nnh5bUphZ3ZrRnNGWEFiUm9jMkpHbEFVQTJCQTRvN2NJIiwgIlRHZjRvTGJnd2Q1"
    "SlFhSHlLVlFaVTlVZEdFMHc1cnREc3JaemZVYW9tTG8iLCAiWFFfM2tQS3QxWHlYN0tB"
    "TmtxVlI2eVoyVmE1TnJQSXZQWWJ5TXZSS0JNTSIsICJYekZyendzY002R242Q0pEYzZ2"
    "Vks4QmtNbmZHOHZPU0tmcFBJWmRBZmRFIiwgImdiT3NJNEVkcTJ4Mkt3LXc1d1BFemFr"
    "b2I5aFYxY1JEMEFUTjNvUUw5Sk0iLCAianN1OXlWdWx3UVFsaEZsTV8zSmx6TWFTRnpn"
    "bGhRRzBEcGZheVF3TFVLNCJdLCAiaXNzIjogImh0dHBzOi8vaXNzdWVyLmV4YW1wbGUu"
    "Y29tIiwgImlhdCI6IDE2ODMwMDAwMDAsICJleHAiOiAxODgzMDAwMDAwLCAic3ViIjog"
    "InVzZXJfNDIiLCAibmF0aW9uYWxpdGllcyI6IFt7Ii4uLiI6ICJwRm5kamtaX1ZDem15"
    "VGE2VWpsWm8zZGgta284YUlLUWM5RGxHemhhVllvIn0sIHsiLi4uIjogIjdDZjZKa1B1"
    "ZHJ5M2xjYndIZ2VaOGtoQXYxVTFPU2xlclAwVmtCSnJXWjAifV0sICJfc2RfYWxnIjog"
    "InNoYS0yNTYiLCAiY25mIjogeyJqd2siOiB7Imt0eSI6ICJFQyIsICJjcnYiOiAiUC0y"
    "NTYiLCAieCI6ICJUQ0FFUjE5WnZ1M09IRjRqNFc0dmZTVm9ISVAxSUxpbERsczd2Q2VH"
    "ZW1jIiwgInkiOiAiWnhqaVdXYlpNUUdIVldLVlE0aGJTSWlyc1ZmdWVjQ0U2dDRqVDlG"
    "MkhaUSJ9fX0.ow2VRoOnXDjBhV-c2XUX9zWmHhbd5hao3xa39DfE4UX_wlsBlh5KBsmK"
    "eDd59GgpIbWFIomQWRy3A4L-St_6aQ"
)
# RFC 9901 §5.1: "Adding the Disclosures produces the SD-JWT", in the order listed above.
SECTION_5_ISSUED = SECTION_5_JWT + "~" + "".join(d + "~" for d, _, _ in SECTION_5_DISCLOSURES)

# RFC 9901 §5.2: the KB-JWT of the presentation.
SECTION_5_KB_JWT = (
    "eyJhbGciOiAiRVMyNTYiLCAidHlwIjogImtiK2p3dCJ9.eyJub25jZSI6ICIxMjM0NTY3ODkwIiwgImF1ZCI6ICJodH"
    "RwczovL3ZlcmlmaWVyLmV4YW1wbGUub3JnIiwgImlhdCI6IDE3NDg1MzcyNDMsICJzZF"
    "9oYXNoIjogIkczSTh6LWNGTUFUQUsyZXA4TVhXay12bmpJM1g2LWFhaFllVTlUdnp6M0"
    "UifQ.PqD8kiTmgP5PDvnRB8PzuzHYU5hH8bEw88jFN9aT5a5CblBjVcFig044UoWeJU6"
    "cUqBPAXVh0XAL8of4_Sp71g"
)
# RFC 9901 §5.2: the SD-JWT+KB disclosing family_name, address, given_name and the
# nationality "US", in this order (the same Disclosure strings as §5.1).
SECTION_5_PRESENTED = [SECTION_5_DISCLOSURES[i][0] for i in (1, 5, 0, 8)]
SECTION_5_PRESENTATION = (
    SECTION_5_JWT + "~" + "".join(d + "~" for d in SECTION_5_PRESENTED) + SECTION_5_KB_JWT
)
# RFC 9901 §5.2: the KB-JWT's sd_hash.
SECTION_5_SD_HASH = "G3I8z-cFMATAK2ep8MXWk-vnjI3X6-aahYeU9Tvzz3E"
# RFC 9901 §5.2: the Processed SD-JWT Payload after verifying the presentation.
SECTION_5_PROCESSED = {
    "iss": "https://issuer.example.com",
    "iat": 1683000000,
    "exp": 1883000000,
    "sub": "user_42",
    "nationalities": ["US"],
    "cnf": {"jwk": HOLDER_JWK},
    "family_name": "Doe",
    "address": {
        "street_address": "123 Main St",
        "locality": "Anytown",
        "region": "Anystate",
        "country": "US",
    },
    "given_name": "John",
}

# RFC 9901 §6.3: a recursive Disclosure (the address object whose own members are hidden),
# with its digest.
RECURSIVE_ADDRESS_DISCLOSURE = (
    "WyJRZ19PNjR6cUF4ZTQxMmExMDhpcm9BIiwgImFkZHJlc3MiLCB7Il9zZCI6"
    "IFsiNnZoOWJxLXpTNEdLTV83R3BnZ1ZiWXp6dTZvT0dYcm1OVkdQSFA3NVVk"
    "MCIsICI5Z2pWdVh0ZEZST0NnUnJ0TmNHVVhtRjY1cmRlemlfNkVyX2o3Nmtt"
    "WXlNIiwgIktVUkRQaDRaQzE5LTN0aXotRGYzOVY4ZWlkeTFvVjNhM0gxRGEy"
    "TjBnODgiLCAiV045cjlkQ0JKOEhUQ3NTMmpLQVN4VGpFeVc1bTV4NjVfWl8y"
    "cm8yamZYTSJdfV0"
)
RECURSIVE_ADDRESS_DIGEST = "HvrKX6fPV0v9K_yCVFBiLFHsMaxcD_114Em6VT8x1lg"
RECURSIVE_ADDRESS_INNER = [
    "6vh9bq-zS4GKM_7GpggVbYzzu6oOGXrmNVGPHP75Ud0",
    "9gjVuXtdFROCgRrtNcGUXmF65rdezi_6Er_j76kmYyM",
    "KURDPh4ZC19-3tiz-Df39V8eidy1oV3a3H1Da2N0g88",
    "WN9r9dCBJ8HTCsS2jKASxTjEyW5m5x65_Z_2ro2jfXM",
]

# RFC 9901 Appendix A.1: a structured SD-JWT with decoy digests, presented (without KB-JWT)
# with only address.region and address.country disclosed.
A1_PRESENTATION = (
    "eyJhbGciOiAiRVMyNTYiLCAidHlwIjogImV4YW1wbGUrc2Qtand0In0.eyJfc2QiOiBb"
    "IkM5aW5wNllvUmFFWFI0Mjd6WUpQN1FyazFXSF84YmR3T0FfWVVyVW5HUVUiLCAiS3Vl"
    "dDF5QWEwSElRdlluT1ZkNTloY1ZpTzlVZzZKMmtTZnFZUkJlb3d2RSIsICJNTWxkT0ZG"
    "ekIyZDB1bWxtcFRJYUdlcmhXZFVfUHBZZkx2S2hoX2ZfOWFZIiwgIlg2WkFZT0lJMnZQ"
    "TjQwVjd4RXhad1Z3ejd5Um1MTmNWd3Q1REw4Ukx2NGciLCAiWTM0em1JbzBRTExPdGRN"
    "cFhHd2pCZ0x2cjE3eUVoaFlUMEZHb2ZSLWFJRSIsICJmeUdwMFdUd3dQdjJKRFFsbjFs"
    "U2lhZW9iWnNNV0ExMGJRNTk4OS05RFRzIiwgIm9tbUZBaWNWVDhMR0hDQjB1eXd4N2ZZ"
    "dW8zTUhZS08xNWN6LVJaRVlNNVEiLCAiczBCS1lzTFd4UVFlVTh0VmxsdE03TUtzSVJU"
    "ckVJYTFQa0ptcXhCQmY1VSJdLCAiaXNzIjogImh0dHBzOi8vaXNzdWVyLmV4YW1wbGUu"
    "Y29tIiwgImlhdCI6IDE2ODMwMDAwMDAsICJleHAiOiAxODgzMDAwMDAwLCAiYWRkcmVz"
    "cyI6IHsiX3NkIjogWyI2YVVoelloWjdTSjFrVm1hZ1FBTzN1MkVUTjJDQzFhSGhlWnBL"
    "bmFGMF9FIiwgIkF6TGxGb2JrSjJ4aWF1cFJFUHlvSnotOS1OU2xkQjZDZ2pyN2ZVeW9I"
    "emciLCAiUHp6Y1Z1MHFiTXVCR1NqdWxmZXd6a2VzRDl6dXRPRXhuNUVXTndrclEtayIs"
    "ICJiMkRrdzBqY0lGOXJHZzhfUEY4WmN2bmNXN3p3Wmo1cnlCV3ZYZnJwemVrIiwgImNQ"
    "WUpISVo4VnUtZjlDQ3lWdWIyVWZnRWs4anZ2WGV6d0sxcF9KbmVlWFEiLCAiZ2xUM2hy"
    "U1U3ZlNXZ3dGNVVEWm1Xd0JUdzMyZ25VbGRJaGk4aEdWQ2FWNCIsICJydkpkNmlxNlQ1"
    "ZWptc0JNb0d3dU5YaDlxQUFGQVRBY2k0MG9pZEVlVnNBIiwgInVOSG9XWWhYc1poVkpD"
    "TkUyRHF5LXpxdDd0NjlnSkt5NVFhRnY3R3JNWDQiXX0sICJfc2RfYWxnIjogInNoYS0y"
    "NTYifQ.WWmFzrc3IRJFnvpmKGw_g9jYWnZxyZ7bGvZHkLI8159HJl8y-BBZ2K09bnMkm"
    "6QWlxLYpUIbolRHK75Jxk-SWw~WyJHMDJOU3JRZmpGWFE3SW8wOXN5YWpBIiwgInJlZ2"
    "lvbiIsICJcdTZlMmZcdTUzM2EiXQ~WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgImN"
    "vdW50cnkiLCAiSlAiXQ~"
)
# RFC 9901 Appendix A.1: the Processed SD-JWT Payload of that presentation.
A1_PROCESSED = {
    "iss": "https://issuer.example.com",
    "iat": 1683000000,
    "exp": 1883000000,
    "address": {"region": "港区", "country": "JP"},
}
# RFC 9901 Appendix A.1: the six decoy digests of the example.
A1_DECOYS = [
    "AzLlFobkJ2xiaupREPyoJz-9-NSldB6Cgjr7fUyoHzg",
    "cPYJHIZ8Vu-f9CCyVub2UfgEk8jvvXezwK1p_JneeXQ",
    "glT3hrSU7fSWgwF5UDZmWwBTw32gnUldIhi8hGVCaV4",
    "b2Dkw0jcIF9rGg8_PF8ZcvncW7zwZj5ryBWvXfrpzek",
    "fyGp0WTwwPv2JDQln1lSiaeobZsMWA10bQ5989-9DTs",
    "Y34zmIo0QLLOtdMpXGwjBgLvr17yEhhYT0FGofR-aIE",
]

# RFC 9901 Appendix A.3: an SD-JWT VC (typ dc+sd-jwt) presented with a KB-JWT, disclosing
# nationalities and, through the recursive age_equal_or_over Disclosure, only "18".
A3_PRESENTATION = (
    "eyJhbGciOiAiRVMyNTYiLCAidHlwIjogImRjK3NkLWp3dCJ9.eyJfc2QiOiBbIjBIWm1"
    "uU0lQejMzN2tTV2U3QzM0bC0tODhnekppLWVCSjJWel9ISndBVGciLCAiMUNybjAzV21"
    "VZVJXcDR6d1B2dkNLWGw5WmFRcC1jZFFWX2dIZGFHU1dvdyIsICIycjAwOWR6dkh1VnJ"
    "XclJYVDVrSk1tSG5xRUhIbldlME1MVlp3OFBBVEI4IiwgIjZaTklTRHN0NjJ5bWxyT0F"
    "rYWRqZEQ1WnVsVDVBMjk5Sjc4U0xoTV9fT3MiLCAiNzhqZzc3LUdZQmVYOElRZm9FTFB"
    "5TDBEWVBkbWZabzBKZ1ZpVjBfbEtDTSIsICI5MENUOEFhQlBibjVYOG5SWGtlc2p1MWk"
    "wQnFoV3FaM3dxRDRqRi1xREdrIiwgIkkwMGZjRlVvRFhDdWNwNXl5MnVqcVBzc0RWR2F"
    "XTmlVbGlOel9hd0QwZ2MiLCAiS2pBWGdBQTlONVdIRUR0UkloNHU1TW4xWnNXaXhoaFd"
    "BaVgtQTRRaXdnQSIsICJMYWk2SVU2ZDdHUWFnWFI3QXZHVHJuWGdTbGQzejhFSWdfZnY"
    "zZk9aMVdnIiwgIkxlemphYlJxaVpPWHpFWW1WWmY4Uk1pOXhBa2QzX00xTFo4VTdFNHM"
    "zdTQiLCAiUlR6M3FUbUZOSGJwV3JyT01aUzQxRjQ3NGtGcVJ2M3ZJUHF0aDZQVWhsTSI"
    "sICJXMTRYSGJVZmZ6dVc0SUZNanBTVGIxbWVsV3hVV2Y0Tl9vMmxka2tJcWM4IiwgIld"
    "UcEk3UmNNM2d4WnJ1UnBYemV6U2JrYk9yOTNQVkZ2V3g4d29KM2oxY0UiLCAiX29oSlZ"
    "JUUlCc1U0dXBkTlM0X3c0S2IxTUhxSjBMOXFMR3NoV3E2SlhRcyIsICJ5NTBjemMwSVN"
    "DaHlfYnNiYTFkTW9VdUFPUTVBTW1PU2ZHb0VlODF2MUZVIl0sICJpc3MiOiAiaHR0cHM"
    "6Ly9waWQtaXNzdWVyLmJ1bmQuZGUuZXhhbXBsZSIsICJpYXQiOiAxNjgzMDAwMDAwLCA"
    "iZXhwIjogMTg4MzAwMDAwMCwgInZjdCI6ICJ1cm46ZXVkaTpwaWQ6ZGU6MSIsICJfc2R"
    "fYWxnIjogInNoYS0yNTYiLCAiY25mIjogeyJqd2siOiB7Imt0eSI6ICJFQyIsICJjcnY"
    "iOiAiUC0yNTYiLCAieCI6ICJUQ0FFUjE5WnZ1M09IRjRqNFc0dmZTVm9ISVAxSUxpbER"
    "sczd2Q2VHZW1jIiwgInkiOiAiWnhqaVdXYlpNUUdIVldLVlE0aGJTSWlyc1ZmdWVjQ0U"
    "2dDRqVDlGMkhaUSJ9fX0.faxhsvoEKQ8spuwclkzyHKwRAAzYnIu6MSVLgIuzRJ1cccT"
    "jRp4bdSmYxmY2EB-F7-7UdnPANNL4j6JW-F8_gA~WyJlSzVvNXBIZmd1cFBwbHRqMXFo"
    "QUp3IiwgImFnZV9lcXVhbF9vcl9vdmVyIiwgeyJfc2QiOiBbIjF0RWl5elBSWU9Lc2Y3"
    "U3NZR01nUFpLc09UMWxRWlJ4SFhBMHI1X0J3a2siLCAiQ1ZLbmx5NVA5MHlKczNFd3R4"
    "UWlPdFVjemFYQ1lOQTRJY3pSYW9ock1EZyIsICJhNDQtZzJHcjhfM0FtSncyWFo4a0kx"
    "eTBRel96ZTlpT2NXMlczUkxwWEdnIiwgImdrdnkwRnV2QkJ2ajBoczJaTnd4Y3FPbGY4"
    "bXUyLWtDRTctTmIyUXh1QlUiLCAiaHJZNEhubUY1YjVKd0M5ZVR6YUZDVWNlSVFBYUlk"
    "aHJxVVhRTkNXYmZaSSIsICJ5NlNGclZGUnlxNTBJYlJKdmlUWnFxalFXejB0TGl1Q21N"
    "ZU8wS3FhekdJIl19XQ~WyJPQktsVFZsdkxnLUFkd3FZR2JQOFpBIiwgIjE4IiwgdHJ1Z"
    "V0~WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIm5hdGlvbmFsaXRpZXMiLCBbIkRFI"
    "l1d~eyJhbGciOiAiRVMyNTYiLCAidHlwIjogImtiK2p3dCJ9.eyJub25jZSI6ICIxMjM"
    "0NTY3ODkwIiwgImF1ZCI6ICJodHRwczovL3ZlcmlmaWVyLmV4YW1wbGUub3JnIiwgIml"
    "hdCI6IDE3NDg1MzcyNDMsICJzZF9oYXNoIjogIjQtQU5pZVFLcGFDSDlYRExpanp0dm1"
    "KQ25vRkliZG9JMXpRbDcyQ1lFeHMifQ.ntC_25hVM0v4VO-fjqNBE74gl0AyCoxQjvfF"
    "Dl5DrmVPeTkrVdmCdkF3nFGPh8Ob3CZWv5-WGdDbp1JOFXAH8g"
)
# RFC 9901 Appendix A.3: the KB-JWT's sd_hash and the Processed SD-JWT Payload.
A3_SD_HASH = "4-ANieQKpaCH9XDLijztvmJCnoFIbdoI1zQl72CYExs"
A3_PROCESSED = {
    "iss": "https://pid-issuer.bund.de.example",
    "iat": 1683000000,
    "exp": 1883000000,
    "vct": "urn:eudi:pid:de:1",
    "cnf": {"jwk": HOLDER_JWK},
    "age_equal_or_over": {"18": True},
    "nationalities": ["DE"],
}
