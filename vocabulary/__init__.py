"""The ground floor: names every package shares, importing nothing of ours.

- `vocabulary.claims`: claim kinds and states (the transitions live in `claims.lifecycle`);
- `vocabulary.reasons`: reason codes and severities (texts are in the gettext catalogues, `reason.<code>`), and
  which of them a participant may see, with their next step;
- `vocabulary.fields`: the one table of a claim's fields (type, money, editable, shown to the participant);
- `vocabulary.nip`: Polish tax numbers (NIP): normal form and check digit;
- `vocabulary.numbers`: the one parser of decimal numbers as people and documents write them.

`ocr`, `verification`, `claims` and the entry points all import from here; nothing here imports them.
"""
