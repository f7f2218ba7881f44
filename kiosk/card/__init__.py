"""My Number card support: reader service (pyscard/pcscd), card protocol, verifier.

Public API:
    ReaderService            async reader/card monitor over a worker thread (reader.py)
    CardSession              the kiosk flow's view-model + async service (session.py)
    MyNumberCard, Pin        the synchronous card conversation (mynumber.py)
    ApduTransport            the transport seam (apdu.py); GuardedTransport is the choke point
    verify_authentication    pure JPKI verifier (jpki_verify.py)
    CardError + subclasses, CardErrorCode, CARD_ERROR_MESSAGES (errors.py)
"""
