"""Exact evidence on KSeF e-invoices: the FA(3)/FA(2) XML, the KSeF number and the verification QR codes.

Facts from the Ministry of Finance's public documentation (`CIRFMF/ksef-docs`: kody-qr.md, faktury/numer-ksef.md,
the FA(3) schema). Pure functions: no I/O beyond the bytes passed in, and paragon never calls KSeF itself.
"""
